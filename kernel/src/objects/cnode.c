#include "objects/cnode.h"

#include "cap/cdt.h"
#include "cap/cspace.h"
#include "cap/delete.h"
#include "objects/vspace.h"

#include <cairn/invocations.h>

enum {
	A_DEST_INDEX,
	A_DEST_DEPTH,
	A_SRC_ROOT,
	A_SRC_INDEX,
	A_SRC_DEPTH,
	A_EXTRA
};

static unsigned depth_arg(uint64_t depth)
{
	return depth > CPTR_BITS ? 0 : (unsigned)depth;
}

static enum cairn_error derive_badge(const struct cap *src, uint64_t badge,
				     struct cap *out, struct inv_error *err)
{
	switch ((enum cap_type)src->type) {
	case CAP_ENDPOINT:
	case CAP_NOTIFICATION:
		if (src->badge != 0 && badge != src->badge) {
			/* A badge, once set, identifies the sender for good. */
			return inv_fail(err, CAIRN_ILLEGAL_OPERATION,
					CAIRN_ARG_BADGE, src->badge, 0);
		}
		out->badge = badge;
		return CAIRN_OK;
	case CAP_CNODE: {
		unsigned bits = CAIRN_GUARD_BITS(badge);
		uint64_t guard = CAIRN_GUARD_VALUE(badge);
		if (bits + src->size_bits > CPTR_BITS) {
			return inv_fail(err, CAIRN_RANGE_ERROR, CAIRN_ARG_BADGE,
					0, CPTR_BITS - src->size_bits);
		}
		if (bits < 64 && (guard >> bits) != 0) {
			return inv_fail(err, CAIRN_INVALID_ARGUMENT,
					CAIRN_ARG_BADGE, 0, 0);
		}
		out->guard_bits = (uint8_t)bits;
		out->guard = guard;
		return CAIRN_OK;
	}
	default:
		break;
	}
	if (badge != 0) {
		return inv_fail(err, CAIRN_INVALID_ARGUMENT, CAIRN_ARG_BADGE, 0,
				0);
	}
	return CAIRN_OK;
}

/* src with rights masked and, if asked, a badge (or CNode guard) set. */
static enum cairn_error adjust(const struct cap *src, uint32_t rights,
			       bool set_badge, uint64_t badge, struct cap *out,
			       struct inv_error *err)
{
	if ((rights & ~CAIRN_RIGHTS_ALL) != 0) {
		return inv_fail(err, CAIRN_INVALID_ARGUMENT, CAIRN_ARG_RIGHTS,
				0, CAIRN_RIGHTS_ALL);
	}
	*out = *src;
	out->rights &= rights;
	return set_badge ? derive_badge(src, badge, out, err) : CAIRN_OK;
}

enum cairn_error cnode_derive(const struct cap *src, uint32_t rights,
			      bool set_badge, uint64_t badge, struct cap *out,
			      struct inv_error *err)
{
	enum cairn_error e = adjust(src, rights, set_badge, badge, out, err);

	if (e == CAIRN_OK &&
	    (src->type == CAP_FRAME || src->type == CAP_PAGE_TABLE)) {
		e = vspace_derive(src, out, err);
	}
	return e;
}

struct cnode_op {
	struct cte *dest;
	struct cte *src;
	struct cap cap;
};

static enum cairn_error decode_pair(const struct cap *invoked,
				    const uint64_t *a, const struct cap *cspace,
				    struct cnode_op *op, struct inv_error *err)
{
	struct cap src_root;
	enum cairn_error e;

	e = cspace_lookup_slot(invoked, a[A_DEST_INDEX],
			       depth_arg(a[A_DEST_DEPTH]), &op->dest, err);
	if (e != CAIRN_OK) {
		return e;
	}
	if (!cap_is_null(&op->dest->cap)) {
		return inv_fail(err, CAIRN_DELETE_FIRST, CAIRN_ARG_DEST_INDEX,
				a[A_DEST_INDEX], 0);
	}
	e = cspace_lookup_cnode(cspace, a[A_SRC_ROOT], 0, 0, CAIRN_ARG_SRC_ROOT,
				&src_root, err);
	if (e == CAIRN_OK) {
		e = cspace_lookup_slot(&src_root, a[A_SRC_INDEX],
				       depth_arg(a[A_SRC_DEPTH]), &op->src,
				       err);
	}
	if (e != CAIRN_OK) {
		return e;
	}
	if (cap_is_null(&op->src->cap)) {
		return inv_fail(err, CAIRN_FAILED_LOOKUP,
				CAIRN_LOOKUP_MISSING_CAP, 0,
				depth_arg(a[A_SRC_DEPTH]));
	}
	return CAIRN_OK;
}

