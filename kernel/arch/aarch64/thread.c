/*
 * Threads: entering them and decoding their traps. A native thread runs at
 * EL0 with HCR_EL2.TGE set (its exceptions, system calls included, come to
 * EL2), DC set (stage 1 off, memory normal cacheable) and VM set (its
 * VSpace is the stage-2 translation). A thread bound to a VCPU runs a guest
 * at EL1 instead (HCR_GUEST; its EL1 state: vcpu.c, its exits: vmexit.c).
 */
#include "arch.h"
#include "arch/cpu.h"
#include "arch/sysreg.h"
#include "assert.h"
#include "objects/tcb.h"
#include "objects/vcpu.h"
#include "print.h"
#include "sched.h"
#include "syscall.h"

#define HCR_VM	  (1UL << 0)
#define HCR_SWIO  (1UL << 1)
#define HCR_FMO	  (1UL << 3)
#define HCR_IMO	  (1UL << 4)
#define HCR_AMO	  (1UL << 5)
#define HCR_DC	  (1UL << 12)
#define HCR_TWI	  (1UL << 13)
#define HCR_TWE	  (1UL << 14)
#define HCR_TSC	  (1UL << 19)
#define HCR_TIDCP (1UL << 20)
#define HCR_TACR  (1UL << 21)
#define HCR_TID3  (1UL << 18)
#define HCR_TSW	  (1UL << 22)
#define HCR_TGE	  (1UL << 27)
#define HCR_RW	  (1UL << 31)
#define HCR_TERR  (1UL << 36)

#define HCR_NATIVE (HCR_RW | HCR_TGE | HCR_DC | HCR_VM)
/*
 * A guest: its own stage 1 over its VSpace; physical interrupts and
 * SErrors come to EL2; SMC, WFI/WFE, set/way cache maintenance (which
 * would reach other domains' lines), ACTLR_EL1 and IMPLEMENTATION DEFINED
 * registers trap, so they become exits its VMM answers; ID registers (TID3)
 * and RAS error records (TERR) trap to idregs.c, and with API, APK and ATA
 * clear so do pointer authentication and MTE: features Cairn hides.
 */
#define HCR_GUEST                                                              \
	(HCR_RW | HCR_VM | HCR_SWIO | HCR_FMO | HCR_IMO | HCR_AMO | HCR_TWI |  \
	 HCR_TWE | HCR_TSC | HCR_TIDCP | HCR_TACR | HCR_TSW | HCR_TID3 |       \
	 HCR_TERR)

/* MDCR_EL2: debug and PMU registers trap (no domain may reach another's
 * through them); HPMN keeps every counter. */
#define MDCR_TPMCR (1UL << 5)
#define MDCR_TPM   (1UL << 6)
#define MDCR_TDA   (1UL << 9)
#define MDCR_TDOSA (1UL << 10)
#define MDCR_TDRA  (1UL << 11)

#define SPSR_EL0T 0x0UL

#define EC_WFX	      0x01
#define EC_FP_ACCESS  0x07
#define EC_SVC64      0x15
#define EC_SYSREG     0x18
#define EC_DABT_LOWER 0x24
#define EC_IABT_LOWER 0x20

void arch_return_to_user(struct user_regs *regs) __attribute__((noreturn));

void arch_user_init(void)
{
	/* The physical counter readable below EL2 (EL1PCTEN); the EL1
	 * physical timer trapped (EL1PCEN clear): its state is not switched,
	 * so no thread or guest may leave it set for another (a guest's use is
	 * an exit for its VMM). The virtual timer is switched (vcpu.c). */
	write_sysreg(cnthctl_el2, 1);
	/* What native threads see of the EL1 registers (EL0's counter and
	 * timer access, FP/SIMD untrapped by EL1's control: CPTR_EL2.TFP
	 * decides, see fp_trap): vcpu.c, which switches them. */
	arch_el1_init();
	write_sysreg(mdcr_el2, ((read_sysreg(pmcr_el0) >> 11) & 0x1f) |
				   MDCR_TPMCR | MDCR_TPM | MDCR_TDA |
				   MDCR_TDOSA | MDCR_TDRA);
	arch_s2_init();
}

