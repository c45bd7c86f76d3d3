/*
 * Guests at EL1: their EL1 register state, switched lazily like FP/SIMD
 * (a native thread running after a guest, its VMM, swaps only the few
 * registers EL0 observes; the invariant is below). Their exits are
 * decoded in vmexit.c. The register block of the TCB holds the guest's
 * x0-x30, SP_EL0, PC (ELR_EL2), PSTATE (SPSR_EL2) and TPIDR_EL0; the VCPU
 * holds everything in enum cairn_vcpu_reg.
 */
#include "objects/vcpu.h"
#include "arch.h"
#include "arch/cpu.h"
#include "arch/sysreg.h"
#include "assert.h"
#include "fault.h"
#include "objects/tcb.h"
#include "sched.h"

#include <cairn/invocations.h>
#include <cairn/syscalls.h>

/* EL1h with D, A, I and F masked: where a guest starts, as after reset. */
#define SPSR_EL1H_MASKED 0x3c5UL
#define SPSR_EL0T	 0x0UL

/* SCTLR_EL1's RES1 bits (ARMv8.0), MMU and caches off. */
#define SCTLR_EL1_RESET 0x30d00800UL
#define VMPIDR_RES1	(1UL << 31)

void arch_vcpu_reset(uint64_t *regs)
{
	for (unsigned i = 0; i < CAIRN_VCPU_REG_COUNT; i++) {
		regs[i] = 0;
	}
	regs[CAIRN_VCPU_SCTLR_EL1] = SCTLR_EL1_RESET;
	/* Aff0 0 with the RES1 bit: its VMM gives each vCPU its own. */
	regs[CAIRN_VCPU_VMPIDR_EL2] = VMPIDR_RES1;
}

void arch_thread_set_guest(struct tcb *t, bool guest)
{
	t->regs.spsr = guest ? SPSR_EL1H_MASKED : SPSR_EL0T;
}

#define SAVE(r, reg)	(r)[CAIRN_VCPU_##reg] = read_sysreg(reg)
#define RESTORE(r, reg) write_sysreg(reg, (r)[CAIRN_VCPU_##reg])
/* The EL1 registers only a guest can observe: its translation regime,
 * exception and thread registers, and its virtual timer. */
#define EL1_OWN_REGS(op, r)                                                    \
	do {                                                                   \
		op(r, TTBR0_EL1);                                              \
		op(r, TTBR1_EL1);                                              \
		op(r, MAIR_EL1);                                               \
		op(r, AMAIR_EL1);                                              \
		op(r, VBAR_EL1);                                               \
		op(r, CONTEXTIDR_EL1);                                         \
		op(r, TPIDR_EL1);                                              \
		op(r, SP_EL1);                                                 \
		op(r, ELR_EL1);                                                \
		op(r, SPSR_EL1);                                               \
		op(r, ESR_EL1);                                                \
		op(r, FAR_EL1);                                                \
		op(r, AFSR0_EL1);                                              \
		op(r, AFSR1_EL1);                                              \
		op(r, PAR_EL1);                                                \
		op(r, CSSELR_EL1);                                             \
		op(r, CNTV_CTL_EL0);                                           \
		op(r, CNTV_CVAL_EL0);                                          \
		op(r, CNTVOFF_EL2);                                            \
		op(r, VMPIDR_EL2);                                             \
	} while (0)
/*
 * The EL1 registers a native thread observes too: at EL0 with
 * HCR_EL2.{E2H, TGE} = {0, 1} only SCTLR_EL1.M is ignored, so SCTLR_EL1's
 * EL0 controls apply (E0E: data endianness; SA0; UCT, DZE, UCI, UMA, nTWI,
 * nTWE: traps of CTR_EL0, DC ZVA, cache maintenance, DAIF, WFI, WFE),
 * TCR_EL1's TBI0/TBI1 with stage 1 off (is a tagged address one), CPACR_EL1
 * (FP/SIMD at EL0: a trap here would reach EL2 uncategorised), CNTKCTL_EL1
 * (EL0's counter and timer access), and TPIDRRO_EL0 (each native thread's
 * is its IPC buffer address, arch_run_thread).
 */
#define EL1_VIEW_REGS(op, r)                                                   \
	do {                                                                   \
		op(r, SCTLR_EL1);                                              \
		op(r, TCR_EL1);                                                \
		op(r, CPACR_EL1);                                              \
		op(r, CNTKCTL_EL1);                                            \
		op(r, TPIDRRO_EL0);                                            \
	} while (0)

/*
 * The natives' view of those: little-endian EL0, SP alignment checked,
 * WFI and WFE left to HCR_EL2, CTR_EL0, DC ZVA, EL0 cache maintenance and
 * SCXTNUM_EL0 trapped (TSCXT), with the RES1 bits of ARMv8.0 (the values a
 * native thread found at reset on QEMU's max CPU, E0E pinned to 0 and
 * TSCXT added); no tagged addresses; FP/SIMD untrapped here (CPTR_EL2.TFP
 * decides, thread.c); the physical counter readable at EL0 and, while
 * their own timer is loaded, the virtual counter and timer too.
 */
