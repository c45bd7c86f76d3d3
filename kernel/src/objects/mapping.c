#include "objects/mapping.h"

#include "assert.h"
#include "cap/cdt.h"
#include "format.h"
#include "kmem.h"
#include "objects/stream.h"
#include "vmid.h"

#include <cairn/invocations.h>

const struct map_space map_vspace = {CAP_VSPACE, CAP_PAGE_TABLE,
				     CAIRN_ARG_VSPACE, CAIRN_ARG_IPA};
const struct map_space map_iospace = {CAP_IOSPACE, CAP_IO_PAGE_TABLE,
				      CAIRN_ARG_IOSPACE, CAIRN_ARG_IOVA};

enum { A_SPACE, A_ADDR };

static enum cairn_error check_addr(struct invocation *inv,
				   const struct map_space *k, uint64_t addr,
				   uint64_t size)
{
	if (!IS_ALIGNED(addr, size)) {
		return inv_refuse(inv, CAIRN_ALIGNMENT_ERROR, k->arg_addr, size,
				  0);
	}
	if (addr >= (1ULL << CAIRN_IPA_BITS)) {
		return inv_refuse(inv, CAIRN_RANGE_ERROR, k->arg_addr, 0,
				  (1ULL << CAIRN_IPA_BITS) - size);
	}
	return CAIRN_OK;
}

enum cairn_error map_decode_target(struct invocation *inv,
				   const struct map_space *k, size_t nargs,
				   uint64_t size, struct map_op *op)
{
	struct cte *space;
	enum cairn_error e = inv_need_args(inv, nargs);

	op->cap = &inv->slot->cap;
	op->io = k->space == CAP_IOSPACE;
	if (e != CAIRN_OK) {
		return e;
	}
	if (op->cap->mapping != 0) {
		/* One mapping per cap, VSpace or IOSpace: copy it first. */
		return inv_refuse(inv, CAIRN_ILLEGAL_OPERATION,
				  CAIRN_ARG_INVOKED,
				  ipa_addr(mapping_ipa(op->cap->mapping)), 0);
	}
	e = inv_lookup_typed(inv, k->arg_space, inv->args[A_SPACE], k->space,
			     &space);
	if (e == CAIRN_OK) {
		e = check_addr(inv, k, inv->args[A_ADDR], size);
	}
	op->space = e == CAIRN_OK ? &space->cap : NULL;
	op->addr = ipa_init(inv->args[A_ADDR]);
	return e;
}

/* The level a leaf of this many bytes sits at. */
static int leaf_level(uint64_t bytes)
{
	return bytes == MiB(2) ? S2_LEVEL_LAST - 1 : S2_LEVEL_LAST;
}

enum cairn_error map_decode_leaf(struct invocation *inv,
				 const struct map_space *k, uint64_t bytes,
				 struct map_op *op)
{
	int want = leaf_level(bytes);
	enum cairn_error e;

	op->pte = arch_s2_walk(op->space->object, op->addr, want, &op->level);
	if (op->level < want && !arch_s2_valid(*op->pte)) {
		/* A table is missing at `level`: map a table first. */
		e = inv_refuse(inv, CAIRN_FAILED_LOOKUP,
			       CAIRN_LOOKUP_MISSING_CAP,
			       (uint64_t)op->level + 1, 0);
		inv->err.detail[3] = k->arg_addr;
		return e;
	}
	if (op->level != want || arch_s2_valid(*op->pte)) {
		return inv_refuse(inv, CAIRN_DELETE_FIRST, k->arg_addr,
				  ipa_addr(op->addr), 0);
	}
	return CAIRN_OK;
}

enum cairn_error map_decode_table(struct invocation *inv,
				  const struct map_space *k, struct map_op *op)
{
	op->pte = arch_s2_walk(op->space->object, op->addr, S2_LEVEL_LAST,
			       &op->level);
	if (op->level == S2_LEVEL_LAST || arch_s2_valid(*op->pte)) {
		/* Every table on the way exists, or a block covers it. */
		return inv_refuse(inv, CAIRN_DELETE_FIRST, k->arg_addr,
				  ipa_addr(op->addr), 0);
	}
	/* The table covers the span of one entry at `level`. */
	op->addr = ipa_init(
	    ALIGN_DOWN(ipa_addr(op->addr), arch_s2_level_span(op->level)));
	return CAIRN_OK;
}

static void record_mapping(const struct map_op *op)
{
	vmid_t vmid = cap_vmid(op->space);

	op->cap->mapping = mapping_make(op->addr, vmid, op->level, op->io);
	op->cap->mapped_vspace = vmid_generation(vmid);
}

void map_perform_leaf(const struct map_op *op)
{
	if (op->io) {
		arch_smmu_io_set_leaf(op->pte, op->level, &op->leaf);
	} else {
		arch_s2_set_leaf(op->pte, op->level, &op->leaf);
	}
	record_mapping(op);
}

