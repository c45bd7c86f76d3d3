#include "objects/untyped.h"

#include "assert.h"
#include "cap/cdt.h"
#include "kmem.h"
#include "objects/object.h"
#include "preempt.h"
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

static enum cairn_error decode_dest(struct invocation *inv, struct retype *out)
{
	const uint64_t *a = inv->args;
	struct cap cnode;
	enum cairn_error e =
	    inv_lookup_cnode(inv, CAIRN_ARG_DEST_ROOT, a[A_ROOT], a[A_INDEX],
			     a[A_DEPTH], &cnode);

	if (e != CAIRN_OK) {
		return e;
	}
	uint64_t slots = 1ULL << cnode.size_bits;
	if (a[A_OFFSET] < 1 || a[A_OFFSET] >= slots) {
		/* Slot 0 stays empty (see cspace.h). */
		return inv_refuse(inv, CAIRN_RANGE_ERROR, CAIRN_ARG_DEST_OFFSET,
				  1, slots - 1);
	}
	uint64_t max = slots - a[A_OFFSET];
	if (max > UNTYPED_RETYPE_MAX_COUNT) {
		max = UNTYPED_RETYPE_MAX_COUNT;
	}
	if (a[A_COUNT] < 1 || a[A_COUNT] > max) {
		return inv_refuse(inv, CAIRN_RANGE_ERROR, CAIRN_ARG_COUNT, 1,
				  max);
	}
	out->dest = &cnode_slots(&cnode)[a[A_OFFSET]];
	out->count = a[A_COUNT];
	for (uint64_t i = 0; i < out->count; i++) {
		if (!cap_is_null(&out->dest[i].cap)) {
			return inv_refuse(inv, CAIRN_DELETE_FIRST,
					  CAIRN_ARG_DEST_OFFSET,
					  a[A_OFFSET] + i, 0);
		}
	}
	return CAIRN_OK;
}

static enum cairn_error decode_retype(struct invocation *inv,
				      struct retype *out)
{
	const struct cap *ut = &inv->slot->cap;
	const uint64_t *a = inv->args;
	unsigned lo, hi;
	enum cairn_error e = inv_need_args(inv, A_N);

	if (e != CAIRN_OK) {
		return e;
	}
	if (a[A_TYPE] > 0xff ||
	    !type_allowed((enum cairn_object_type)a[A_TYPE], ut->device)) {
		return inv_refuse(inv, CAIRN_INVALID_ARGUMENT, CAIRN_ARG_TYPE,
				  0, 0);
	}
	out->untyped = inv->slot;
	out->type = (enum cairn_object_type)a[A_TYPE];
	out->obj_bits = object_size_bits(
	    out->type, a[A_SIZE_BITS] > 64 ? 0 : (unsigned)a[A_SIZE_BITS], &lo,
	    &hi);
	if (out->obj_bits == 0) {
		return inv_refuse(inv, CAIRN_RANGE_ERROR, CAIRN_ARG_SIZE_BITS,
				  lo, hi);
	}
	out->size_bits = (unsigned)a[A_SIZE_BITS];
	e = decode_dest(inv, out);
	if (e != CAIRN_OK) {
		return e;
	}
	if ((out->type == CAIRN_OBJ_VSPACE || out->type == CAIRN_OBJ_IOSPACE) &&
	    vmid_available() < out->count) {
		/* Each VSpace or IOSpace needs a VMID; detail[1] = how many
		 * are left. */
		return inv_refuse(inv, CAIRN_NOT_ENOUGH_MEMORY, CAIRN_ARG_TYPE,
				  vmid_available(), 0);
	}
	/* With no children left, the whole Untyped is free again. */
	uint64_t used = cdt_has_children(inv->slot) ? ut->watermark : 0;
	uint64_t size = 1ULL << ut->size_bits;
	uint64_t start = ALIGN_UP(used, 1ULL << out->obj_bits);
	if (out->obj_bits > ut->size_bits || start > size ||
	    ((size - start) >> out->obj_bits) < out->count) {
		uint64_t avail = start < size ? size - start : 0;
		return inv_refuse(inv, CAIRN_NOT_ENOUGH_MEMORY, 0, avail, 0);
	}
	out->offset = start;
	return CAIRN_OK;
}

/*
 * Invariant: an Untyped's memory from its watermark up to its clean mark
 * (cap.clean) is zero. Retype clears what it is about to hand out in
 * bounded chunks, advancing the mark, and stops at a preemption point
 * (INV_RESTART) with the progress kept; perform then finds the objects'
 * memory zero and writes nothing but the objects. With no children left
 * everything below the watermark is free again, but not clean: the
 * watermark and the mark start over from 0. Device memory is never
 * written.
 */
static enum cairn_error clear_for_retype(const struct retype *r)
{
	struct cap *ut = &r->untyped->cap;
	uint64_t end = r->offset + (r->count << r->obj_bits);

	if (ut->device) {
		return CAIRN_OK;
	}
	if (!cdt_has_children(r->untyped) && ut->watermark != 0) {
		/* Everything handed out came back, dirty. */
		ut->watermark = 0;
		ut->clean = 0;
	}
	if (ut->clean < ut->watermark) {
		ut->clean = ut->watermark;
	}
	while (ut->clean < end) {
		uint64_t n = end - ut->clean;

		if (n > PREEMPT_CLEAR_CHUNK) {
			n = PREEMPT_CLEAR_CHUNK;
		}
		arch_zero(kmem_ptr(pa_add(ut->object, ut->clean)), n);
		ut->clean += n;
		if (ut->clean < end && preempt_wanted()) {
			return INV_RESTART;
		}
	}
	return CAIRN_OK;
}

/* Debug builds: the clean-mark invariant, sampled at an object's two ends
 * (a whole 2 MiB frame would cost more than clearing it did). */
static bool looks_clear(paddr_t pa, unsigned bits)
{
	const uint64_t *w = kmem_ptr(pa);
	size_t words = ((size_t)1 << bits) / sizeof(uint64_t);

	return w[0] == 0 && w[1] == 0 && w[words - 2] == 0 && w[words - 1] == 0;
}

static void perform_retype(const struct retype *r)
{
	struct cap *ut = &r->untyped->cap;

	ASSERT(ut->device ||
	       ut->clean >= r->offset + (r->count << r->obj_bits));
	for (uint64_t i = 0; i < r->count; i++) {
		paddr_t pa = pa_add(ut->object, r->offset + (i << r->obj_bits));
		ASSERT(ut->device || looks_clear(pa, r->obj_bits));
		struct cap obj =
		    object_create(r->type, r->size_bits, pa, ut->device);
		cdt_insert_child(r->untyped, &r->dest[i], &obj);
	}
	ut->watermark = r->offset + (r->count << r->obj_bits);
}

enum cairn_error untyped_invoke(struct invocation *inv)
{
	struct retype r;
	enum cairn_error e;

	if (inv->label != CAIRN_UNTYPED_RETYPE) {
		return inv_bad_label(inv);
	}
	e = decode_retype(inv, &r);
	if (e == CAIRN_OK) {
		e = clear_for_retype(&r);
	}
	if (e == CAIRN_OK) {
		perform_retype(&r);
	}
	return e;
}
