/*
 * FP/SIMD state is per thread. The kernel switches it lazily (a thread
 * that is not the owner of the registers traps on its first FP use) and
 * eagerly for a while after such a trap, so these cases mix threads that
 * use FP with threads that do not, switching by yield, by timer
 * preemption and by fastpath IPC, and check every thread still sees its
 * own v0-v31, FPCR and FPSR.
 */
#include "suite.h"

#include <libcairn/ipc.h>
#include <stdio.h>

#define FP_ROUNDS 200

/*
 * FILL sets v0-v31 from x13 (a seed) and FPCR.RMode from its low bits; CHECK
 * counts into x12 the registers that differ. Each case runs FILL, a system
 * call and CHECK in one asm block, so no compiled code (which may use
 * SIMD registers itself) runs between them.
 */
#define FP_REGS                                                                \
	".irp n,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,"   \
	"23,24,25,26,27,28,29,30,31\n"
#define FILL                                                                   \
	".arch_extension fp\n.arch_extension simd\n"                           \
	"mov x10, x13\n" FP_REGS "add x10, x10, #0x111\n"                      \
	"dup v\\n\\().2d, x10\n.endr\n"                                        \
	"and x10, x13, #3\nlsl x10, x10, #22\nmsr fpcr, x10\n"
#define CHECK_REGS                                                             \
	"mov x10, x13\nmov x12, #0\n" FP_REGS "add x10, x10, #0x111\n"         \
	"mov x11, v\\n\\().d[0]\ncmp x11, x10\ncinc x12, x12, ne\n"            \
	"mov x11, v\\n\\().d[1]\ncmp x11, x10\ncinc x12, x12, ne\n.endr\n"     \
	"mrs x11, fpcr\nand x10, x13, #3\nlsl x10, x10, #22\n"                 \
	"cmp x11, x10\ncinc x12, x12, ne\n"
#define FP_CLOBBERS                                                            \
	"x10", "x11", "cc", "memory", "v0", "v1", "v2", "v3", "v4", "v5",      \
	    "v6", "v7", "v8", "v9", "v10", "v11", "v12", "v13", "v14", "v15",  \
	    "v16", "v17", "v18", "v19", "v20", "v21", "v22", "v23", "v24",     \
	    "v25", "v26", "v27", "v28", "v29", "v30", "v31"

/* Fill, yield, check: the mismatches another thread's run left. */
static uint64_t fp_yield_check(uint64_t seed)
{
	register uint64_t x8 __asm__("x8") = CAIRN_SYS_YIELD;
	register uint64_t x13 __asm__("x13") = seed;
	register uint64_t x12 __asm__("x12");

	__asm__ volatile(FILL "svc #0\n" CHECK_REGS
			 : "=r"(x12), "+r"(x8), "+r"(x13)
			 :
			 : "x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7",
			   FP_CLOBBERS);
	return x12;
}

/* Fill, spin ~1 ms on the counter (long enough for a tick), check. */
static uint64_t fp_spin_check(uint64_t seed)
{
	register uint64_t x13 __asm__("x13") = seed;
	register uint64_t x12 __asm__("x12");

	__asm__ volatile(FILL "mrs x0, cntfrq_el0\n"
			      "lsr x0, x0, #10\n" /* ~1 ms of ticks */
			      "mrs x1, cntvct_el0\n"
			      "add x0, x0, x1\n"
			      "1: mrs x1, cntvct_el0\n"
			      "cmp x1, x0\n"
			      "b.lo 1b\n" CHECK_REGS
			 : "=r"(x12), "+r"(x13)
			 :
			 : "x0", "x1", FP_CLOBBERS);
	return x12;
}

/*
 * Fill, trap with a one-word message, check: Call (reply 0) or ReplyRecv
 * (with the Reply cptr). *word is sent and replaced by the word received;
 * returns the mismatches, plus one if a Call's reply is not CAIRN_OK.
 */
static uint64_t fp_ipc_check(uint64_t seed, uint64_t number, uint64_t ep,
			     uint64_t reply, uint64_t *word)
{
	register uint64_t x0 __asm__("x0") = ep;
	register uint64_t x1 __asm__("x1") =
	    CAIRN_MSGINFO(number == CAIRN_SYS_CALL ? 1 : 0, 1);
	register uint64_t x2 __asm__("x2") = *word;
	register uint64_t x8 __asm__("x8") = number;
	register uint64_t x9 __asm__("x9") = reply;
	register uint64_t x13 __asm__("x13") = seed;
	register uint64_t x12 __asm__("x12");

	__asm__ volatile(FILL "svc #0\n" CHECK_REGS
			 : "=r"(x12), "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x8),
			   "+r"(x9), "+r"(x13)
			 :
			 : "x3", "x4", "x5", "x6", "x7", FP_CLOBBERS);
	*word = x2;
	return x12 + (number == CAIRN_SYS_CALL && x0 != CAIRN_OK);
}