void map_perform_table(const struct map_op *op)
{
	arch_s2_set_table(op->pte, op->cap->object);
	record_mapping(op);
}

/* What the SMMU may have cached from the entry goes, in the space's
 * format: a VSpace's stage 2, or an IOSpace's tables. */
static void smmu_forget(vmid_t vmid, ipaddr_t addr, bool table)
{
	if (!vmid_is_io(vmid)) {
		if (table) {
			arch_smmu_flush_vmid(vmid);
		} else {
			arch_smmu_flush_ipa(vmid, addr);
		}
	} else if (table) {
		arch_smmu_io_flush_all(vmid);
	} else {
		arch_smmu_io_flush_page(vmid, addr);
	}
}

/*
 * A batch of removals from one space inside one invocation
 * (IOSpace.UnmapFrames): map_remove leaves the SMMU's TLB for that space
 * to map_batch_end, which invalidates the whole space once and waits for
 * the sync before the invocation returns (invoke() asserts no batch is
 * left open). One invalidation for up to 64 pages instead of one each.
 */
static struct {
	vmid_t vmid;
	bool open;
	bool stale; /* an entry left while streams were bound */
} batch;

void map_batch_begin(vmid_t vmid)
{
	ASSERT(!batch.open);
	batch.vmid = vmid;
	batch.open = true;
	batch.stale = false;
}

void map_batch_end(void)
{
	ASSERT(batch.open);
	if (batch.stale) {
		smmu_forget(batch.vmid, ipa_init(0), true);
	}
	batch.open = false;
}

bool map_batch_open(void)
{
	return batch.open;
}

/*
 * The one place an entry leaves a VSpace's or an IOSpace's table. For a
 * VSpace the arch call clears it and invalidates what the CPUs may have
 * cached from it (by IPA for a leaf, the whole VMID for a table), so no
 * caller can forget or pick the wrong flush; no CPU walks an IOSpace.
 *
 * Invariant (coherence with the SMMU): when an entry leaves a space that
 * any stream is bound to (share-pt: a VSpace whose very tables the SMMU
 * walks; sync-pt: an IOSpace), the SMMU's TLB is invalidated the same way
 * (by address for a leaf, the whole VMID or ASID for a table) and a
 * CMD_SYNC has completed before this returns (inside a batch on that
 * space: for the whole space, at the batch's end, still before the
 * invocation returns), so DMA that starts after the invocation returns
 * cannot reach the old translation. New entries need
 * nothing (no TLB holds an invalid one), and no operation weakens an entry
 * in place: rights change only by removal. vmid_streams() says whether
 * streams are bound; it is checked against the streams themselves here,
 * so a miscount cannot skip an invalidation.
 */
static void map_remove(s2_pte_t *pte, int level, vmid_t vmid, ipaddr_t addr)
{
	bool table = arch_s2_is_table(*pte, level);

	if (vmid_is_io(vmid)) {
		arch_s2_clear_entry(pte);
	} else {
		arch_s2_remove(pte, level, vmid, addr);
	}
	ASSERT(vmid_streams(vmid) == stream_count_bound(vmid));
	if (vmid_streams(vmid) == 0) {
		return;
	}
	if (batch.open && vmid_value(batch.vmid) == vmid_value(vmid)) {
		batch.stale = true;
	} else {
		smmu_forget(vmid, addr, table);
	}
}

/* Takes the entry a mapped cap recorded out of its space, if it is still
 * there and still points at the cap's object. */
static void unmap_recorded(const struct cap *c)
{
	uint64_t m = c->mapping;
	vmid_t vmid = mapping_vmid(m);
	int level;

	if (vmid_generation(vmid) != c->mapped_vspace) {
		return; /* its space is gone */
	}
	ASSERT(vmid_is_io(vmid) == mapping_is_io(m));
	s2_pte_t *pte = arch_s2_walk(vmid_owner(vmid), mapping_ipa(m),
				     mapping_level(m), &level);
	if (level != mapping_level(m) || !arch_s2_valid(*pte) ||
	    arch_s2_output(*pte) != pa_addr(c->object)) {
		return;
	}
	map_remove(pte, level, vmid, mapping_ipa(m));
}

void map_unmap_cap(struct cap *c)
{
	if (c->mapping == 0) {
		return;
	}
	unmap_recorded(c);
	c->mapping = 0;
	c->mapped_vspace = 0;
	if (c->type == CAP_PAGE_TABLE || c->type == CAP_IO_PAGE_TABLE) {
		/*
		 * Invariant: an unmapped table holds no entries. Its frames'
		 * caps still record this table, so leaving the entries would
		 * let the table, mapped again elsewhere, reach frames whose
		 * deletion no longer finds (and removes) them. The table is
		 * out of every walk already (map_remove).
		 */
		arch_s2_clear_table(c->object);
	}
}

