/* Untyped memory: Retype carves objects from it with a watermark. */
#pragma once

#include "cap/cap.h"

#define UNTYPED_RETYPE_MAX_COUNT 256

/* Untyped.Retype, validated by decode and ready to execute. */
struct retype {
	enum cairn_object_type type;
	unsigned size_bits; /* the argument: Untyped size, CNode radix */
	unsigned obj_bits;  /* log2 bytes of each object */
	struct cte *dest;   /* first destination slot */
	uint64_t count;
	uint64_t offset; /* of the first object from the Untyped's base */
};

/*
 * Checks Untyped.Retype(type, size_bits, dest_root, dest_index, dest_depth,
 * dest_offset, count) on the Untyped in slot, with cptrs resolved in
 * cspace. Changes nothing.
 */
enum cairn_error untyped_decode_retype(struct cte *slot, const uint64_t *args,
				       size_t nargs, const struct cap *cspace,
				       struct retype *out,
				       struct inv_error *err);

/* Creates the objects; cannot fail once decoded. */
void untyped_retype(struct cte *slot, const struct retype *r);

/* Decodes and performs an Untyped invocation. */
enum cairn_error untyped_invoke(struct cte *slot, uint64_t label,
				const uint64_t *args, size_t nargs,
				const struct cap *cspace,
				struct inv_error *err);
