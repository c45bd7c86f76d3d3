/*
 * The table trees caps map into: a VSpace's stage 2 (objects/vspace.c:
 * Frame.Map, PageTable) and an IOSpace's tables, which only the SMMU walks
 * (objects/iospace.c: Frame.MapIO, IOPageTable). Both have one shape (39
 * bits, levels 1 to 3, the 4 KiB granule, s2.c's walker) and a VMID each
 * (vmid_owner, vmid_is_io). This file owns what they share: where an entry
 * goes, the mapping a Frame or (IO)PageTable cap records (cap.mapping and
 * cap.mapped_vspace), and the one way an entry leaves a table (with the
 * coherence invariant). Each Frame cap maps at most once, in a VSpace or an
 * IOSpace; the copies of a table's cap share its one mapping.
 */
#pragma once

#include "arch.h"
#include "invocation.h"

/* What a Map names: a VSpace or an IOSpace, and how errors name both. */
struct map_space {
	uint8_t space;	    /* CAP_VSPACE or CAP_IOSPACE */
	uint8_t table;	    /* CAP_PAGE_TABLE or CAP_IO_PAGE_TABLE */
	uint64_t arg_space; /* CAIRN_ARG_VSPACE or CAIRN_ARG_IOSPACE */
	uint64_t arg_addr;  /* CAIRN_ARG_IPA or CAIRN_ARG_IOVA */
};
extern const struct map_space map_vspace, map_iospace;

/* A Map, decoded: where the entry goes and what it will hold. */
struct map_op {
	struct cap *cap; /* the Frame or table cap to record it in */
	const struct cap *space;
	bool io;
	s2_pte_t *pte;
	int level;
	ipaddr_t addr; /* of the entry's span: an IPA, or an IOVA */
	struct s2_leaf leaf;
};

/* The first nargs words are (space, address, ...): an unmapped invoked
 * cap, a space of k's kind, an address aligned to size and in range. */
enum cairn_error map_decode_target(struct invocation *inv,
				   const struct map_space *k, size_t nargs,
				   uint64_t size, struct map_op *op);
/* The entry a leaf of `bytes` (4 KiB or 2 MiB) takes: FAILED_LOOKUP if a
 * table is missing on the way, DELETE_FIRST if it is taken. */
enum cairn_error map_decode_leaf(struct invocation *inv,
				 const struct map_space *k, uint64_t bytes,
				 struct map_op *op);
/* The entry a table takes: the highest missing one on the walk. */
enum cairn_error map_decode_table(struct invocation *inv,
				  const struct map_space *k, struct map_op *op);
/* The perform side: the entry is written, the cap records it. */
void map_perform_leaf(const struct map_op *op);
void map_perform_table(const struct map_op *op);

/* A PageTable's or IOPageTable's invocations (labels map and unmap): Map
 * (space, address) puts it in k's kind of space; Unmap, by the last of its
 * copies, takes it out. */
enum cairn_error map_table_invoke(struct invocation *inv,
				  const struct map_space *k, uint64_t map,
				  uint64_t unmap);

/* Takes down the mapping a Frame or table cap records, if still live; an
 * unmapped table is emptied. */
void map_unmap_cap(struct cap *c);

/* A Frame or table cap is leaving its slot (final or not). */
void map_cap_gone(struct cte *slot);

/* The mapping rules of a derived (copied, minted, granted) Frame or table
 * cap: out is the copy of src, adjusted; a table must be mapped to be
 * copied. */
enum cairn_error map_derive(const struct cap *src, struct cap *out,
			    struct inv_error *err);

/* Removals from the space of `vmid` between these two (one invocation)
 * leave its SMMU invalidation to map_batch_end: the whole space, once,
 * synchronised before it returns. */
void map_batch_begin(vmid_t vmid);
void map_batch_end(void);
bool map_batch_open(void);

/* A VSpace's or IOSpace's last cap is going: its streams abort, its VMID
 * is flushed and freed. */
void map_space_destroy(const struct cap *c);

#ifdef CAIRN_DEBUG
/*
 * Table entries are the references that carry no tag: walks every live
 * VSpace and IOSpace (by VMID owner) and panics, naming the entry and the
 * object, unless each table entry points at a live table of the space's
 * kind and each leaf at a live Frame.
 */
void map_check_refs(void);

/* A table being destroyed holds no entries (it was emptied when it was
 * unmapped, or never mapped). */
void map_check_table_empty(paddr_t table);
#endif