void map_cap_gone(struct cte *slot)
{
	/* Each Frame cap owns its mapping; table copies share one, which
	 * ends with the last of them. */
	if (slot->cap.type == CAP_FRAME ||
	    ((slot->cap.type == CAP_PAGE_TABLE ||
	      slot->cap.type == CAP_IO_PAGE_TABLE) &&
	     cdt_is_final(slot))) {
		map_unmap_cap(&slot->cap);
	}
}

enum cairn_error map_derive(const struct cap *src, struct cap *out,
			    struct inv_error *err)
{
	if (src->type == CAP_FRAME) {
		/* A copy starts unmapped: each Frame cap maps once. */
		out->mapping = 0;
		out->mapped_vspace = 0;
	} else if ((src->type == CAP_PAGE_TABLE ||
		    src->type == CAP_IO_PAGE_TABLE) &&
		   src->mapping == 0) {
		/*
		 * Invariant: a table hangs in at most one place. Copies keep
		 * the mapping (so none can map it again), and only a mapped
		 * table can be copied: two unmapped copies could each map it
		 * into a different space.
		 */
		return inv_fail(err, CAIRN_ILLEGAL_OPERATION,
				CAIRN_ARG_SRC_INDEX, 0, 0);
	}
	return CAIRN_OK;
}

void map_space_destroy(const struct cap *c)
{
	/* No stream may walk tables that are about to be given back. */
	stream_space_destroyed(cap_vmid(c));
	vmid_free(cap_vmid(c));
}

#ifdef CAIRN_DEBUG
/* Entries per table: a table is one 4 KiB page of 8-byte entries. */
#define TABLE_ENTRIES (1U << (CAIRN_PAGE_TABLE_BITS - 3))

static void check_table(paddr_t root, vmid_t vmid, paddr_t table, int level,
			uint64_t base)
{
	const s2_pte_t *e = kmem_ptr(table);
	bool io = vmid_is_io(vmid);

	for (unsigned i = 0; i < TABLE_ENTRIES; i++) {
		if (!arch_s2_valid(e[i])) {
			continue;
		}
		uint64_t addr = base + i * arch_s2_level_span(level);
		paddr_t out = pa_init(arch_s2_output(e[i]));
		bool is_table = arch_s2_is_table(e[i], level);
		unsigned want = !is_table ? CAP_FRAME
				: io	  ? CAP_IO_PAGE_TABLE
					  : CAP_PAGE_TABLE;
		uint64_t found = ktag_find(out);
		if (found != KTAG_UNKNOWN &&
		    (found == 0 || ktag_type(found) != want)) {
			char what[96];
			format_buf(what, sizeof(what),
				   "%s %s for %s 0x%lx (level %d) of "
				   "%s 0x%lx, VMID %u",
				   io ? "IOSpace" : "stage-2",
				   is_table ? "table entry" : "leaf",
				   io ? "IOVA" : "IPA", (unsigned long)addr,
				   level, io ? "IOSpace" : "VSpace",
				   (unsigned long)pa_addr(root),
				   vmid_value(vmid));
			KTAG_CHECK_TYPE(out, want, what);
		}
		if (is_table) {
			check_table(root, vmid, out, level + 1, addr);
		}
	}
}

void map_check_refs(void)
{
	for (unsigned v = 1; v < VMID_COUNT; v++) {
		vmid_t vmid = vmid_init((uint16_t)v);
		paddr_t root = vmid_owner(vmid);
		if (pa_addr(root) == 0) {
			continue;
		}
		KTAG_CHECK_TYPE(root,
				vmid_is_io(vmid) ? CAP_IOSPACE : CAP_VSPACE,
				"the VSpace or IOSpace owning a VMID");
		check_table(root, vmid, root, S2_LEVEL_FIRST, 0);
	}
}

void map_check_table_empty(paddr_t table)
{
	const s2_pte_t *e = kmem_ptr(table);

	for (unsigned i = 0; i < TABLE_ENTRIES; i++) {
		if (arch_s2_valid(e[i])) {
			panic("ktag: PageTable at 0x%lx destroyed with entry "
			      "%u -> 0x%lx left in it",
			      (unsigned long)pa_addr(table), i,
			      (unsigned long)arch_s2_output(e[i]));
		}
	}
}
#endif

enum cairn_error map_table_invoke(struct invocation *inv,
				  const struct map_space *k, uint64_t map,
				  uint64_t unmap)
{
	struct map_op op;
	enum cairn_error e;

	if (inv->label == map) {
		e = map_decode_target(inv, k, 2, KiB(4), &op);
		if (e == CAIRN_OK) {
			e = map_decode_table(inv, k, &op);
		}
		if (e == CAIRN_OK) {
			map_perform_table(&op);
		}
		return e;
	}
	if (inv->label != unmap) {
		return inv_bad_label(inv);
	}
	if (!cdt_is_final(inv->slot)) {
		/* Copies share the mapping: only the last may end it. */
		return inv_refuse(inv, CAIRN_REVOKE_FIRST, CAIRN_ARG_INVOKED, 0,
				  0);
	}
	map_unmap_cap(&inv->slot->cap);
	return CAIRN_OK;
}