static volatile uint64_t fp_bad[4];
static volatile uint64_t fp_done[4];
static volatile uint64_t plain_rounds;

/* Checks its registers across every yield. */
static void fp_yielder(uint64_t seed, uint64_t idx, uint64_t self)
{
	for (unsigned i = 0; i < FP_ROUNDS; i++) {
		fp_bad[idx] += fp_yield_check(seed);
	}
	fp_done[idx] = 1;
	stop(self);
}

/* Spins with live FP state, so the timer preempts it mid-use. */
static void fp_spinner(uint64_t seed, uint64_t idx, uint64_t self)
{
	for (unsigned i = 0; i < 20; i++) {
		fp_bad[idx] += fp_spin_check(seed);
	}
	fp_done[idx] = 1;
	stop(self);
}

/* Never touches FP: switching to it must leave the owner's state alone. */
static void plain_yielder(uint64_t a, uint64_t b, uint64_t self)
{
	(void)a, (void)b;
	for (unsigned i = 0; i < FP_ROUNDS; i++) {
		plain_rounds++;
		cairn_yield();
	}
	stop(self);
}

static void reset(void)
{
	for (unsigned i = 0; i < 4; i++) {
		fp_bad[i] = fp_done[i] = 0;
	}
	plain_rounds = 0;
}

/* Two FP threads and one that never uses FP, switching by yield. */
static int test_fp_preserved_across_yields(void)
{
	int ok = 1;

	reset();
	uint64_t a = spawn(fp_yielder, 0xa0000000, 0, 0);
	uint64_t p = spawn(plain_yielder, 0, 0, 0);
	uint64_t b = spawn(fp_yielder, 0xb0000001, 1, 0);
	(void)a, (void)p, (void)b;
	let_threads_run();
	CHECK(fp_done[0] && fp_done[1] && plain_rounds == FP_ROUNDS);
	CHECK(fp_bad[0] == 0 && fp_bad[1] == 0);
	return ok;
}

/* Timer preemption between two spinning FP threads. */
static int test_fp_preserved_across_preemption(void)
{
	int ok = 1;

	reset();
	spawn(fp_spinner, 0xc0000002, 2, 0);
	spawn(fp_spinner, 0xd0000003, 3, 0);
	let_threads_run();
	CHECK(fp_done[2] && fp_done[3]);
	CHECK(fp_bad[2] == 0 && fp_bad[3] == 0);
	return ok;
}

static volatile uint64_t server_bad;

/* Answers Calls through the fastpath, checking its FP state each time. */
static void fp_server(uint64_t ep, uint64_t reply, uint64_t self)
{
	struct cairn_recv in;
	uint64_t bad = 0;

	(void)self;
	cairn_recv(ep, reply, &in);
	uint64_t word = in.mr[0];
	for (;;) {
		word++;
		bad += fp_ipc_check(0xe0000001, CAIRN_SYS_REPLY_RECV, ep, reply,
				    &word);
		server_bad = bad;
	}
}

/* Call/ReplyRecv round trips (the fastpath) between two FP users. */
static int test_fp_preserved_across_fastpath_ipc(void)
{
	int ok = 1;
	uint64_t ep = make(CAIRN_OBJ_ENDPOINT, 0);
	uint64_t r = make(CAIRN_OBJ_REPLY, 0);
	uint64_t bad = 0, wrong = 0, answer;

	server_bad = 0;
	uint64_t s = spawn(fp_server, ep, r, 0);
	OK(cairn_tcb_set_priority(s, SELF, 255));
	cairn_yield(); /* the server waits in Recv */
	for (uint64_t i = 0; i < FP_ROUNDS; i++) {
		answer = i;
		bad += fp_ipc_check(0xf0000002, CAIRN_SYS_CALL, ep, 0, &answer);
		wrong += answer != i + 1;
	}
	CHECK(bad == 0 && wrong == 0);
	CHECK(server_bad == 0);
	OK(cairn_tcb_suspend(s));
	return ok;
}

static const struct test_case cases[] = {
    {"fp_preserved_across_yields",
     "two FP threads and a plain one yielding keep their own v0-v31, FPCR",
     test_fp_preserved_across_yields},
    {"fp_preserved_across_preemption",
     "two FP threads preempted by the timer keep their own FP state",
     test_fp_preserved_across_preemption},
    {"fp_preserved_across_fastpath_ipc",
     "FP state survives Call/ReplyRecv round trips through the fastpath",
     test_fp_preserved_across_fastpath_ipc},
};

const struct case_table fp_cases = CASE_TABLE(cases);
