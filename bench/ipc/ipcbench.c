/*
 * bench/ipc: Call/ReplyRecv round trips between two VSpaces, counted in
 * instructions. Run under QEMU's -icount shift=0 (bench/ipc/run does), where
 * virtual time advances one nanosecond per instruction, so a CNTVCT delta
 * scaled by CNTFRQ is an instruction count, the same on every run.
 */
#include "../../tests/system/common.h"

#include <libcairn/ipc.h>
#include <stdio.h>

#define WARMUP 1000
#define ROUNDS 20000

static void server(uint64_t ep, uint64_t reply)
{
	struct cairn_recv in;
	struct cairn_msg out = {.info = CAIRN_MSGINFO(0, 1)};

	cairn_recv(ep, reply, &in);
	for (;;) {
		out.mr[0] = in.mr[0] + 1;
		cairn_reply_recv(ep, reply, &out, &in);
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

	for (unsigned k = 0; k < rounds; k++) {
		struct cairn_msg m = {.info = CAIRN_MSGINFO(1, 1), .mr = {k}};
		if (cairn_call(ep, &m) != CAIRN_OK || m.mr[0] != k + 1) {
			(*bad)++;
		}
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
	printf("ipc bench: %u Call+ReplyRecv round trips between two VSpaces "
	       "(slowpath), %u bad replies\n",
	       ROUNDS, bad);
	printf("ipc bench: slowpath round trip: %lu instructions "
	       "(valid under -icount shift=0)\n",
	       ns / ROUNDS);
	return bad != 0;
}
