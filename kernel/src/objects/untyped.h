/* Untyped memory: Retype carves objects from it with a watermark. */
#pragma once

#include "invocation.h"

#define UNTYPED_RETYPE_MAX_COUNT 256

/* Untyped.Retype, decoded and ready to perform. */
struct retype {
	struct cte *untyped;
	enum cairn_object_type type;
	unsigned size_bits; /* the argument: Untyped size, CNode radix */
	unsigned obj_bits;  /* log2 bytes of each object */
	struct cte *dest;   /* first destination slot */
	uint64_t count;
	uint64_t offset; /* of the first object from the Untyped's base */
};

/* Untyped invocations (Retype). */
enum cairn_error untyped_invoke(struct invocation *inv);
