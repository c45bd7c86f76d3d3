/*
 * Guests at EL1: their EL1 register state, switched lazily like FP/SIMD,
 * and the decoding of their exits (an exit-class table: each class a
 * function that fills the fault message). The register block of the TCB
 * holds the guest's x0-x30, SP_EL0, PC (ELR_EL2), PSTATE (SPSR_EL2) and
 * TPIDR_EL0; the VCPU holds everything in enum cairn_vcpu_reg.
 */
#include "objects/vcpu.h"
#include "arch.h"
#include "arch/cpu.h"
#include "arch/sysreg.h"
#include "assert.h"
#include "fault.h"
#include "objects/tcb.h"

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
#define EL1_REGS(op, r)                                                        \
	do {                                                                   \
		op(r, SCTLR_EL1);                                              \
		op(r, TTBR0_EL1);                                              \
		op(r, TTBR1_EL1);                                              \
		op(r, TCR_EL1);                                                \
		op(r, MAIR_EL1);                                               \
		op(r, AMAIR_EL1);                                              \
		op(r, VBAR_EL1);                                               \
		op(r, CONTEXTIDR_EL1);                                         \
		op(r, TPIDR_EL1);                                              \
		op(r, TPIDRRO_EL0);                                            \
		op(r, SP_EL1);                                                 \
		op(r, ELR_EL1);                                                \
		op(r, SPSR_EL1);                                               \
		op(r, ESR_EL1);                                                \
		op(r, FAR_EL1);                                                \
		op(r, AFSR0_EL1);                                              \
		op(r, AFSR1_EL1);                                              \
		op(r, PAR_EL1);                                                \
		op(r, CPACR_EL1);                                              \
		op(r, CNTKCTL_EL1);                                            \
		op(r, CSSELR_EL1);                                             \
		op(r, CNTV_CTL_EL0);                                           \
		op(r, CNTV_CVAL_EL0);                                          \
		op(r, CNTVOFF_EL2);                                            \
		op(r, VMPIDR_EL2);                                             \
	} while (0)

/* What native threads rely on (arch_user_init), put back after a guest. */
static void load_native(struct cpu *c)
{
	write_sysreg(cntkctl_el1, 0x303);
	write_sysreg(cpacr_el1, 3UL << 20);
	write_sysreg(cntvoff_el2, 0);
	write_sysreg(cntv_cval_el0, c->native_cntv_cval);
	write_sysreg(cntv_ctl_el0, c->native_cntv_ctl);
}

/*
 * Invariant: the EL1 registers hold c->el1_owner's state (NULL: the
 * native threads'), and only that owner's copy in memory is stale.
 */
static void el1_switch(struct cpu *c, struct vcpu *to)
{
	if (c->el1_owner != NULL) {
		EL1_REGS(SAVE, c->el1_owner->regs);
		arch_vgic_save(c->el1_owner);
	} else {
		c->native_cntv_ctl = read_sysreg(cntv_ctl_el0);
		c->native_cntv_cval = read_sysreg(cntv_cval_el0);
	}
	c->el1_owner = to;
	if (to != NULL) {
		EL1_REGS(RESTORE, to->regs);
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
	}
}

void arch_vcpu_leave(void)
{
	struct cpu *c = this_cpu();

	if (c->el1_owner != NULL) {
		el1_switch(c, NULL);
	}
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
	return true;
}

#define CNTV_ENABLE (1UL << 0)
#define CNTV_IMASK  (1UL << 1)

bool arch_vcpu_wake_pending(struct vcpu *v)
{
	if (arch_vgic_has_pending(v)) {
		return true;
	}
	bool live = this_cpu()->el1_owner == v;
	uint64_t ctl =
	    live ? read_sysreg(cntv_ctl_el0) : v->regs[CAIRN_VCPU_CNTV_CTL_EL0];
	uint64_t cval = live ? read_sysreg(cntv_cval_el0)
			     : v->regs[CAIRN_VCPU_CNTV_CVAL_EL0];
	/* Computed, not ISTATUS: a saved ISTATUS is as old as the save. */
	uint64_t now =
	    read_sysreg(cntpct_el0) - v->regs[CAIRN_VCPU_CNTVOFF_EL2];
	return (ctl & (CNTV_ENABLE | CNTV_IMASK)) == CNTV_ENABLE && now >= cval;
}
