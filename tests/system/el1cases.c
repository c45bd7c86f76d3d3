/*
 * EL1 state cases of the thread suite: what a native thread (this root
 * task, as a guest's VMM) sees of the EL1 registers while a guest's EL1
 * state stays loaded beside it (kernel/arch/aarch64/vcpu.c): the few EL0
 * observes are the natives' own, whatever the guest set them to, and so
 * are the virtual counter and timer, which the guest's state holds.
 */
#include "suite.h"

#include <libcairn/ipc.h>

#define SCTLR_E0E     (1UL << 24) /* EL0 data accesses big-endian */
#define TCR_TBI	      (3UL << 37) /* TBI0, TBI1: tagged addresses */
#define F_SET	      0xc6000020UL
#define F_READ_BACK   0xc6000021UL
#define F_LOOP	      0xc6000022UL
#define GUEST_CNTVOFF (1UL << 40)

void guest_el1_controls(void);

/*
 * Sets what EL0 would observe of its EL1 state to values no native thread
 * could live with (big-endian EL0, tagged addresses, FP/SIMD, counter and
 * timer trapped, another TPIDRRO_EL0), exits, then reads them back and
 * reports them.
 */
__asm__(".text\n"
	".global guest_el1_controls\n"
	".balign 4\n"
	"guest_el1_controls:\n"
	"	mrs x9, sctlr_el1\n"
	"	orr x9, x9, #(1 << 24)\n"
	"	msr sctlr_el1, x9\n"
	"	mrs x9, tcr_el1\n"
	"	orr x9, x9, #(3 << 37)\n"
	"	msr tcr_el1, x9\n"
	"	msr cpacr_el1, xzr\n"
	"	msr cntkctl_el1, xzr\n"
	"	mov x9, #0x5151\n"
	"	msr tpidrro_el0, x9\n"
	"	isb\n"
	"	movz x0, #0xc600, lsl #16\n"
	"	movk x0, #0x20\n"
	"	hvc #0\n"
	"	mrs x1, sctlr_el1\n"
	"	mrs x2, tcr_el1\n"
	"	mrs x3, cpacr_el1\n"
	"	mrs x4, cntkctl_el1\n"
	"	mrs x5, tpidrro_el0\n"
	"	movz x0, #0xc600, lsl #16\n"
	"	movk x0, #0x21\n"
	"	hvc #0\n"
	"1:	b 1b\n");

void guest_hvc_loop(void);

/* Exits by HVC, again and again. */
__asm__(".text\n"
	".global guest_hvc_loop\n"
	".balign 4\n"
	"guest_hvc_loop:\n"
	"1:	movz x0, #0xc600, lsl #16\n"
	"	movk x0, #0x22\n"
	"	hvc #0\n"
	"	b 1b\n");

static const volatile uint32_t magic = 0x11223344;

static uint64_t fp_round_trip(uint64_t x)
{
	uint64_t y;

	__asm__ volatile("fmov d0, %1\n\tfmov %0, d0"
			 : "=r"(y)
			 : "r"(x)
			 : "d0");
	return y;
}

static uint64_t counter(void)
{
	uint64_t v;

	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
	return v;
}

static uint64_t physical_counter(void)
{
	uint64_t v;

	__asm__ volatile("isb; mrs %0, cntpct_el0" : "=r"(v));
	return v;
}

static uint64_t frequency(void)
{
	uint64_t f;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(f));
	return f;
}

/* An empty VM reply: the guest goes on. */
static void resume(const struct guest *g, struct cairn_recv *next)
{
	struct cairn_msg m;

	m.info = CAIRN_MSGINFO(CAIRN_VM_REPLY, 2);
	for (unsigned i = 0; i < CAIRN_MSG_REG_WORDS; i++) {
		m.mr[i] = 0;
	}
	cairn_reply_recv(g->fault_ep, g->reply, &m, next);
}

static uint64_t label(const struct cairn_recv *in)
{
	return CAIRN_MSGINFO_LABEL(in->info);
}

