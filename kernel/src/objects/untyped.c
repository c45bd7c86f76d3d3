#include "objects/untyped.h"

#include "cap/cdt.h"
#include "cap/cspace.h"
#include "objects/object.h"
#include "vmid.h"

#include <cairn/invocations.h>

enum { A_TYPE, A_SIZE_BITS, A_ROOT, A_INDEX, A_DEPTH, A_OFFSET, A_COUNT, A_N };

static bool type_allowed(enum cairn_object_type t, bool device)
{
	if (t < CAIRN_OBJ_UNTYPED || t >= CAIRN_OBJ_TYPE_COUNT) {
		return false;
	}
	/* Device memory holds no kernel objects: only Frames and Untyped. */
	return !device || t == CAIRN_OBJ_UNTYPED || t == CAIRN_OBJ_FRAME_4K ||
	       t == CAIRN_OBJ_FRAME_2M;
}

static enum cairn_error decode_dest(const uint64_t *a, const struct cap *cspace,
				    struct retype *out, struct inv_error *err)
{
	struct cap cnode;
	enum cairn_error e =
	    cspace_lookup_cnode(cspace, a[A_ROOT], a[A_INDEX], a[A_DEPTH],
				CAIRN_ARG_DEST_ROOT, &cnode, err);

	if (e != CAIRN_OK) {
		return e;
	}
	uint64_t slots = 1ULL << cnode.size_bits;
	if (a[A_OFFSET] < 1 || a[A_OFFSET] >= slots) {
		/* Slot 0 stays empty (see cspace.h). */
		return inv_fail(err, CAIRN_RANGE_ERROR, CAIRN_ARG_DEST_OFFSET,
				1, slots - 1);
	}
	if (a[A_COUNT] < 1 || a[A_COUNT] > UNTYPED_RETYPE_MAX_COUNT ||
	    a[A_COUNT] > slots - a[A_OFFSET]) {
		uint64_t max = slots - a[A_OFFSET];
		return inv_fail(err, CAIRN_RANGE_ERROR, CAIRN_ARG_COUNT, 1,
				max < UNTYPED_RETYPE_MAX_COUNT
				    ? max
				    : UNTYPED_RETYPE_MAX_COUNT);
	}
	out->dest = &cnode_slots(&cnode)[a[A_OFFSET]];
	out->count = a[A_COUNT];
	for (uint64_t i = 0; i < out->count; i++) {
		if (!cap_is_null(&out->dest[i].cap)) {
			return inv_fail(err, CAIRN_DELETE_FIRST,
					CAIRN_ARG_DEST_OFFSET, a[A_OFFSET] + i,
					0);
		}
	}
	return CAIRN_OK;
}

enum cairn_error untyped_decode_retype(struct cte *slot, const uint64_t *a,
				       size_t nargs, const struct cap *cspace,
				       struct retype *out,
				       struct inv_error *err)
{
	const struct cap *ut = &slot->cap;
	unsigned lo, hi;

	if (nargs < A_N) {
		return inv_fail(err, CAIRN_TRUNCATED_MESSAGE, 0, A_N, 0);
	}
	if (a[A_TYPE] > 0xff ||
	    !type_allowed((enum cairn_object_type)a[A_TYPE], ut->device)) {
		return inv_fail(err, CAIRN_INVALID_ARGUMENT, CAIRN_ARG_TYPE, 0,
				0);
	}
	out->type = (enum cairn_object_type)a[A_TYPE];
	out->obj_bits = object_size_bits(
	    out->type, a[A_SIZE_BITS] > 64 ? 0 : (unsigned)a[A_SIZE_BITS], &lo,
	    &hi);
	if (out->obj_bits == 0) {
		return inv_fail(err, CAIRN_RANGE_ERROR, CAIRN_ARG_SIZE_BITS, lo,
				hi);
	}
	out->size_bits = (unsigned)a[A_SIZE_BITS];
	enum cairn_error e = decode_dest(a, cspace, out, err);
	if (e == CAIRN_OK && out->type == CAIRN_OBJ_VSPACE &&
	    vmid_available() < out->count) {
		/* Each VSpace needs a VMID; detail[1] = how many are left. */
		return inv_fail(err, CAIRN_NOT_ENOUGH_MEMORY, CAIRN_ARG_TYPE,
				vmid_available(), 0);
	}
	if (e != CAIRN_OK) {
		return e;
	}
	/* With no children left, the whole Untyped is free again. */
	uint64_t used = cdt_has_children(slot) ? ut->watermark : 0;
	uint64_t size = 1ULL << ut->size_bits;
	uint64_t start = ALIGN_UP(used, 1ULL << out->obj_bits);
	if (out->obj_bits > ut->size_bits || start > size ||
	    ((size - start) >> out->obj_bits) < out->count) {
		uint64_t avail = start < size ? size - start : 0;
		return inv_fail(err, CAIRN_NOT_ENOUGH_MEMORY, 0, avail, 0);
	}
	out->offset = start;
	return CAIRN_OK;
}

void untyped_retype(struct cte *slot, const struct retype *r)
{
	struct cap *ut = &slot->cap;

	for (uint64_t i = 0; i < r->count; i++) {
		paddr_t pa = pa_add(ut->object, r->offset + (i << r->obj_bits));
		struct cap obj =
		    object_create(r->type, r->size_bits, pa, ut->device);
		cdt_insert_child(slot, &r->dest[i], &obj);
	}
	ut->watermark = r->offset + (r->count << r->obj_bits);
}

enum cairn_error untyped_invoke(struct cte *slot, uint64_t label,
				const uint64_t *args, size_t nargs,
				const struct cap *cspace, struct inv_error *err)
{
	struct retype r;
	enum cairn_error e;

	if (label != CAIRN_UNTYPED_RETYPE) {
		return inv_fail(err, CAIRN_ILLEGAL_OPERATION, CAIRN_ARG_LABEL,
				label, 0);
	}
	e = untyped_decode_retype(slot, args, nargs, cspace, &r, err);
	if (e == CAIRN_OK) {
		untyped_retype(slot, &r);
	}
	return e;
}
