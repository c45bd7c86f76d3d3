/*
 * The fuzzer's random operations (fuzz.h): random numbers, the picks of
 * arguments (mostly slots of the right type, from the shadow of what each
 * slot holds), and one random invocation of each kind, counted by kind.
 */
#include "fuzz.h"

#include <libcairn/ipc.h>
#include <stdio.h>
#include <string.h>

/* ---- random numbers (splitmix64) ---- */

uint64_t next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t below(uint64_t *s, uint64_t n)
{
	return n == 0 ? 0 : next(s) % n;
}

/* A boundary-biased number: 0, 1, powers of two and their neighbours,
 * all ones, or anything. */
uint64_t edgy(uint64_t *s)
{
	uint64_t bit = 1ULL << below(s, 64);

	switch (below(s, 8)) {
	case 0:
		return 0;
	case 1:
		return below(s, 4);
	case 2:
		return bit;
	case 3:
		return bit - 1;
	case 4:
		return bit + 1;
	case 5:
		return ~0ULL;
	case 6:
		return below(s, 70);
	default:
		return next(s);
	}
}

/* A cptr for this pool: mostly its slots, sometimes 0, an empty slot far
 * away, or one whose top bits fail the root CNode's guard. Never one of the
 * root's own slots, so the fuzzer cannot delete what it runs on. */
static uint64_t pick(struct pool *p)
{
	switch (below(&p->rng, 20)) {
	case 0:
		return 0;
	case 1:
		return (1ULL << 63) | next(&p->rng); /* guard mismatch */
	case 2:
		return cairn_bootinfo->free_end - 1 - below(&p->rng, 4);
	default:
		return p->first + below(&p->rng, p->count);
	}
}

/*
 * What the fuzzer believes each root slot holds (an object type, 0 for
 * empty), updated after its own successful operations. It goes stale when
 * a revoke empties slots, which only makes a typed pick miss; it lets most
 * typed arguments name an object of the right type, so calls get past the
 * decoders' first checks and reach the deeper paths.
 */
uint8_t shadow[1U << CAIRN_ROOT_CNODE_RADIX];

static uint64_t pick_typed(struct pool *p, uint64_t type)
{
	for (unsigned tries = 0; tries < 12 && below(&p->rng, 5) != 0;
	     tries++) {
		uint64_t c = p->first + below(&p->rng, p->count);
		if (shadow[c] == type) {
			return c;
		}
	}
	return pick(p);
}

static uint64_t pick_empty(struct pool *p)
{
	return pick_typed(p, 0);
}

static uint64_t pick_vspace(struct pool *p)
{
	return below(&p->rng, 8) == 0 ? VSPACE
				      : pick_typed(p, CAIRN_OBJ_VSPACE);
}

static uint64_t pick_ipa(uint64_t *s)
{
	switch (below(s, 8)) {
	case 0:
		return edgy(s);
	case 1:
		return (1ULL << 39) - 0x1000 * (1 + below(s, 2));
	case 2:
	case 3:
	case 4:
	case 5:
		return FIXED_IOVA + (below(s, 8) << 21) + (below(s, 4) << 12);
	default:
		return (next(s) & ((1ULL << 39) - 1)) & ~0xfffULL;
	}
}

/* ---- one random operation ---- */

/* Invocations tried and accepted, per kind: a fuzzer whose calls all fail
 * their first check explores nothing, so the summary shows how deep it
 * got. */
const char *const kind_name[FUZZ_KINDS] = {"retype", "cnode", "map",
					   "tcb",    "irq",   "stream"};
uint64_t tried[FUZZ_KINDS], accepted[FUZZ_KINDS];

/* A shadow entry for a StreamID, which is no object type. */
#define SHADOW_STREAM 37

static void tally(unsigned kind, struct cairn_result r)
{
	tried[kind]++;
	accepted[kind] += r.error == CAIRN_OK;
}

static void op_retype(struct pool *p)
{
	uint64_t *s = &p->rng;
	uint64_t ut =
	    below(s, 4) != 0 ? p->ut : pick_typed(p, CAIRN_OBJ_UNTYPED);
	uint64_t type = below(s, 10) ? 1 + below(s, CAIRN_OBJ_TYPE_COUNT - 1)
				     : below(s, 256);
	uint64_t bits = below(s, 4) == 0	  ? edgy(s)
			: type == CAIRN_OBJ_CNODE ? 1 + below(s, 8)
						  : 4 + below(s, 16);
	uint64_t dest_root =
	    below(s, 10) == 0 ? pick_typed(p, CAIRN_OBJ_CNODE) : ROOT;
	uint64_t offset = below(s, 10) == 0 ? edgy(s) : pick_empty(p);
	uint64_t count = below(s, 6) == 0 ? edgy(s) : 1 + below(s, 2);

	if (dest_root == ROOT && offset + count > p->first + p->count) {
		count = 1; /* keep whole ranges inside the pool */
		offset = p->first + below(s, p->count);
	}
	struct cairn_result r = cairn_untyped_retype(ut, type, bits, dest_root,
						     0, 0, offset, count);
	tally(0, r);
	for (uint64_t i = 0;
	     r.error == CAIRN_OK && dest_root == ROOT && i < count; i++) {
		shadow[offset + i] = (uint8_t)type;
	}
}

