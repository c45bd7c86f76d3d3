#include "objects/vspace.h"

#include "arch.h"
#include "assert.h"
#include "cap/cdt.h"
#include "format.h"
#include "kmem.h"
#include "objects/stream.h"
#include "vmid.h"

#include <cairn/invocations.h>

enum { A_VSPACE, A_IPA, A_RIGHTS, A_ATTRS };

/* Frame.Map or PageTable.Map, decoded: where the entry goes. */
struct map_op {
	struct cap *cap; /* the Frame or PageTable cap to record it in */
	const struct cap *vspace;
	s2_pte_t *pte;
	int level;
	ipaddr_t ipa; /* of the entry's span */
	struct s2_leaf leaf;
};

static enum cairn_error check_ipa(struct invocation *inv, uint64_t ipa,
				  uint64_t size)
{
	if (!IS_ALIGNED(ipa, size)) {
		return inv_refuse(inv, CAIRN_ALIGNMENT_ERROR, CAIRN_ARG_IPA,
				  size, 0);
	}
	if (ipa >= (1ULL << CAIRN_IPA_BITS)) {
		return inv_refuse(inv, CAIRN_RANGE_ERROR, CAIRN_ARG_IPA, 0,
				  (1ULL << CAIRN_IPA_BITS) - size);
	}
	return CAIRN_OK;
}

/* The arguments both Maps share: an unmapped cap, a VSpace, an IPA. */
static enum cairn_error decode_target(struct invocation *inv, size_t nargs,
				      uint64_t size, struct map_op *op)
{
	struct cte *vs;
	enum cairn_error e = inv_need_args(inv, nargs);

	op->cap = &inv->slot->cap;
	if (e != CAIRN_OK) {
		return e;
	}
	if (op->cap->mapping != 0) {
		return inv_refuse(inv, CAIRN_ILLEGAL_OPERATION,
				  CAIRN_ARG_INVOKED,
				  ipa_addr(mapping_ipa(op->cap->mapping)), 0);
	}
	e = inv_lookup_typed(inv, CAIRN_ARG_VSPACE, inv->args[A_VSPACE],
			     CAP_VSPACE, &vs);
	if (e == CAIRN_OK) {
		e = check_ipa(inv, inv->args[A_IPA], size);
	}
	op->vspace = e == CAIRN_OK ? &vs->cap : NULL;
	op->ipa = ipa_init(inv->args[A_IPA]);
	return e;
}

/* The level a leaf of this many bytes sits at. */
static int leaf_level(uint64_t bytes)
{
	return bytes == MiB(2) ? S2_LEVEL_LAST - 1 : S2_LEVEL_LAST;
}

static enum cairn_error decode_frame_map(struct invocation *inv,
					 struct map_op *op)
{
	const uint64_t *a = inv->args;
	uint64_t bytes = cap_object_size(&inv->slot->cap);
	int want = leaf_level(bytes);
	enum cairn_error e = decode_target(inv, 4, bytes, op);

	if (e != CAIRN_OK) {
		return e;
	}
	if ((a[A_RIGHTS] & ~(uint64_t)CAIRN_RIGHTS_ALL) != 0) {
		return inv_refuse(inv, CAIRN_INVALID_ARGUMENT, CAIRN_ARG_RIGHTS,
				  0, CAIRN_RIGHTS_ALL);
	}
	if ((a[A_ATTRS] & ~CAIRN_MAP_ATTRS_ALL) != 0) {
		return inv_refuse(inv, CAIRN_INVALID_ARGUMENT,
				  CAIRN_ARG_ATTRIBUTES, 0, CAIRN_MAP_ATTRS_ALL);
	}
	op->pte = arch_s2_walk(op->vspace->object, op->ipa, want, &op->level);
	if (op->level < want && !arch_s2_valid(*op->pte)) {
		/* A table is missing at `level`: map a PageTable first. */
		e = inv_refuse(inv, CAIRN_FAILED_LOOKUP,
			       CAIRN_LOOKUP_MISSING_CAP,
			       (uint64_t)op->level + 1, 0);
		inv->err.detail[3] = CAIRN_ARG_IPA;
		return e;
	}
	if (op->level != want || arch_s2_valid(*op->pte)) {
		return inv_refuse(inv, CAIRN_DELETE_FIRST, CAIRN_ARG_IPA,
				  ipa_addr(op->ipa), 0);
	}
	const struct cap *f = op->cap;
	op->leaf = (struct s2_leaf){
	    .pa = f->object,
	    .rights = (uint32_t)a[A_RIGHTS] & f->rights,
	    .device = f->device || (a[A_ATTRS] & CAIRN_MAP_DEVICE),
	    .uncached = (a[A_ATTRS] & CAIRN_MAP_UNCACHED) != 0,
	};
	return CAIRN_OK;
}