void arch_thread_init_regs(struct tcb *t, uint64_t pc, uint64_t sp,
			   uint64_t arg0)
{
	t->regs = (struct user_regs){.pc = pc, .sp = sp, .spsr = SPSR_EL0T};
	t->regs.x[0] = arg0;
}

struct tcb *arch_current_thread(void)
{
	return this_cpu()->current;
}

/* fp.S, reached from fp_take: arch_fp_restore(x0 = state) and
 * arch_fp_switch(x0 = owner's state to save, x1 = state to restore). */

void arch_current_clear(void)
{
	this_cpu()->current = NULL;
}

struct tcb *arch_fp_owner(void)
{
	return this_cpu()->fp_owner;
}

void arch_forget_thread(struct tcb *t)
{
	struct cpu *c = this_cpu();

	if (c->fp_owner == t) {
		c->fp_owner = NULL;
	}
	if (c->current == t) {
		c->current = NULL;
	}
}

/*
 * FP/SIMD is switched lazily. The registers hold fp_owner's state until
 * another thread uses them: a thread that is not the owner runs with
 * CPTR_EL2.TFP set, and its first FP/SIMD instruction traps to
 * arch_fp_claim. A thread that took that trap is switched eagerly for its
 * next FP_EAGER_SWITCHES runs (saving a trap per switch while it keeps
 * using FP), then lazily again, so threads that stopped using FP cost no
 * save and restore on the IPC path.
 *
 * Invariant: TFP is clear exactly when the running thread is fp_owner, so
 * no thread ever reads or writes another thread's FP/SIMD state.
 */
#define FP_EAGER_SWITCHES 64

static void fp_trap(struct cpu *c, bool trap)
{
	uint64_t want = CPTR_EL2_RES1 | (trap ? CPTR_EL2_TFP : 0);

	if (c->cptr != want) {
		write_sysreg(cptr_el2, want);
		c->cptr = want;
		if (!trap) {
			isb(); /* the kernel may touch FP/SIMD next */
		}
	}
}

/* Makes t the owner of this CPU's FP/SIMD registers, traps cleared. */
static inline __attribute__((always_inline)) void fp_take(struct cpu *c,
							  struct tcb *t)
{
	fp_trap(c, false);
	/*
	 * Called as asm with its real clobbers (fp.S uses x0-x3 and the FP
	 * registers, which the kernel never holds values in), so the caller
	 * need not save registers around it: this is on the switch path of
	 * every thread that uses FP.
	 */
	register struct fp_regs *x0 __asm__("x0") =
	    c->fp_owner != NULL ? &c->fp_owner->fp : &t->fp;
	register struct fp_regs *x1 __asm__("x1") = &t->fp;
	if (c->fp_owner != NULL) {
		__asm__ volatile("bl arch_fp_switch"
				 : "+r"(x0), "+r"(x1)
				 :
				 : "x2", "x3", "x30", "memory");
	} else {
		__asm__ volatile("bl arch_fp_restore"
				 : "+r"(x0), "+r"(x1)
				 :
				 : "x2", "x3", "x30", "memory");
	}
	c->fp_owner = t;
}

/* The trap of a thread's FP/SIMD use while another thread owns the state. */
static void arch_fp_claim(struct tcb *t)
{
	struct cpu *c = this_cpu();

	ASSERT(c->fp_owner != t);
	fp_take(c, t);
	t->fp_eager = FP_EAGER_SWITCHES;
	arch_run_thread(t);
}

static __attribute__((noreturn)) void enter_user(struct cpu *c, struct tcb *t)
{
	ASSERT((c->fp_owner == t) == !(c->cptr & CPTR_EL2_TFP));
	ASSERT(arch_el1_invariant(c, tcb_vcpu(t)));
	c->user_since = read_sysreg(cntpct_el0);
	arch_return_to_user(&t->regs);
}

/* Out of line, so the common entry to a thread saves no registers. */
static __attribute__((noinline, noreturn)) void
enter_user_fp_eager(struct cpu *c, struct tcb *t)
{
	t->fp_eager--;
	fp_take(c, t);
	enter_user(c, t);
}

/* Out of line, so the common entry to a thread saves no registers: the EL1
 * state switches to the thread's (a guest's, or the native threads'). */