static void op_cnode(struct pool *p)
{
	uint64_t *s = &p->rng;
	bool nested = below(s, 5) == 0;
	uint64_t cn = nested ? pick_typed(p, CAIRN_OBJ_CNODE) : ROOT;
	uint64_t dest = nested ? below(s, 70) : pick_empty(p);
	uint64_t depth = nested ? (below(s, 2) ? below(s, 12) : edgy(s)) : 64;
	uint64_t src = pick(p), rights = below(s, 32);
	uint64_t badge = below(s, 2) ? below(s, 1000) : edgy(s);
	unsigned what = (unsigned)below(s, 6);
	struct cairn_result r;

	switch (what) {
	case 0:
		r = cairn_cnode_copy(cn, dest, depth, ROOT, src, DEPTH, rights);
		break;
	case 1:
		r = cairn_cnode_mint(cn, dest, depth, ROOT, src, DEPTH, rights,
				     badge);
		break;
	case 2:
		r = cairn_cnode_move(cn, dest, depth, ROOT, src, DEPTH);
		break;
	case 3:
		r = cairn_cnode_mutate(cn, dest, depth, ROOT, src, DEPTH,
				       badge);
		break;
	case 4:
		dest = nested ? dest : pick(p);
		r = cairn_cnode_delete(cn, dest, depth);
		break;
	default:
		dest = nested ? dest : pick(p);
		r = cairn_cnode_revoke(cn, dest, depth);
		break;
	}
	tally(1, r);
	if (r.error != CAIRN_OK || nested) {
		return;
	}
	if (what <= 3) {
		shadow[dest] = shadow[src];
	}
	if (what == 2 || what == 3 || what == 4) {
		shadow[what == 4 ? dest : src] = 0;
	}
}

/* IOSpace.MapFrames: a short run of root slots (often not all frames)
 * into empty ones, and UnmapFrames; the shadow learns the copies. */
/* count new 4 KiB frames in consecutive slots of the pool (when they
 * fit): the first slot. */
static uint64_t fresh_frames(struct pool *p, uint64_t count)
{
	uint64_t first = pick_empty(p);

	if (count > 4 || first < p->first ||
	    first + count > p->first + p->count) {
		return first;
	}
	struct cairn_result r = cairn_untyped_retype(
	    p->ut, CAIRN_OBJ_FRAME_4K, 0, ROOT, 0, 0, first, count);
	tally(0, r);
	for (uint64_t i = 0; r.error == CAIRN_OK && i < count; i++) {
		shadow[first + i] = CAIRN_OBJ_FRAME_4K;
	}
	return first;
}

static void op_map_frames(struct pool *p, uint64_t ios)
{
	uint64_t *s = &p->rng;
	/* Mostly one 4 KiB frame (runs of frames are rare in the pool). */
	uint64_t src =
	    below(s, 4) ? pick_typed(p, CAIRN_OBJ_FRAME_4K) : pick(p);
	uint64_t dest = pick_empty(p);
	uint64_t count = below(s, 2)   ? 1
			 : below(s, 4) ? 1 + below(s, 4)
				       : edgy(s);
	if (below(s, 2)) {
		/* The root's IOSpace, whose tables cover the first 2 MiB
		 * pick_ipa() favours, and a run of new frames: the copies
		 * really get mapped. */
		ios = fixed_iospace;
		src = fresh_frames(p, count);
	}
	uint64_t iova = ios == fixed_iospace && below(s, 4)
			    ? FIXED_IOVA + (below(s, 508) << 12)
			    : pick_ipa(s);
	struct cairn_result r =
	    cairn_iospace_map_frames(ios, ROOT, dest, ROOT, src, count, iova,
				     below(s, 4) ? RW : below(s, 32));

	tally(2, r);
	if (r.error == CAIRN_OK) {
		for (uint64_t i = 0; i < count; i++) {
			shadow[dest + i] = shadow[src + i];
		}
	}
	/* Sometimes straight back: the copies deleted, or refused whole. */
	if (below(s, 2)) {
		uint64_t first = below(s, 4) ? dest : pick(p);
		r = cairn_iospace_unmap_frames(ios, ROOT, first, count);
		tally(2, r);
		for (uint64_t i = 0; r.error == CAIRN_OK && i < count; i++) {
			shadow[first + i] = 0;
		}
	}
}

