#include "objects/vcpu.h"

#include "arch.h"
#include "assert.h"
#include "cap/delete.h"
#include "kmem.h"
#include "objects/cnode.h"
#include "objects/tcb.h"
#include "sched.h"

void vcpu_init(struct vcpu *v)
{
	arch_vcpu_reset(v->regs);
	arch_vgic_reset(v);
	v->tcb = NULL;
}

/* (first, count) naming registers that exist. */
static enum cairn_error decode_range(struct invocation *inv, bool write,
				     uint64_t *first, uint64_t *count)
{
	enum cairn_error e = inv_need_args(inv, 2);

	if (e != CAIRN_OK) {
		return e;
	}
	*first = inv->args[0];
	*count = inv->args[1];
	if (*first >= CAIRN_VCPU_REG_COUNT) {
		return inv_refuse(inv, CAIRN_RANGE_ERROR, CAIRN_ARG_REGISTERS,
				  0, CAIRN_VCPU_REG_COUNT - 1);
	}
	if (*count < 1 || *count > CAIRN_VCPU_REG_COUNT - *first) {
		return inv_refuse(inv, CAIRN_RANGE_ERROR, CAIRN_ARG_COUNT, 1,
				  CAIRN_VCPU_REG_COUNT - *first);
	}
	/* A write carries the values too. */
	return inv_need_args(inv, 2 + (write ? *count : 0));
}

/* VCPU.InjectIRQ(intid, priority, group): pending in the guest. */
static enum cairn_error inject_irq(struct invocation *inv, struct vcpu *v)
{
	const uint64_t *a = inv->args;
	enum cairn_error e = inv_need_args(inv, 3);

	if (e != CAIRN_OK) {
		return e;
	}
	if (a[0] >= CAIRN_VIRQ_LIMIT) {
		return inv_refuse(inv, CAIRN_RANGE_ERROR, CAIRN_ARG_IRQ, 0,
				  CAIRN_VIRQ_LIMIT - 1);
	}
	if (a[1] > 0xff) {
		return inv_refuse(inv, CAIRN_RANGE_ERROR, CAIRN_ARG_PRIORITY, 0,
				  0xff);
	}
	if (a[2] & ~(CAIRN_VIRQ_GROUP1 | CAIRN_VIRQ_EOI_EXIT)) {
		return inv_refuse(inv, CAIRN_INVALID_ARGUMENT,
				  CAIRN_ARG_TRIGGER, 0,
				  CAIRN_VIRQ_GROUP1 | CAIRN_VIRQ_EOI_EXIT);
	}
	if (!arch_vgic_can_inject(v)) {
		/* Its queue is full: the guest is not taking them. */
		return inv_refuse(inv, CAIRN_NOT_ENOUGH_MEMORY, CAIRN_ARG_IRQ,
				  0, 0);
	}
	arch_vgic_inject(v, (uint32_t)a[0], (uint8_t)a[1],
			 a[2] & CAIRN_VIRQ_GROUP1, a[2] & CAIRN_VIRQ_EOI_EXIT);
	if (v->tcb != NULL) {
		sched_wfi_wake(v->tcb); /* a guest in WFI takes it now */
	}
	return CAIRN_OK;
}

/* VCPU.IRQState(intid): pending and active bits, for the VMM's GIC. */
static enum cairn_error irq_state(struct invocation *inv, struct vcpu *v)
{
	enum cairn_error e = inv_need_args(inv, 1);

	if (e != CAIRN_OK) {
		return e;
	}
	if (inv->args[0] >= CAIRN_VIRQ_LIMIT) {
		return inv_refuse(inv, CAIRN_RANGE_ERROR, CAIRN_ARG_IRQ, 0,
				  CAIRN_VIRQ_LIMIT - 1);
	}
	inv->reply[0] = arch_vgic_irq_state(v, (uint32_t)inv->args[0]);
	inv->reply_len = 1;
	return CAIRN_OK;
}

enum cairn_error vcpu_invoke(struct invocation *inv)
{
	struct vcpu *v = vcpu_of(&inv->slot->cap);
	bool write = inv->label == CAIRN_VCPU_WRITE_REGS;

	if (inv->label == CAIRN_VCPU_INJECT_IRQ) {
		return inject_irq(inv, v);
	}
	if (inv->label == CAIRN_VCPU_IRQ_STATE) {
		return irq_state(inv, v);
	}
	uint64_t first, count;
	enum cairn_error e;

