/*
 * Cairn ABI: error codes. Every failed invocation returns one of these in
 * x0 and says what was wrong in the detail words (see docs/abi.md):
 *   detail[0]  the argument at fault (CAIRN_ARG_*) or the lookup failure kind
 *   detail[1]  the smallest allowed value, or the bits left unresolved
 *   detail[2]  the largest allowed value, or the depth reached
 *   detail[3]  for CAIRN_FAILED_LOOKUP: which capability argument's lookup
 *              failed (CAIRN_ARG_*), so a source and a destination can be
 *              told apart; 0 otherwise
 */

#define CAIRN_ERROR_DETAIL_WORDS 4
#pragma once

enum cairn_error {
	CAIRN_OK = 0,
	CAIRN_INVALID_ARGUMENT = 1,   /* detail[0]: which argument */
	CAIRN_INVALID_CAPABILITY = 2, /* detail[0]: which capability argument */
	CAIRN_ILLEGAL_OPERATION =
	    3,			   /* valid request, not allowed on this cap */
	CAIRN_RANGE_ERROR = 4,	   /* detail[0..2]: argument, min, max */
	CAIRN_ALIGNMENT_ERROR = 5, /* detail[0]: which argument */
	CAIRN_FAILED_LOOKUP = 6,   /* detail[0..2]: kind, bits left, depth */
	CAIRN_TRUNCATED_MESSAGE = 7,  /* detail[1]: message registers needed */
	CAIRN_DELETE_FIRST = 8,	      /* a destination slot is occupied */
	CAIRN_REVOKE_FIRST = 9,	      /* the cap has derived children */
	CAIRN_NOT_ENOUGH_MEMORY = 10, /* detail[1]: bytes available */
	CAIRN_NOT_SUPPORTED = 11, /* valid, but not on this build/hardware */
	CAIRN_ERROR_COUNT
};

/* detail[0] of CAIRN_FAILED_LOOKUP. */
enum cairn_lookup_failure {
	CAIRN_LOOKUP_INVALID_ROOT = 1,	 /* the root is not a CNode cap */
	CAIRN_LOOKUP_MISSING_CAP = 2,	 /* an empty slot on the path */
	CAIRN_LOOKUP_DEPTH_MISMATCH = 3, /* depth ends mid-level, or too deep */
	CAIRN_LOOKUP_GUARD_MISMATCH =
	    4,			    /* the address does not match a guard */
	CAIRN_LOOKUP_NULL_SLOT = 5, /* slot 0 of a CNode: always empty */
};
