/*
 * In-system random-invocation fuzzer, run as the root task.
 *
 * Random system calls and invocations, with valid, empty, out-of-range and
 * guard-failing cptrs and boundary arguments, on two pools of slots: pool A
 * is the root's (it never blocks: only non-blocking IPC), pool B belongs to
 * two child threads that may block. Retype, derive, move, delete, revoke,
 * map and unmap into several VSpaces and IOSpaces, configure and start
 * threads, claim interrupts, claim and bind StreamIDs (to VSpaces and
 * IOSpaces). A fault handler turns every
 * capability fault into a skipped instruction. Every CHECK_EVERY operations
 * the invariants are checked: a canary frame unchanged, retype and delete
 * still work, an IPC round trip still works, the live audit walk completes.
 *
 * Parameters come from the kernel command line: fuzz.ops=N fuzz.seed=S.
 * The last line is "fuzz: N ops, seed S: N passed, N failed" (the checks).
 */
#include "../system/suite.h"

#include <libcairn/audit.h>
#include <libcairn/ipc.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define POOL_A	    160
#define POOL_B	    48
#define CHECK_EVERY 2000
#define RESET_EVERY 1000	 /* the pools run out of memory: start over */
#define CANARY_IPA  0x10070000UL /* in a table the root already has */
#define CHILDREN    2
#define CHILD_OPS   24 /* per round, then the child waits for the next */

struct pool {
	uint64_t first, count; /* slots [first, first + count) */
	uint64_t ut;	       /* the Untyped its objects come from */
	unsigned ut_bits;
	uint64_t rng;
	bool may_block;
};

static struct pool pool_a, pool_b[CHILDREN]; /* the children share slots */
static uint64_t ops_total, ops_done;
static uint64_t uart_intid;
static int checks_passed, checks_failed;
static volatile uint64_t unexpected_faults;

/* ---- random numbers (splitmix64) ---- */

static uint64_t next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t below(uint64_t *s, uint64_t n)
{
	return n == 0 ? 0 : next(s) % n;
}

/* A boundary-biased number: 0, 1, powers of two and their neighbours,
 * all ones, or anything. */
static uint64_t edgy(uint64_t *s)
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
static uint8_t shadow[1U << CAIRN_ROOT_CNODE_RADIX];

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
		return 0x6000000000ULL + (below(s, 8) << 21) +
		       (below(s, 4) << 12);
	default:
		return (next(s) & ((1ULL << 39) - 1)) & ~0xfffULL;
	}
}

/* ---- one random operation ---- */

/* Invocations tried and accepted, per kind: a fuzzer whose calls all fail
 * their first check explores nothing, so the summary shows how deep it
 * got. */
static const char *const kind_name[] = {"retype", "cnode", "map",
					"tcb",	  "irq",   "stream"};