	if (!write && inv->label != CAIRN_VCPU_READ_REGS) {
		return inv_bad_label(inv);
	}
	e = decode_range(inv, write, &first, &count);
	if (e != CAIRN_OK) {
		return e;
	}
	/* The live values may be in a CPU's registers: take them back, so
	 * a read sees them and a write is what the guest resumes with. */
	arch_vcpu_sync(v);
	if (write && v->tcb != NULL) {
		/* Its timer may have changed: a WFI it waits in ends (as a
		 * WFI may end for no reason) and is taken again if need be. */
		sched_wfi_wake(v->tcb);
	}
	for (uint64_t i = 0; i < count; i++) {
		if (write) {
			v->regs[first + i] = inv->args[2 + i];
		} else {
			inv->reply[i] = v->regs[first + i];
		}
	}
	inv->reply_len = write ? 0 : count;
	return CAIRN_OK;
}

void vcpu_destroy(struct vcpu *v)
{
	arch_vcpu_sync(v);
	v->tcb = NULL;
}

/* TCB.BindVCPU, decoded: the copy of the VCPU cap the TCB will hold. */
struct bind_op {
	struct tcb *t;
	struct cte *vcpu;
	struct cap copy;
};

static enum cairn_error decode_bind(struct invocation *inv, struct tcb *t,
				    struct bind_op *op)
{
	enum cairn_error e = inv_need_args(inv, 1);

	if (e == CAIRN_OK) {
		e = inv_lookup_typed(inv, CAIRN_ARG_VCPU, inv->args[0],
				     CAP_VCPU, &op->vcpu);
	}
	if (e != CAIRN_OK) {
		return e;
	}
	/* One VCPU per thread, one thread per VCPU: unbind first. */
	if (tcb_vcpu(t) != NULL || vcpu_of(&op->vcpu->cap)->tcb != NULL) {
		return inv_refuse(inv, CAIRN_ILLEGAL_OPERATION, CAIRN_ARG_VCPU,
				  0, 0);
	}
	op->t = t;
	return cnode_derive(&op->vcpu->cap, CAIRN_RIGHTS_ALL, false, 0,
			    &op->copy, &inv->err);
}

static void perform_bind(const struct bind_op *op)
{
	struct tcb *t = op->t;

	tcb_hold_cap(t, &t->vcpu, CTE_OWNER_TCB_VCPU, op->vcpu, &op->copy);
	vcpu_of(&op->copy)->tcb = t;
	/* From now on its registers are a guest's, entered at EL1. */
	arch_thread_set_guest(t, true);
}

enum cairn_error vcpu_bind_invoke(struct invocation *inv, struct tcb *t)
{
	struct bind_op op;
	enum cairn_error e;

	if (inv->label == CAIRN_TCB_UNBIND_VCPU) {
		vcpu_unbind(t);
		return CAIRN_OK;
	}
	e = decode_bind(inv, t, &op);
	if (e == CAIRN_OK) {
		perform_bind(&op);
	}
	return e;
}

void vcpu_unbind(struct tcb *t)
{
	struct vcpu *v = tcb_vcpu(t);

	if (v == NULL) {
		return;
	}
	/* Native again: it may never run at EL1 with what the guest left,
	 * nor wait for a guest's wake-ups. */
	sched_wfi_wake(t);
	arch_thread_set_guest(t, false);
	v->tcb = NULL;
	t->vcpu.owner = CTE_OWNER_CNODE; /* on purpose: not a loss */
	cte_perform_delete(&t->vcpu);
}

void vcpu_lost(struct tcb *t)
{
	struct vcpu *v = tcb_vcpu(t);

	tcb_suspend(t);
	arch_thread_set_guest(t, false);
	if (v != NULL) {
		v->tcb = NULL;
	}
}

void vcpu_check_refs(const struct tcb *t)
{
#ifdef CAIRN_DEBUG
	const struct vcpu *v = tcb_vcpu(t);

	ASSERT(v == NULL || (t->vcpu.owner == CTE_OWNER_TCB_VCPU &&
			     t->vcpu.cap.type == CAP_VCPU && v->tcb == t));
#else
	(void)t;
#endif
}
