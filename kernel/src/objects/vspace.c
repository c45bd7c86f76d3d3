#include "objects/vspace.h"

#include "arch.h"
#include "assert.h"
#include "cap/cdt.h"
#include "cap/cspace.h"
#include "kmem.h"
#include "vmid.h"

#include <cairn/invocations.h>

enum { A_VSPACE, A_IPA, A_RIGHTS, A_ATTRS };

static enum cairn_error lookup_vspace(const struct cap *cspace, uint64_t cptr,
				      const struct cap **vs,
				      struct inv_error *err)
{
	struct cte *slot;
	enum cairn_error e = cspace_lookup_cap(cspace, cptr, &slot, err);

	if (e != CAIRN_OK) {
		return e;
	}
	if (slot->cap.type != CAP_VSPACE) {
		return inv_fail(err, CAIRN_INVALID_CAPABILITY, CAIRN_ARG_VSPACE,
				0, 0);
	}
	*vs = &slot->cap;
	return CAIRN_OK;
}

static enum cairn_error check_ipa(uint64_t ipa, uint64_t size,
				  struct inv_error *err)
{
	if (!IS_ALIGNED(ipa, size)) {
		return inv_fail(err, CAIRN_ALIGNMENT_ERROR, CAIRN_ARG_IPA, size,
				0);
	}
	if (ipa >= (1ULL << CAIRN_IPA_BITS)) {
		return inv_fail(err, CAIRN_RANGE_ERROR, CAIRN_ARG_IPA, 0,
				(1ULL << CAIRN_IPA_BITS) - size);
	}
	return CAIRN_OK;
}

/* The level a leaf of this many bytes sits at. */
static int leaf_level(uint64_t bytes)
{
	return bytes == MiB(2) ? S2_LEVEL_LAST - 1 : S2_LEVEL_LAST;
}

static enum cairn_error frame_map(struct cte *slot, const uint64_t *a, size_t n,
				  const struct cap *cspace,
				  struct inv_error *err)
{
	struct cap *f = &slot->cap;
	uint64_t bytes = cap_object_size(f);
	const struct cap *vs;
	enum cairn_error e;
	int level;

	if (n < 4) {
		return inv_fail(err, CAIRN_TRUNCATED_MESSAGE, 0, 4, 0);
	}
	if (f->mapping != 0) {
		return inv_fail(err, CAIRN_ILLEGAL_OPERATION, CAIRN_ARG_INVOKED,
				mapping_ipa(f->mapping), 0);
	}
	if ((a[A_RIGHTS] & ~(uint64_t)CAIRN_RIGHTS_ALL) != 0) {
		return inv_fail(err, CAIRN_INVALID_ARGUMENT, CAIRN_ARG_RIGHTS,
				0, CAIRN_RIGHTS_ALL);
	}
	if ((a[A_ATTRS] & ~CAIRN_MAP_ATTRS_ALL) != 0) {
		return inv_fail(err, CAIRN_INVALID_ARGUMENT,
				CAIRN_ARG_ATTRIBUTES, 0, CAIRN_MAP_ATTRS_ALL);
	}
	e = lookup_vspace(cspace, a[A_VSPACE], &vs, err);
	if (e == CAIRN_OK) {
		e = check_ipa(a[A_IPA], bytes, err);
	}
	if (e != CAIRN_OK) {
		return e;
	}
	s2_pte_t *pte = arch_s2_walk(vs->object, ipa_init(a[A_IPA]),
				     leaf_level(bytes), &level);
	if (level < leaf_level(bytes) && !arch_s2_valid(*pte)) {
		/* A table is missing at `level`: map a PageTable first. */
		return inv_fail(err, CAIRN_FAILED_LOOKUP,
				CAIRN_LOOKUP_MISSING_CAP, (uint64_t)level + 1,
				0);
	}
	if (level != leaf_level(bytes) || arch_s2_valid(*pte)) {
		return inv_fail(err, CAIRN_DELETE_FIRST, CAIRN_ARG_IPA,
				a[A_IPA], 0);
	}
	struct s2_leaf leaf = {
	    .pa = f->object,
	    .rights = (uint32_t)a[A_RIGHTS] & f->rights,
	    .device = f->device || (a[A_ATTRS] & CAIRN_MAP_DEVICE),
	    .uncached = (a[A_ATTRS] & CAIRN_MAP_UNCACHED) != 0,
	};
	arch_s2_set_leaf(pte, level, &leaf);
	f->mapping = mapping_make(a[A_IPA], (uint16_t)vs->vmid, level);
	f->mapped_root = vs->object;
	return CAIRN_OK;
}

