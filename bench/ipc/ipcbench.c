/*
 * bench/ipc: Call/ReplyRecv round trips between two VSpaces, counted in
 * instructions, on whichever kernel the image holds (with or without the
 * IPC fastpath). Run under QEMU's -icount shift=0 (bench/ipc/run does), where
 * virtual time advances one nanosecond per instruction, so a CNTVCT delta
 * scaled by CNTFRQ is an instruction count, the same on every run.
 */
#include "../../tests/system/common.h"

#include <libcairn/ipc.h>
#include <stdbool.h>
#include <stdio.h>

#define WARMUP 1000
#define ROUNDS 20000

/*
 * Both sides trap directly with one-word messages, so the figure is the
 * kernel's path (trap, lookup, transfer, switch, return) and not libcairn's
 * message copying. TRAP is "svc #0"; FP_TOUCH writes d0 before it in the
 * FP variant, so each side is an FP user and the kernel switches FP state
 * on every round trip.
 */
#define FP_TOUCH ".arch_extension fp\nfmov d0, x2\n"

#define SERVER_LOOP(touch)                                                     \
	for (;;) {                                                             \
		x0 = ep;                                                       \
		x1 = CAIRN_MSGINFO(0, 1);                                      \
		x2 = x2 + 1;                                                   \
		__asm__ volatile(touch "svc #0"                                \
				 : "+r"(x0), "+r"(x1), "+r"(x2)                \
				 : "r"(x8), "r"(x9)                            \
				 : "x3", "x4", "x5", "x6", "x7", "v0",         \
				   "memory");                                  \
	}

static void serve(uint64_t ep, uint64_t reply, bool fp)
{
	struct cairn_recv in;

	cairn_recv(ep, reply, &in);
	register uint64_t x0 __asm__("x0");
	register uint64_t x1 __asm__("x1");
	register uint64_t x2 __asm__("x2") = in.mr[0];
	register uint64_t x8 __asm__("x8") = CAIRN_SYS_REPLY_RECV;
	register uint64_t x9 __asm__("x9") = reply;
	if (fp) {
		SERVER_LOOP(FP_TOUCH)
	}
	SERVER_LOOP("")
}

static void server(uint64_t ep, uint64_t reply)
{
	serve(ep, reply, false);
}

static void server_fp(uint64_t ep, uint64_t reply)
{
	serve(ep, reply, true);
}

static uint64_t counter(void)
{
	uint64_t v;

	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
	return v;
}

/* The client's loop around one instruction: "svc #0", or "nop" to count
 * the loop's own (EL0) instructions. */
#define CLIENT_LOOP(insn)                                                      \
	for (uint64_t k = 0; k < rounds; k++) {                                \
		register uint64_t x0 __asm__("x0") = ep;                       \
		register uint64_t x1 __asm__("x1") = CAIRN_MSGINFO(1, 1);      \
		register uint64_t x2 __asm__("x2") = k;                        \
		register uint64_t x8 __asm__("x8") = CAIRN_SYS_CALL;           \
		__asm__ volatile(insn                                          \
				 : "+r"(x0), "+r"(x1), "+r"(x2)                \
				 : "r"(x8)                                     \
				 : "x3", "x4", "x5", "x6", "x7", "v0",         \
				   "memory");                                  \
		*bad += x0 != CAIRN_OK || x2 != k + 1;                         \
	}

enum mode { PLAIN, FP, CLIENT_ONLY, SERVER_ONLY };

/* Instructions per round (CNTVCT scaled: one instruction per ns). */
static uint64_t per_round(uint64_t start, unsigned rounds)
{
	uint64_t freq;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(freq));
	return (counter() - start) * (1000000000UL / freq) / rounds;
}

static uint64_t run(uint64_t ep, unsigned rounds, unsigned *bad, enum mode mode)
{
	unsigned ignored = 0;
	uint64_t start = counter();

	if (mode == PLAIN) {
		CLIENT_LOOP("svc #0")
	} else if (mode == FP) {
		CLIENT_LOOP(FP_TOUCH "svc #0")
	} else if (mode == CLIENT_ONLY) {
		bad = &ignored;
		CLIENT_LOOP("nop")
	} else {
		/* The server's loop body, the trap a nop, for rounds turns. */
		register uint64_t x0 __asm__("x0");
		register uint64_t x1 __asm__("x1");
		register uint64_t x2 __asm__("x2") = 0;
		register uint64_t x8 __asm__("x8") = CAIRN_SYS_REPLY_RECV;
		register uint64_t x9 __asm__("x9") = 0;
		for (unsigned k = 0; k < rounds; k++) {
			x0 = ep;
			x1 = CAIRN_MSGINFO(0, 1);
			x2 = x2 + 1;
			__asm__ volatile("nop"
					 : "+r"(x0), "+r"(x1), "+r"(x2)
					 : "r"(x8), "r"(x9)
					 : "x3", "x4", "x5", "x6", "x7",
					   "memory");
		}
	}
	return per_round(start, rounds);
}

int main(void)
{
	uint64_t ipc;
	unsigned bad = 0;

	common_init(cairn_bootinfo);
	uint64_t vs = vspace_with_root_code(&ipc);
	uint64_t ep = make(CAIRN_OBJ_ENDPOINT, 0);
	uint64_t rp = make(CAIRN_OBJ_REPLY, 0);
	if (vs == 0) {
		printf("ipc bench: could not build the server's VSpace\n");
		return 1;
	}
	/* Servers at our priority: the round trip is the pure IPC path. */
	uint64_t ep_fp = make(CAIRN_OBJ_ENDPOINT, 0);
	uint64_t rp_fp = make(CAIRN_OBJ_REPLY, 0);
	thread_in(vs, ipc, server, ep, rp, 255, "ipc-server");
	run(ep, WARMUP, &bad, PLAIN);
	uint64_t plain = run(ep, ROUNDS, &bad, PLAIN);
	uint64_t el0 = run(ep, ROUNDS, &bad, CLIENT_ONLY) +
		       run(ep, ROUNDS, &bad, SERVER_ONLY);
	printf("ipc bench: %u Call+ReplyRecv round trips between two VSpaces, "
	       "%u bad replies\n",
	       ROUNDS, bad);
	printf("ipc bench: round trip: %lu instructions (valid under -icount "
	       "shift=0)\n",
	       plain);
	printf("ipc bench: of which at EL0: about %lu (both loops' own "
	       "instructions, measured with the trap replaced by a nop)\n",
	       el0);
	uint64_t ipc_fp, vs_fp = vspace_with_root_code(&ipc_fp);
	if (vs_fp != 0) {
		thread_in(vs_fp, ipc_fp, server_fp, ep_fp, rp_fp, 255,
			  "ipc-server-fp");
		run(ep_fp, WARMUP, &bad, FP);
		uint64_t fp = run(ep_fp, ROUNDS, &bad, FP);
		printf("ipc bench: round trip, both threads using FP/SIMD: %lu "
		       "instructions, %u bad replies\n",
		       fp, bad);
	}
	return bad != 0;
}