static int test_guest_el1_controls_stay_its_own(void)
{
	int ok = 1;
	struct guest g;
	struct cairn_recv in;
	const void *buffer = cairn_ipc_buffer_get();

	ok &= guest_start(&g, guest_el1_controls, PRIO, 0, 0, 0);
	cairn_recv(g.fault_ep, g.reply, &in);
	CHECK(label(&in) == CAIRN_FAULT_VM_HVC && in.mr[0] == F_SET);
	/* Ours, not the guest's: little-endian, FP/SIMD, the counter, the
	 * IPC buffer address. */
	CHECK(magic == 0x11223344);
	CHECK(fp_round_trip(0x4008000000000000UL) == 0x4008000000000000UL);
	CHECK(frequency() != 0);
	CHECK((const void *)cairn_ipc_buffer_get() == buffer);
	resume(&g, &in);
	CHECK(label(&in) == CAIRN_FAULT_VM_HVC && in.mr[0] == F_READ_BACK);
	CHECK(magic == 0x11223344);
	/* And the guest's are what it set. */
	CHECK((in.mr[1] & SCTLR_E0E) != 0);
	CHECK((in.mr[2] & TCR_TBI) == TCR_TBI);
	CHECK(in.mr[3] == 0 && in.mr[4] == 0 && in.mr[5] == 0x5151);
	uint64_t sctlr = 0, tpidrro = 0;
	OK(cairn_vcpu_read_regs(g.vcpu, CAIRN_VCPU_SCTLR_EL1, 1, &sctlr));
	OK(cairn_vcpu_read_regs(g.vcpu, CAIRN_VCPU_TPIDRRO_EL0, 1, &tpidrro));
	CHECK(sctlr == in.mr[1] && tpidrro == 0x5151);
	OK(cairn_tcb_suspend(g.tcb));
	return ok;
}

/*
 * The virtual counter and timer are the guest's while its state is
 * loaded: a native thread beside it reads its own counter (offset 0, not
 * the guest's), and its own timer, armed meanwhile, fires while the guest
 * runs on, waits, or the CPU idles.
 */
static int test_natives_keep_their_virtual_timer(void)
{
	int ok = 1;
	struct guest g;
	struct cairn_recv in;
	uint64_t h = slot(), ntfn = make(CAIRN_OBJ_NOTIFICATION, 0);
	uint64_t off = GUEST_CNTVOFF;

	ok &= guest_start(&g, guest_hvc_loop, PRIO, 0, 0, 0);
	OK(cairn_vcpu_write_regs(g.vcpu, CAIRN_VCPU_CNTVOFF_EL2, 1, &off));
	cairn_recv(g.fault_ep, g.reply, &in);
	CHECK(label(&in) == CAIRN_FAULT_VM_HVC && in.mr[0] == F_LOOP);
	uint64_t v = counter(), p = physical_counter();
	CHECK(v <= p && p - v < frequency());
	OK(cairn_irq_control_get(CAIRN_SLOT_IRQ_CONTROL, VTIMER_PPI,
				 CAIRN_IRQ_LEVEL, ROOT, h, DEPTH));
	OK(cairn_irq_handler_set_notification(h, ntfn));
	resume(&g, &in);
	CHECK(label(&in) == CAIRN_FAULT_VM_HVC && in.mr[0] == F_LOOP);
	vtimer_fire_in_ms(20);
	resume(&g, &in);
	CHECK(label(&in) == CAIRN_FAULT_VM_HVC && in.mr[0] == F_LOOP);
	/* Answered without waiting for the next exit: the guest runs, exits
	 * to nobody and waits; the CPU idles until our timer fires. */
	struct cairn_msg m;
	m.info = CAIRN_MSGINFO(CAIRN_VM_REPLY, 2);
	m.mr[0] = m.mr[1] = 0;
	cairn_send(g.reply, &m);
	CHECK(cairn_wait(ntfn) != 0);
	vtimer_off();
	OK(cairn_irq_handler_ack(h));
	cairn_recv(g.fault_ep, g.reply, &in);
	CHECK(label(&in) == CAIRN_FAULT_VM_HVC && in.mr[0] == F_LOOP);
	OK(cairn_tcb_suspend(g.tcb));
	OK(cairn_cnode_delete(ROOT, h, DEPTH));
	return ok;
}

static const struct test_case cases[] = {
    {"guest_el1_controls_stay_its_own",
     "a guest's SCTLR_EL1, TCR_EL1, CPACR_EL1, CNTKCTL_EL1 and TPIDRRO_EL0 "
     "never reach its VMM beside it (endianness, FP/SIMD, counter, IPC "
     "buffer), and the guest reads back its own",
     test_guest_el1_controls_stay_its_own},
    {"natives_keep_their_virtual_timer",
     "beside a guest's loaded state, a native thread reads its own virtual "
     "counter and its own timer fires, the CPU idling or not",
     test_natives_keep_their_virtual_timer},
};

const struct case_table el1_cases = CASE_TABLE(cases);