static void record_mapping(const struct map_op *op)
{
	op->cap->mapping =
	    mapping_make(op->ipa, cap_vmid(op->vspace), op->level);
	op->cap->mapped_vspace = vmid_generation(cap_vmid(op->vspace));
}

static void perform_frame_map(const struct map_op *op)
{
	arch_s2_set_leaf(op->pte, op->level, &op->leaf);
	record_mapping(op);
}

enum cairn_error frame_invoke(struct invocation *inv)
{
	struct map_op op;
	enum cairn_error e;

	switch (inv->label) {
	case CAIRN_FRAME_MAP:
		e = decode_frame_map(inv, &op);
		if (e == CAIRN_OK) {
			perform_frame_map(&op);
		}
		return e;
	case CAIRN_FRAME_UNMAP:
		vspace_unmap_cap(&inv->slot->cap);
		return CAIRN_OK;
	case CAIRN_FRAME_GET_ADDRESS:
		inv->reply[0] = pa_addr(inv->slot->cap.object);
		inv->reply_len = 1;
		return CAIRN_OK;
	default:
		return inv_bad_label(inv);
	}
}

static enum cairn_error decode_page_table_map(struct invocation *inv,
					      struct map_op *op)
{
	enum cairn_error e = decode_target(inv, 2, KiB(4), op);

	if (e != CAIRN_OK) {
		return e;
	}
	op->pte = arch_s2_walk(op->vspace->object, op->ipa, S2_LEVEL_LAST,
			       &op->level);
	if (op->level == S2_LEVEL_LAST || arch_s2_valid(*op->pte)) {
		/* Every table on the way exists, or a block covers it. */
		return inv_refuse(inv, CAIRN_DELETE_FIRST, CAIRN_ARG_IPA,
				  ipa_addr(op->ipa), 0);
	}
	/* The table covers the span of one entry at `level`. */
	op->ipa = ipa_init(
	    ALIGN_DOWN(ipa_addr(op->ipa), arch_s2_level_span(op->level)));
	return CAIRN_OK;
}

static void perform_page_table_map(const struct map_op *op)
{
	arch_s2_set_table(op->pte, op->cap->object);
	record_mapping(op);
}

enum cairn_error page_table_invoke(struct invocation *inv)
{
	struct map_op op;
	enum cairn_error e;

	switch (inv->label) {
	case CAIRN_PAGE_TABLE_MAP:
		e = decode_page_table_map(inv, &op);
		if (e == CAIRN_OK) {
			perform_page_table_map(&op);
		}
		return e;
	case CAIRN_PAGE_TABLE_UNMAP:
		if (!cdt_is_final(inv->slot)) {
			/* Copies share the mapping: only the last may end it.
			 */
			return inv_refuse(inv, CAIRN_REVOKE_FIRST,
					  CAIRN_ARG_INVOKED, 0, 0);
		}
		vspace_unmap_cap(&inv->slot->cap);
		return CAIRN_OK;
	default:
		return inv_bad_label(inv);
	}
}

/*
 * The one place a stage-2 entry is removed. The arch call clears it and
 * invalidates what the CPUs may have cached from it (by IPA for a leaf, the
 * whole VMID for a table), so no caller can forget or pick the wrong flush.
 *
 * Invariant (coherence with the SMMU): when an entry leaves a VSpace that
 * any stream is bound to (share-pt: the SMMU walks these very tables), the
 * SMMU's TLB is invalidated the same way (by IPA for a leaf, the whole
 * VMID for a table) and a CMD_SYNC has completed before this returns, so
 * DMA that starts after the invocation returns cannot reach the old
 * translation. New entries need nothing (no TLB holds an invalid one), and
 * no operation weakens an entry in place: rights change only by removal.
 * vmid_streams() says whether streams are bound; it is checked against the
 * streams themselves here, so a miscount cannot skip an invalidation.
 */
static void s2_remove(s2_pte_t *pte, int level, vmid_t vmid, ipaddr_t ipa)
{
	bool table = arch_s2_is_table(*pte, level);

	arch_s2_remove(pte, level, vmid, ipa);
	ASSERT(vmid_streams(vmid) == stream_count_bound(vmid));
	if (vmid_streams(vmid) == 0) {
		return;
	}
	if (table) {
		arch_smmu_flush_vmid(vmid);
	} else {
		arch_smmu_flush_ipa(vmid, ipa);
	}
}

/* Takes the entry a mapped cap recorded out of its VSpace, if it is still
 * there and still points at the cap's object. */