/* IOSpaces: MapIO, IOPageTable.Map, UnmapIO and IOPageTable.Unmap. */
static void op_iospace(struct pool *p, uint64_t frame)
{
	uint64_t *s = &p->rng;
	uint64_t ios = pick_typed(p, CAIRN_OBJ_IOSPACE);
	uint64_t table = pick_typed(p, CAIRN_OBJ_IO_PAGE_TABLE);

	switch (below(s, 5)) {
	case 0:
		tally(2, cairn_frame_map_io(frame, ios, pick_ipa(s),
					    below(s, 4) ? RW : below(s, 32)));
		break;
	case 1:
		tally(2, cairn_io_page_table_map(table, ios, pick_ipa(s)));
		break;
	case 2:
		tally(2, cairn_frame_unmap_io(frame));
		break;
	case 3:
		op_map_frames(p, ios);
		break;
	default:
		tally(2, cairn_io_page_table_unmap(table));
		break;
	}
}

static void op_vspace(struct pool *p)
{
	uint64_t *s = &p->rng;
	unsigned what = (unsigned)below(s, 7);
	uint64_t cap = pick_typed(p, what == 2	   ? CAIRN_OBJ_PAGE_TABLE
				     : below(s, 2) ? CAIRN_OBJ_FRAME_4K
						   : CAIRN_OBJ_FRAME_2M);

	switch (what) {
	case 0:
	case 1:
		tally(2, cairn_frame_map(cap, pick_vspace(p), pick_ipa(s),
					 below(s, 4) ? RW : below(s, 32),
					 below(s, 8)));
		break;
	case 2:
		tally(2,
		      cairn_page_table_map(cap, pick_vspace(p), pick_ipa(s)));
		break;
	case 3:
		if (below(s, 2)) {
			tally(2, cairn_frame_unmap(cap));
		} else {
			tally(2, cairn_page_table_unmap(cap));
		}
		break;
	case 4:
		tally(2, cairn_frame_get_address(cap));
		break;
	default:
		op_iospace(p, cap);
		break;
	}
}

static void op_tcb(struct pool *p)
{
	uint64_t *s = &p->rng;
	uint64_t t = pick_typed(p, CAIRN_OBJ_TCB), regs[40];

	for (unsigned i = 0; i < 40; i++) {
		regs[i] = below(s, 2) ? edgy(s) : 0x6000000000ULL;
	}
	switch (below(s, 13)) {
	case 0:
		tally(3, cairn_tcb_configure(t, pick_typed(p, CAIRN_OBJ_CNODE),
					     pick_typed(p, CAIRN_OBJ_VSPACE),
					     pick_typed(p, CAIRN_OBJ_FRAME_4K),
					     pick_ipa(s), pick(p)));
		break;
	case 1:
		tally(3, cairn_tcb_set_priority(t, SELF, below(s, 300)));
		break;
	case 2:
		tally(3, cairn_tcb_set_mc_priority(t, SELF, below(s, 300)));
		break;
	case 3:
		tally(3, cairn_tcb_read_registers(t, regs,
						  (unsigned)below(s, 40)));
		break;
	case 4:
		tally(3, cairn_tcb_write_registers(t, (int)below(s, 2), regs,
						   (unsigned)below(s, 40)));
		break;
	case 5:
		tally(3, cairn_tcb_resume(t));
		break;
	case 6:
		tally(3, cairn_tcb_suspend(t));
		break;
	case 7:
		tally(3, cairn_tcb_bind_notification(
			     t, pick_typed(p, CAIRN_OBJ_NOTIFICATION)));
		break;
	case 9: /* the pool's threads run their garbage as guests too */
		tally(3, cairn_tcb_bind_vcpu(t, pick_typed(p, CAIRN_OBJ_VCPU)));
		break;
	case 10:
		tally(3, cairn_tcb_unbind_vcpu(t));
		break;
	case 11:
		tally(3, cairn_vcpu_write_regs(pick_typed(p, CAIRN_OBJ_VCPU),
					       (unsigned)below(s, 30),
					       (unsigned)below(s, 30), regs));
		break;
	case 12:
		tally(3, cairn_vcpu_read_regs(pick_typed(p, CAIRN_OBJ_VCPU),
					      (unsigned)below(s, 30),
					      (unsigned)below(s, 30), regs));
		break;
	default:
		tally(3, cairn_tcb_set_name(t, "fuzzed"));
		break;
	}
}

