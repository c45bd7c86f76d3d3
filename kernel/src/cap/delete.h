/*
 * Deleting and revoking capabilities, in the two phases of invocation.h:
 * decode checks that a delete can complete (and changes nothing); perform
 * carries it out and cannot fail.
 */
#pragma once

#include "cap/cap.h"

/*
 * Can slot be emptied? Refused (CAIRN_DELETE_FIRST, detail[1] = slots
 * occupied) for the last cap to a CNode that still holds caps, or to a TCB
 * whose own CSpace root is such a CNode.
 */
enum cairn_error cte_decode_delete(const struct cte *slot,
				   struct inv_error *err);

/*
 * Empties slot after a successful decode: takes down a mapping the cap
 * records; if it was the last cap to its object, destroys the object
 * (wakes its waiters with errors, suspends its thread, frees its VMID).
 */
void cte_perform_delete(struct cte *slot);

/* Both phases. Deleting an empty slot succeeds. */
enum cairn_error cte_delete(struct cte *slot, struct inv_error *err);

/*
 * Deletes every cap derived from slot's cap, however deep. Nested CNodes are
 * taken apart innermost first; a CNode whose contents cannot be deleted
 * (they hold the last cap to another non-empty CNode outside the revoked
 * subtree) stops the revoke with CAIRN_DELETE_FIRST, leaving what is left
 * for a later call. Preemptible: INV_RESTART (preempt.h) when an
 * interrupt waits and caps are left, after deleting at least one.
 */
enum cairn_error cte_revoke(struct cte *slot, struct inv_error *err);
