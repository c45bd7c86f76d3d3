#include "objects/irq.h"

#include "arch.h"
#include "assert.h"
#include "cap/cdt.h"
#include "cap/delete.h"
#include "ipc.h"
#include "kmem.h"
#include "objects/cnode.h"
#include "print.h"

#include <cairn/invocations.h>

struct irq_state {
	bool claimed;
	/* The kernel services this one itself (the SMMU's): never claimed,
	 * never signalled to user level. */
	void (*kernel)(void);
	/* A copy of the notification cap to signal (with its badge), or
	 * empty: the handler's own slot, so the notification outlives every
	 * other cap to it (enum cte_owner). */
	struct cte ntfn;
};

static struct irq_state irqs[IRQ_MAX];
static uint32_t kernel_irq;
static uint32_t irq_limit; /* 1 + the highest INTID the GIC implements */
static uint32_t uart_irq;  /* claiming it takes the UART from the kernel */
static uint64_t delivered; /* interrupts signalled to user level */

void irq_init(const struct platform *plat, uint32_t kernel_intid)
{
	kernel_irq = kernel_intid;
	uart_irq = plat->has_uart ? plat->uart_intid : 0;
	irq_limit = plat->has_gic ? arch_gic_irq_limit() : 0;
}

enum { A_IRQ, A_TRIGGER, A_ROOT, A_INDEX, A_DEPTH };

/* IRQControl.Get, decoded. */
struct get_op {
	uint32_t intid;
	bool edge;
	struct cte *dest;
};

enum cairn_error irq_decode_claim(struct invocation *inv, uint64_t intid,
				  const uint64_t *dest, struct cte **slot)
{
	/* SGIs are the kernel's (IPIs); so is its tick. */
	if (intid < 16 || intid >= irq_limit) {
		return inv_refuse(inv, CAIRN_RANGE_ERROR, CAIRN_ARG_IRQ, 16,
				  irq_limit - 1);
	}
	if (intid == kernel_irq || intid == arch_vgic_maintenance_intid() ||
	    irqs[intid].kernel != NULL) {
		return inv_refuse(inv, CAIRN_ILLEGAL_OPERATION, CAIRN_ARG_IRQ,
				  intid, 0);
	}
	if (irqs[intid].claimed) {
		/* One handler per interrupt: delete it first. */
		return inv_refuse(inv, CAIRN_REVOKE_FIRST, CAIRN_ARG_IRQ, intid,
				  0);
	}
	return inv_lookup_dest(inv, dest[0], dest[1], dest[2], slot);
}

void irq_perform_claim(uint32_t intid, bool edge, struct cte *slot)
{
	struct cap h = {.type = CAP_IRQ_HANDLER,
			.rights = CAIRN_RIGHTS_ALL,
			.object = pa_init(intid)};

	irqs[intid].claimed = true;
	cdt_insert_root(slot, &h);
	arch_gic_configure(intid, edge);
}

static enum cairn_error decode_get(struct invocation *inv, struct get_op *op)
{
	const uint64_t *a = inv->args;
	enum cairn_error e = inv_need_args(inv, 5);

	if (e != CAIRN_OK) {
		return e;
	}
	if (a[A_TRIGGER] > CAIRN_IRQ_EDGE) {
		return inv_refuse(inv, CAIRN_INVALID_ARGUMENT,
				  CAIRN_ARG_TRIGGER, 0, 0);
	}
	e = irq_decode_claim(inv, a[A_IRQ], &a[A_ROOT], &op->dest);
	op->intid = (uint32_t)a[A_IRQ];
	op->edge = a[A_TRIGGER] == CAIRN_IRQ_EDGE;
	return e;
}

enum cairn_error irq_control_invoke(struct invocation *inv)
{
	struct get_op op;
	enum cairn_error e;

	if (inv->label != CAIRN_IRQ_CONTROL_GET) {
		return inv_bad_label(inv);
	}
	e = decode_get(inv, &op);
	if (e == CAIRN_OK) {
		irq_perform_claim(op.intid, op.edge, op.dest);
	}
	return e;
}

/* Drops the handler's notification cap on purpose (not a loss). */
static void release_notification(struct irq_state *s)
{
	s->ntfn.owner = CTE_OWNER_CNODE;
	cte_perform_delete(&s->ntfn);
}

/* IRQHandler.SetNotification, decoded: the copy the handler will hold. */
struct set_notification_op {
	struct irq_state *s;
	uint32_t intid;
	struct cte *ntfn;
	struct cap copy;
};

static enum cairn_error decode_set_notification(struct invocation *inv,
						struct set_notification_op *op)
{
	enum cairn_error e = inv_need_args(inv, 1);