static void unmap_recorded(const struct cap *c)
{
	uint64_t m = c->mapping;
	vmid_t vmid = mapping_vmid(m);
	int level;

	if (vmid_generation(vmid) != c->mapped_vspace) {
		return; /* its VSpace is gone */
	}
	s2_pte_t *pte = arch_s2_walk(vmid_owner(vmid), mapping_ipa(m),
				     mapping_level(m), &level);
	if (level != mapping_level(m) || !arch_s2_valid(*pte) ||
	    arch_s2_output(*pte) != pa_addr(c->object)) {
		return;
	}
	s2_remove(pte, level, vmid, mapping_ipa(m));
}

void vspace_unmap_cap(struct cap *c)
{
	if (c->mapping == 0) {
		return;
	}
	unmap_recorded(c);
	c->mapping = 0;
	c->mapped_vspace = 0;
	if (c->type == CAP_PAGE_TABLE) {
		/*
		 * Invariant: an unmapped PageTable holds no entries. Its
		 * frames' caps still record this table, so leaving the
		 * entries would let the table, mapped again elsewhere, reach
		 * frames whose deletion no longer finds (and removes) them.
		 * The table is out of every walk already (s2_remove).
		 */
		arch_s2_clear_table(c->object);
	}
}

void vspace_cap_gone(struct cte *slot)
{
	/* Each Frame cap owns its mapping; PageTable copies share one, which
	 * ends with the last of them. */
	if (slot->cap.type == CAP_FRAME ||
	    (slot->cap.type == CAP_PAGE_TABLE && cdt_is_final(slot))) {
		vspace_unmap_cap(&slot->cap);
	}
}

enum cairn_error vspace_derive(const struct cap *src, struct cap *out,
			       struct inv_error *err)
{
	if (src->type == CAP_FRAME) {
		/* A copy starts unmapped: each Frame cap maps once. */
		out->mapping = 0;
		out->mapped_vspace = 0;
	} else if (src->type == CAP_PAGE_TABLE && src->mapping == 0) {
		/*
		 * Invariant: a PageTable hangs in at most one place. Copies
		 * keep the mapping (so none can map it again), and only a
		 * mapped table can be copied: two unmapped copies could each
		 * map it into a different VSpace.
		 */
		return inv_fail(err, CAIRN_ILLEGAL_OPERATION,
				CAIRN_ARG_SRC_INDEX, 0, 0);
	}
	return CAIRN_OK;
}

void vspace_destroy(const struct cap *c)
{
	/* No stream may walk tables that are about to be given back. */
	stream_vspace_destroyed(cap_vmid(c));
	vmid_free(cap_vmid(c));
}

#ifdef CAIRN_DEBUG
/* Entries per table: a table is one 4 KiB page of 8-byte entries. */
#define TABLE_ENTRIES (1U << (CAIRN_PAGE_TABLE_BITS - 3))

static void check_table(paddr_t root, vmid_t vmid, paddr_t table, int level,
			uint64_t base)
{
	const s2_pte_t *e = kmem_ptr(table);

	for (unsigned i = 0; i < TABLE_ENTRIES; i++) {
		if (!arch_s2_valid(e[i])) {
			continue;
		}
		uint64_t ipa = base + i * arch_s2_level_span(level);
		paddr_t out = pa_init(arch_s2_output(e[i]));
		bool is_table = arch_s2_is_table(e[i], level);
		unsigned want = is_table ? CAP_PAGE_TABLE : CAP_FRAME;
		uint64_t found = ktag_find(out);
		if (found != KTAG_UNKNOWN &&
		    (found == 0 || ktag_type(found) != want)) {
			char what[96];
			format_buf(what, sizeof(what),
				   "stage-2 %s for IPA 0x%lx (level %d) of "
				   "VSpace 0x%lx, VMID %u",
				   is_table ? "table entry" : "leaf",
				   (unsigned long)ipa, level,
				   (unsigned long)pa_addr(root),
				   vmid_value(vmid));
			KTAG_CHECK_TYPE(out, want, what);
		}
		if (is_table) {
			check_table(root, vmid, out, level + 1, ipa);
		}
	}
}

void vspace_check_refs(void)
{
	for (unsigned v = 1; v < VMID_COUNT; v++) {
		vmid_t vmid = vmid_init((uint16_t)v);
		paddr_t root = vmid_owner(vmid);
		if (pa_addr(root) == 0) {
			continue;
		}
		KTAG_CHECK_TYPE(root, CAP_VSPACE, "the VSpace owning a VMID");
		check_table(root, vmid, root, S2_LEVEL_FIRST, 0);
	}
}

void vspace_check_table_empty(paddr_t table)
{
	const s2_pte_t *e = kmem_ptr(table);

	for (unsigned i = 0; i < TABLE_ENTRIES; i++) {
		if (arch_s2_valid(e[i])) {
			panic(
			    "ktag: PageTable at 0x%lx destroyed with entry %u "
			    "-> 0x%lx left in it",
			    (unsigned long)pa_addr(table), i,
			    (unsigned long)arch_s2_output(e[i]));
		}
	}
}
#endif
