/*
 * CSpace addressing: guarded, radix-addressed CNodes. A capability address
 * (cptr) is read from its most significant `depth` bits down. At each CNode
 * the next guard_bits must equal the guard, then radix_bits index a slot.
 */
#pragma once

#include "assert.h"
#include "cap/cap.h"

#define CPTR_BITS 64

struct lookup {
	struct cte *slot;
	uint64_t index;	    /* slot's index in its CNode */
	unsigned bits_left; /* address bits not consumed */
};

/*
 * Invariant: slot 0 of every CNode stays empty. cspace_lookup_slot, the
 * way every destination slot is found, refuses index 0
 * (CAIRN_LOOKUP_NULL_SLOT), and Retype's destination offsets start at 1. So
 * a cptr of 0, which resolves to slot 0 of its CSpace root (or fails on a
 * guard), never names an object, and 0 can mean "none" wherever the ABI
 * takes a cptr.
 */

/*
 * Resolves cptr's top `depth` bits from the CNode cap root. Stops at the
 * first slot that holds no CNode cap or when the bits run out; a path that
 * needs more bits than are left fails with a depth mismatch. On failure,
 * fills err with CAIRN_FAILED_LOOKUP (kind, bits left, depth reached).
 */
enum cairn_error cspace_resolve(const struct cap *root, uint64_t cptr,
				unsigned depth, struct lookup *out,
				struct inv_error *err);

static inline enum cairn_error
cspace_lookup_fail(struct inv_error *err, enum cairn_lookup_failure kind,
		   unsigned bits_left, unsigned depth)
{
	return inv_fail(err, CAIRN_FAILED_LOOKUP, kind, bits_left,
			depth - bits_left);
}

/* cspace_resolve's body, inline for the IPC fastpath. */
static inline __attribute__((always_inline)) enum cairn_error
cspace_walk(const struct cap *root, uint64_t cptr, unsigned depth,
	    struct lookup *out, struct inv_error *err)
{
	const struct cap *node = root;
	unsigned left = depth;

	if (depth < 1 || depth > CPTR_BITS) {
		return cspace_lookup_fail(err, CAIRN_LOOKUP_DEPTH_MISMATCH,
					  depth, depth);
	}
	if (root->type != CAP_CNODE) {
		return cspace_lookup_fail(err, CAIRN_LOOKUP_INVALID_ROOT, left,
					  depth);
	}
	/*
	 * Every CNode has a radix of at least 1 and guard + radix <= 64
	 * (Retype and Mint keep both), so each level consumes 1..left bits
	 * and both shifts below stay in 0..63. The guard is stored masked to
	 * guard_bits, so one compare covers guard_bits == 0. This loop is
	 * also the fastpath's lookup: keep it branch-light.
	 */
	for (;;) {
		unsigned radix = node->size_bits;
		unsigned level = radix + node->guard_bits;

		ASSERT(radix >= 1 && level <= CPTR_BITS);
		if (level > left) {
			return cspace_lookup_fail(
			    err, CAIRN_LOOKUP_DEPTH_MISMATCH, left, depth);
		}
		/* Bits [left - level, left) of the cptr: guard, then index. */
		uint64_t bits =
		    (cptr << (CPTR_BITS - left)) >> (CPTR_BITS - level);

		if ((bits >> radix) != node->guard) {
			return cspace_lookup_fail(
			    err, CAIRN_LOOKUP_GUARD_MISMATCH, left, depth);
		}
		uint64_t index = bits & ((1ULL << radix) - 1);
		left -= level;
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

/* A slot named with an explicit depth, which must be consumed exactly;
 * never slot 0 of a CNode. */
enum cairn_error cspace_lookup_slot(const struct cap *root, uint64_t cptr,
				    unsigned depth, struct cte **slot,
				    struct inv_error *err);

/* The non-empty slot a cptr names, resolving all CPTR_BITS bits. */
enum cairn_error cspace_lookup_cap(const struct cap *root, uint64_t cptr,
				   struct cte **slot, struct inv_error *err);

/*
 * The CNode named by (root cptr in cspace, index, depth), as seL4 names
 * destination CNodes: depth 0 means the root CNode itself. A root that is not
 * a CNode cap fails with CAIRN_INVALID_CAPABILITY naming root_arg; a
 * resolved slot that is not a CNode names root_arg + 1 (the index). A
 * failed lookup names the same arguments in detail[3].
 */
enum cairn_error cspace_lookup_cnode(const struct cap *cspace,
				     uint64_t root_cptr, uint64_t index,
				     uint64_t depth, unsigned root_arg,
				     struct cap *cnode, struct inv_error *err);