	if (e == CAIRN_OK) {
		e = inv_lookup_typed(inv, CAIRN_ARG_NOTIFICATION, inv->args[0],
				     CAP_NOTIFICATION, &op->ntfn);
	}
	if (e != CAIRN_OK) {
		return e;
	}
	if (!(op->ntfn->cap.rights & CAIRN_RIGHT_WRITE)) {
		return inv_refuse(inv, CAIRN_INVALID_CAPABILITY,
				  CAIRN_ARG_NOTIFICATION, 0, 0);
	}
	op->intid = (uint32_t)pa_addr(inv->slot->cap.object);
	op->s = &irqs[op->intid];
	return cnode_derive(&op->ntfn->cap, CAIRN_RIGHTS_ALL, false, 0,
			    &op->copy, &inv->err);
}

static void perform_set_notification(const struct set_notification_op *op)
{
	release_notification(op->s);
	cdt_insert_child(op->ntfn, &op->s->ntfn, &op->copy);
	op->s->ntfn.owner = CTE_OWNER_IRQ;
	if (op->intid == uart_irq && uart_irq != 0) {
		/*
		 * Here, not at IRQControl.Get: the root task claims the
		 * handler for the console server while it still has its
		 * summary to print.
		 */
		print_hand_over("user level (PL011 interrupt taken)");
	}
	arch_gic_set_enabled(op->intid, true);
}

enum cairn_error irq_handler_invoke(struct invocation *inv)
{
	uint32_t intid = (uint32_t)pa_addr(inv->slot->cap.object);
	struct set_notification_op op;
	enum cairn_error e;

	arch_irq_for_natives(intid);
	switch (inv->label) {
	case CAIRN_IRQ_HANDLER_SET_NOTIFICATION:
		e = decode_set_notification(inv, &op);
		if (e == CAIRN_OK) {
			perform_set_notification(&op);
		}
		return e;
	case CAIRN_IRQ_HANDLER_ACK:
		/* Serviced: the line may fire again. */
		arch_gic_deactivate(intid);
		return CAIRN_OK;
	case CAIRN_IRQ_HANDLER_CLEAR:
		release_notification(&irqs[intid]);
		arch_gic_set_enabled(intid, false);
		return CAIRN_OK;
	default:
		return inv_bad_label(inv);
	}
}

void irq_handler_destroy(uint32_t intid)
{
	arch_irq_for_natives(intid);
	arch_gic_set_enabled(intid, false);
	arch_gic_deactivate(intid);
	release_notification(&irqs[intid]);
	irqs[intid].claimed = false;
}

void irq_kernel_claim(uint32_t intid, bool edge, void (*handler)(void))
{
	ASSERT(intid >= 16 && intid < IRQ_MAX && !irqs[intid].claimed);
	irqs[intid].kernel = handler;
	arch_gic_configure(intid, edge);
	arch_gic_set_enabled(intid, true);
}

void irq_deliver(uint32_t intid)
{
	struct irq_state *s = intid < IRQ_MAX ? &irqs[intid] : NULL;

	if (s != NULL && s->kernel != NULL) {
		s->kernel();
		arch_gic_deactivate(intid);
		return;
	}
	if (s == NULL || cap_is_null(&s->ntfn.cap)) {
		/* Nobody to tell: keep it quiet until someone asks. */
		kprintf("irq: interrupt %u has no handler notification; "
			"disabled\n",
			intid);
		arch_gic_set_enabled(intid, false);
		arch_gic_deactivate(intid);
		return;
	}
	ASSERT(s->ntfn.cap.type == CAP_NOTIFICATION &&
	       s->ntfn.owner == CTE_OWNER_IRQ);
	KTAG_CHECK_CAP(&s->ntfn.cap, "the notification an IRQ handler signals");
	/* Stays active, so it cannot fire again, until the handler Acks. */
	delivered++;
	notification_signal(kmem_ptr(s->ntfn.cap.object), s->ntfn.cap.badge);
}

void irq_check_refs(void)
{
#ifdef CAIRN_DEBUG
	for (uint32_t i = 0; i < irq_limit && i < IRQ_MAX; i++) {
		const struct cte *n = &irqs[i].ntfn;
		if (!cap_is_null(&n->cap)) {
			ASSERT(n->cap.type == CAP_NOTIFICATION &&
			       n->owner == CTE_OWNER_IRQ);
			KTAG_CHECK_CAP(&n->cap,
				       "the notification an IRQ handler holds");
		}
	}
#endif
}

uint64_t irq_delivered(void)
{
	return delivered;
}
