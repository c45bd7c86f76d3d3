/*
 * VCPU cases of the thread suite: a thread bound to a VCPU runs a small
 * guest at EL1 (guest_exits, below, in the root task's own text, which
 * vspace_with_root_code maps at the same IPAs, so it runs with its stage-1
 * MMU off). Each of its exits reaches this "VMM" as a fault message whose
 * words are checked, and the replies (results written into registers, the
 * PC advanced) are checked through what the guest reports back.
 */
#include "suite.h"

#include <libcairn/ipc.h>
#include <stdio.h>

#define GUEST_MMIO 0x20000000UL /* backed by nothing: every access exits */
#define GUEST_VBAR 0x00123800UL /* written by the guest, read back by us */

#define PSCI_VERSION	0x84000000UL
#define SMCCC_VERSION	0x80000000UL
#define REPORT		0xc6000001UL /* the guest's last HVC: its results */
#define MMIO_LOAD_VALUE 0xabcd1234UL
#define ACTLR_VALUE	0x77UL

void guest_exits(void);

/*
 * x0 = its RAM, x1 = the MMIO window, x2 = a VBAR_EL1 value. Every access
 * is naturally aligned: with its MMU off the guest's data accesses are
 * Device memory.
 */
__asm__(
    ".text\n"
    ".global guest_exits\n"
    ".balign 4\n"
    "guest_exits:\n"
    "	msr vbar_el1, x2\n"
    "	mov x19, x0\n"
    "	mov x20, x1\n"
    "	movz x0, #0x8400, lsl #16\n" /* PSCI_VERSION */
    "	hvc #0\n"
    "	str x0, [x19, #0]\n"
    "	ldr w3, [x20, #8]\n" /* a 32-bit MMIO load */
    "	str x3, [x19, #8]\n"
    "	mov w4, #0x5a5a\n"
    "	strh w4, [x20, #0x10]\n"  /* a 16-bit MMIO store */
    "	ldrsb x5, [x20, #0x21]\n" /* a sign-extended byte load */
    "	str x5, [x19, #16]\n"
    "	movz x0, #0x8000, lsl #16\n" /* SMCCC_VERSION by SMC */
    "	smc #0\n"
    "	str x0, [x19, #24]\n"
    "	mrs x6, actlr_el1\n" /* HCR_EL2.TACR traps it */
    "	str x6, [x19, #32]\n"
    "	mrs x7, cntp_ctl_el0\n" /* the EL1 physical timer: not its own */
    "	movz x0, #0xc600, lsl #16\n"
    "	movk x0, #1\n" /* REPORT, with what it stored */
    "	ldr x1, [x19, #0]\n"
    "	ldr x2, [x19, #8]\n"
    "	ldr x3, [x19, #16]\n"
    "	ldr x4, [x19, #24]\n"
    "	ldr x5, [x19, #32]\n"
    "	hvc #0\n"
    "1:	b 1b\n");

void guest_timer(void);

/* Arms its virtual timer to fire at once, spins, then reports by HVC. */
__asm__(".text\n"
	".global guest_timer\n"
	".balign 4\n"
	"guest_timer:\n"
	"	msr cntv_cval_el0, xzr\n"
	"	mov x0, #1\n"
	"	msr cntv_ctl_el0, x0\n"
	"	isb\n"
	"	movz x1, #0x10, lsl #16\n"
	"1:	subs x1, x1, #1\n"
	"	b.ne 1b\n"
	"	movz x0, #0xc600, lsl #16\n"
	"	movk x0, #2\n"
	"	hvc #0\n"
	"2:	b 2b\n");

void guest_features(void);

/* Reads the ID registers and reports them, then enables and runs an SVE
 * instruction,
 * whose undefined-instruction exception its vectors report. */
