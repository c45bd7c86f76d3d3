/* Deleting and revoking capabilities. */
#pragma once

#include "cap/cap.h"

/*
 * Empties slot. If it held the last cap to its object, the object is
 * destroyed first. Deleting an empty slot succeeds. The last cap to a CNode
 * that still holds caps is refused (CAIRN_DELETE_FIRST, detail[1] = slots
 * occupied): delete or revoke its contents first.
 */
enum cairn_error cte_delete(struct cte *slot, struct inv_error *err);

/*
 * Deletes every cap derived from slot's cap, however deep. Nested CNodes are
 * taken apart innermost first; a CNode whose contents cannot be deleted
 * (they hold the last cap to another non-empty CNode outside the revoked
 * subtree) stops the revoke with CAIRN_DELETE_FIRST, leaving what is left
 * for a later call.
 */
enum cairn_error cte_revoke(struct cte *slot, struct inv_error *err);
