/*
 * One shape for every invocation. The system-call layer reads the message
 * into a struct invocation and hands it to the entry of invoke_table for
 * the invoked capability's type (invocation.c). Every operation has two
 * phases, named the same way throughout the kernel:
 *
 *   decode_<op>   checks the arguments and looks up every capability they
 *                 name; it writes nothing but its own op struct and
 *                 inv->err, so a refused invocation changes no state;
 *   perform_<op>  carries the decoded op out and cannot fail.
 *
 * A long operation may also stop at a preemption point between the two
 * (CAIRN_RESTART, see preempt.h): it then changes only state that leaves
 * the operation's meaning unchanged, and is decoded again when the caller
 * re-executes the system call.
 */
#pragma once

#include "cap/cap.h"

#include <cairn/invocations.h>
#include <cairn/syscalls.h>

struct tcb;

struct invocation {
	struct tcb *caller; /* NULL in host unit tests */
	struct cte *slot;   /* the invoked capability */
	uint64_t label;
	const uint64_t *args;
	size_t nargs;
	const struct cap *cspace; /* the caller's CSpace root */
	uint64_t *reply;	  /* reply words on success... */
	size_t reply_len;	  /* ...and how many */
	struct inv_error err;	  /* what was wrong on failure */
};

typedef enum cairn_error (*invoke_fn)(struct invocation *inv);

/* Decodes and performs inv on the capability in inv->slot. */
enum cairn_error invoke(struct invocation *inv);

static inline enum cairn_error inv_refuse(struct invocation *inv,
					  enum cairn_error code, uint64_t d0,
					  uint64_t d1, uint64_t d2)
{
	return inv_fail(&inv->err, code, d0, d1, d2);
}

/* The label names no operation of this object type. */
static inline enum cairn_error inv_bad_label(struct invocation *inv)
{
	return inv_refuse(inv, CAIRN_ILLEGAL_OPERATION, CAIRN_ARG_LABEL,
			  inv->label, 0);
}

/* CAIRN_TRUNCATED_MESSAGE unless the message carries n words. */
static inline enum cairn_error inv_need_args(struct invocation *inv, size_t n)
{
	return inv->nargs < n
		   ? inv_refuse(inv, CAIRN_TRUNCATED_MESSAGE, 0, n, 0)
		   : CAIRN_OK;
}

/*
 * The lookups an invocation makes for its capability arguments. Each names
 * the argument it resolves (CAIRN_ARG_*): a failed lookup carries it in
 * detail[3], a capability of the wrong type returns
 * CAIRN_INVALID_CAPABILITY with it in detail[0].
 */
enum cairn_error inv_lookup_cap(struct invocation *inv, unsigned arg,
				uint64_t cptr, struct cte **slot);
enum cairn_error inv_lookup_typed(struct invocation *inv, unsigned arg,
				  uint64_t cptr, enum cap_type type,
				  struct cte **slot);
/* An explicit-depth slot (cspace_lookup_slot) under root. */
enum cairn_error inv_lookup_slot(struct invocation *inv, unsigned arg,
				 const struct cap *root, uint64_t cptr,
				 uint64_t depth, struct cte **slot);
/* A destination CNode (cspace_lookup_cnode): root_arg names the root cptr,
 * root_arg + 1 the index. */
enum cairn_error inv_lookup_cnode(struct invocation *inv, unsigned root_arg,
				  uint64_t root_cptr, uint64_t index,
				  uint64_t depth, struct cap *cnode);
/* An empty destination slot (CAIRN_DELETE_FIRST otherwise). */
enum cairn_error inv_lookup_empty(struct invocation *inv, unsigned arg,
				  const struct cap *root, uint64_t cptr,
				  uint64_t depth, struct cte **slot);
/* A control object's Get destination (dest_root, dest_index, dest_depth):
 * an empty slot, its errors named CAIRN_ARG_DEST_ROOT / _DEST_INDEX. */
enum cairn_error inv_lookup_dest(struct invocation *inv, uint64_t root_cptr,
				 uint64_t index, uint64_t depth,
				 struct cte **slot);
