/*
 * bench/vmexit: what a guest's exits cost, counted in instructions under
 * -icount shift=0 (bench/vmexit/run), guest loop included: a guest of our
 * own at EL1 times ROUNDS of each with CNTVCT, and this root task is its
 * VMM, answering each exit with one ReplyRecv:
 *   - an HVC round trip (guest -> kernel -> VMM -> guest);
 *   - an MMIO read the VMM emulates (the value written into the register,
 *     the PC advanced, in the same reply);
 *   - a virtual interrupt the VMM injects in its reply to an HVC, taken,
 *     acknowledged and EOIed by the guest (the EOI itself exits nothing).
 */
#include "../../tests/system/common.h"

#include <libcairn/ipc.h>
#include <stdio.h>

#define ROUNDS	 2000
#define MMIO	 0x20000000UL
#define VIRQ	 40
#define F_HVC	 0xc6000010UL /* one round */
#define F_VIRQ	 0xc6000012UL /* one round: inject, please */
#define F_REPORT 0xc6000011UL /* x1..x3: the three loops' ticks */

void bench_guest(void);

/* x0 = rounds, x1 = the MMIO address. */
__asm__(".text\n"
	".global bench_guest\n"
	".balign 4\n"
	"bench_guest:\n"
	"	mov x19, x0\n"
	"	mov x20, x1\n" GUEST_ASM_GIC_ON("bench_vectors")
	/* HVC round trips */
	"	mov x22, x19\n"
	"	isb\n"
	"	mrs x21, cntvct_el0\n"
	"1:	movz x0, #0xc600, lsl #16\n"
	"	movk x0, #0x10\n"
	"	hvc #0\n"
	"	subs x22, x22, #1\n"
	"	b.ne 1b\n"
	"	isb\n"
	"	mrs x23, cntvct_el0\n"
	"	sub x23, x23, x21\n"
	/* MMIO reads */
	"	mov x22, x19\n"
	"	isb\n"
	"	mrs x21, cntvct_el0\n"
	"2:	ldr w5, [x20]\n"
	"	subs x22, x22, #1\n"
	"	b.ne 2b\n"
	"	isb\n"
	"	mrs x24, cntvct_el0\n"
	"	sub x24, x24, x21\n"
	/* injected virtual interrupts, taken and EOIed */
	"	msr daifclr, #2\n"
	"	mov x22, x19\n"
	"	isb\n"
	"	mrs x21, cntvct_el0\n"
	"3:	movz x0, #0xc600, lsl #16\n"
	"	movk x0, #0x12\n"
	"	hvc #0\n"
	"	isb\n" /* the interrupt is taken here */
	"	subs x22, x22, #1\n"
	"	b.ne 3b\n"
	"	isb\n"
	"	mrs x25, cntvct_el0\n"
	"	sub x3, x25, x21\n"
	"	mov x1, x23\n"
	"	mov x2, x24\n"
	"	movz x0, #0xc600, lsl #16\n"
	"	movk x0, #0x11\n"
	"	hvc #0\n"
	"4:	b 4b\n"
	".balign 2048\n"
	"bench_vectors:\n"
	".skip 0x280\n"			  /* current EL, SPx, IRQ: */
	"	mrs x9, s3_0_c12_c12_0\n" /* ICC_IAR1_EL1 */
	"	msr s3_0_c12_c12_1, x9\n" /* ICC_EOIR1_EL1 */
	"	eret\n"
	".skip 0x574\n");

static uint64_t per_round(uint64_t ticks)
{
	uint64_t freq;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(freq));
	return ticks * (1000000000UL / freq) / ROUNDS;
}

int main(void)
{
	struct guest g;
	struct cairn_recv in;
	/* Not zeroed per exit (520 bytes, 2 600 instructions of memset in
	 * picolibc): only the words a reply names are sent, as servers/vmm. */
	struct cairn_msg m;
	unsigned bad = 0;

	common_init(cairn_bootinfo);
	if (!guest_start(&g, bench_guest, 254, ROUNDS, MMIO, 0)) {
		printf("vmexit bench: could not start the guest\n");
		return 1;
	}
	cairn_recv(g.fault_ep, g.reply, &in);
	for (;;) {
		uint64_t label = CAIRN_MSGINFO_LABEL(in.info);

		m.info = CAIRN_MSGINFO(CAIRN_VM_REPLY, 2);
		m.mr[0] = m.mr[1] = 0; /* no flags, no registers */

		if (label == CAIRN_FAULT_VM_HVC && in.mr[0] == F_REPORT) {
			break;
		}
		if (label == CAIRN_FAULT_VM_HVC && in.mr[0] == F_VIRQ) {
			bad += cairn_vcpu_inject_irq(g.vcpu, VIRQ, 0xa0, 1)
				   .error != CAIRN_OK;
		} else if (label == CAIRN_FAULT_VM_DATA_ABORT &&
			   in.mr[0] == MMIO) {
			/* The load's result in its register, past the load. */
			m.info = CAIRN_MSGINFO(CAIRN_VM_REPLY, 4);
			m.mr[0] = CAIRN_VM_REPLY_ADVANCE_PC;
			m.mr[1] = 1;
			m.mr[2] = CAIRN_VM_ACCESS_REG(in.mr[1]);
			m.mr[3] = 0x1234;
		} else if (label != CAIRN_FAULT_VM_HVC || in.mr[0] != F_HVC) {
			printf("vmexit bench: unexpected exit %lu (0x%lx)\n",
			       label, in.mr[0]);
			return 1;
		}
		cairn_reply_recv(g.fault_ep, g.reply, &m, &in);
	}
	printf("vmexit bench: %u rounds of each, %u failed injections\n",
	       ROUNDS, bad);
	printf("vmexit bench: HVC round trip: %lu instructions\n",
	       per_round(in.mr[1]));
	printf("vmexit bench: MMIO read emulated by the VMM: %lu "
	       "instructions\n",
	       per_round(in.mr[2]));
	printf("vmexit bench: virtual interrupt injected (in an HVC's "
	       "reply), taken and EOIed: %lu instructions\n",
	       per_round(in.mr[3]));
	cairn_tcb_suspend(g.tcb);
	return bad != 0;
}
