/*
 * VSpaces, PageTables and Frames: stage-2 address spaces and what maps into
 * them. A Frame or PageTable cap records one mapping (cap.mapping and
 * cap.mapped_root); each cap maps at most once, so a frame mapped twice
 * uses two caps.
 */
#pragma once

#include "cap/cap.h"

enum cairn_error frame_invoke(struct cte *slot, uint64_t label,
			      const uint64_t *args, size_t nargs,
			      const struct cap *cspace, uint64_t *reply,
			      size_t *reply_len, struct inv_error *err);

enum cairn_error page_table_invoke(struct cte *slot, uint64_t label,
				   const uint64_t *args, size_t nargs,
				   const struct cap *cspace,
				   struct inv_error *err);

/* Takes down the mapping a Frame or PageTable cap records, if still live. */
void vspace_unmap_cap(struct cap *c);

/* A VSpace's last cap is going: its VMID is flushed and freed. */
void vspace_destroy(const struct cap *c);
