#include "cap/cspace.h"

#include "assert.h"

/* Bits [top - n, top) of w, for 0 < n <= top <= 64. */
static uint64_t bits_at(uint64_t w, unsigned top, unsigned n)
{
	uint64_t v = top == 64 ? w : w & ((1ULL << top) - 1);

	v >>= top - n;
	return n == 64 ? v : v & ((1ULL << n) - 1);
}

static enum cairn_error lookup_fail(struct inv_error *err,
				    enum cairn_lookup_failure kind,
				    unsigned bits_left, unsigned depth)
{
	return inv_fail(err, CAIRN_FAILED_LOOKUP, kind, bits_left,
			depth - bits_left);
}

enum cairn_error cspace_resolve(const struct cap *root, uint64_t cptr,
				unsigned depth, struct lookup *out,
				struct inv_error *err)
{
	const struct cap *node = root;
	unsigned left = depth;

	if (depth < 1 || depth > CPTR_BITS) {
		return lookup_fail(err, CAIRN_LOOKUP_DEPTH_MISMATCH, depth,
				   depth);
	}
	if (root->type != CAP_CNODE) {
		return lookup_fail(err, CAIRN_LOOKUP_INVALID_ROOT, left, depth);
	}
	for (;;) {
		unsigned level = node->size_bits + node->guard_bits;

		if (level > left) {
			return lookup_fail(err, CAIRN_LOOKUP_DEPTH_MISMATCH,
					   left, depth);
		}
		if (node->guard_bits != 0 &&
		    bits_at(cptr, left, node->guard_bits) != node->guard) {
			return lookup_fail(err, CAIRN_LOOKUP_GUARD_MISMATCH,
					   left, depth);
		}
		left -= node->guard_bits;
		uint64_t index = bits_at(cptr, left, node->size_bits);
		left -= node->size_bits;
		struct cte *slot = &cnode_slots(node)[index];

		if (left == 0 || slot->cap.type != CAP_CNODE) {
			ASSERT(index != 0 || cap_is_null(&slot->cap));
			out->slot = slot;
			out->index = index;
			out->bits_left = left;
			return CAIRN_OK;
		}
		node = &slot->cap;
	}
}

enum cairn_error cspace_lookup_slot(const struct cap *root, uint64_t cptr,
				    unsigned depth, struct cte **slot,
				    struct inv_error *err)
{
	struct lookup l;
	enum cairn_error e = cspace_resolve(root, cptr, depth, &l, err);

	if (e != CAIRN_OK) {
		return e;
	}
	if (l.bits_left != 0) {
		return lookup_fail(err, CAIRN_LOOKUP_DEPTH_MISMATCH,
				   l.bits_left, depth);
	}
	if (l.index == 0) {
		return lookup_fail(err, CAIRN_LOOKUP_NULL_SLOT, 0, depth);
	}
	*slot = l.slot;
	return CAIRN_OK;
}

enum cairn_error cspace_lookup_cap(const struct cap *root, uint64_t cptr,
				   struct cte **slot, struct inv_error *err)
{
	struct lookup l;
	enum cairn_error e = cspace_resolve(root, cptr, CPTR_BITS, &l, err);

	if (e != CAIRN_OK) {
		return e;
	}
	if (cap_is_null(&l.slot->cap)) {
		return lookup_fail(err, CAIRN_LOOKUP_MISSING_CAP, l.bits_left,
				   CPTR_BITS);
	}
	*slot = l.slot;
	return CAIRN_OK;
}

enum cairn_error cspace_lookup_cnode(const struct cap *cspace,
				     uint64_t root_cptr, uint64_t index,
				     uint64_t depth, unsigned root_arg,
				     struct cap *cnode, struct inv_error *err)
{
	struct cte *root;
	struct cte *slot;
	enum cairn_error e = cspace_lookup_cap(cspace, root_cptr, &root, err);

	if (e != CAIRN_OK) {
		return e;
	}
	if (root->cap.type != CAP_CNODE) {
		return inv_fail(err, CAIRN_INVALID_CAPABILITY, root_arg, 0, 0);
	}
	if (depth == 0) {
		*cnode = root->cap;
		return CAIRN_OK;
	}
	e = cspace_lookup_slot(&root->cap, index,
			       depth > CPTR_BITS ? 0 : (unsigned)depth, &slot,
			       err);
	if (e != CAIRN_OK) {
		return e;
	}
	if (slot->cap.type != CAP_CNODE) {
		return inv_fail(err, CAIRN_INVALID_CAPABILITY, root_arg + 1, 0,
				0);
	}
	*cnode = slot->cap;
	return CAIRN_OK;
}
