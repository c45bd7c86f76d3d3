/*
 * VCPUs: a guest's EL1 state. A TCB bound to a VCPU (TCB.BindVCPU) runs
 * its guest at EL1 in its VSpace; its TCB registers are the guest's
 * general registers and the VCPU holds the rest (enum cairn_vcpu_reg).
 * While a CPU runs the guest, the live values are in that CPU's registers
 * (the arch code's el1 owner) and the VCPU's copy is stale: vcpu_sync
 * brings them back before anyone reads it.
 */
#pragma once

#include "arch.h"
#include "invocation.h"

#include <cairn/invocations.h>

struct tcb;

struct vcpu {
	uint64_t regs[CAIRN_VCPU_REG_COUNT];
	/* The TCB bound to it, or NULL: cleared when that TCB drops its cap
	 * (its owned slot keeps the VCPU alive while bound). */
	struct tcb *tcb;
	uint64_t gic[ARCH_VCPU_GIC_WORDS]; /* the vGIC's, arch/aarch64/vgic.c */
};

_Static_assert(sizeof(struct vcpu) <= (1U << CAIRN_VCPU_BITS),
	       "a VCPU fits its object");

/* A new VCPU: the architecture's reset state, MMU off. */
void vcpu_init(struct vcpu *v);

/* TCB.BindVCPU and UnbindVCPU on the TCB t. */
enum cairn_error vcpu_bind_invoke(struct invocation *inv, struct tcb *t);

/* t drops its VCPU (unbind, or t is destroyed): it runs native again. */
void vcpu_unbind(struct tcb *t);

/* t's VCPU cap was deleted from outside: t stops. */
void vcpu_lost(struct tcb *t);

/* Debug builds: t's VCPU link is mutual. */
void vcpu_check_refs(const struct tcb *t);

/* VCPU.ReadRegs, WriteRegs, InjectIRQ. */
enum cairn_error vcpu_invoke(struct invocation *inv);

/* The last cap is gone (so no TCB is bound): forget it everywhere. */
void vcpu_destroy(struct vcpu *v);

static inline struct vcpu *vcpu_of(const struct cap *c)
{
	return kmem_ptr(c->object);
}