__asm__(".text\n"
	".global guest_features\n"
	".balign 4\n"
	"guest_features:\n"
	"	adr x9, guest_vectors\n"
	"	msr vbar_el1, x9\n"
	"	movz x9, #0x33, lsl #16\n" /* CPACR_EL1: FPEN, ZEN on */
	"	msr cpacr_el1, x9\n"
	"	isb\n"
	"	mrs x1, s3_0_c0_c4_0\n" /* ID_AA64PFR0_EL1 */
	"	mrs x2, s3_0_c0_c4_1\n" /* ID_AA64PFR1_EL1 */
	"	mrs x3, s3_0_c0_c5_0\n" /* ID_AA64DFR0_EL1 */
	"	mrs x4, s3_0_c0_c6_1\n" /* ID_AA64ISAR1_EL1 */
	"	mrs x5, s3_0_c0_c4_4\n" /* ID_AA64ZFR0_EL1 */
	"	mrs x6, s3_0_c0_c4_2\n" /* ID_AA64PFR2_EL1 */
	"	mrs x6, s3_0_c0_c6_2\n" /* ID_AA64ISAR2_EL1 */
	"	mrs x6, s3_0_c0_c7_2\n" /* ID_AA64MMFR2_EL1 */
	"	mrs x6, s3_0_c0_c5_1\n" /* ID_AA64DFR1_EL1 */
	"	movz x0, #0xc600, lsl #16\n"
	"	movk x0, #3\n"
	"	hvc #0\n"
	"sve_insn:\n"
	"	.inst 0x04bf5020\n" /* rdvl x0, #1 */
	"	movz x0, #0xc600, lsl #16\n"
	"	movk x0, #0xbad\n"
	"	hvc #0\n"
	"1:	b 1b\n"
	".balign 2048\n"
	"guest_vectors:\n"
	".skip 0x200\n" /* current EL, SPx, synchronous: */
	"	mrs x1, esr_el1\n"
	"	mrs x2, elr_el1\n"
	"	movz x0, #0xc600, lsl #16\n"
	"	movk x0, #4\n"
	"	hvc #0\n"
	"2:	b 2b\n"
	".skip 0x5e8\n");

extern const char sve_insn[];

void guest_irqs(void);

/*
 * Turns its (virtual) GIC CPU interface on, says it is ready by HVC, then
 * takes the interrupt its VMM injected meanwhile; then arms its virtual
 * timer and takes that. Its IRQ vector acknowledges, EOIs and reports
 * each INTID by HVC.
 */
__asm__(".text\n"
	".global guest_irqs\n"
	".balign 4\n"
	"guest_irqs:\n" GUEST_ASM_GIC_ON(
	    "irq_vectors") "	movz x0, #0xc600, lsl #16\n"
			   "	movk x0, #5\n" /* ready */
			   "	hvc #0\n"
			   "	msr daifclr, #2\n" /* IRQs on: the injected one
						      comes */
			   "	isb\n"
			   "	mrs x9, cntvct_el0\n"
			   "	add x9, x9, #64\n"
			   "	msr cntv_cval_el0, x9\n"
			   "	mov x9, #1\n"
			   "	msr cntv_ctl_el0, x9\n"
			   "	isb\n"
			   "1:	b 1b\n"
			   ".balign 2048\n"
			   "irq_vectors:\n"
			   ".skip 0x280\n" /* current EL, SPx, IRQ: */
			   "	mrs x1, s3_0_c12_c12_0\n" /* ICC_IAR1_EL1 */
			   "	msr s3_0_c12_c12_1, x1\n" /* ICC_EOIR1_EL1 */
			   "	cmp x1, #27\n"
			   "	b.ne 2f\n"
			   "	msr cntv_ctl_el0, xzr\n" /* the timer: off */
			   "2:	movz x0, #0xc600, lsl #16\n"
			   "	movk x0, #6\n" /* took x1 */
			   "	hvc #0\n"
			   "	eret\n"
			   ".skip 0x55c\n");

/* A guest running fn, with x0 = its RAM, x1 = the MMIO window, x2 = a
 * VBAR_EL1 value. */
static int start_guest(struct guest *g, void (*fn)(void))
{
	return guest_start(g, fn, PRIO, GUEST_DATA, GUEST_MMIO, GUEST_VBAR);
}

/* A reply setting register r (or none: r = 32) and maybe advancing. */
static void answer(struct guest *g, int advance, unsigned r, uint64_t value,
		   struct cairn_recv *next)
{
	struct cairn_msg m = {
	    .info = CAIRN_MSGINFO(CAIRN_VM_REPLY, r < 32 ? 4 : 2)};

	m.mr[0] = advance ? CAIRN_VM_REPLY_ADVANCE_PC : 0;
	m.mr[1] = r < 32 ? 1 : 0;
	m.mr[2] = r;
	m.mr[3] = value;
	cairn_reply_recv(g->fault_ep, g->reply, &m, next);
}

static uint64_t label(const struct cairn_recv *in)
{
	return CAIRN_MSGINFO_LABEL(in->info);
}

