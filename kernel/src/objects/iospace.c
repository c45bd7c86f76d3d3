#include "objects/iospace.h"

#include "assert.h"
#include "cap/cdt.h"
#include "cap/delete.h"
#include "objects/cnode.h"
#include "objects/mapping.h"
#include "vmid.h"

#include <cairn/invocations.h>

enum { A_IOSPACE, A_IOVA, A_RIGHTS };

/* What a device may be allowed: to read, to write. */
#define IO_RIGHTS (CAIRN_RIGHT_READ | CAIRN_RIGHT_WRITE)

/* Rights a device may be given here, whatever the frames grant. */
static enum cairn_error check_io_rights(struct invocation *inv, uint64_t rights)
{
	if ((rights & ~(uint64_t)IO_RIGHTS) != 0 || rights == 0) {
		return inv_refuse(inv, CAIRN_INVALID_ARGUMENT, CAIRN_ARG_RIGHTS,
				  0, IO_RIGHTS);
	}
	if (!(rights & CAIRN_RIGHT_READ) && arch_smmu_info()->io_stage1) {
		/* A stage-1 descriptor cannot say write-only. */
		return inv_refuse(inv, CAIRN_NOT_SUPPORTED, CAIRN_ARG_RIGHTS,
				  rights, 0);
	}
	return CAIRN_OK;
}

/* Never more than the frame's cap grants, and never silently less. */
static enum cairn_error check_granted(struct invocation *inv,
				      const struct cap *frame, uint64_t rights)
{
	uint64_t missing = rights & ~(uint64_t)frame->rights;

	return missing != 0 ? inv_refuse(inv, CAIRN_ILLEGAL_OPERATION,
					 CAIRN_ARG_RIGHTS, missing, 0)
			    : CAIRN_OK;
}

static enum cairn_error check_rights(struct invocation *inv, uint64_t rights)
{
	enum cairn_error e = check_io_rights(inv, rights);

	return e == CAIRN_OK ? check_granted(inv, &inv->slot->cap, rights) : e;
}

static enum cairn_error decode_map_io(struct invocation *inv, struct map_op *op)
{
	uint64_t bytes = cap_object_size(&inv->slot->cap);
	enum cairn_error e = map_decode_target(inv, &map_iospace, 3, bytes, op);

	if (e == CAIRN_OK) {
		e = check_rights(inv, inv->args[A_RIGHTS]);
	}
	if (e == CAIRN_OK) {
		e = map_decode_leaf(inv, &map_iospace, bytes, op);
	}
	if (e != CAIRN_OK) {
		return e;
	}
	op->leaf = (struct s2_leaf){
	    .pa = op->cap->object,
	    .rights = (uint32_t)inv->args[A_RIGHTS],
	    .device = op->cap->device, /* peer-to-peer: a device's memory */
	};
	return CAIRN_OK;
}

enum cairn_error frame_io_invoke(struct invocation *inv)
{
	struct cap *c = &inv->slot->cap;
	struct map_op op;
	enum cairn_error e;

	switch (inv->label) {
	case CAIRN_FRAME_MAP_IO:
		e = decode_map_io(inv, &op);
		if (e == CAIRN_OK) {
			map_perform_leaf(&op);
		}
		return e;
	case CAIRN_FRAME_UNMAP_IO:
		/* An IOSpace mapping only (Unmap ends a VSpace one). */
		if (mapping_is_io(c->mapping)) {
			map_unmap_cap(c);
		}
		return CAIRN_OK;
	default:
		return inv_bad_label(inv);
	}
}

/* IOSpace.MapFrames, decoded: every entry checked, nothing written yet. */
struct map_frames_op {
	const struct cap *space;
	struct cte *dest; /* the first of count empty slots */
	struct cte *src;  /* the first of count 4 KiB Frame caps */
	uint64_t count;
	uint64_t iova;
	uint32_t rights;
	s2_pte_t *pte[CAIRN_IOSPACE_MAP_FRAMES_MAX]; /* each copy's entry */
};

enum {
	F_DEST_ROOT,
	F_DEST_FIRST,
	F_SRC_ROOT,
	F_SRC_FIRST,
	F_COUNT,
	F_IOVA,
	F_RIGHTS,
	F_ARGS
};

/* count slots from `first` of the CNode cptr names (slot indices, so
 * slot 0, which stays empty, is out of range). */
