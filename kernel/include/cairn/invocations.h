/*
 * Cairn ABI: invocation labels and their arguments. An invocation is a Call
 * on a capability with the label in the message info word; arguments follow
 * in message registers in the order listed.
 */
#pragma once

enum cairn_invocation {
	/* Untyped */
	CAIRN_UNTYPED_RETYPE = 1,
	/* (type, size_bits, dest_root cptr, dest_index, dest_depth,
	 *  dest_offset, count) */

	/* CNode: every call names its target by (index, depth) in this CNode */
	CAIRN_CNODE_COPY = 16,	 /* (dest_index, dest_depth, src_root, src_index,
				    src_depth, rights) */
	CAIRN_CNODE_MINT = 17,	 /* ... as Copy, then badge (or CNode guard) */
	CAIRN_CNODE_MOVE = 18,	 /* (dest_index, dest_depth, src_root, src_index,
				    src_depth) */
	CAIRN_CNODE_MUTATE = 19, /* ... as Move, then badge (or CNode guard) */
	CAIRN_CNODE_DELETE = 20, /* (index, depth) */
	CAIRN_CNODE_REVOKE = 21, /* (index, depth) */
};

/* detail[0] of CAIRN_INVALID_ARGUMENT, CAIRN_RANGE_ERROR and friends. */
enum cairn_argument {
	CAIRN_ARG_TYPE = 1,
	CAIRN_ARG_SIZE_BITS = 2,
	CAIRN_ARG_DEST_ROOT = 3,
	CAIRN_ARG_DEST_INDEX = 4,
	CAIRN_ARG_DEST_DEPTH = 5,
	CAIRN_ARG_DEST_OFFSET = 6,
	CAIRN_ARG_COUNT = 7,
	CAIRN_ARG_SRC_ROOT = 8,
	CAIRN_ARG_SRC_INDEX = 9,
	CAIRN_ARG_SRC_DEPTH = 10,
	CAIRN_ARG_RIGHTS = 11,
	CAIRN_ARG_BADGE = 12,
	CAIRN_ARG_INVOKED = 13, /* the capability being invoked */
	CAIRN_ARG_LABEL = 14,
};

/*
 * CNode guards set through Mint/Mutate of a CNode cap: the badge word
 * carries guard_bits in bits 0-5 and the guard value from bit 6 up.
 */
#define CAIRN_GUARD_BITS(word)	((unsigned)((word)&0x3f))
#define CAIRN_GUARD_VALUE(word) ((word) >> 6)
#define CAIRN_GUARD_WORD(value, bits)                                          \
	(((unsigned long)(value) << 6) | ((bits)&0x3f))