static int test_guest_exits(void)
{
	int ok = 1;
	struct guest g;
	struct cairn_recv in;

	ok &= start_guest(&g, guest_exits);
	cairn_recv(g.fault_ep, g.reply, &in);
	/* 1. PSCI_VERSION by HVC: x0 is the function id, pc past the HVC. */
	CHECK(label(&in) == CAIRN_FAULT_VM_HVC && in.mr[0] == PSCI_VERSION);
	CHECK(CAIRN_MSGINFO_LENGTH(in.info) == CAIRN_FAULT_WORDS);
	CHECK(cairn_ipc_buffer->mr[7] > (uint64_t)guest_exits);
	answer(&g, 0, 0, 0x10001, &in);
	/* 2. A 32-bit load from the MMIO window: IPA, size, register. */
	CHECK(label(&in) == CAIRN_FAULT_VM_DATA_ABORT);
	CHECK(in.mr[0] == GUEST_MMIO + 8);
	uint64_t a = in.mr[1];
	CHECK((a & CAIRN_VM_ACCESS_VALID) && !(a & CAIRN_VM_ACCESS_WRITE));
	CHECK(CAIRN_VM_ACCESS_SIZE(a) == 4 && CAIRN_VM_ACCESS_REG(a) == 3);
	CHECK(!(a & CAIRN_VM_ACCESS_64));
	answer(&g, 1, CAIRN_VM_ACCESS_REG(a), MMIO_LOAD_VALUE, &in);
	/* 3. A 16-bit store: the value comes with the exit. */
	CHECK(label(&in) == CAIRN_FAULT_VM_DATA_ABORT);
	a = in.mr[1];
	CHECK(in.mr[0] == GUEST_MMIO + 0x10 && (a & CAIRN_VM_ACCESS_WRITE));
	CHECK(CAIRN_VM_ACCESS_SIZE(a) == 2 && in.mr[2] == 0x5a5a);
	answer(&g, 1, 32, 0, &in);
	/* 4. A sign-extended byte load into an X register. */
	CHECK(label(&in) == CAIRN_FAULT_VM_DATA_ABORT);
	a = in.mr[1];
	CHECK(in.mr[0] == GUEST_MMIO + 0x21 && CAIRN_VM_ACCESS_SIZE(a) == 1);
	CHECK((a & CAIRN_VM_ACCESS_SIGNED) && (a & CAIRN_VM_ACCESS_64));
	answer(&g, 1, CAIRN_VM_ACCESS_REG(a), 0xffffffffffffff80UL, &in);
	/* 6. SMC: trapped, pc at the SMC; unknown functions answer -1. */
	CHECK(label(&in) == CAIRN_FAULT_VM_SMC && in.mr[0] == SMCCC_VERSION);
	answer(&g, 1, 0, (uint64_t)-1, &in);
	/* 7. MRS ACTLR_EL1: (3, 0, 1, 0, 1), a read into x6. */
	CHECK(label(&in) == CAIRN_FAULT_VM_SYSREG);
	CHECK(in.mr[0] == CAIRN_VM_SYSREG(3, 0, 1, 0, 1) && in.mr[1] == 1);
	CHECK(in.mr[2] == 6);
	answer(&g, 1, (unsigned)in.mr[2], ACTLR_VALUE, &in);
	/* 7b. The EL1 physical timer is nobody's to switch: it traps. */
	CHECK(label(&in) == CAIRN_FAULT_VM_SYSREG);
	CHECK(in.mr[0] == CAIRN_VM_SYSREG(3, 3, 14, 2, 1) && in.mr[1] == 1);
	answer(&g, 1, (unsigned)in.mr[2], 0, &in);
	/* 8. What the guest saw: every answer where it belonged. */
	CHECK(label(&in) == CAIRN_FAULT_VM_HVC && in.mr[0] == REPORT);
	CHECK(in.mr[1] == 0x10001);
	CHECK(in.mr[2] == MMIO_LOAD_VALUE);
	CHECK(in.mr[3] == 0xffffffffffffff80UL);
	CHECK(in.mr[4] == (uint64_t)-1);
	CHECK(in.mr[5] == ACTLR_VALUE);
	/* Its EL1 state lives in the VCPU: the VBAR it wrote reads back. */
	uint64_t vbar = 0;
	OK(cairn_vcpu_read_regs(g.vcpu, CAIRN_VCPU_VBAR_EL1, 1, &vbar));
	CHECK(vbar == GUEST_VBAR);
	OK(cairn_tcb_suspend(g.tcb));
	return ok;
}

/*
 * A guest's virtual timer fires while it runs: the PPI is the guest's, and
 * must not reach a native handler of the same PPI (here, ours).
 */