static enum cairn_error cnode_copy(const struct cap *invoked, uint64_t label,
				   const uint64_t *a, size_t nargs,
				   const struct cap *cspace,
				   struct inv_error *err)
{
	bool mint = label == CAIRN_CNODE_MINT;
	size_t need = A_EXTRA + 1 + (mint ? 1 : 0);
	struct cnode_op op;
	enum cairn_error e;

	if (nargs < need) {
		return inv_fail(err, CAIRN_TRUNCATED_MESSAGE, 0, need, 0);
	}
	e = decode_pair(invoked, a, cspace, &op, err);
	if (e != CAIRN_OK) {
		return e;
	}
	if (op.src->cap.type == CAP_UNTYPED) {
		/* The watermark lives in the cap: two caps would hand out
		 * the same memory twice. Move it instead. */
		return inv_fail(err, CAIRN_ILLEGAL_OPERATION,
				CAIRN_ARG_SRC_INDEX, 0, 0);
	}
	if (a[A_EXTRA] > UINT32_MAX) {
		return inv_fail(err, CAIRN_INVALID_ARGUMENT, CAIRN_ARG_RIGHTS,
				0, CAIRN_RIGHTS_ALL);
	}
	e = cnode_derive(&op.src->cap, (uint32_t)a[A_EXTRA], mint,
			 mint ? a[A_EXTRA + 1] : 0, &op.cap, err);
	if (e == CAIRN_OK) {
		cdt_insert_child(op.src, op.dest, &op.cap);
	}
	return e;
}

static enum cairn_error cnode_move(const struct cap *invoked, uint64_t label,
				   const uint64_t *a, size_t nargs,
				   const struct cap *cspace,
				   struct inv_error *err)
{
	bool mutate = label == CAIRN_CNODE_MUTATE;
	size_t need = A_EXTRA + (mutate ? 1 : 0);
	struct cnode_op op;
	enum cairn_error e;

	if (nargs < need) {
		return inv_fail(err, CAIRN_TRUNCATED_MESSAGE, 0, need, 0);
	}
	e = decode_pair(invoked, a, cspace, &op, err);
	if (e == CAIRN_OK) {
		/* Moved, not derived: the same cap elsewhere, mapping and
		 * all, so deleting it later still unmaps. */
		e = adjust(&op.src->cap, CAIRN_RIGHTS_ALL, mutate,
			   mutate ? a[A_EXTRA] : 0, &op.cap, err);
	}
	if (e == CAIRN_OK) {
		cdt_move(op.src, op.dest, &op.cap);
	}
	return e;
}

static enum cairn_error cnode_target(const struct cap *invoked,
				     const uint64_t *a, size_t nargs,
				     struct cte **slot, struct inv_error *err)
{
	if (nargs < 2) {
		return inv_fail(err, CAIRN_TRUNCATED_MESSAGE, 0, 2, 0);
	}
	return cspace_lookup_slot(invoked, a[0], depth_arg(a[1]), slot, err);
}

enum cairn_error cnode_invoke(const struct cap *invoked, uint64_t label,
			      const uint64_t *args, size_t nargs,
			      const struct cap *cspace, struct inv_error *err)
{
	struct cte *slot;
	enum cairn_error e;

	switch (label) {
	case CAIRN_CNODE_COPY:
	case CAIRN_CNODE_MINT:
		return cnode_copy(invoked, label, args, nargs, cspace, err);
	case CAIRN_CNODE_MOVE:
	case CAIRN_CNODE_MUTATE:
		return cnode_move(invoked, label, args, nargs, cspace, err);
	case CAIRN_CNODE_DELETE:
	case CAIRN_CNODE_REVOKE:
		e = cnode_target(invoked, args, nargs, &slot, err);
		if (e != CAIRN_OK) {
			return e;
		}
		return label == CAIRN_CNODE_DELETE ? cte_delete(slot, err)
						   : cte_revoke(slot, err);
	default:
		return inv_fail(err, CAIRN_ILLEGAL_OPERATION, CAIRN_ARG_LABEL,
				label, 0);
	}
}
