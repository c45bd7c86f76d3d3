/* libcairn: typed wrappers for kernel object invocations. */
#pragma once

#include <cairn/errors.h>
#include <cairn/invocations.h>
#include <cairn/objects.h>
#include <stdint.h>

/* An invocation's outcome: the error and its detail words. */
struct cairn_result {
	long error;
	uint64_t detail[CAIRN_ERROR_DETAIL_WORDS];
};

struct cairn_result cairn_untyped_retype(uint64_t untyped, uint64_t type,
					 uint64_t size_bits, uint64_t dest_root,
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

struct cairn_result cairn_frame_map(uint64_t frame, uint64_t vspace,
				    uint64_t ipa, uint64_t rights,
				    uint64_t attributes);
struct cairn_result cairn_frame_unmap(uint64_t frame);
/* detail[0] holds the physical address on success. */
struct cairn_result cairn_frame_get_address(uint64_t frame);
struct cairn_result cairn_page_table_map(uint64_t pt, uint64_t vspace,
					 uint64_t ipa);
struct cairn_result cairn_page_table_unmap(uint64_t pt);
/* The device may read/write the frame at iova of the IOSpace (rights:
 * CAIRN_RIGHT_READ | CAIRN_RIGHT_WRITE). */
struct cairn_result cairn_frame_map_io(uint64_t frame, uint64_t iospace,
				       uint64_t iova, uint64_t rights);
struct cairn_result cairn_frame_unmap_io(uint64_t frame);
/* count 4 KiB frame caps from slot src_first of CNode src_root, copied to
 * the empty slots from dest_first of CNode dest_root (slot indices) and
 * mapped at iova.. in the IOSpace, all or none (count at most
 * CAIRN_IOSPACE_MAP_FRAMES_MAX). */
struct cairn_result cairn_iospace_map_frames(uint64_t iospace,
					     uint64_t dest_root,
					     uint64_t dest_first,
					     uint64_t src_root,
					     uint64_t src_first, uint64_t count,
					     uint64_t iova, uint64_t rights);
/* The count Frame caps in slots first.. of CNode cnode (slot indices),
 * each mapped in the IOSpace, deleted; the SMMU's TLB clean on return. */
struct cairn_result cairn_iospace_unmap_frames(uint64_t iospace, uint64_t cnode,
					       uint64_t first, uint64_t count);
struct cairn_result cairn_io_page_table_map(uint64_t pt, uint64_t iospace,
					    uint64_t iova);
struct cairn_result cairn_io_page_table_unmap(uint64_t pt);

struct cairn_result cairn_tcb_configure(uint64_t tcb, uint64_t cspace,
					uint64_t vspace, uint64_t ipc_frame,
					uint64_t ipc_ipa, uint64_t fault_ep);
struct cairn_result cairn_tcb_set_priority(uint64_t tcb, uint64_t authority,
					   uint64_t priority);
struct cairn_result cairn_tcb_set_mc_priority(uint64_t tcb, uint64_t authority,
					      uint64_t mcp);
/* regs: pc, sp, x0.. (count of them); resume: start it too. */
struct cairn_result cairn_tcb_write_registers(uint64_t tcb, int resume,
					      const uint64_t *regs,
					      unsigned count);
/* Reads count registers (pc, sp, x0..) into regs. */
struct cairn_result cairn_tcb_read_registers(uint64_t tcb, uint64_t *regs,
					     unsigned count);
struct cairn_result cairn_tcb_resume(uint64_t tcb);
struct cairn_result cairn_tcb_suspend(uint64_t tcb);
struct cairn_result cairn_tcb_bind_notification(uint64_t tcb, uint64_t ntfn);
struct cairn_result cairn_tcb_set_name(uint64_t tcb, const char *name);
/* The thread runs a guest at EL1 with the VCPU's state; or native again. */
struct cairn_result cairn_tcb_bind_vcpu(uint64_t tcb, uint64_t vcpu);
struct cairn_result cairn_tcb_unbind_vcpu(uint64_t tcb);
/* count of a VCPU's registers from first (enum cairn_vcpu_reg). */
struct cairn_result cairn_vcpu_read_regs(uint64_t vcpu, unsigned first,
					 unsigned count, uint64_t *values);
struct cairn_result cairn_vcpu_write_regs(uint64_t vcpu, unsigned first,
					  unsigned count,
					  const uint64_t *values);
/* Where virtual INTID intid is in the VCPU: CAIRN_VIRQ_PENDING, _ACTIVE. */
struct cairn_result cairn_vcpu_irq_state(uint64_t vcpu, uint64_t intid,
					 uint64_t *state);
/* Makes virtual INTID intid pending in the VCPU's guest (group 0 or 1). */
struct cairn_result cairn_vcpu_inject_irq(uint64_t vcpu, uint64_t intid,
					  uint64_t priority, uint64_t group);

/* An IRQHandler for irq (CAIRN_IRQ_LEVEL or _EDGE) into (root, index, depth).
 */
struct cairn_result cairn_irq_control_get(uint64_t control, uint64_t irq,
					  uint64_t trigger, uint64_t dest_root,
					  uint64_t dest_index,
					  uint64_t dest_depth);
struct cairn_result cairn_irq_handler_set_notification(uint64_t handler,
						       uint64_t ntfn);
struct cairn_result cairn_irq_handler_ack(uint64_t handler);
struct cairn_result cairn_irq_handler_clear(uint64_t handler);

/* A StreamID for StreamID sid into (root, index, depth). */
struct cairn_result cairn_sid_control_get(uint64_t control, uint64_t sid,
					  uint64_t dest_root,
					  uint64_t dest_index,
					  uint64_t dest_depth);
/* What the SMMU is and can do: CAIRN_SID_INFO_WORDS words (invocations.h). */
struct cairn_result cairn_sid_control_info(uint64_t control,
					   uint64_t info[CAIRN_SID_INFO_WORDS]);
/* SIDControl.PCIe's reply, word for word. */
struct cairn_pcie_info {
	uint64_t ecam, ecam_size, bus_first, bus_last;
	uint64_t window_count, map_count;
	struct {
		uint64_t
		    space; /* CAIRN_PCI_SPACE_*, | CAIRN_PCI_PREFETCHABLE */
		uint64_t cpu_addr, pci_addr, size;
	} window[CAIRN_PCIE_MAX_WINDOWS];
	struct {
		uint64_t rid_base, sid_base, length;
		uint64_t smmu; /* 1: the kernel's SMMU */
	} map[CAIRN_PCIE_MAX_MAPS];
};
struct cairn_result cairn_sid_control_pcie(uint64_t control,
					   struct cairn_pcie_info *out);
struct cairn_result cairn_stream_bind_vspace(uint64_t stream, uint64_t vspace);
/* An IRQHandler for root-bus device devfn's INTx pin (1-4), as the host
 * bridge routes it; detail[0] holds its INTID on success. */
struct cairn_result cairn_sid_control_get_intx(uint64_t sid_control,
					       uint64_t devfn, uint64_t pin,
					       uint64_t dest_root,
					       uint64_t dest_index,
					       uint64_t dest_depth);
struct cairn_result cairn_stream_bind_iospace(uint64_t stream,
					      uint64_t iospace);
struct cairn_result cairn_stream_unbind(uint64_t stream);
/* ntfn 0: no fault route. */
struct cairn_result cairn_stream_set_fault_notification(uint64_t stream,
							uint64_t ntfn);
/* StreamID.GetFaults' reply, word for word. */
struct cairn_stream_faults {
	uint64_t count;	  /* records below */
	uint64_t dropped; /* since the last GetFaults: the queue was full */
	uint64_t total;	  /* since the stream was claimed */
	uint64_t record[CAIRN_STREAM_FAULTS_PER_CALL][CAIRN_STREAM_FAULT_WORDS];
};
struct cairn_result cairn_stream_get_faults(uint64_t stream,
					    struct cairn_stream_faults *out);

/* A raw invocation with n words, for tests of malformed messages. */
struct cairn_result cairn_invoke(uint64_t cptr, uint64_t label,
				 const uint64_t *words, unsigned n);

const char *cairn_error_name(long error);