static int test_guest_timer_stays_its_own(void)
{
	int ok = 1;
	struct guest g;
	struct cairn_recv in;
	uint64_t h = slot(), ntfn = make(CAIRN_OBJ_NOTIFICATION, 0);

	OK(cairn_irq_control_get(CAIRN_SLOT_IRQ_CONTROL, VTIMER_PPI,
				 CAIRN_IRQ_LEVEL, ROOT, h, DEPTH));
	OK(cairn_irq_handler_set_notification(h, ntfn));
	ok &= start_guest(&g, guest_timer);
	cairn_recv(g.fault_ep, g.reply, &in);
	CHECK(label(&in) == CAIRN_FAULT_VM_HVC && in.mr[0] == 0xc6000002UL);
	CHECK(cairn_poll(ntfn) == 0);
	/* Its timer fired (ISTATUS) and the kernel masked it (IMASK). */
	uint64_t ctl = 0;
	OK(cairn_vcpu_read_regs(g.vcpu, CAIRN_VCPU_CNTV_CTL_EL0, 1, &ctl));
	CHECK(ctl == 7);
	OK(cairn_tcb_suspend(g.tcb));
	/* Ours still works: the line was not left disabled or active. */
	vtimer_fire_in_ms(1);
	CHECK(cairn_wait(ntfn) != 0);
	vtimer_off();
	OK(cairn_irq_handler_ack(h));
	OK(cairn_cnode_delete(ROOT, h, DEPTH));
	return ok;
}

/* A 4-bit ID field. */
static unsigned field(uint64_t v, unsigned shift)
{
	return (unsigned)(v >> shift) & 0xf;
}

static int test_guest_sees_no_hidden_features(void)
{
	int ok = 1;
	struct guest g;
	struct cairn_recv in;

	ok &= start_guest(&g, guest_features);
	cairn_recv(g.fault_ep, g.reply, &in);
	/* The ID registers never left the kernel: one exit, the report. */
	CHECK(label(&in) == CAIRN_FAULT_VM_HVC && in.mr[0] == 0xc6000003UL);
	uint64_t pfr0 = in.mr[1], pfr1 = in.mr[2], dfr0 = in.mr[3];
	uint64_t isar1 = in.mr[4], zfr0 = in.mr[5];
	CHECK(field(pfr0, 32) == 0 && field(pfr0, 8) == 0);  /* SVE, EL2 */
	CHECK(field(pfr0, 44) == 0 && field(pfr0, 28) == 0); /* AMU, RAS */
	CHECK(field(pfr0, 4) != 0);			     /* EL1 is there */
	CHECK(field(pfr1, 24) == 0 && field(pfr1, 8) == 0);  /* SME, MTE */
	CHECK(field(dfr0, 8) == 0 && field(dfr0, 0) >= 6);   /* PMU; debug */
	CHECK(field(isar1, 4) == 0 && field(isar1, 8) == 0); /* PAC */
	CHECK(zfr0 == 0);
	answer(&g, 0, 32, 0, &in);
	/* SVE used anyway, though its own CPACR_EL1 allows it: an undefined
	 * instruction at the guest's EL1. */
	CHECK(label(&in) == CAIRN_FAULT_VM_HVC && in.mr[0] == 0xc6000004UL);
	CHECK((in.mr[1] >> 26) == 0 && in.mr[2] == (uint64_t)sve_insn);
	OK(cairn_tcb_suspend(g.tcb));
	return ok;
}

/* Virtual interrupts: one the VMM injects, and the guest's own timer,
 * which the kernel delivers as PPI 27 without the VMM. */
static int test_guest_takes_virtual_interrupts(void)
{
	int ok = 1;
	struct guest g;
	struct cairn_recv in;

	ok &= start_guest(&g, guest_irqs);
	cairn_recv(g.fault_ep, g.reply, &in);
	CHECK(label(&in) == CAIRN_FAULT_VM_HVC && in.mr[0] == 0xc6000005UL);
	ERR(cairn_vcpu_inject_irq(g.vcpu, CAIRN_VIRQ_LIMIT, 0xa0, 1),
	    CAIRN_RANGE_ERROR, CAIRN_ARG_IRQ);
	ERR(cairn_vcpu_inject_irq(g.vcpu, 40, 0x100, 1), CAIRN_RANGE_ERROR,
	    CAIRN_ARG_PRIORITY);
	ERR(cairn_vcpu_inject_irq(g.vcpu, 40, 0xa0, 4), CAIRN_INVALID_ARGUMENT,
	    CAIRN_ARG_TRIGGER);
	uint64_t st = 9;
	OK(cairn_vcpu_irq_state(g.vcpu, 40, &st));
	CHECK(st == 0);
	OK(cairn_vcpu_inject_irq(g.vcpu, 40, 0xa0, 1));
	OK(cairn_vcpu_inject_irq(g.vcpu, 40, 0xa0, 1)); /* still one */
	OK(cairn_vcpu_irq_state(g.vcpu, 40, &st));
	CHECK(st == CAIRN_VIRQ_PENDING);
	ERR(cairn_vcpu_irq_state(g.vcpu, CAIRN_VIRQ_LIMIT, &st),
	    CAIRN_RANGE_ERROR, CAIRN_ARG_IRQ);
	answer(&g, 0, 32, 0, &in);
	CHECK(label(&in) == CAIRN_FAULT_VM_HVC && in.mr[0] == 0xc6000006UL);
	CHECK(in.mr[1] == 40);
	OK(cairn_vcpu_irq_state(g.vcpu, 40, &st));
	CHECK(st == 0); /* taken and EOIed */
	answer(&g, 0, 32, 0, &in);
	/* Its timer: no exit to us until the guest itself reports it. */
	CHECK(label(&in) == CAIRN_FAULT_VM_HVC && in.mr[0] == 0xc6000006UL);
	CHECK(in.mr[1] == 27);
	OK(cairn_tcb_suspend(g.tcb));
	return ok;
}