static enum cairn_error decode_run(struct invocation *inv, unsigned root_arg,
				   unsigned index_arg, uint64_t cptr,
				   uint64_t first, uint64_t count,
				   struct cte **run)
{
	struct cte *cnode;
	enum cairn_error e =
	    inv_lookup_typed(inv, root_arg, cptr, CAP_CNODE, &cnode);

	if (e != CAIRN_OK) {
		return e;
	}
	uint64_t slots = 1ULL << cnode->cap.size_bits;
	if (first == 0 || first >= slots || slots - first < count) {
		return inv_refuse(inv, CAIRN_RANGE_ERROR, index_arg, 1,
				  slots - count);
	}
	*run = &cnode_slots(&cnode->cap)[first];
	return CAIRN_OK;
}

static enum cairn_error decode_frames_args(struct invocation *inv,
					   struct map_frames_op *op)
{
	const uint64_t *a = inv->args;
	uint64_t count = a[F_COUNT], iova = a[F_IOVA];
	enum cairn_error e;

	if (count == 0 || count > CAIRN_IOSPACE_MAP_FRAMES_MAX) {
		return inv_refuse(inv, CAIRN_RANGE_ERROR, CAIRN_ARG_COUNT, 1,
				  CAIRN_IOSPACE_MAP_FRAMES_MAX);
	}
	if (!IS_ALIGNED(iova, KiB(4))) {
		return inv_refuse(inv, CAIRN_ALIGNMENT_ERROR, CAIRN_ARG_IOVA,
				  KiB(4), 0);
	}
	if (iova >= (1ULL << CAIRN_IPA_BITS) ||
	    ((1ULL << CAIRN_IPA_BITS) - iova) / KiB(4) < count) {
		return inv_refuse(inv, CAIRN_RANGE_ERROR, CAIRN_ARG_IOVA, 0,
				  (1ULL << CAIRN_IPA_BITS) - count * KiB(4));
	}
	e = check_io_rights(inv, a[F_RIGHTS]);
	if (e == CAIRN_OK) {
		e = decode_run(inv, CAIRN_ARG_DEST_ROOT, CAIRN_ARG_DEST_INDEX,
			       a[F_DEST_ROOT], a[F_DEST_FIRST], count,
			       &op->dest);
	}
	if (e == CAIRN_OK) {
		e = decode_run(inv, CAIRN_ARG_SRC_ROOT, CAIRN_ARG_SRC_INDEX,
			       a[F_SRC_ROOT], a[F_SRC_FIRST], count, &op->src);
	}
	op->space = &inv->slot->cap;
	op->count = count;
	op->iova = iova;
	op->rights = (uint32_t)a[F_RIGHTS];
	return e;
}

/* Entry i: a 4 KiB Frame cap to copy, an empty slot for the copy and a
 * free entry, its table present, for it at iova + i pages. */
static enum cairn_error decode_frame_entry(struct invocation *inv,
					   struct map_frames_op *op, uint64_t i)
{
	const struct cap *src = &op->src[i].cap;
	struct map_op m = {.space = op->space,
			   .io = true,
			   .addr = ipa_init(op->iova + i * KiB(4))};
	enum cairn_error e;

	if (src->type != CAP_FRAME || cap_object_size(src) != KiB(4)) {
		return inv_refuse(inv, CAIRN_INVALID_CAPABILITY,
				  CAIRN_ARG_SRC_INDEX,
				  inv->args[F_SRC_FIRST] + i, 0);
	}
	e = check_granted(inv, src, op->rights);
	if (e == CAIRN_OK && !cap_is_null(&op->dest[i].cap)) {
		e = inv_refuse(inv, CAIRN_DELETE_FIRST, CAIRN_ARG_DEST_INDEX,
			       inv->args[F_DEST_FIRST] + i, 0);
	}
	if (e == CAIRN_OK) {
		e = map_decode_leaf(inv, &map_iospace, KiB(4), &m);
	}
	op->pte[i] = m.pte;
	return e;
}

/* Cannot fail: each copy is a Frame's (an unmapped child of its source)
 * and each entry was found free. */
