/* CNode invocations: Copy, Mint, Move, Mutate, Delete, Revoke. */
#pragma once

#include "invocation.h"

/* CNode invocations; Delete and Revoke are cap/delete.h's two phases. */
enum cairn_error cnode_invoke(struct invocation *inv);

/*
 * The new cap a Copy or Mint (or a transfer, or a kernel-held copy) derives
 * from src: rights masked, badge (Endpoint, Notification) or guard (CNode)
 * set when `set_badge`, and the mapping rules of map_derive.
 */
enum cairn_error cnode_derive(const struct cap *src, uint32_t rights,
			      bool set_badge, uint64_t badge, struct cap *out,
			      struct inv_error *err);