/* A level line's EOI comes back to its VMM: asked for with
 * CAIRN_VIRQ_EOI_EXIT, the guest's EOI is an exit naming the INTID, and
 * the reply resumes it where it was. */
static int test_a_level_eoi_exits_to_the_vmm(void)
{
	int ok = 1;
	struct guest g;
	struct cairn_recv in;

	ok &= start_guest(&g, guest_irqs);
	cairn_recv(g.fault_ep, g.reply, &in);
	CHECK(label(&in) == CAIRN_FAULT_VM_HVC && in.mr[0] == 0xc6000005UL);
	ERR(cairn_vcpu_inject_irq(g.vcpu, 41, 0xa0, 4), CAIRN_INVALID_ARGUMENT,
	    CAIRN_ARG_TRIGGER);
	OK(cairn_vcpu_inject_irq(g.vcpu, 41, 0xa0,
				 CAIRN_VIRQ_GROUP1 | CAIRN_VIRQ_EOI_EXIT));
	answer(&g, 0, 32, 0, &in);
	/* Its handler acknowledges and EOIs 41: the EOI exit comes first. */
	CHECK(label(&in) == CAIRN_FAULT_VM_EOI);
	CHECK(in.mr[0] == 1 && in.mr[1] == 41);
	answer(&g, 0, 32, 0, &in);
	CHECK(label(&in) == CAIRN_FAULT_VM_HVC && in.mr[0] == 0xc6000006UL);
	CHECK(in.mr[1] == 41);
	answer(&g, 0, 32, 0, &in);
	/* Its own timer asks for no such exit. */
	CHECK(label(&in) == CAIRN_FAULT_VM_HVC && in.mr[0] == 0xc6000006UL);
	CHECK(in.mr[1] == 27);
	OK(cairn_tcb_suspend(g.tcb));
	return ok;
}

/* The reply to an exit injects in the same message (no InjectIRQ). */
static int test_a_reply_injects_an_interrupt(void)
{
	int ok = 1;
	struct guest g;
	struct cairn_recv in;
	struct cairn_msg m = {.info = CAIRN_MSGINFO(CAIRN_VM_REPLY, 3)};

	ok &= start_guest(&g, guest_irqs);
	cairn_recv(g.fault_ep, g.reply, &in);
	CHECK(label(&in) == CAIRN_FAULT_VM_HVC && in.mr[0] == 0xc6000005UL);
	m.mr[0] = CAIRN_VM_REPLY_INJECT;
	m.mr[1] = 0;
	m.mr[2] = CAIRN_VM_INJECT(42, 0xa0, CAIRN_VIRQ_GROUP1);
	cairn_reply_recv(g.fault_ep, g.reply, &m, &in);
	CHECK(label(&in) == CAIRN_FAULT_VM_HVC && in.mr[0] == 0xc6000006UL);
	CHECK(in.mr[1] == 42);
	OK(cairn_tcb_suspend(g.tcb));
	return ok;
}

void guest_a32(void);
extern const char a32_load[];

/* Drops to an AArch32 EL0 of its own (SPSR_EL1.M = User), whose load from
 * the MMIO window (r1) is a stage-2 abort: a guest may run AArch32
 * applications, and their traps are exits like any other. */
__asm__(".text\n"
	".global guest_a32\n"
	".balign 4\n"
	"guest_a32:\n"
	"	adr x9, a32_load\n"
	"	msr elr_el1, x9\n"
	"	mov x9, #0x10\n" /* AArch32 User, interrupts unmasked */
	"	msr spsr_el1, x9\n"
	"	eret\n"
	".global a32_load\n"
	"a32_load:\n"
	"	.word 0xe5910000\n"   /* A32 ldr r0, [r1] */
	"	.word 0xeafffffe\n"); /* A32 b . */

