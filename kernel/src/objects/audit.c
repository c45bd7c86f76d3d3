/*
 * The audit visits every TCB (creation order) and, in each, every slot of
 * its CSpace reachable by a cptr of at most 64 bits (depth-first, slot
 * order), reporting the non-empty ones. Each CNode's slots are reported
 * once per holder, under the first path that reaches it, so cycles and
 * shared CNodes cannot multiply the work. A walk call is stateless: the
 * cursor is the ordinal of the next entry, so each call walks from the
 * start and skips what was already returned. TCBs created or destroyed
 * between calls shift the ordinals: a consistent dump needs a quiet system.
 */
#include "objects/audit.h"

#include "arch.h"
#include "objects/irq.h"
#include "objects/tcb.h"
#include "sched.h"

#include <cairn/invocations.h>
#include <string.h>

#define AUDIT_MAX_CNODES 256 /* per holder; deeper ones are not entered */

struct walk {
	uint64_t skip; /* entries before the chunk */
	paddr_t visited[AUDIT_MAX_CNODES];
	size_t nvisited;
	uint64_t seen; /* entries visited so far */
	uint64_t *out; /* reply words for entries */
	size_t count;  /* entries written */
	const struct tcb *holder;
};

static uint64_t id_key;

static uint64_t mix(uint64_t x)
{
	/* splitmix64's finaliser: a bijection, so distinct objects keep
	 * distinct ids. */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	return x ^ (x >> 31);
}

uint64_t audit_object_id(const struct cap *c)
{
	if (id_key == 0) {
		id_key = arch_counter() | 1; /* per boot, never 0 */
	}
	return mix((pa_addr(c->object) ^ id_key) + ((uint64_t)c->type << 56) +
		   c->size_bits);
}

/* The badge word shows identity only: the union also holds a frame's
 * mapping or an Untyped's watermark, which change and are not authority. */
static uint64_t audit_badge(const struct cap *c)
{
	switch ((enum cap_type)c->type) {
	case CAP_ENDPOINT:
	case CAP_NOTIFICATION:
		return c->badge;
	case CAP_CNODE:
		return CAIRN_GUARD_WORD(c->guard, c->guard_bits);
	default:
		return 0;
	}
}

/* The object type as Retype names it: a 2 MiB frame is not a 4 KiB one. */
static uint64_t audit_type(const struct cap *c)
{
	if (c->type == CAP_FRAME && c->size_bits == CAIRN_FRAME_2M_BITS) {
		return CAIRN_OBJ_FRAME_2M;
	}
	return c->type;
}

static void emit(struct walk *w, const struct cap *c, uint64_t cptr,
		 unsigned depth)
{
	if (w->seen++ < w->skip || w->count == CAIRN_AUDIT_ENTRIES_PER_CALL) {
		return;
	}
	uint64_t *e = &w->out[w->count++ * CAIRN_AUDIT_ENTRY_WORDS];
	memcpy(e, w->holder->name, 16);
	e[2] = cptr;
	e[3] = depth;
	e[4] = audit_type(c);
	e[5] = audit_object_id(c);
	e[6] = c->rights;
	e[7] = audit_badge(c);
}

/* The slots of the CNode cap cn, whose address prefix is (cptr, depth). */
static void visit(struct walk *w, const struct cap *cn, uint64_t cptr,
		  unsigned depth)
{
	unsigned level = cn->guard_bits + cn->size_bits;
	const struct cte *slots = cnode_slots(cn);

	if (depth + level > 64 || w->nvisited == AUDIT_MAX_CNODES) {
		return; /* not addressable, or too many CNodes */
	}
	for (size_t v = 0; v < w->nvisited; v++) {
		if (pa_addr(w->visited[v]) == pa_addr(cn->object)) {
			return; /* reported already */
		}
	}
	w->visited[w->nvisited++] = cn->object;
	for (uint64_t i = 0; i < (1ULL << cn->size_bits); i++) {
		const struct cap *c = &slots[i].cap;
		uint64_t addr =
		    (((cptr << cn->guard_bits) | cn->guard) << cn->size_bits) |
		    i;
		if (cap_is_null(c)) {
			continue;
		}
		emit(w, c, addr, depth + level);
		if (c->type == CAP_CNODE) {
			visit(w, c, addr, depth + level);
		}
	}
}

