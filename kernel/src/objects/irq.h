/*
 * Interrupts for user level: IRQControl hands out one IRQHandler cap per
 * interrupt; an interrupt signals the handler's notification and stays
 * active (masked) until the handler Acks it.
 */
#pragma once

#include "boot/platform.h"
#include "invocation.h"

#define IRQ_MAX 1020 /* INTIDs 0..1019: SGIs, PPIs and SPIs */

/* Which interrupts exist and which the kernel keeps (the timer tick). */
void irq_init(const struct platform *plat, uint32_t kernel_intid);

/* IRQControl.Get; IRQHandler.SetNotification, Ack, Clear. */
enum cairn_error irq_control_invoke(struct invocation *inv);
enum cairn_error irq_handler_invoke(struct invocation *inv);

/* Whether intid may be handed out (not the kernel's, not claimed) and the
 * empty slot its handler goes to (dest_root, dest_index, dest_depth):
 * IRQControl.Get's checks, shared with SIDControl.GetINTx. */
enum cairn_error irq_decode_claim(struct invocation *inv, uint64_t intid,
				  const uint64_t *dest, struct cte **slot);
/* The claim, decoded: the handler cap made, the line configured. */
void irq_perform_claim(uint32_t intid, bool edge, struct cte *slot);

/* The last IRQHandler cap for intid is gone: disable the line. */
void irq_handler_destroy(uint32_t intid);

/* The kernel takes intid for itself (the SMMU's event queue and global
 * errors): IRQControl.Get refuses it and irq_deliver calls handler for it.
 * At boot, before user level runs. */
void irq_kernel_claim(uint32_t intid, bool edge, void (*handler)(void));

/* An interrupt other than the kernel's tick arrived (already
 * priority-dropped): a kernel handler's, or signalled to user level. */
void irq_deliver(uint32_t intid);

/* Interrupts signalled to user-level handlers since boot. */
uint64_t irq_delivered(void);

/* Debug builds: each handler's notification slot holds a live
 * notification's cap, or nothing (part of kref_check). */
void irq_check_refs(void);
