#include "objects/irq.h"

#include "arch.h"
#include "assert.h"
#include "cap/cdt.h"
#include "cap/cspace.h"
#include "cap/delete.h"
#include "ipc.h"
#include "kmem.h"
#include "objects/cnode.h"
#include "print.h"

#include <cairn/invocations.h>

struct irq_state {
	bool claimed;
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

enum cairn_error irq_control_invoke(uint64_t label, const uint64_t *a, size_t n,
				    const struct cap *cspace,
				    struct inv_error *err)
{
	struct cap cnode;
	struct cte *dest;
	enum cairn_error e;

	if (label != CAIRN_IRQ_CONTROL_GET) {
		return inv_fail(err, CAIRN_ILLEGAL_OPERATION, CAIRN_ARG_LABEL,
				label, 0);
	}
	if (n < 5) {
		return inv_fail(err, CAIRN_TRUNCATED_MESSAGE, 0, 5, 0);
	}
	/* SGIs are the kernel's (IPIs); so is its tick. */
	if (a[A_IRQ] < 16 || a[A_IRQ] >= irq_limit) {
		return inv_fail(err, CAIRN_RANGE_ERROR, CAIRN_ARG_IRQ, 16,
				irq_limit - 1);
	}
	if (a[A_IRQ] == kernel_irq) {
		return inv_fail(err, CAIRN_ILLEGAL_OPERATION, CAIRN_ARG_IRQ,
				a[A_IRQ], 0);
	}
	if (a[A_TRIGGER] > CAIRN_IRQ_EDGE) {
		return inv_fail(err, CAIRN_INVALID_ARGUMENT, CAIRN_ARG_TRIGGER,
				0, 0);
	}
	if (irqs[a[A_IRQ]].claimed) {
		/* One handler per interrupt: delete it first. */
		return inv_fail(err, CAIRN_REVOKE_FIRST, CAIRN_ARG_IRQ,
				a[A_IRQ], 0);
	}
	e = cspace_lookup_cnode(cspace, a[A_ROOT], 0, 0, CAIRN_ARG_DEST_ROOT,
				&cnode, err);
	if (e == CAIRN_OK) {
		e = cspace_lookup_slot(
		    &cnode, a[A_INDEX],
		    a[A_DEPTH] > 64 ? 0 : (unsigned)a[A_DEPTH], &dest, err);
	}
	if (e != CAIRN_OK) {
		return e;
	}
	if (!cap_is_null(&dest->cap)) {
		return inv_fail(err, CAIRN_DELETE_FIRST, CAIRN_ARG_DEST_INDEX,
				a[A_INDEX], 0);
	}
	uint32_t intid = (uint32_t)a[A_IRQ];
	struct cap h = {.type = CAP_IRQ_HANDLER,
			.rights = CAIRN_RIGHTS_ALL,
			.object = pa_init(intid)};
	irqs[intid].claimed = true;
	cdt_insert_root(dest, &h);
	arch_gic_configure(intid, a[A_TRIGGER] == CAIRN_IRQ_EDGE);
	return CAIRN_OK;
}

/* Drops the handler's notification cap on purpose (not a loss). */
static void release_notification(struct irq_state *s)
{
	s->ntfn.owner = CTE_OWNER_CNODE;
	cte_commit_delete(&s->ntfn);
}

enum cairn_error irq_handler_invoke(struct cte *slot, uint64_t label,
				    const uint64_t *a, size_t n,
				    const struct cap *cspace,
				    struct inv_error *err)
{
	uint32_t intid = (uint32_t)pa_addr(slot->cap.object);
	struct irq_state *s = &irqs[intid];
	struct cte *nt;
	enum cairn_error e;

	switch (label) {
	case CAIRN_IRQ_HANDLER_SET_NOTIFICATION:
		if (n < 1) {
			return inv_fail(err, CAIRN_TRUNCATED_MESSAGE, 0, 1, 0);
		}
		e = cspace_lookup_cap(cspace, a[0], &nt, err);
		if (e != CAIRN_OK) {
			return e;
		}
		if (nt->cap.type != CAP_NOTIFICATION ||
		    !(nt->cap.rights & CAIRN_RIGHT_WRITE)) {
			return inv_fail(err, CAIRN_INVALID_CAPABILITY,
					CAIRN_ARG_NOTIFICATION, 0, 0);
		}
		struct cap copy;
		e = cnode_derive(&nt->cap, CAIRN_RIGHTS_ALL, false, 0, &copy,
				 err);
		if (e != CAIRN_OK) {
			return e;
		}
		release_notification(s);
		cdt_insert_child(nt, &s->ntfn, &copy);
		s->ntfn.owner = CTE_OWNER_IRQ;
		if (intid == uart_irq && uart_irq != 0) {
			/*
			 * Here, not at IRQControl.Get: the root task claims the
			 * handler for the console server while it still has
			 * its summary to print.
			 */
			print_hand_over("user level (PL011 interrupt taken)");
		}
		arch_gic_set_enabled(intid, true);
		return CAIRN_OK;
	case CAIRN_IRQ_HANDLER_ACK:
		/* Serviced: the line may fire again. */
		arch_gic_deactivate(intid);
		return CAIRN_OK;
	case CAIRN_IRQ_HANDLER_CLEAR:
		release_notification(s);
		arch_gic_set_enabled(intid, false);
		return CAIRN_OK;
	default:
		return inv_fail(err, CAIRN_ILLEGAL_OPERATION, CAIRN_ARG_LABEL,
				label, 0);
	}
}

void irq_handler_destroy(uint32_t intid)
{
	arch_gic_set_enabled(intid, false);
	arch_gic_deactivate(intid);
	release_notification(&irqs[intid]);
	irqs[intid].claimed = false;
}

void irq_deliver(uint32_t intid)
{
	struct irq_state *s = intid < IRQ_MAX ? &irqs[intid] : NULL;

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
	/* Stays active, so it cannot fire again, until the handler Acks. */
	delivered++;
	notification_signal(kmem_ptr(s->ntfn.cap.object), s->ntfn.cap.badge);
}

uint64_t irq_delivered(void)
{
	return delivered;
}
