/*
 * VSpaces, PageTables and Frames: stage-2 address spaces and what maps into
 * them. A Frame or PageTable cap records one mapping (cap.mapping and
 * cap.mapped_vspace); each Frame cap maps at most once, so a frame mapped
 * twice uses two caps; the copies of a PageTable cap share its one mapping.
 */
#pragma once

#include "invocation.h"

/* Frame.Map, Unmap, GetAddress. */
enum cairn_error frame_invoke(struct invocation *inv);

/* PageTable.Map, Unmap. */
enum cairn_error page_table_invoke(struct invocation *inv);

/* Takes down the mapping a Frame or PageTable cap records, if still live;
 * an unmapped PageTable is emptied. */
void vspace_unmap_cap(struct cap *c);

/* A Frame or PageTable cap is leaving its slot (final or not). */
void vspace_cap_gone(struct cte *slot);

/*
 * The mapping rules of a derived (copied, minted, granted) Frame or
 * PageTable cap: out is the copy of src, adjusted; a PageTable must be
 * mapped to be copied.
 */
enum cairn_error vspace_derive(const struct cap *src, struct cap *out,
			       struct inv_error *err);

/* A VSpace's last cap is going: its VMID is flushed and freed. */
void vspace_destroy(const struct cap *c);

#ifdef CAIRN_DEBUG
/*
 * Stage-2 entries are the references that carry no tag: walks every live
 * VSpace (by VMID owner) and panics, naming the entry and the object, unless
 * each table entry points at a live PageTable and each leaf at a live Frame.
 */
void vspace_check_refs(void);

/* A PageTable being destroyed holds no entries (it was emptied when it was
 * unmapped, or never mapped). */
void vspace_check_table_empty(paddr_t table);
#endif
