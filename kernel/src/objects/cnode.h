/* CNode invocations: Copy, Mint, Move, Mutate, Delete, Revoke. */
#pragma once

#include "cap/cap.h"

/*
 * Decodes and performs a CNode invocation on the CNode cap in `invoked`,
 * with source roots resolved in cspace. Checks everything before changing
 * anything.
 */
enum cairn_error cnode_invoke(const struct cap *invoked, uint64_t label,
			      const uint64_t *args, size_t nargs,
			      const struct cap *cspace, struct inv_error *err);

/*
 * The new cap a Copy or Mint (or a transfer, or a kernel-held copy) derives
 * from src: rights masked, badge (Endpoint, Notification) or guard (CNode)
 * set when `set_badge`, and the mapping rules of vspace_derive.
 */
enum cairn_error cnode_derive(const struct cap *src, uint32_t rights,
			      bool set_badge, uint64_t badge, struct cap *out,
			      struct inv_error *err);