static int test_guest_aarch32_el0_exits(void)
{
	int ok = 1;
	struct guest g;
	struct cairn_recv in;

	ok &= start_guest(&g, guest_a32);
	cairn_recv(g.fault_ep, g.reply, &in);
	CHECK(label(&in) == CAIRN_FAULT_VM_DATA_ABORT &&
	      in.mr[0] == GUEST_MMIO && in.mr[3] == (uint64_t)a32_load);
	uint64_t regs[35];
	OK(cairn_tcb_suspend(g.tcb));
	OK(cairn_tcb_read_registers(g.tcb, regs, 2));
	CHECK(regs[0] == (uint64_t)a32_load);
	return ok;
}

void guest_faults(void);
extern const char fault_load[], fault_mrs[];

/* Loads from the MMIO window, then reads ACTLR_EL1; its VMM answers the
 * first with an external abort and the second with an undefined
 * instruction, which its vector reports (ESR, FAR, ELR) and skips. */
__asm__(".text\n"
	".global guest_faults, fault_load, fault_mrs\n"
	".balign 4\n"
	"guest_faults:\n"
	"	adr x9, fault_vectors\n"
	"	msr vbar_el1, x9\n"
	"	isb\n"
	"	mov x20, x1\n"
	"fault_load:\n"
	"	ldr w3, [x20]\n"
	"fault_mrs:\n"
	"	mrs x6, actlr_el1\n"
	"	movz x0, #0xc600, lsl #16\n"
	"	movk x0, #8\n"
	"	hvc #0\n"
	"1:	b 1b\n"
	".balign 2048\n"
	"fault_vectors:\n"
	".skip 0x200\n" /* current EL, SPx, synchronous: */
	"	mrs x1, esr_el1\n"
	"	mrs x2, far_el1\n"
	"	mrs x3, elr_el1\n"
	"	movz x0, #0xc600, lsl #16\n"
	"	movk x0, #7\n"
	"	hvc #0\n"
	"	mrs x9, elr_el1\n"
	"	add x9, x9, #4\n"
	"	msr elr_el1, x9\n"
	"	eret\n"
	".skip 0x5d8\n");

static void answer_flags(struct guest *g, uint64_t flags,
			 struct cairn_recv *next)
{
	struct cairn_msg m = {.info = CAIRN_MSGINFO(CAIRN_VM_REPLY, 2)};

	m.mr[0] = flags;
	m.mr[1] = 0;
	cairn_reply_recv(g->fault_ep, g->reply, &m, next);
}

static int test_guest_takes_injected_faults(void)
{
	int ok = 1;
	struct guest g;
	struct cairn_recv in;

	ok &= start_guest(&g, guest_faults);
	cairn_recv(g.fault_ep, g.reply, &in);
	CHECK(label(&in) == CAIRN_FAULT_VM_DATA_ABORT &&
	      in.mr[0] == GUEST_MMIO);
	answer_flags(&g, CAIRN_VM_REPLY_ABORT | CAIRN_VM_REPLY_ADVANCE_PC, &in);
	/* A synchronous external abort at its EL1, at the load itself: EC
	 * 0x25 (data abort, current EL), IL, DFSC 0x10, a read. */
	CHECK(label(&in) == CAIRN_FAULT_VM_HVC && in.mr[0] == 0xc6000007UL);
	CHECK(in.mr[1] == (0x25UL << 26 | 1UL << 25 | 0x10));
	CHECK(in.mr[2] == GUEST_MMIO && in.mr[3] == (uint64_t)fault_load);
	answer(&g, 0, 32, 0, &in);
	CHECK(label(&in) == CAIRN_FAULT_VM_SYSREG);
	CHECK(in.mr[0] == CAIRN_VM_SYSREG(3, 0, 1, 0, 1));
	answer_flags(&g, CAIRN_VM_REPLY_UNDEF, &in);
	CHECK(label(&in) == CAIRN_FAULT_VM_HVC && in.mr[0] == 0xc6000007UL);
	CHECK(in.mr[1] == 1UL << 25 && in.mr[3] == (uint64_t)fault_mrs);
	answer(&g, 0, 32, 0, &in);
	CHECK(label(&in) == CAIRN_FAULT_VM_HVC && in.mr[0] == 0xc6000008UL);
	OK(cairn_tcb_suspend(g.tcb));
	return ok;
}

void guest_wfi(void);

/* Arms its timer a little ahead and waits in WFI until the interrupt has
 * been taken; then reports the INTID and how many WFIs it executed. */
