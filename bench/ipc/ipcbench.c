/*
 * bench/ipc: Call/ReplyRecv round trips between two VSpaces, counted in
 * instructions, on whichever kernel the image holds (with or without the
 * IPC fastpath). Run under QEMU's -icount shift=0 (bench/ipc/run does), where
 * virtual time advances one nanosecond per instruction, so a CNTVCT delta
 * scaled by CNTFRQ is an instruction count, the same on every run.
 */
#include "../../tests/system/common.h"

#include <libcairn/ipc.h>
#include <stdio.h>

#define WARMUP 1000
#define ROUNDS 20000

/*
 * Both sides trap directly with one-word messages, so the figure is the
 * kernel's path (trap, lookup, transfer, switch, return) and not libcairn's
 * message copying.
 */
static void server(uint64_t ep, uint64_t reply)
{
	struct cairn_recv in;

	cairn_recv(ep, reply, &in);
	register uint64_t x0 __asm__("x0");
	register uint64_t x1 __asm__("x1");
	register uint64_t x2 __asm__("x2") = in.mr[0];
	register uint64_t x8 __asm__("x8") = CAIRN_SYS_REPLY_RECV;
	register uint64_t x9 __asm__("x9") = reply;
	for (;;) {
		x0 = ep;
		x1 = CAIRN_MSGINFO(0, 1);
		x2 = x2 + 1;
		__asm__ volatile("svc #0"
				 : "+r"(x0), "+r"(x1), "+r"(x2)
				 : "r"(x8), "r"(x9)
				 : "x3", "x4", "x5", "x6", "x7", "memory");
	}
}

static uint64_t counter(void)
{
	uint64_t v;

	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
	return v;
}

static uint64_t run(uint64_t ep, unsigned rounds, unsigned *bad)
{
	uint64_t start = counter();

	for (uint64_t k = 0; k < rounds; k++) {
		register uint64_t x0 __asm__("x0") = ep;
		register uint64_t x1 __asm__("x1") = CAIRN_MSGINFO(1, 1);
		register uint64_t x2 __asm__("x2") = k;
		register uint64_t x8 __asm__("x8") = CAIRN_SYS_CALL;
		__asm__ volatile("svc #0"
				 : "+r"(x0), "+r"(x1), "+r"(x2)
				 : "r"(x8)
				 : "x3", "x4", "x5", "x6", "x7", "memory");
		*bad += x0 != CAIRN_OK || x2 != k + 1;
	}
	return counter() - start;
}

int main(void)
{
	uint64_t ipc, freq;
	unsigned bad = 0;

	common_init(cairn_bootinfo);
	uint64_t vs = vspace_with_root_code(&ipc);
	uint64_t ep = make(CAIRN_OBJ_ENDPOINT, 0);
	uint64_t rp = make(CAIRN_OBJ_REPLY, 0);
	if (vs == 0) {
		printf("ipc bench: could not build the server's VSpace\n");
		return 1;
	}
	/* The server at our priority: the round trip is the pure IPC path. */
	thread_in(vs, ipc, server, ep, rp, 255, "ipc-server");
	run(ep, WARMUP, &bad);
	uint64_t ticks = run(ep, ROUNDS, &bad);
	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(freq));
	/* ns = ticks * 1e9 / freq; one instruction per ns under icount 0. */
	uint64_t ns = ticks * (1000000000UL / freq);
	printf("ipc bench: %u Call+ReplyRecv round trips between two VSpaces, "
	       "%u bad replies\n",
	       ROUNDS, bad);
	printf("ipc bench: round trip: %lu instructions (valid under -icount "
	       "shift=0)\n",
	       ns / ROUNDS);
	return bad != 0;
}