#define SCTLR_EL1_NATIVE                                                       \
	(SCTLR_EL1_RESET | (1UL << 4) | (1UL << 16) | (1UL << 18))
/* While a guest's timer is loaded, EL0's WFI, WFE, WFIT and WFET trap too:
 * WFIT's timeout reads the virtual counter, the guest's then. */
#define SCTLR_EL1_NATIVE_TRAP_WFX                                              \
	(SCTLR_EL1_NATIVE & ~((1UL << 16) | (1UL << 18)))
#define TCR_EL1_NATIVE	     0UL
#define CPACR_EL1_NATIVE     (3UL << 20)
#define CNTKCTL_EL0PCTEN     (1UL << 0)
#define CNTKCTL_EL0VCTEN     (1UL << 1)
#define CNTKCTL_EL0VTEN	     (1UL << 8)
#define CNTKCTL_EL0PTEN	     (1UL << 9)
#define CNTKCTL_NATIVE_TIMER (CNTKCTL_EL0PCTEN | CNTKCTL_EL0PTEN)
#define CNTKCTL_NATIVE                                                         \
	(CNTKCTL_NATIVE_TIMER | CNTKCTL_EL0VCTEN | CNTKCTL_EL0VTEN)

#define CNTV_ENABLE (1UL << 0)
#define CNTV_IMASK  (1UL << 1)

/*
 * Invariant (asserted on every entry to a thread, arch_el1_invariant):
 *   - el1_owner == NULL: the EL1 registers hold the natives' state (their
 *     view, above, with the virtual counter and timer enabled at EL0;
 *     their timer; CNTVOFF_EL2 0) and the vGIC interface is off;
 *   - el1_owner == v: they hold v's state, whose copy in v is stale,
 *     and v's vGIC state is in the list registers; except that while
 *     el1_view is NULL (a native thread runs after v) SCTLR_EL1, TCR_EL1,
 *     CPACR_EL1, CNTKCTL_EL1 and TPIDRRO_EL0 hold the natives' view and
 *     v's copy of them is current. The natives' timer is kept in struct
 *     cpu's native_cntv while el1_owner is a VCPU, so their timer and
 *     counter are not theirs then (v's timer stays live, so it fires on
 *     time): EL0's access to them traps (CNTKCTL_NATIVE_TIMER) and
 *     arch_el1_native_trap loads the natives' whole state. And that
 *     happens only while the natives' own timer cannot fire (not enabled,
 *     or masked); else they get their whole state at once, as they do
 *     when the CPU idles.
 * A native thread runs only with el1_view == NULL, a guest of v only with
 * el1_owner == el1_view == v.
 */
static bool native_timer_armed(const struct cpu *c)
{
	return (c->native_cntv_ctl & (CNTV_ENABLE | CNTV_IMASK)) == CNTV_ENABLE;
}

static void load_native_view(bool own_timer)
{
	write_sysreg(sctlr_el1,
		     own_timer ? SCTLR_EL1_NATIVE : SCTLR_EL1_NATIVE_TRAP_WFX);
	write_sysreg(tcr_el1, TCR_EL1_NATIVE);
	write_sysreg(cpacr_el1, CPACR_EL1_NATIVE);
	write_sysreg(cntkctl_el1,
		     own_timer ? CNTKCTL_NATIVE : CNTKCTL_NATIVE_TIMER);
}

/* Everything native threads rely on, after a guest or at boot. */
static void load_native(struct cpu *c)
{
	load_native_view(true);
	write_sysreg(cntvoff_el2, 0);
	write_sysreg(cntv_cval_el0, c->native_cntv_cval);
	write_sysreg(cntv_ctl_el0, c->native_cntv_ctl);
}

void arch_el1_init(void)
{
	struct cpu *c = this_cpu();

	c->el1_owner = c->el1_view = NULL;
	c->native_cntv_ctl = c->native_cntv_cval = 0;
	load_native(c);
}

/* The whole switch: from whoever holds the EL1 state to `to` (NULL: the
 * native threads). */
static void el1_switch(struct cpu *c, struct vcpu *to)
{
	struct vcpu *from = c->el1_owner;

	if (from != NULL) {
		EL1_OWN_REGS(SAVE, from->regs);
		if (c->el1_view == from) {
			EL1_VIEW_REGS(SAVE, from->regs);
		}
		arch_vgic_save(from);
	} else {
		c->native_cntv_ctl = read_sysreg(cntv_ctl_el0);
		c->native_cntv_cval = read_sysreg(cntv_cval_el0);
	}
	c->el1_owner = c->el1_view = to;
	if (to != NULL) {
		EL1_OWN_REGS(RESTORE, to->regs);
		EL1_VIEW_REGS(RESTORE, to->regs);
		arch_vgic_load(to);
	} else {
		load_native(c);
	}
}

