#include "cap/cspace.h"

#include "assert.h"

enum cairn_error cspace_resolve(const struct cap *root, uint64_t cptr,
				unsigned depth, struct lookup *out,
				struct inv_error *err)
{
	return cspace_walk(root, cptr, depth, out, err);
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
		return cspace_lookup_fail(err, CAIRN_LOOKUP_DEPTH_MISMATCH,
					  l.bits_left, depth);
	}
	if (l.index == 0) {
		return cspace_lookup_fail(err, CAIRN_LOOKUP_NULL_SLOT, 0,
					  depth);
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
		return cspace_lookup_fail(err, CAIRN_LOOKUP_MISSING_CAP,
					  l.bits_left, CPTR_BITS);
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
		err->detail[3] = root_arg; /* which lookup failed */
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
		err->detail[3] = root_arg + 1;
		return e;
	}
	if (slot->cap.type != CAP_CNODE) {
		return inv_fail(err, CAIRN_INVALID_CAPABILITY, root_arg + 1, 0,
				0);
	}
	*cnode = slot->cap;
	return CAIRN_OK;
}