static void op_irq(struct pool *p)
{
	uint64_t *s = &p->rng;
	uint64_t irq = below(s, 3) ? below(s, 300) : edgy(s);

	if (irq == uart_intid || irq == VTIMER_PPI) {
		return; /* the console's, and the watchdog's */
	}
	switch (below(s, 4)) {
	case 0:
		tally(4,
		      cairn_irq_control_get(CAIRN_SLOT_IRQ_CONTROL, irq,
					    below(s, 3), ROOT, pick(p), DEPTH));
		break;
	case 1:
		tally(4, cairn_irq_handler_set_notification(
			     pick(p), pick_typed(p, CAIRN_OBJ_NOTIFICATION)));
		break;
	case 2:
		tally(4, cairn_irq_handler_ack(pick(p)));
		break;
	default:
		tally(4, cairn_irq_handler_clear(pick(p)));
		break;
	}
}

/* StreamIDs: claims of low (and edgy) StreamIDs into the pool, bindings
 * to its VSpaces and the root's, fault routes; no device does DMA. */
static void op_stream(struct pool *p)
{
	uint64_t *s = &p->rng;
	uint64_t st = pick_typed(p, SHADOW_STREAM);
	uint64_t info[CAIRN_SID_INFO_WORDS];
	struct cairn_stream_faults f;
	struct cairn_result r;

	switch (below(s, 8)) {
	case 0: {
		uint64_t dest = pick_empty(p);
		r = cairn_sid_control_get(CAIRN_SLOT_SID_CONTROL,
					  below(s, 4) ? below(s, 8) : edgy(s),
					  ROOT, dest, DEPTH);
		if (r.error == CAIRN_OK) {
			shadow[dest] = SHADOW_STREAM;
		}
		break;
	}
	case 1:
		r = cairn_stream_bind_vspace(st, pick_vspace(p));
		break;
	case 2:
		r = cairn_stream_bind_iospace(st,
					      pick_typed(p, CAIRN_OBJ_IOSPACE));
		break;
	case 3:
		r = cairn_stream_unbind(st);
		break;
	case 4:
		r = cairn_stream_set_fault_notification(
		    st,
		    below(s, 4) ? pick_typed(p, CAIRN_OBJ_NOTIFICATION) : 0);
		break;
	case 5:
		r = cairn_stream_get_faults(st, &f);
		break;
	case 6:
		/* A root-bus device's INTx: the handler lands like any. */
		r = cairn_sid_control_get_intx(
		    CAIRN_SLOT_SID_CONTROL,
		    below(s, 4) ? below(s, 40) : edgy(s),
		    below(s, 4) ? 1 + below(s, 4) : edgy(s), ROOT,
		    pick_empty(p), DEPTH);
		break;
	default:
		r = cairn_sid_control_info(CAIRN_SLOT_SID_CONTROL, info);
		break;
	}
	tally(5, r);
}

static void op_ipc(struct pool *p)
{
	uint64_t *s = &p->rng;
	struct cairn_msg m = {.info = next(s) & 0xffffffffffULL};
	struct cairn_recv in;
	uint64_t cap = pick(p), reply = below(s, 2) ? pick(p) : 0;

	for (unsigned i = 0; i < CAIRN_MSG_REG_WORDS; i++) {
		m.mr[i] = edgy(s);
	}
	/* Lengths over six read the IPC buffer, which is always there. */
	switch (below(s, p->may_block ? 8 : 4)) {
	case 0:
		cairn_nbsend(cap, &m);
		break;
	case 1:
		cairn_nbrecv(cap, reply, &in);
		break;
	case 2:
		cairn_signal(cap);
		break;
	case 3:
		cairn_poll(cap);
		break;
	case 4:
		cairn_send(cap, &m);
		break;
	case 5:
		cairn_recv(cap, reply, &in);
		break;
	case 6:
		cairn_reply_recv(cap, reply, &m, &in);
		break;
	default:
		cairn_call(cap, &m);
		break;
	}
}

/* An invocation with a random label and words on any cap: the decoders'
 * argument checks. The root never Calls (an Endpoint would block it). */
static void op_any(struct pool *p)
{
	uint64_t *s = &p->rng;
	uint64_t w[12];

	for (unsigned i = 0; i < 12; i++) {
		w[i] = below(s, 2) ? edgy(s) : pick(p);
	}
	if (p->may_block) {
		cairn_invoke(pick(p), below(s, 100), w, (unsigned)below(s, 13));
	}
}

void one_op(struct pool *p)
{
	switch (below(&p->rng, 17)) {
	case 0:
	case 1:
	case 2:
		op_retype(p);
		break;
	case 3:
	case 4:
	case 5:
	case 6:
		op_cnode(p);
		break;
	case 7:
	case 8:
	case 9:
		op_vspace(p);
		break;
	case 10:
	case 11:
		op_tcb(p);
		break;
	case 12:
		op_irq(p);
		break;
	case 13:
	case 14:
		op_ipc(p);
		break;
	case 15:
		op_stream(p);
		break;
	default:
		op_any(p);
		break;
	}
}