__asm__(".text\n"
	".global guest_wfi\n"
	".balign 4\n"
	"guest_wfi:\n" GUEST_ASM_GIC_ON(
	    "wfi_vectors") "	mov x21, #0\n"
			   "	mov x22, #0\n"
			   "	mrs x9, cntvct_el0\n"
			   "	add x9, x9, #0x10000\n"
			   "	msr cntv_cval_el0, x9\n"
			   "	mov x9, #1\n"
			   "	msr cntv_ctl_el0, x9\n"
			   "	isb\n"
			   "	msr daifclr, #2\n"
			   "1:	wfi\n"
			   "	add x22, x22, #1\n"
			   "	cbz x21, 1b\n"
			   "	movz x0, #0xc600, lsl #16\n"
			   "	movk x0, #9\n"
			   "	mov x1, x21\n"
			   "	mov x2, x22\n"
			   "	hvc #0\n"
			   "2:	b 2b\n"
			   ".balign 2048\n"
			   "wfi_vectors:\n"
			   ".skip 0x280\n" /* current EL, SPx, IRQ: */
			   "	mrs x21, s3_0_c12_c12_0\n" /* ICC_IAR1_EL1 */
			   "	msr s3_0_c12_c12_1, x21\n" /* ICC_EOIR1_EL1 */
			   "	msr cntv_ctl_el0, xzr\n"
			   "	eret\n"
			   ".skip 0x570\n");

/* WFI is the kernel's to answer: no exit, and the timer ends the wait. */
static int test_guest_wfi_waits_for_its_timer(void)
{
	int ok = 1;
	struct guest g;
	struct cairn_recv in;

	ok &= start_guest(&g, guest_wfi);
	cairn_recv(g.fault_ep, g.reply, &in);
	CHECK(label(&in) == CAIRN_FAULT_VM_HVC && in.mr[0] == 0xc6000009UL);
	CHECK(in.mr[1] == 27 && in.mr[2] >= 1);
	OK(cairn_tcb_suspend(g.tcb));
	return ok;
}

/* A reply to a vCPU its VMM paused meanwhile reaches nothing: the guest
 * keeps the registers it exited with and stays stopped. */
static int test_reply_to_a_paused_vcpu_is_dropped(void)
{
	int ok = 1;
	struct guest g;
	struct cairn_recv in;
	uint64_t regs[3];

	ok &= start_guest(&g, guest_exits);
	cairn_recv(g.fault_ep, g.reply, &in);
	CHECK(label(&in) == CAIRN_FAULT_VM_HVC && in.mr[0] == PSCI_VERSION);
	OK(cairn_tcb_suspend(g.tcb));
	struct cairn_msg m = {.info = CAIRN_MSGINFO(CAIRN_VM_REPLY, 4)};
	m.mr[0] = CAIRN_VM_REPLY_ADVANCE_PC;
	m.mr[1] = 1;
	m.mr[2] = 0;
	m.mr[3] = 0x10001;
	cairn_send(g.reply, &m);
	OK(cairn_tcb_read_registers(g.tcb, regs, 3));
	CHECK(regs[2] == PSCI_VERSION); /* x0: the reply wrote nothing */
	CHECK(regs[0] == cairn_ipc_buffer->mr[7]); /* pc: as it exited */
	/* Resumed by its VMM, it runs on from its exit and exits again there
	 * (the HVC is not retried: its PC was already past it). */
	OK(cairn_tcb_resume(g.tcb));
	cairn_recv(g.fault_ep, g.reply, &in);
	CHECK(label(&in) == CAIRN_FAULT_VM_DATA_ABORT);
	OK(cairn_tcb_suspend(g.tcb));
	return ok;
}

void guest_replies(void);

/* An HVC with x1..x6 set; then reports what each reply wrote (x0..x3,
 * then x5 and x6) by HVC. */
__asm__(".text\n"
	".global guest_replies\n"
	".balign 4\n"
	"guest_replies:\n"
	"	movz x0, #0xc600, lsl #16\n"
	"	movk x0, #0xa\n"
	"	mov x1, #1\n"
	"	mov x2, #2\n"
	"	mov x3, #3\n"
	"	mov x4, #4\n"
	"	mov x5, #5\n"
	"	mov x6, #6\n"
	"	hvc #0\n"
	"	mov x4, x3\n"
	"	mov x3, x2\n"
	"	mov x2, x1\n"
	"	mov x1, x0\n"
	"	movz x0, #0xc600, lsl #16\n"
	"	movk x0, #0xb\n"
	"	hvc #0\n"
	"	mov x1, x5\n"
	"	mov x2, x6\n"
	"	movz x0, #0xc600, lsl #16\n"
	"	movk x0, #0xc\n"
	"	hvc #0\n"
	"1:	b 1b\n");

