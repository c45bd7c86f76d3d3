#include "objects/cnode.h"

#include "cap/cdt.h"
#include "cap/cspace.h"
#include "cap/delete.h"
#include "objects/mapping.h"
#include "objects/stream.h"

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
	    (src->type == CAP_FRAME || src->type == CAP_PAGE_TABLE ||
	     src->type == CAP_IO_PAGE_TABLE)) {
		e = map_derive(src, out, err);
	} else if (e == CAIRN_OK && src->type == CAP_STREAM_ID) {
		stream_derive(out);
	}
	return e;
}

/* Copy, Mint, Move or Mutate, decoded. */
struct cnode_op {
	struct cte *dest;
	struct cte *src;
	struct cap cap; /* what dest will hold */
};

static enum cairn_error decode_pair(struct invocation *inv, struct cnode_op *op)
{
	const uint64_t *a = inv->args;
	struct cap src_root;
	enum cairn_error e;

	e = inv_lookup_empty(inv, CAIRN_ARG_DEST_INDEX, &inv->slot->cap,
			     a[A_DEST_INDEX], a[A_DEST_DEPTH], &op->dest);
	if (e == CAIRN_OK) {
		e = inv_lookup_cnode(inv, CAIRN_ARG_SRC_ROOT, a[A_SRC_ROOT], 0,
				     0, &src_root);
	}
	if (e == CAIRN_OK) {
		e = inv_lookup_slot(inv, CAIRN_ARG_SRC_INDEX, &src_root,
				    a[A_SRC_INDEX], a[A_SRC_DEPTH], &op->src);
	}
	if (e == CAIRN_OK && cap_is_null(&op->src->cap)) {
		e = inv_refuse(inv, CAIRN_FAILED_LOOKUP,
			       CAIRN_LOOKUP_MISSING_CAP, 0,
			       depth_arg(a[A_SRC_DEPTH]));
		inv->err.detail[3] = CAIRN_ARG_SRC_INDEX;
	}
	return e;
}

static enum cairn_error decode_copy(struct invocation *inv, struct cnode_op *op)
{
	bool mint = inv->label == CAIRN_CNODE_MINT;
	const uint64_t *a = inv->args;
	enum cairn_error e = inv_need_args(inv, A_EXTRA + 1 + (mint ? 1 : 0));

	if (e == CAIRN_OK) {
		e = decode_pair(inv, op);
	}
	if (e != CAIRN_OK) {
		return e;
	}
	if (op->src->cap.type == CAP_UNTYPED) {
		/* The watermark lives in the cap: two caps would hand out
		 * the same memory twice. Move it instead. */
		return inv_refuse(inv, CAIRN_ILLEGAL_OPERATION,
				  CAIRN_ARG_SRC_INDEX, 0, 0);
	}
	if (a[A_EXTRA] > UINT32_MAX) {
		return inv_refuse(inv, CAIRN_INVALID_ARGUMENT, CAIRN_ARG_RIGHTS,
				  0, CAIRN_RIGHTS_ALL);
	}
	return cnode_derive(&op->src->cap, (uint32_t)a[A_EXTRA], mint,
			    mint ? a[A_EXTRA + 1] : 0, &op->cap, &inv->err);
}

static enum cairn_error decode_move(struct invocation *inv, struct cnode_op *op)
{
	bool mutate = inv->label == CAIRN_CNODE_MUTATE;
	enum cairn_error e = inv_need_args(inv, A_EXTRA + (mutate ? 1 : 0));

	if (e == CAIRN_OK) {
		e = decode_pair(inv, op);
	}
	if (e == CAIRN_OK) {
		/* Moved, not derived: the same cap elsewhere, mapping and
		 * all, so deleting it later still unmaps. */
		e = adjust(&op->src->cap, CAIRN_RIGHTS_ALL, mutate,
			   mutate ? inv->args[A_EXTRA] : 0, &op->cap,
			   &inv->err);
	}
	return e;
}

/* The slot Delete or Revoke names. */
static enum cairn_error decode_target(struct invocation *inv, struct cte **slot)
{
	enum cairn_error e = inv_need_args(inv, 2);

	if (e == CAIRN_OK) {
		e = inv_lookup_slot(inv, CAIRN_ARG_DEST_INDEX, &inv->slot->cap,
				    inv->args[0], inv->args[1], slot);
	}
	return e;
}

enum cairn_error cnode_invoke(struct invocation *inv)
{
	struct cnode_op op;
	struct cte *slot;
	enum cairn_error e;

	switch (inv->label) {
	case CAIRN_CNODE_COPY:
	case CAIRN_CNODE_MINT:
		e = decode_copy(inv, &op);
		if (e == CAIRN_OK) {
			cdt_insert_child(op.src, op.dest, &op.cap);
		}
		return e;
	case CAIRN_CNODE_MOVE:
	case CAIRN_CNODE_MUTATE:
		e = decode_move(inv, &op);
		if (e == CAIRN_OK) {
			cdt_move(op.src, op.dest, &op.cap);
		}
		return e;
	case CAIRN_CNODE_DELETE:
		e = decode_target(inv, &slot);
		return e == CAIRN_OK ? cte_delete(slot, &inv->err) : e;
	case CAIRN_CNODE_REVOKE:
		e = decode_target(inv, &slot);
		return e == CAIRN_OK ? cte_revoke(slot, &inv->err) : e;
	default:
		return inv_bad_label(inv);
	}
}
