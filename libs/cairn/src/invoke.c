#include <libcairn/invoke.h>
#include <libcairn/syscall.h>

struct cairn_result cairn_invoke(uint64_t cptr, uint64_t label,
				 const uint64_t *words, unsigned n)
{
	struct cairn_msg msg = {.info = CAIRN_MSGINFO(label, n)};
	struct cairn_result r;

	for (unsigned i = 0; i < n && i < CAIRN_MSG_MAX_WORDS; i++) {
		msg.mr[i] = words[i];
	}
	r.error = cairn_call(cptr, &msg);
	for (int i = 0; i < 3; i++) {
		r.detail[i] = r.error != CAIRN_OK ? msg.mr[i] : 0;
	}
	return r;
}

#define INVOKE(cptr, label, ...)                                               \
	do {                                                                   \
		const uint64_t w_[] = {__VA_ARGS__};                           \
		return cairn_invoke(cptr, label, w_,                           \
				    sizeof(w_) / sizeof(w_[0]));               \
	} while (0)

struct cairn_result cairn_untyped_retype(uint64_t untyped, uint64_t type,
					 uint64_t size_bits,
					 uint64_t dest_root,
					 uint64_t dest_index,
					 uint64_t dest_depth,
					 uint64_t dest_offset, uint64_t count)
{
	INVOKE(untyped, CAIRN_UNTYPED_RETYPE, type, size_bits, dest_root,
	       dest_index, dest_depth, dest_offset, count);
}

struct cairn_result cairn_cnode_copy(uint64_t cnode, uint64_t dest_index,
				     uint64_t dest_depth, uint64_t src_root,
				     uint64_t src_index, uint64_t src_depth,
				     uint64_t rights)
{
	INVOKE(cnode, CAIRN_CNODE_COPY, dest_index, dest_depth, src_root,
	       src_index, src_depth, rights);
}

struct cairn_result cairn_cnode_mint(uint64_t cnode, uint64_t dest_index,
				     uint64_t dest_depth, uint64_t src_root,
				     uint64_t src_index, uint64_t src_depth,
				     uint64_t rights, uint64_t badge)
{
	INVOKE(cnode, CAIRN_CNODE_MINT, dest_index, dest_depth, src_root,
	       src_index, src_depth, rights, badge);
}

struct cairn_result cairn_cnode_move(uint64_t cnode, uint64_t dest_index,
				     uint64_t dest_depth, uint64_t src_root,
				     uint64_t src_index, uint64_t src_depth)
{
	INVOKE(cnode, CAIRN_CNODE_MOVE, dest_index, dest_depth, src_root,
	       src_index, src_depth);
}

struct cairn_result cairn_cnode_mutate(uint64_t cnode, uint64_t dest_index,
				       uint64_t dest_depth, uint64_t src_root,
				       uint64_t src_index, uint64_t src_depth,
				       uint64_t badge)
{
	INVOKE(cnode, CAIRN_CNODE_MUTATE, dest_index, dest_depth, src_root,
	       src_index, src_depth, badge);
}

struct cairn_result cairn_cnode_delete(uint64_t cnode, uint64_t index,
				       uint64_t depth)
{
	INVOKE(cnode, CAIRN_CNODE_DELETE, index, depth);
}

struct cairn_result cairn_cnode_revoke(uint64_t cnode, uint64_t index,
				       uint64_t depth)
{
	INVOKE(cnode, CAIRN_CNODE_REVOKE, index, depth);
}

const char *cairn_error_name(long error)
{
	static const char *const names[CAIRN_ERROR_COUNT] = {
	    "ok",	       "invalid argument", "invalid capability",
	    "illegal operation", "range error",	   "alignment error",
	    "failed lookup",   "truncated message", "delete first",
	    "revoke first",    "not enough memory", "not supported",
	};
	return error >= 0 && error < CAIRN_ERROR_COUNT ? names[error]
						       : "unknown error";
}