/* A VM reply of n register pairs: (r0 + i, value + i). */
static void answer_pairs(struct guest *g, unsigned n, unsigned r0,
			 uint64_t value, struct cairn_recv *next)
{
	struct cairn_msg m;

	m.info = CAIRN_MSGINFO(CAIRN_VM_REPLY, 2 + 2 * n);
	m.mr[0] = 0;
	m.mr[1] = n;
	for (unsigned i = 0; i < n; i++) {
		m.mr[2 + 2 * i] = r0 + i;
		m.mr[3 + 2 * i] = value + i;
	}
	for (unsigned i = 2 + 2 * n; i < CAIRN_MSG_REG_WORDS; i++) {
		m.mr[i] = 0;
	}
	cairn_reply_recv(g->fault_ep, g->reply, &m, next);
}

/* An exit's words past the registers arrive in the VMM's IPC buffer; a
 * reply too long for the registers (the IPC fastpath's limit) and one
 * that just fits both land whole. */
static int test_guest_exit_and_reply_lengths(void)
{
	int ok = 1;
	struct guest g;
	struct cairn_recv in;

	ok &= start_guest(&g, guest_replies);
	cairn_recv(g.fault_ep, g.reply, &in);
	CHECK(label(&in) == CAIRN_FAULT_VM_HVC && in.mr[0] == 0xc600000aUL);
	CHECK(CAIRN_MSGINFO_LENGTH(in.info) == CAIRN_FAULT_WORDS);
	CHECK(in.mr[1] == 1 && in.mr[5] == 5);
	CHECK(cairn_ipc_buffer->mr[6] == 6);
	CHECK(cairn_ipc_buffer->mr[7] > (uint64_t)guest_replies);
	answer_pairs(&g, 4, 0, 0x100, &in); /* ten words: x0..x3 */
	CHECK(label(&in) == CAIRN_FAULT_VM_HVC && in.mr[0] == 0xc600000bUL);
	CHECK(in.mr[1] == 0x100 && in.mr[2] == 0x101);
	CHECK(in.mr[3] == 0x102 && in.mr[4] == 0x103);
	answer_pairs(&g, 2, 5, 0x205, &in); /* six words: x5, x6 */
	CHECK(label(&in) == CAIRN_FAULT_VM_HVC && in.mr[0] == 0xc600000cUL);
	CHECK(in.mr[1] == 0x205 && in.mr[2] == 0x206);
	OK(cairn_tcb_suspend(g.tcb));
	return ok;
}

static const struct test_case cases[] = {
    {"guest_exits",
     "a guest at EL1 exits by HVC, MMIO, SMC and a trapped MRS; each "
     "reply lands in the right register",
     test_guest_exits},
    {"guest_timer_stays_its_own",
     "a guest's virtual timer firing never signals a native handler",
     test_guest_timer_stays_its_own},
    {"guest_sees_no_hidden_features",
     "ID registers hide SVE, SME, MTE, the PMU, pointer authentication and "
     "EL2; SVE used anyway is an undefined instruction in the guest",
     test_guest_sees_no_hidden_features},
    {"guest_takes_virtual_interrupts",
     "an injected interrupt and the guest's own virtual timer reach it "
     "through the vGIC, each acknowledged and EOIed once",
     test_guest_takes_virtual_interrupts},
    {"a_reply_injects_an_interrupt",
     "a VM-exit reply carrying CAIRN_VM_REPLY_INJECT makes the interrupt "
     "pending as the guest resumes",
     test_a_reply_injects_an_interrupt},
    {"a_level_eoi_exits_to_the_vmm",
     "an interrupt injected with CAIRN_VIRQ_EOI_EXIT: the guest's EOI of it "
     "is an exit naming it, before the guest goes on",
     test_a_level_eoi_exits_to_the_vmm},
    {"guest_takes_injected_faults",
     "a VMM's reply makes the exiting access a synchronous external abort, "
     "or the trapped instruction undefined, at the guest's own EL1",
     test_guest_takes_injected_faults},
    {"guest_wfi_waits_for_its_timer",
     "WFI never reaches the VMM; the guest's own timer ends its wait",
     test_guest_wfi_waits_for_its_timer},
    {"reply_to_a_paused_vcpu_is_dropped",
     "a VMM's reply to a vCPU paused meanwhile changes nothing in it",
     test_reply_to_a_paused_vcpu_is_dropped},
    {"guest_aarch32_el0_exits",
     "a guest's own AArch32 EL0 traps to EL2 as a VM exit like AArch64",
     test_guest_aarch32_el0_exits},
    {"guest_exit_and_reply_lengths",
     "an exit's last words arrive in the VMM's IPC buffer; replies of six "
     "words and of ten (past the registers) land whole",
     test_guest_exit_and_reply_lengths},
};

const struct case_table vcpu_cases = CASE_TABLE(cases);
