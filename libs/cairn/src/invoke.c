#include <libcairn/invoke.h>
#include <libcairn/syscall.h>

struct cairn_result cairn_invoke(uint64_t cptr, uint64_t label,
				 const uint64_t *words, unsigned n)
{
	/* Not zero-initialised: that is 520 bytes per invocation (2 600
	 * instructions of picolibc's memset); only the words sent are set,
	 * and those that travel in registers. */
	struct cairn_msg msg;
	struct cairn_result r;

	msg.info = CAIRN_MSGINFO(label, n);
	for (unsigned i = 0; i < n && i < CAIRN_MSG_MAX_WORDS; i++) {
		msg.mr[i] = words[i];
	}
	for (unsigned i = n; i < CAIRN_MSG_REG_WORDS; i++) {
		msg.mr[i] = 0;
	}
	r.error = cairn_call(cptr, &msg);
	for (int i = 0; i < CAIRN_ERROR_DETAIL_WORDS; i++) {
		r.detail[i] = r.error != CAIRN_OK ? msg.mr[i] : 0;
	}
	return r;
}

/* A Call whose reply, on success, is `count` words: copied to out. */
static struct cairn_result call_reading(uint64_t cptr, struct cairn_msg *msg,
					uint64_t *out, unsigned count)
{
	struct cairn_result r = {.error = cairn_call(cptr, msg)};

	for (unsigned i = 0; r.error == CAIRN_OK && i < count; i++) {
		out[i] = i < CAIRN_MSG_REG_WORDS ? msg->mr[i]
						 : cairn_ipc_buffer->mr[i];
	}
	for (int i = 0; r.error != CAIRN_OK && i < CAIRN_ERROR_DETAIL_WORDS;
	     i++) {
		r.detail[i] = msg->mr[i];
	}
	return r;
}

/* A short message's words set, the rest of the register words zero, and
 * nothing more (the message is 520 bytes: not zeroed whole). */
static void short_msg(struct cairn_msg *m, uint64_t label, uint64_t w0,
		      uint64_t w1, unsigned n)
{
	m->info = CAIRN_MSGINFO(label, n);
	m->mr[0] = w0;
	m->mr[1] = w1;
	for (unsigned i = 2; i < CAIRN_MSG_REG_WORDS; i++) {
		m->mr[i] = 0;
	}
}

#define INVOKE(cptr, label, ...)                                               \
	do {                                                                   \
		const uint64_t w_[] = {__VA_ARGS__};                           \
		return cairn_invoke(cptr, label, w_,                           \
				    sizeof(w_) / sizeof(w_[0]));               \
	} while (0)