static void perform_map_frames(const struct map_frames_op *op)
{
	for (uint64_t i = 0; i < op->count; i++) {
		struct cte *src = &op->src[i];
		struct inv_error unused;
		struct map_op m = {.space = op->space,
				   .io = true,
				   .pte = op->pte[i],
				   .level = S2_LEVEL_LAST,
				   .addr = ipa_init(op->iova + i * KiB(4))};
		struct cap copy;
		enum cairn_error e = cnode_derive(&src->cap, CAIRN_RIGHTS_ALL,
						  false, 0, &copy, &unused);

		ASSERT(e == CAIRN_OK && copy.mapping == 0);
		(void)e;
		cdt_insert_child(src, &op->dest[i], &copy);
		m.cap = &op->dest[i].cap;
		m.leaf = (struct s2_leaf){.pa = copy.object,
					  .rights = op->rights,
					  .device = copy.device};
		map_perform_leaf(&m);
	}
}

static enum cairn_error map_frames(struct invocation *inv)
{
	struct map_frames_op op;
	enum cairn_error e = inv_need_args(inv, F_ARGS);

	if (e == CAIRN_OK) {
		e = decode_frames_args(inv, &op);
	}
	for (uint64_t i = 0; e == CAIRN_OK && i < op.count; i++) {
		e = decode_frame_entry(inv, &op, i);
	}
	if (e == CAIRN_OK) {
		perform_map_frames(&op);
	}
	return e;
}

enum { U_CNODE, U_FIRST, U_COUNT, U_ARGS };

/* Slot i of the run: a Frame cap whose mapping is in this IOSpace, or
 * empty (its cap deleted already, by a Revoke of its parent perhaps). */
static enum cairn_error decode_unmap_entry(struct invocation *inv,
					   const struct cte *slot, uint64_t i)
{
	const struct cap *c = &slot->cap;
	vmid_t vmid = cap_vmid(&inv->slot->cap);
	uint64_t m = c->mapping;

	if (cap_is_null(c)) {
		return CAIRN_OK;
	}
	if (c->type != CAP_FRAME || !mapping_is_io(m) ||
	    vmid_value(mapping_vmid(m)) != vmid_value(vmid) ||
	    c->mapped_vspace != vmid_generation(vmid)) {
		return inv_refuse(inv, CAIRN_INVALID_CAPABILITY,
				  CAIRN_ARG_DEST_INDEX, inv->args[U_FIRST] + i,
				  0);
	}
	return cte_decode_delete(slot, &inv->err);
}

static enum cairn_error unmap_frames(struct invocation *inv)
{
	const uint64_t *a = inv->args;
	struct cte *run = NULL;
	enum cairn_error e = inv_need_args(inv, U_ARGS);

	if (e == CAIRN_OK &&
	    (a[U_COUNT] == 0 || a[U_COUNT] > CAIRN_IOSPACE_MAP_FRAMES_MAX)) {
		e = inv_refuse(inv, CAIRN_RANGE_ERROR, CAIRN_ARG_COUNT, 1,
			       CAIRN_IOSPACE_MAP_FRAMES_MAX);
	}
	if (e == CAIRN_OK) {
		e = decode_run(inv, CAIRN_ARG_DEST_ROOT, CAIRN_ARG_DEST_INDEX,
			       a[U_CNODE], a[U_FIRST], a[U_COUNT], &run);
	}
	for (uint64_t i = 0; e == CAIRN_OK && i < a[U_COUNT]; i++) {
		e = decode_unmap_entry(inv, &run[i], i);
	}
	if (e != CAIRN_OK) {
		return e;
	}
	map_batch_begin(cap_vmid(&inv->slot->cap));
	for (uint64_t i = 0; i < a[U_COUNT]; i++) {
		cte_perform_delete(&run[i]);
	}
	map_batch_end();
	return CAIRN_OK;
}

enum cairn_error iospace_invoke(struct invocation *inv)
{
	switch (inv->label) {
	case CAIRN_IOSPACE_MAP_FRAMES:
		return map_frames(inv);
	case CAIRN_IOSPACE_UNMAP_FRAMES:
		return unmap_frames(inv);
	default:
		return inv_bad_label(inv);
	}
}

enum cairn_error io_page_table_invoke(struct invocation *inv)
{
	return map_table_invoke(inv, &map_iospace, CAIRN_IO_PAGE_TABLE_MAP,
				CAIRN_IO_PAGE_TABLE_UNMAP);
}
