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
 * The operations are fuzz_ops.c's; here are the threads, the checks and
 * the campaign. Parameters come from the kernel command line:
 * fuzz.ops=N fuzz.seed=S.
 * The last line is "fuzz: N ops, seed S: N passed, N failed" (the checks).
 */
#include "fuzz.h"

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

static struct pool pool_a, pool_b[CHILDREN]; /* the children share slots */
static uint64_t ops_total, ops_done;
uint64_t uart_intid;
uint64_t fixed_iospace;
static int checks_passed, checks_failed;
static volatile uint64_t unexpected_faults;

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
	fixed_iospace = make(CAIRN_OBJ_IOSPACE, 0);
	for (int level = 2; level <= 3; level++) {
		cairn_io_page_table_map(make(CAIRN_OBJ_IO_PAGE_TABLE, 0),
					fixed_iospace, FIXED_IOVA);
	}
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
	for (unsigned k = 0; k < FUZZ_KINDS; k++) {
		printf("fuzz: %s: %lu of %lu invocations accepted\n",
		       kind_name[k], accepted[k], tried[k]);
	}
	printf("fuzz: %lu ops, seed %lu, %lu restarts of a blocked root: %d "
	       "passed, %d failed\n",
	       ops_total, seed, root_unstuck, checks_passed, checks_failed);
	cairn_power_off(CAIRN_SLOT_POWER_CONTROL);
	return 0;
}