void arch_vcpu_sync(struct vcpu *v)
{
	struct cpu *c = this_cpu();

	if (c->el1_owner == v) {
		el1_switch(c, NULL);
	}
}

void arch_vcpu_enter(struct vcpu *v)
{
	struct cpu *c = this_cpu();

	if (c->el1_owner != v) {
		el1_switch(c, v);
	} else if (c->el1_view != v) {
		/* Back from its VMM (or any native thread): only the view. */
		EL1_VIEW_REGS(RESTORE, v->regs);
		c->el1_view = v;
	}
}

void arch_vcpu_leave(void)
{
	struct cpu *c = this_cpu();
	struct vcpu *v = c->el1_view;

	if (v == NULL) {
		return;
	}
	if (native_timer_armed(c)) {
		el1_switch(c, NULL); /* their timer must be live to fire */
		return;
	}
	EL1_VIEW_REGS(SAVE, v->regs);
	load_native_view(false);
	c->el1_view = NULL;
}

void arch_vcpu_idle(void)
{
	struct cpu *c = this_cpu();

	if (c->el1_owner != NULL && native_timer_armed(c)) {
		el1_switch(c, NULL);
	}
}

bool arch_el1_native_trap(void)
{
	struct cpu *c = this_cpu();

	if (c->el1_owner == NULL) {
		return false; /* the natives' own state refused it */
	}
	el1_switch(c, NULL);
	return true;
}

void arch_el1_for_natives(void)
{
	struct cpu *c = this_cpu();

	if (c->el1_owner != NULL) {
		el1_switch(c, NULL);
	}
}

bool arch_el1_invariant(const struct cpu *c, const struct vcpu *v)
{
	if (v != NULL) {
		return c->el1_owner == v && c->el1_view == v;
	}
	bool own = c->el1_owner == NULL;
	uint64_t cntkctl = own ? CNTKCTL_NATIVE : CNTKCTL_NATIVE_TIMER;
	uint64_t sctlr = own ? SCTLR_EL1_NATIVE : SCTLR_EL1_NATIVE_TRAP_WFX;

	if (own &&
	    (read_sysreg(cntvoff_el2) != 0 || !arch_vgic_interface_off())) {
		return false;
	}
	return c->el1_view == NULL && (own || !native_timer_armed(c)) &&
	       read_sysreg(sctlr_el1) == sctlr &&
	       read_sysreg(tcr_el1) == TCR_EL1_NATIVE &&
	       read_sysreg(cpacr_el1) == CPACR_EL1_NATIVE &&
	       read_sysreg(cntkctl_el1) == cntkctl;
}

bool arch_guest_timer_fired(void)
{
	struct vcpu *v = this_cpu()->el1_owner;

	if (v == NULL) {
		return false; /* the native threads' timer */
	}
	/* IMASK: the guest's live timer stops asserting its PPI. */
	write_sysreg(cntv_ctl_el0, read_sysreg(cntv_ctl_el0) | 2);
	isb();
	arch_vgic_timer_fired(v);
	/* Its guest may be in WFI while its state stays loaded (a native
	 * runs): the interrupt is its wake-up, now, as an injection is. With
	 * IMASK set, its deadline no longer counts (a lost wake-up). */
	if (v->tcb != NULL) {
		sched_wfi_wake(v->tcb);
	}
	return true;
}

bool arch_vcpu_timer_deadline(const struct vcpu *v, uint64_t *when)
{
	bool live = this_cpu()->el1_owner == v;
	uint64_t ctl =
	    live ? read_sysreg(cntv_ctl_el0) : v->regs[CAIRN_VCPU_CNTV_CTL_EL0];
	uint64_t cval = live ? read_sysreg(cntv_cval_el0)
			     : v->regs[CAIRN_VCPU_CNTV_CVAL_EL0];
	/* CNTVOFF_EL2 changes only by VCPU.WriteRegs, which syncs: the copy
	 * is current even while v's state is loaded. */
	uint64_t off = v->regs[CAIRN_VCPU_CNTVOFF_EL2];

	if ((ctl & (CNTV_ENABLE | CNTV_IMASK)) != CNTV_ENABLE ||
	    cval > UINT64_MAX - off) {
		return false;
	}
	*when = cval + off;
	return true;
}

bool arch_vcpu_wake_pending(struct vcpu *v)
{
	uint64_t when;

	/* Computed, not ISTATUS: a saved ISTATUS is as old as the save. */
	return arch_vgic_has_pending(v) ||
	       (arch_vcpu_timer_deadline(v, &when) &&
		read_sysreg(cntpct_el0) >= when);
}
