/*
 * WFI cases of the thread suite: a guest waiting in WFI holds no CPU. It
 * runs above a native witness thread, so the witness runs only while the
 * guest waits; the guest wakes at its own timer's deadline, or when an
 * interrupt is injected into its VCPU, and at no other time.
 */
#include "suite.h"

#include <libcairn/ipc.h>

#define F_TIMER_WOKE 0xc6000030UL
#define F_IRQ_WOKE   0xc6000031UL
#define WAIT_TICKS   0x800000UL /* 134 ms of QEMU's 62.5 MHz counter */
#define WAKE_INTID   20

void guest_idle(void);

/*
 * x0 = ticks to wait. Interrupts stay masked at its EL1 (WFI wakes all
 * the same). Phase 1: arms its timer, WFIs until the counter passes the
 * deadline, acknowledges the timer's PPI, reports (wakes, counter, INTID).
 * Phase 2: timer off, nothing pending: WFIs once, reports its wakes.
 */
__asm__(".text\n"
	".global guest_idle\n"
	".balign 4\n"
	"guest_idle:\n" GUEST_ASM_GIC_ON(
	    "idle_vectors") "	mrs x9, cntvct_el0\n"
			    "	add x9, x9, x0\n"
			    "	msr cntv_cval_el0, x9\n"
			    "	mov x10, #1\n"
			    "	msr cntv_ctl_el0, x10\n"
			    "	isb\n"
			    "	mov x22, #0\n"
			    "1:	wfi\n"
			    "	add x22, x22, #1\n"
			    "	mrs x11, cntvct_el0\n"
			    "	cmp x11, x9\n"
			    "	b.lo 1b\n"
			    "	mov x12, #0x10000\n"
			    "2:	mrs x3, s3_0_c12_c12_0\n" /* ICC_IAR1_EL1 */
			    "	cmp x3, #1023\n"
			    "	b.ne 3f\n"
			    "	subs x12, x12, #1\n"
			    "	b.ne 2b\n"
			    "3:	msr s3_0_c12_c12_1, x3\n" /* ICC_EOIR1_EL1 */
			    "	msr cntv_ctl_el0, xzr\n"
			    "	isb\n"
			    "	movz x0, #0xc600, lsl #16\n"
			    "	movk x0, #0x30\n"
			    "	mov x1, x22\n"
			    "	mov x2, x11\n"
			    "	hvc #0\n"
			    "	mov x22, #0\n"
			    "	wfi\n"
			    "	add x22, x22, #1\n"
			    "	movz x0, #0xc600, lsl #16\n"
			    "	movk x0, #0x31\n"
			    "	mov x1, x22\n"
			    "	hvc #0\n"
			    "4:	b 4b\n"
			    ".balign 2048\n"
			    "idle_vectors:\n"
			    "5:	b 5b\n"
			    ".skip 0x7fc\n");

static volatile uint64_t witness_time;

/* Runs below the guest: only while it waits. A WFI of its own (with the
 * guest's EL1 state loaded, it traps and runs on the natives' state)
 * returns at the next interrupt, the time slice's at the latest. */
static void witness(uint64_t ep, uint64_t wfi_first, uint64_t self)
{
	struct cairn_msg m = {.info = CAIRN_MSGINFO(0, 0)};
	uint64_t now;

	if (wfi_first) {
		__asm__ volatile("wfi");
	}
	__asm__ volatile("isb; mrs %0, cntpct_el0" : "=r"(now));
	witness_time = now;
	cairn_send(ep, &m);
	stop(self);
}

/* The witness ran (the guest waits): true if it said so on ep. */
static int witnessed(uint64_t ep, int wfi_first)
{
	struct cairn_recv in;

	witness_time = 0;
	spawn(witness, ep, (uint64_t)wfi_first, 0);
	cairn_recv(ep, 0, &in);
	return witness_time != 0;
}

static int test_a_guest_in_wfi_leaves_the_cpu(void)
{
	int ok = 1;
	struct guest g;
	struct cairn_recv in;
	struct cairn_msg m = {.info = CAIRN_MSGINFO(CAIRN_VM_REPLY, 2)};
	uint64_t ep = make(CAIRN_OBJ_ENDPOINT, 0);

	ok &= guest_start(&g, guest_idle, PRIO + 1, WAIT_TICKS, 0, 0);
	CHECK(witnessed(ep, 0));
	cairn_recv(g.fault_ep, g.reply, &in);
	/* Its CNTVOFF is 0: its counter is the witness's. One wake, at the
	 * deadline, after the witness ran (which takes a few ms in a Debug
	 * build under TCG: the wait is far longer); the timer's PPI pending
	 * then. */
	CHECK(CAIRN_MSGINFO_LABEL(in.info) == CAIRN_FAULT_VM_HVC &&
	      in.mr[0] == F_TIMER_WOKE);
	CHECK(in.mr[1] == 1);
	CHECK(witness_time < in.mr[2]);
	CHECK(in.mr[3] == 27);
	m.mr[0] = m.mr[1] = 0; /* the PC is past the HVC already */
	cairn_send(g.reply, &m);
	/* Phase 2: no deadline; it waits until an interrupt is injected. */
	CHECK(witnessed(ep, 1));
	OK(cairn_vcpu_inject_irq(g.vcpu, WAKE_INTID, 0xa0, CAIRN_VIRQ_GROUP1));
	cairn_recv(g.fault_ep, g.reply, &in);
	CHECK(CAIRN_MSGINFO_LABEL(in.info) == CAIRN_FAULT_VM_HVC &&
	      in.mr[0] == F_IRQ_WOKE && in.mr[1] == 1);
	OK(cairn_tcb_suspend(g.tcb));
	return ok;
}

static const struct test_case cases[] = {
    {"a_guest_in_wfi_leaves_the_cpu",
     "a guest waiting in WFI lets a lower-priority native run, and wakes "
     "once: at its timer's deadline, then on an injected interrupt",
     test_a_guest_in_wfi_leaves_the_cpu},
};

const struct case_table wfi_cases = CASE_TABLE(cases);