static __attribute__((noinline, noreturn)) void
enter_with_el1_switch(struct tcb *t, struct vcpu *v)
{
	if (v != NULL) {
		arch_vcpu_enter(v);
		/* Its vGIC stayed live while its VMM ran: an EOI the VMM must
		 * hear of may have been taken then. The VMM hears first. */
		if (__builtin_expect(arch_vgic_eoi_exits_pending(v), 0)) {
			this_cpu()->current = t;
			arch_vm_eoi_exit(t);
		}
	} else {
		arch_vcpu_leave();
	}
	arch_run_thread(t);
}

void arch_run_thread(struct tcb *t)
{
	struct cpu *c = this_cpu();
	struct vcpu *v = tcb_vcpu(t);

	if (__builtin_expect(c->el1_view != v, 0)) {
		enter_with_el1_switch(t, v);
	}
	c->current = t;
	if (__builtin_expect(v == NULL, 1)) {
		/* Where the thread finds its IPC buffer (read-only at EL0). */
		write_sysreg(tpidrro_el0, ipa_addr(t->ipc_buffer_ipa));
		write_sysreg(hcr_el2, HCR_NATIVE);
	} else {
		write_sysreg(hcr_el2, HCR_GUEST);
	}
	write_sysreg(vttbr_el2, pa_addr(t->vspace_root) |
				    ((uint64_t)vmid_value(t->vmid) << 48));
	/* No ISB: the ERET is context synchronizing (SCTLR_EL2.EOS is set),
	 * so the thread sees all of these writes. */
	if (c->fp_owner == t) {
		fp_trap(c, false);
	} else if (t->fp_eager != 0) {
		enter_user_fp_eager(c, t);
	} else {
		fp_trap(c, true);
	}
	enter_user(c, t);
}

/* The IPA of a stage-2 abort: HPFAR_EL2 gives the page, FAR the offset. */
static ipaddr_t fault_ipa(void)
{
	uint64_t hpfar = read_sysreg(hpfar_el2);
	uint64_t far = read_sysreg(far_el2);

	return ipa_init(((hpfar >> 4) << 12) | (far & 0xfff));
}

/* Time at EL0 is charged to the thread on every way back into the kernel. */
static void charge_user_time(struct tcb *t)
{
	t->cpu_ticks += read_sysreg(cntpct_el0) - this_cpu()->user_since;
}

/* A trapped MRS/MSR of the generic timer's EL0 registers (op0 3, op1 3,
 * CRn 14): the only ones the natives' own EL1 state would have allowed. */
static bool counter_or_timer(uint64_t esr)
{
	unsigned op0 = (esr >> 20) & 0x3, op1 = (esr >> 14) & 0x7;
	unsigned crn = (esr >> 10) & 0xf;

	return op0 == 3 && op1 == 3 && crn == 14;
}

/* Everything but a system call: kept out of line, off the IPC path. */
static __attribute__((noinline, noreturn)) void lower_exception(struct tcb *t,
								uint64_t esr)
{
	unsigned ec = (unsigned)(esr >> 26) & 0x3f;

	if (ec == EC_FP_ACCESS && this_cpu()->fp_owner != t) {
		arch_fp_claim(t);
	}
	if (!cap_is_null(&t->vcpu.cap)) {
		arch_vm_exit(t, esr);
	}
	if ((ec == EC_WFX || (ec == EC_SYSREG && counter_or_timer(esr))) &&
	    arch_el1_native_trap()) {
		arch_run_thread(t); /* the access again, the natives' own */
	}
	struct user_fault f = {
	    .esr = esr,
	    .class_name = esr_class_name(ec),
	    .pc = t->regs.pc,
	    .address = read_sysreg(far_el2),
	};

	if (ec == EC_DABT_LOWER || ec == EC_IABT_LOWER) {
		f.has_address = true;
		f.ipa = fault_ipa();
		f.instruction = ec == EC_IABT_LOWER;
	}
	user_fault(t, &f);
}

void handle_lower_sync(struct tcb *t)
{
	charge_user_time(t);
	uint64_t esr = read_sysreg(esr_el2);

	/* A guest's SVC goes to its own EL1: only a native thread's is here. */
	if (((esr >> 26) & 0x3f) == EC_SVC64) {
		syscall_handle(t, t->regs.x[8]); /* the fastpath starts here */
	}
	lower_exception(t, esr);
}

void handle_lower_irq(struct tcb *t)
{
	charge_user_time(t);
	sched_interrupt(t);
}
