/* libcairn: typed wrappers for kernel object invocations. */
#pragma once

#include <cairn/errors.h>
#include <cairn/invocations.h>
#include <cairn/objects.h>
#include <stdint.h>

/* An invocation's outcome: the error and its detail words. */
struct cairn_result {
	long error;
	uint64_t detail[3];
};

struct cairn_result cairn_untyped_retype(uint64_t untyped, uint64_t type,
					 uint64_t size_bits,
					 uint64_t dest_root,
					 uint64_t dest_index,
					 uint64_t dest_depth,
					 uint64_t dest_offset, uint64_t count);

struct cairn_result cairn_cnode_copy(uint64_t cnode, uint64_t dest_index,
				     uint64_t dest_depth, uint64_t src_root,
				     uint64_t src_index, uint64_t src_depth,
				     uint64_t rights);
struct cairn_result cairn_cnode_mint(uint64_t cnode, uint64_t dest_index,
				     uint64_t dest_depth, uint64_t src_root,
				     uint64_t src_index, uint64_t src_depth,
				     uint64_t rights, uint64_t badge);
struct cairn_result cairn_cnode_move(uint64_t cnode, uint64_t dest_index,
				     uint64_t dest_depth, uint64_t src_root,
				     uint64_t src_index, uint64_t src_depth);
struct cairn_result cairn_cnode_mutate(uint64_t cnode, uint64_t dest_index,
				       uint64_t dest_depth, uint64_t src_root,
				       uint64_t src_index, uint64_t src_depth,
				       uint64_t badge);
struct cairn_result cairn_cnode_delete(uint64_t cnode, uint64_t index,
				       uint64_t depth);
struct cairn_result cairn_cnode_revoke(uint64_t cnode, uint64_t index,
				       uint64_t depth);

/* A raw invocation with n words, for tests of malformed messages. */
struct cairn_result cairn_invoke(uint64_t cptr, uint64_t label,
				 const uint64_t *words, unsigned n);

const char *cairn_error_name(long error);