struct cairn_result cairn_untyped_retype(uint64_t untyped, uint64_t type,
					 uint64_t size_bits, uint64_t dest_root,
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

struct cairn_result cairn_frame_map(uint64_t frame, uint64_t vspace,
				    uint64_t ipa, uint64_t rights,
				    uint64_t attributes)
{
	INVOKE(frame, CAIRN_FRAME_MAP, vspace, ipa, rights, attributes);
}

struct cairn_result cairn_frame_unmap(uint64_t frame)
{
	return cairn_invoke(frame, CAIRN_FRAME_UNMAP, 0, 0);
}

struct cairn_result cairn_frame_get_address(uint64_t frame)
{
	struct cairn_msg msg = {.info =
				    CAIRN_MSGINFO(CAIRN_FRAME_GET_ADDRESS, 0)};
	struct cairn_result r = {.error = cairn_call(frame, &msg)};
	r.detail[0] = msg.mr[0];
	return r;
}

struct cairn_result cairn_page_table_map(uint64_t pt, uint64_t vspace,
					 uint64_t ipa)
{
	INVOKE(pt, CAIRN_PAGE_TABLE_MAP, vspace, ipa);
}

struct cairn_result cairn_page_table_unmap(uint64_t pt)
{
	return cairn_invoke(pt, CAIRN_PAGE_TABLE_UNMAP, 0, 0);
}

struct cairn_result cairn_frame_map_io(uint64_t frame, uint64_t iospace,
				       uint64_t iova, uint64_t rights)
{
	INVOKE(frame, CAIRN_FRAME_MAP_IO, iospace, iova, rights);
}

struct cairn_result cairn_frame_unmap_io(uint64_t frame)
{
	return cairn_invoke(frame, CAIRN_FRAME_UNMAP_IO, 0, 0);
}

struct cairn_result cairn_iospace_map_frames(uint64_t iospace,
					     uint64_t dest_root,
					     uint64_t dest_first,
					     uint64_t src_root,
					     uint64_t src_first, uint64_t count,
					     uint64_t iova, uint64_t rights)
{
	INVOKE(iospace, CAIRN_IOSPACE_MAP_FRAMES, dest_root, dest_first,
	       src_root, src_first, count, iova, rights);
}

struct cairn_result cairn_iospace_unmap_frames(uint64_t iospace, uint64_t cnode,
					       uint64_t first, uint64_t count)
{
	INVOKE(iospace, CAIRN_IOSPACE_UNMAP_FRAMES, cnode, first, count);
}

struct cairn_result cairn_sid_control_get_intx(uint64_t sid_control,
					       uint64_t devfn, uint64_t pin,
					       uint64_t dest_root,
					       uint64_t dest_index,
					       uint64_t dest_depth)
{
	struct cairn_msg msg;
	uint64_t intid = 0;

	msg.info = CAIRN_MSGINFO(CAIRN_SID_CONTROL_GET_INTX, 5);
	msg.mr[0] = devfn;
	msg.mr[1] = pin;
	msg.mr[2] = dest_root;
	msg.mr[3] = dest_index;
	msg.mr[4] = dest_depth;
	for (unsigned i = 5; i < CAIRN_MSG_REG_WORDS; i++) {
		msg.mr[i] = 0;
	}
	struct cairn_result r = call_reading(sid_control, &msg, &intid, 1);
	if (r.error == CAIRN_OK) {
		r.detail[0] = intid;
	}
	return r;
}

struct cairn_result cairn_io_page_table_map(uint64_t pt, uint64_t iospace,
					    uint64_t iova)
{
	INVOKE(pt, CAIRN_IO_PAGE_TABLE_MAP, iospace, iova);
}

struct cairn_result cairn_io_page_table_unmap(uint64_t pt)
{
	return cairn_invoke(pt, CAIRN_IO_PAGE_TABLE_UNMAP, 0, 0);
}

struct cairn_result cairn_tcb_configure(uint64_t tcb, uint64_t cspace,
					uint64_t vspace, uint64_t ipc_frame,
					uint64_t ipc_ipa, uint64_t fault_ep)
{
	INVOKE(tcb, CAIRN_TCB_CONFIGURE, cspace, vspace, ipc_frame, ipc_ipa,
	       fault_ep);
}

struct cairn_result cairn_tcb_set_priority(uint64_t tcb, uint64_t authority,
					   uint64_t priority)
{
	INVOKE(tcb, CAIRN_TCB_SET_PRIORITY, authority, priority);
}

struct cairn_result cairn_tcb_set_mc_priority(uint64_t tcb, uint64_t authority,
					      uint64_t mcp)
{
	INVOKE(tcb, CAIRN_TCB_SET_MC_PRIORITY, authority, mcp);
}

struct cairn_result cairn_tcb_write_registers(uint64_t tcb, int resume,
					      const uint64_t *regs,
					      unsigned count)
{
	uint64_t w[2 + CAIRN_TCB_REGISTER_COUNT] = {(uint64_t)resume, count};

	for (unsigned i = 0; i < count && i < CAIRN_TCB_REGISTER_COUNT; i++) {
		w[2 + i] = regs[i];
	}
	return cairn_invoke(tcb, CAIRN_TCB_WRITE_REGISTERS, w, 2 + count);
}

struct cairn_result cairn_tcb_read_registers(uint64_t tcb, uint64_t *regs,
					     unsigned count)
{
	struct cairn_msg msg = {
	    .info = CAIRN_MSGINFO(CAIRN_TCB_READ_REGISTERS, 1), .mr = {count}};

	return call_reading(tcb, &msg, regs, count);
}

struct cairn_result cairn_tcb_resume(uint64_t tcb)
{
	return cairn_invoke(tcb, CAIRN_TCB_RESUME, 0, 0);
}

struct cairn_result cairn_tcb_suspend(uint64_t tcb)
{
	return cairn_invoke(tcb, CAIRN_TCB_SUSPEND, 0, 0);
}

struct cairn_result cairn_tcb_bind_notification(uint64_t tcb, uint64_t ntfn)
{
	INVOKE(tcb, CAIRN_TCB_BIND_NOTIFICATION, ntfn);
}

struct cairn_result cairn_tcb_set_name(uint64_t tcb, const char *name)
{
	uint64_t w[2] = {0, 0};
	char *p = (char *)w;

	for (int i = 0; i < 15 && name[i] != '\0'; i++) {
		p[i] = name[i];
	}
	return cairn_invoke(tcb, CAIRN_TCB_SET_NAME, w, 2);
}

struct cairn_result cairn_irq_control_get(uint64_t control, uint64_t irq,
					  uint64_t trigger, uint64_t dest_root,
					  uint64_t dest_index,
					  uint64_t dest_depth)
{
	INVOKE(control, CAIRN_IRQ_CONTROL_GET, irq, trigger, dest_root,
	       dest_index, dest_depth);
}

struct cairn_result cairn_irq_handler_set_notification(uint64_t handler,
						       uint64_t ntfn)
{
	INVOKE(handler, CAIRN_IRQ_HANDLER_SET_NOTIFICATION, ntfn);
}

struct cairn_result cairn_irq_handler_ack(uint64_t handler)
{
	return cairn_invoke(handler, CAIRN_IRQ_HANDLER_ACK, 0, 0);
}

struct cairn_result cairn_irq_handler_clear(uint64_t handler)
{
	return cairn_invoke(handler, CAIRN_IRQ_HANDLER_CLEAR, 0, 0);
}

struct cairn_result cairn_sid_control_get(uint64_t control, uint64_t sid,
					  uint64_t dest_root,
					  uint64_t dest_index,
					  uint64_t dest_depth)
{
	INVOKE(control, CAIRN_SID_CONTROL_GET, sid, dest_root, dest_index,
	       dest_depth);
}

struct cairn_result cairn_sid_control_info(uint64_t control,
					   uint64_t info[CAIRN_SID_INFO_WORDS])
{
	struct cairn_msg msg = {.info =
				    CAIRN_MSGINFO(CAIRN_SID_CONTROL_INFO, 0)};

	return call_reading(control, &msg, info, CAIRN_SID_INFO_WORDS);
}

struct cairn_result cairn_sid_control_pcie(uint64_t control,
					   struct cairn_pcie_info *out)
{
	struct cairn_msg msg = {.info =
				    CAIRN_MSGINFO(CAIRN_SID_CONTROL_PCIE, 0)};
	_Static_assert(sizeof(*out) == CAIRN_PCIE_INFO_WORDS * sizeof(uint64_t),
		       "the reply, word for word");

	return call_reading(control, &msg, (uint64_t *)out,
			    CAIRN_PCIE_INFO_WORDS);
}

struct cairn_result cairn_stream_bind_vspace(uint64_t stream, uint64_t vspace)
{
	INVOKE(stream, CAIRN_STREAM_BIND_VSPACE, vspace);
}

struct cairn_result cairn_stream_bind_iospace(uint64_t stream, uint64_t iospace)
{
	INVOKE(stream, CAIRN_STREAM_BIND_IOSPACE, iospace);
}

struct cairn_result cairn_stream_unbind(uint64_t stream)
{
	return cairn_invoke(stream, CAIRN_STREAM_UNBIND, 0, 0);
}

struct cairn_result cairn_stream_set_fault_notification(uint64_t stream,
							uint64_t ntfn)
{
	INVOKE(stream, CAIRN_STREAM_SET_FAULT_NOTIFICATION, ntfn);
}

struct cairn_result cairn_stream_get_faults(uint64_t stream,
					    struct cairn_stream_faults *out)
{
	struct cairn_msg msg = {.info =
				    CAIRN_MSGINFO(CAIRN_STREAM_GET_FAULTS, 0)};
	_Static_assert(sizeof(*out) == (3 + CAIRN_STREAM_FAULTS_PER_CALL *
						CAIRN_STREAM_FAULT_WORDS) *
					   sizeof(uint64_t),
		       "the reply, word for word");

	return call_reading(stream, &msg, (uint64_t *)out,
			    sizeof(*out) / sizeof(uint64_t));
}

const char *cairn_error_name(long error)
{
	static const char *const names[CAIRN_ERROR_COUNT] = {
	    "ok",
	    "invalid argument",
	    "invalid capability",
	    "illegal operation",
	    "range error",
	    "alignment error",
	    "failed lookup",
	    "truncated message",
	    "delete first",
	    "revoke first",
	    "not enough memory",
	    "not supported",
	};
	return error >= 0 && error < CAIRN_ERROR_COUNT ? names[error]
						       : "unknown error";
}

struct cairn_result cairn_tcb_bind_vcpu(uint64_t tcb, uint64_t vcpu)
{
	INVOKE(tcb, CAIRN_TCB_BIND_VCPU, vcpu);
}

struct cairn_result cairn_tcb_unbind_vcpu(uint64_t tcb)
{
	return cairn_invoke(tcb, CAIRN_TCB_UNBIND_VCPU, 0, 0);
}

struct cairn_result cairn_vcpu_read_regs(uint64_t vcpu, unsigned first,
					 unsigned count, uint64_t *values)
{
	struct cairn_msg msg;

	short_msg(&msg, CAIRN_VCPU_READ_REGS, first, count, 2);
	return call_reading(vcpu, &msg, values, count);
}

struct cairn_result cairn_vcpu_write_regs(uint64_t vcpu, unsigned first,
					  unsigned count,
					  const uint64_t *values)
{
	uint64_t w[2 + CAIRN_VCPU_REG_COUNT] = {first, count};

	for (unsigned i = 0; i < count && i < CAIRN_VCPU_REG_COUNT; i++) {
		w[2 + i] = values[i];
	}
	return cairn_invoke(vcpu, CAIRN_VCPU_WRITE_REGS, w, 2 + count);
}

struct cairn_result cairn_vcpu_irq_state(uint64_t vcpu, uint64_t intid,
					 uint64_t *state)
{
	struct cairn_msg msg;

	short_msg(&msg, CAIRN_VCPU_IRQ_STATE, intid, 0, 1);
	return call_reading(vcpu, &msg, state, 1);
}

struct cairn_result cairn_vcpu_inject_irq(uint64_t vcpu, uint64_t intid,
					  uint64_t priority, uint64_t group)
{
	INVOKE(vcpu, CAIRN_VCPU_INJECT_IRQ, intid, priority, group);
}