enum cairn_error frame_invoke(struct cte *slot, uint64_t label,
			      const uint64_t *args, size_t nargs,
			      const struct cap *cspace, uint64_t *reply,
			      size_t *reply_len, struct inv_error *err)
{
	switch (label) {
	case CAIRN_FRAME_MAP:
		return frame_map(slot, args, nargs, cspace, err);
	case CAIRN_FRAME_UNMAP:
		vspace_unmap_cap(&slot->cap);
		return CAIRN_OK;
	case CAIRN_FRAME_GET_ADDRESS:
		reply[0] = pa_addr(slot->cap.object);
		*reply_len = 1;
		return CAIRN_OK;
	default:
		return inv_fail(err, CAIRN_ILLEGAL_OPERATION, CAIRN_ARG_LABEL,
				label, 0);
	}
}

static enum cairn_error page_table_map(struct cte *slot, const uint64_t *a,
				       size_t n, const struct cap *cspace,
				       struct inv_error *err)
{
	struct cap *pt = &slot->cap;
	const struct cap *vs;
	enum cairn_error e;
	int level;

	if (n < 2) {
		return inv_fail(err, CAIRN_TRUNCATED_MESSAGE, 0, 2, 0);
	}
	if (pt->mapping != 0) {
		return inv_fail(err, CAIRN_ILLEGAL_OPERATION, CAIRN_ARG_INVOKED,
				mapping_ipa(pt->mapping), 0);
	}
	e = lookup_vspace(cspace, a[A_VSPACE], &vs, err);
	if (e == CAIRN_OK) {
		e = check_ipa(a[A_IPA], KiB(4), err);
	}
	if (e != CAIRN_OK) {
		return e;
	}
	s2_pte_t *pte =
	    arch_s2_walk(vs->object, ipa_init(a[A_IPA]), S2_LEVEL_LAST, &level);
	if (level == S2_LEVEL_LAST || arch_s2_valid(*pte)) {
		/* Every table on the way exists, or a block covers it. */
		return inv_fail(err, CAIRN_DELETE_FIRST, CAIRN_ARG_IPA,
				a[A_IPA], 0);
	}
	/* The table covers the span of one entry at `level`. */
	uint64_t span = 1ULL << (12 + 9 * (S2_LEVEL_LAST - level));
	arch_s2_set_table(pte, pt->object);
	pt->mapping =
	    mapping_make(ALIGN_DOWN(a[A_IPA], span), (uint16_t)vs->vmid, level);
	pt->mapped_root = vs->object;
	return CAIRN_OK;
}

enum cairn_error page_table_invoke(struct cte *slot, uint64_t label,
				   const uint64_t *args, size_t nargs,
				   const struct cap *cspace,
				   struct inv_error *err)
{
	switch (label) {
	case CAIRN_PAGE_TABLE_MAP:
		return page_table_map(slot, args, nargs, cspace, err);
	case CAIRN_PAGE_TABLE_UNMAP:
		if (!cdt_is_final(slot)) {
			/* Copies share the mapping: only the last may end it.
			 */
			return inv_fail(err, CAIRN_REVOKE_FIRST,
					CAIRN_ARG_INVOKED, 0, 0);
		}
		vspace_unmap_cap(&slot->cap);
		return CAIRN_OK;
	default:
		return inv_fail(err, CAIRN_ILLEGAL_OPERATION, CAIRN_ARG_LABEL,
				label, 0);
	}
}

/*
 * The one place a stage-2 entry is removed. The arch call clears it and
 * invalidates what the CPUs may have cached from it (by IPA for a leaf, the
 * whole VMID for a table), so no caller can forget or pick the wrong flush.
 * Streams bound to the VSpace (share-pt) cache translations in the SMMU
 * too: their invalidation belongs here, next to the CPU's, and until
 * streams can be bound there are none to invalidate.
 */
static void s2_remove(s2_pte_t *pte, int level, uint16_t vmid, ipaddr_t ipa)
{
	arch_s2_remove(pte, level, vmid, ipa);
	ASSERT(vmid_streams(vmid) == 0);
}

/* Takes the entry a mapped cap recorded out of its VSpace, if it is still
 * there and still points at the cap's object. */
static void unmap_recorded(const struct cap *c)
{
	uint64_t m = c->mapping;
	uint16_t vmid = mapping_vmid(m);
	int level;

	if (pa_addr(vmid_owner(vmid)) != pa_addr(c->mapped_root)) {
		return; /* its VSpace is gone */
	}
	s2_pte_t *pte = arch_s2_walk(c->mapped_root, ipa_init(mapping_ipa(m)),
				     mapping_level(m), &level);
	if (level != mapping_level(m) || !arch_s2_valid(*pte) ||
	    arch_s2_output(*pte) != pa_addr(c->object)) {
		return;
	}
	s2_remove(pte, level, vmid, ipa_init(mapping_ipa(m)));
}

void vspace_unmap_cap(struct cap *c)
{
	if (c->mapping == 0) {
		return;
	}
	unmap_recorded(c);
	c->mapping = 0;
	c->mapped_root = pa_init(0);
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
		out->mapped_root = pa_init(0);
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
	vmid_free((uint16_t)c->vmid);
}