#define KINDS (sizeof(kind_name) / sizeof(kind_name[0]))
static uint64_t tried[KINDS], accepted[KINDS];

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
static void op_map_frames(struct pool *p, uint64_t ios)
{
	uint64_t *s = &p->rng;
	uint64_t src = pick(p), dest = pick_empty(p);
	uint64_t count = below(s, 8) ? 1 + below(s, 4) : edgy(s);
	struct cairn_result r = cairn_iospace_map_frames(
	    ios, ROOT, dest, ROOT, src, count, pick_ipa(s),
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

static void one_op(struct pool *p)
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

/* ---- the threads around the fuzzing ---- */

static uint64_t child_tcb[CHILDREN], child_go[CHILDREN];

static void child_loop(uint64_t idx, uint64_t b, uint64_t self)
{
	(void)b, (void)self;
	for (;;) {
		cairn_wait(child_go[idx]);
		for (unsigned i = 0; i < CHILD_OPS; i++) {
			one_op(&pool_b[idx]);
		}
	}
}

/*
 * An invocation on an Endpoint cap is a Call, and blocks the root until
 * someone answers. The root cannot know what a random slot holds, so a
 * watchdog, woken by the virtual timer every 2 ms, restarts a root that
 * has been inside the same operation for a whole tick (Suspend cancels its
 * IPC, Resume lets it return with an error in x0).
 */
static volatile uint64_t root_in_op, root_op_seq, root_unstuck;

static void watchdog(uint64_t ntfn, uint64_t handler, uint64_t self)
{
	uint64_t last = ~0ULL;

	(void)self;
	for (;;) {
		vtimer_fire_in_ms(2);
		cairn_wait(ntfn);
		vtimer_off();
		cairn_irq_handler_ack(handler);
		if (root_in_op && root_op_seq == last) {
			cairn_tcb_suspend(SELF);
			cairn_tcb_resume(SELF);
			root_unstuck++;
		}
		last = root_op_seq;
	}
}

/*
 * Resumes every faulting root or child: a capability fault is the kernel
 * refusing a bad cptr in a Send/Recv-family call, as expected, and its
 * reported pc is already past the svc. Anything else is reported and the
 * instruction skipped.
 */
static void fault_handler(uint64_t fep, uint64_t reply, uint64_t self)
{
	struct cairn_recv in;

	(void)self;
	cairn_recv(fep, reply, &in);
	for (;;) {
		struct cairn_msg resume = {.info = CAIRN_MSGINFO(0, 0)};
		if (CAIRN_MSGINFO_LABEL(in.info) != CAIRN_FAULT_CAP) {
			printf("FAIL unexpected fault %lu at pc 0x%lx, word "
			       "0x%lx (badge %lu)\n",
			       CAIRN_MSGINFO_LABEL(in.info), in.mr[0], in.mr[1],
			       in.badge);
			unexpected_faults++;
			resume = (struct cairn_msg){
			    .info =
				CAIRN_MSGINFO(CAIRN_FAULT_REPLY_WRITE_REGS, 2),
			    .mr = {1, in.mr[0] + 4}};
		}
		cairn_reply_recv(fep, reply, &resume, &in);
	}
}

static void echo(uint64_t ep, uint64_t reply, uint64_t self)
{
	struct cairn_recv in;
	struct cairn_msg out = {.info = CAIRN_MSGINFO(0, 1)};

	(void)self;
	cairn_recv(ep, reply, &in);
	for (;;) {
		out.mr[0] = in.mr[0] + 1;
		cairn_reply_recv(ep, reply, &out, &in);
	}
}

/* ---- invariants ---- */

static uint64_t echo_ep, reserve_ut, reserve_slot;
static volatile uint64_t *canary;

static uint64_t canary_word(unsigned i)
{
	return 0xc0ffee0000000000ULL ^ ((uint64_t)i * 0x9e3779b97f4a7c15ULL);
}

static void count_entry(const struct cairn_audit_entry *e, void *ctx)
{
	(void)e;
	++*(long *)ctx;
}

static void check(const char *what, int ok)
{
	if (ok) {
		checks_passed++;
		return;
	}
	checks_failed++;
	printf("FAIL invariant after %lu ops: %s\n", ops_done, what);
}

static void check_invariants(void)
{
	int ok = 1;

	for (unsigned i = 0; i < 512; i++) {
		ok &= canary[i] == canary_word(i);
	}
	check("canary frame unchanged", ok);
	check("retype still works",
	      cairn_untyped_retype(reserve_ut, CAIRN_OBJ_ENDPOINT, 0, ROOT, 0,
				   0, reserve_slot, 1)
		      .error == CAIRN_OK);
	check("delete still works",
	      cairn_cnode_delete(ROOT, reserve_slot, DEPTH).error == CAIRN_OK);
	struct cairn_msg m = {.info = CAIRN_MSGINFO(1, 1), .mr = {ops_done}};
	long e = cairn_call(echo_ep, &m);
	check("IPC round trip still works", e == 0 && m.mr[0] == ops_done + 1);
	long entries = 0;
	long walked =
	    cairn_audit_walk(CAIRN_SLOT_AUDIT_CONTROL, count_entry, &entries);
	check("audit walk completes", walked > 0 && walked == entries);
}

/* Empties a pool: revoke its Untyped (every object and every copy the
 * kernel holds of them), then delete what is left in its slots. */
static void reset_pool(struct pool *p)
{
	cairn_cnode_revoke(ROOT, p->ut, DEPTH);
	for (uint64_t i = 0; i < p->count; i++) {
		cairn_cnode_delete(ROOT, p->first + i, DEPTH);
		shadow[p->first + i] = 0;
	}
}

/* ---- set-up ---- */

static uint64_t param(const char *name, uint64_t dflt)
{
	const char *c = strstr(cairn_bootinfo->cmdline, name);

	return c != NULL ? strtoull(c + strlen(name), NULL, 0) : dflt;
}

static void pool_init(struct pool *p, unsigned ut_bits, uint64_t count,
		      uint64_t seed, bool may_block)
{
	p->ut = make(CAIRN_OBJ_UNTYPED, ut_bits);
	p->ut_bits = ut_bits;
	p->first = slot();
	for (uint64_t i = 1; i < count; i++) {
		slot();
	}
	p->count = count;
	p->rng = seed;
	p->may_block = may_block;
}

static void setup(uint64_t seed)
{
	uint64_t fep = make(CAIRN_OBJ_ENDPOINT, 0);

	uart_intid = cairn_bootinfo->uart_intid;
	reserve_ut = make(CAIRN_OBJ_UNTYPED, 16);
	reserve_slot = slot();
	uint64_t cf = map_new(VSPACE, CANARY_IPA, RW);
	(void)cf;
	canary = (volatile uint64_t *)CANARY_IPA;
	for (unsigned i = 0; i < 512; i++) {
		canary[i] = canary_word(i);
	}
	/* Above the children, below the root: runs whenever a fault waits. */
	uint64_t h = spawn(fault_handler, fep, make(CAIRN_OBJ_REPLY, 0), 0);
	cairn_tcb_set_priority(h, SELF, 254);
	echo_ep = make(CAIRN_OBJ_ENDPOINT, 0);
	uint64_t e = spawn(echo, echo_ep, make(CAIRN_OBJ_REPLY, 0), 0);
	cairn_tcb_set_priority(e, SELF, 250);
	/* The root's own faults go to the handler too (badge 0 means it). */
	cairn_tcb_configure(SELF, ROOT, VSPACE, CAIRN_SLOT_IPC_BUFFER,
			    CAIRN_ROOT_IPC_BUFFER, mint(fep, ALL, 100));
	pool_init(&pool_a, 22, POOL_A, seed, false);
	pool_init(&pool_b[0], 20, POOL_B, seed ^ 0x5bd1e995, true);
	for (unsigned i = 1; i < CHILDREN; i++) {
		pool_b[i] = pool_b[0];
		pool_b[i].rng = seed ^ (0x5bd1e995 * (i + 1));
	}
	uint64_t wd_ntfn = make(CAIRN_OBJ_NOTIFICATION, 0), wd_irq = slot();
	cairn_irq_control_get(CAIRN_SLOT_IRQ_CONTROL, VTIMER_PPI,
			      CAIRN_IRQ_LEVEL, ROOT, wd_irq, DEPTH);
	cairn_irq_handler_set_notification(wd_irq, wd_ntfn);
	uint64_t wd = spawn(watchdog, wd_ntfn, wd_irq, 0);
	cairn_tcb_set_priority(wd, SELF, 254);
	for (unsigned i = 0; i < CHILDREN; i++) {
		child_go[i] = make(CAIRN_OBJ_NOTIFICATION, 0);
		child_tcb[i] =
		    spawn(child_loop, i, seed, mint(fep, ALL, i + 1));
		cairn_tcb_set_priority(child_tcb[i], SELF, 100);
	}
}

int main(void)
{
	common_init(cairn_bootinfo);
	ops_total = param("fuzz.ops=", 20000);
	uint64_t seed = param("fuzz.seed=", 1);
	printf("fuzz: seed %lu, %lu ops (kernel command line: fuzz.ops=N "
	       "fuzz.seed=S)\n",
	       seed, ops_total);
	setup(seed);
	for (ops_done = 0; ops_done < ops_total; ops_done++) {
		root_op_seq = ops_done;
		root_in_op = 1;
		one_op(&pool_a);
		root_in_op = 0;
		if (ops_done % 64 == 63) {
			for (unsigned i = 0; i < CHILDREN; i++) {
				cairn_signal(child_go[i]);
			}
			let_threads_run();
		}
		if (ops_done % CHECK_EVERY == CHECK_EVERY - 1) {
			check_invariants();
		}
		if (ops_done % RESET_EVERY == RESET_EVERY - 1) {
			reset_pool(&pool_a);
			reset_pool(&pool_b[0]);
			if ((ops_done + 1) % 100000 == 0) {
				printf("fuzz: %lu ops done (%lu restarts of a "
				       "blocked root)\n",
				       ops_done + 1, root_unstuck);
			}
		}
	}
	reset_pool(&pool_a);
	reset_pool(&pool_b[0]);
	check_invariants();
	check("no fault but capability faults", unexpected_faults == 0);
	for (unsigned k = 0; k < KINDS; k++) {
		printf("fuzz: %s: %lu of %lu invocations accepted\n",
		       kind_name[k], accepted[k], tried[k]);
	}
	printf("fuzz: %lu ops, seed %lu, %lu restarts of a blocked root: %d "
	       "passed, %d failed\n",
	       ops_total, seed, root_unstuck, checks_passed, checks_failed);
	cairn_power_off(CAIRN_SLOT_POWER_CONTROL);
	return 0;
}