_Static_assert(SCHED_MAX_CPUS == CAIRN_AUDIT_MAX_CPUS,
	       "the audit reports every CPU the scheduler counts");
_Static_assert(CAIRN_THREADS_HEADER_WORDS + CAIRN_THREAD_ENTRIES_PER_CALL *
						CAIRN_THREAD_ENTRY_WORDS <=
		   CAIRN_MSG_MAX_WORDS,
	       "a Threads reply fits a message");
_Static_assert(CAIRN_THREAD_BLOCKED_NOTIFICATION ==
		       (int)THREAD_BLOCKED_NOTIFICATION &&
		   CAIRN_THREAD_BLOCKED_WFI == (int)THREAD_BLOCKED_WFI,
	       "the ABI's thread states are the kernel's");

/* The cursor is a position in the list of live threads. */
static void audit_threads(uint64_t skip, uint64_t *reply, size_t *reply_len)
{
	uint64_t seen = 0, count = 0;
	uint64_t *e = &reply[CAIRN_THREADS_HEADER_WORDS];

	for (const struct tcb *t = tcb_first(); t != NULL; t = t->all_next) {
		if (seen++ < skip || count == CAIRN_THREAD_ENTRIES_PER_CALL) {
			continue;
		}
		memcpy(e, t->name, 16);
		e[2] = (uint64_t)t->state;
		e[3] = t->priority;
		e[4] = t->cpu_ticks;
		e[5] = t->ipc_calls;
		e += CAIRN_THREAD_ENTRY_WORDS;
		count++;
	}
	reply[0] = skip + count < seen ? skip + count : 0;
	reply[1] = count;
	reply[2] = arch_counter();
	reply[3] = arch_counter_freq();
	reply[4] = irq_delivered();
	reply[5] = sched_cpus_online();
	for (size_t i = 0; i < CAIRN_AUDIT_MAX_CPUS; i++) {
		reply[6 + i] = sched_idle_ticks(i, reply[2]);
	}
	*reply_len =
	    CAIRN_THREADS_HEADER_WORDS + count * CAIRN_THREAD_ENTRY_WORDS;
}

/* AuditControl.Walk (skip): a chunk of every CSpace's caps. */
static void perform_walk(uint64_t skip, uint64_t *reply, size_t *reply_len)
{
	struct walk w = {.skip = skip, .out = &reply[2]};
	for (const struct tcb *t = tcb_first(); t != NULL; t = t->all_next) {
		if (t->cspace.cap.type == CAP_CNODE) {
			w.holder = t;
			w.nvisited = 0;
			visit(&w, &t->cspace.cap, 0, 0);
		}
	}
	reply[0] = w.skip + w.count < w.seen ? w.skip + w.count : 0;
	reply[1] = w.count;
	*reply_len = 2 + w.count * CAIRN_AUDIT_ENTRY_WORDS;
}

enum cairn_error audit_invoke(struct invocation *inv)
{
	enum cairn_error e = inv_need_args(inv, 1);

	if (inv->label != CAIRN_AUDIT_WALK &&
	    inv->label != CAIRN_AUDIT_THREADS) {
		return inv_bad_label(inv);
	}
	if (e != CAIRN_OK) {
		return e;
	}
	if (inv->label == CAIRN_AUDIT_THREADS) {
		audit_threads(inv->args[0], inv->reply, &inv->reply_len);
	} else {
		perform_walk(inv->args[0], inv->reply, &inv->reply_len);
	}
	return CAIRN_OK;
}
