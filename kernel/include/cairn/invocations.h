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
	CAIRN_CNODE_COPY = 16, /* (dest_index, dest_depth, src_root, src_index,
				  src_depth, rights) */
	CAIRN_CNODE_MINT = 17, /* ... as Copy, then badge (or CNode guard) */
	CAIRN_CNODE_MOVE = 18, /* (dest_index, dest_depth, src_root, src_index,
				  src_depth) */
	CAIRN_CNODE_MUTATE = 19, /* ... as Move, then badge (or CNode guard) */
	CAIRN_CNODE_DELETE = 20, /* (index, depth) */
	CAIRN_CNODE_REVOKE = 21, /* (index, depth) */

	/* Frame */
	CAIRN_FRAME_MAP = 32,	      /* (vspace, ipa, rights, attributes) */
	CAIRN_FRAME_UNMAP = 33,	      /* () */
	CAIRN_FRAME_GET_ADDRESS = 34, /* () -> (physical address) */
	/* The device may read/write the frame at iova of the IOSpace (rights:
	 * CAIRN_RIGHT_READ/WRITE); one mapping per cap, as for Map. */
	CAIRN_FRAME_MAP_IO = 35,   /* (iospace, iova, rights) */
	CAIRN_FRAME_UNMAP_IO = 36, /* () */

	/* PageTable */
	CAIRN_PAGE_TABLE_MAP = 40,   /* (vspace, ipa) */
	CAIRN_PAGE_TABLE_UNMAP = 41, /* () */

	/* IOPageTable: a table of an IOSpace */
	CAIRN_IO_PAGE_TABLE_MAP = 42,	/* (iospace, iova) */
	CAIRN_IO_PAGE_TABLE_UNMAP = 43, /* () */

	/* IOSpace: up to CAIRN_IOSPACE_MAP_FRAMES_MAX 4 KiB frame caps, slots
	 * src_first.. of CNode src_root, copied into the empty slots
	 * dest_first.. of CNode dest_root (slot indices, not cptrs) and the
	 * copies mapped at iova, iova + 4 KiB, ..., all or none. */
	CAIRN_IOSPACE_MAP_FRAMES = 44, /* (dest_root, dest_first, src_root,
					  src_first, count, iova, rights) */
	/* The Frame caps in the count slots first.. of CNode cnode, each
	 * mapped in this IOSpace (empty slots are skipped), deleted and so
	 * unmapped, all or none; the SMMU's TLB for the IOSpace invalidated
	 * once and synchronised before it returns. */
	CAIRN_IOSPACE_UNMAP_FRAMES = 45, /* (cnode, first, count) */

	/* TCB */
	CAIRN_TCB_CONFIGURE = 48, /* (cspace_root, vspace, ipc_buffer frame or
				     0, its address in the VSpace, fault
				     endpoint cptr or 0) */
	CAIRN_TCB_SET_PRIORITY = 49,	  /* (authority tcb, priority) */
	CAIRN_TCB_READ_REGISTERS = 50,	  /* (count) -> (pc, sp, x0..x30) */
	CAIRN_TCB_WRITE_REGISTERS = 51,	  /* (resume, count, pc, sp, x0..) */
	CAIRN_TCB_RESUME = 52,		  /* () */
	CAIRN_TCB_SUSPEND = 53,		  /* () */
	CAIRN_TCB_BIND_NOTIFICATION = 54, /* (notification) */
	CAIRN_TCB_SET_NAME = 55,	  /* (2 words: up to 15 bytes, NUL) */
	CAIRN_TCB_SET_MC_PRIORITY = 56,	  /* (authority tcb, mcp) */
	/* The thread runs a guest at EL1 with the VCPU's state (its registers
	 * then are the guest's: pc, SP_EL0, x0..x30), exits as faults. */
	CAIRN_TCB_BIND_VCPU = 57,   /* (vcpu) */
	CAIRN_TCB_UNBIND_VCPU = 58, /* () */

	/* IRQControl */
	CAIRN_IRQ_CONTROL_GET = 64, /* (irq, trigger, dest_root, dest_index,
				       dest_depth) */

	/* IRQHandler */
	CAIRN_IRQ_HANDLER_SET_NOTIFICATION = 72, /* (notification) */
	CAIRN_IRQ_HANDLER_ACK = 73,		 /* () */
	CAIRN_IRQ_HANDLER_CLEAR = 74,		 /* () */

	/* VCPU: the guest's EL1 system registers (enum cairn_vcpu_reg) */
	CAIRN_VCPU_READ_REGS = 104,  /* (first, count) -> (values) */
	CAIRN_VCPU_WRITE_REGS = 105, /* (first, count, values...) */
	CAIRN_VCPU_INJECT_IRQ = 106, /* (intid, priority, group | EOI_EXIT) */
	CAIRN_VCPU_IRQ_STATE = 107,  /* (intid) -> (CAIRN_VIRQ_* bits) */

	/* SIDControl: the SMMU's StreamIDs (docs/abi.md) */
	CAIRN_SID_CONTROL_GET = 112,  /* (sid, dest_root, dest_index,
					 dest_depth) */
	CAIRN_SID_CONTROL_INFO = 113, /* () -> CAIRN_SID_INFO_WORDS words */
	CAIRN_SID_CONTROL_PCIE = 114, /* () -> CAIRN_PCIE_INFO_WORDS words */
	/* An IRQHandler for the SPI the host bridge's interrupt-map routes
	 * root-bus device devfn's INTx pin (1 = INTA .. 4) to, configured as
	 * the DTB says; one handler per interrupt, as IRQControl.Get. */
	CAIRN_SID_CONTROL_GET_INTX = 115, /* (devfn, pin, dest_root,
					     dest_index, dest_depth) ->
					     (intid) */

	/* StreamID: one device stream's translation and its faults */
	CAIRN_STREAM_BIND_VSPACE = 120, /* (vspace): DMA walks its stage 2 */
	CAIRN_STREAM_UNBIND = 121,	/* (): DMA aborts again */
	CAIRN_STREAM_SET_FAULT_NOTIFICATION = 122, /* (notification or 0) */
	CAIRN_STREAM_GET_FAULTS = 123,	 /* () -> (count, dropped, total,
					    count fault records) */
	CAIRN_STREAM_BIND_IOSPACE = 124, /* (iospace): DMA walks its tables */

	/* PowerControl: the whole machine (PSCI). Return only on failure. */
	CAIRN_POWER_OFF = 96,	/* () */
	CAIRN_POWER_RESET = 97, /* () */
};

/* IOSpace.MapFrames' and UnmapFrames' bound on count: the work one call
 * does before the kernel looks for a pending interrupt again. */
#define CAIRN_IOSPACE_MAP_FRAMES_MAX 64

/*
 * AuditControl.Walk(cursor): the next chunk of the live capability audit.
 * Reply: word 0 = the cursor for the next call (0: done), word 1 = entries
 * in this chunk, then CAIRN_AUDIT_ENTRY_WORDS words per entry:
 *   holder name (16 bytes, NUL-padded, 2 words), cptr, depth (the slot's
 *   address in the holder's CSpace), object type, object id (stable for the
 *   boot, never an address), rights, badge (Endpoint, Notification; a
 *   CNode's guard word; 0 for other types).
 */
#define CAIRN_AUDIT_WALK	     80
#define CAIRN_AUDIT_ENTRY_WORDS	     8
#define CAIRN_AUDIT_ENTRIES_PER_CALL 7

/*
 * AuditControl.Threads(cursor): every live thread with its counters.
 * Reply: word 0 = the next cursor (0: done), word 1 = entries in this
 * chunk, word 2 = the system counter now, word 3 = its frequency (Hz),
 * word 4 = interrupts delivered to user level since boot, word 5 = the
 * CPUs online (bit i: CPU i), words 6 to 6 + CAIRN_AUDIT_MAX_CPUS - 1 =
 * counter ticks each CPU has spent idle (waiting for an interrupt with no
 * thread to run), then CAIRN_THREAD_ENTRY_WORDS words per entry: name (2
 * words), state (CAIRN_THREAD_*), priority, counter ticks spent at EL0,
 * IPC system calls made (kernel invocations included).
 */
#define CAIRN_AUDIT_THREADS	      81
#define CAIRN_AUDIT_MAX_CPUS	      8
#define CAIRN_THREADS_HEADER_WORDS    (6 + CAIRN_AUDIT_MAX_CPUS)
#define CAIRN_THREAD_ENTRY_WORDS      6
#define CAIRN_THREAD_ENTRIES_PER_CALL 8

enum cairn_thread_state {
	CAIRN_THREAD_INACTIVE = 0, /* not started, suspended or exited */
	CAIRN_THREAD_RUNNABLE = 1,
	CAIRN_THREAD_BLOCKED_SEND = 2,
	CAIRN_THREAD_BLOCKED_RECV = 3,
	CAIRN_THREAD_BLOCKED_REPLY = 4,
	CAIRN_THREAD_BLOCKED_NOTIFICATION = 5,
	CAIRN_THREAD_BLOCKED_WFI = 6, /* a vCPU waiting in WFI */
};

/* IRQControl.Get trigger argument. */
#define CAIRN_IRQ_LEVEL 0
#define CAIRN_IRQ_EDGE	1

/*
 * SIDControl.Info reply: word 0 flags (below), 1 the StreamIDs the kernel
 * covers (SIDControl.Get takes 0 to this - 1), 2 the SMMU's StreamID bits,
 * 3 its input address size (IAS) and 4 its output address size (OAS) in
 * bits, 5 faults of streams nobody claimed (counted, not queued), 6 times
 * the SMMU could not record events (its event queue was full: one or more
 * faults of any stream went unrecorded each time).
 */
#define CAIRN_SID_INFO_WORDS 7
#define CAIRN_SMMU_PRESENT   (1UL << 0) /* the DTB names an SMMUv3 */
#define CAIRN_SMMU_ENABLED   (1UL << 1) /* translating (unbound: abort) */
#define CAIRN_SMMU_CAN_SHARE (1UL << 2) /* BindVSpace works (share-pt) */
#define CAIRN_SMMU_STAGE1    (1UL << 3)
#define CAIRN_SMMU_STAGE2    (1UL << 4)
#define CAIRN_SMMU_COHERENT  (1UL << 5) /* table walks snoop the caches */
#define CAIRN_SMMU_IOSPACES  (1UL << 6) /* BindIOSpace works */
#define CAIRN_SMMU_IO_STAGE1 (1UL << 7) /* IOSpaces are stage-1 tables */

/*
 * SIDControl.PCIe: the PCIe host bridge whose devices the SMMU translates,
 * as the DTB describes it (all 0 without one), for whoever enumerates it:
 * word 0 the ECAM's physical address (a device Untyped starts there), 1 its
 * size, 2 the first and 3 the last bus, 4 the windows and 5 the iommu-map
 * entries given below; then CAIRN_PCIE_MAX_WINDOWS windows of
 * CAIRN_PCIE_WINDOW_WORDS (space, with CAIRN_PCI_PREFETCHABLE; CPU address;
 * PCI address; size: each a device Untyped for BARs), then
 * CAIRN_PCIE_MAX_MAPS iommu-map entries of CAIRN_PCIE_MAP_WORDS (requester
 * IDs from word 0 are StreamIDs from word 1, word 2 of them; word 3 is 1
 * when the entry names the SMMU the kernel drives). Unused entries are 0.
 */
#define CAIRN_PCIE_MAX_WINDOWS	4
#define CAIRN_PCIE_WINDOW_WORDS 4
#define CAIRN_PCIE_MAX_MAPS	8
#define CAIRN_PCIE_MAP_WORDS	4
#define CAIRN_PCIE_INFO_WORDS                                                  \
	(6 + CAIRN_PCIE_MAX_WINDOWS * CAIRN_PCIE_WINDOW_WORDS +                \
	 CAIRN_PCIE_MAX_MAPS * CAIRN_PCIE_MAP_WORDS)
#define CAIRN_PCI_SPACE_IO     1
#define CAIRN_PCI_SPACE_MEM32  2
#define CAIRN_PCI_SPACE_MEM64  3
#define CAIRN_PCI_PREFETCHABLE 0x100

/*
 * StreamID.GetFaults: reply word 0 the records that follow (at most
 * CAIRN_STREAM_FAULTS_PER_CALL, oldest first; each is taken off the
 * queue), 1 the faults dropped because the queue was full since the last
 * GetFaults, 2 the stream's faults since it was claimed, then
 * CAIRN_STREAM_FAULT_WORDS words per record: the kind and flags, the
 * device's address (the IOVA, an IPA for share-pt), and the IPA of a
 * stage-1 walk's stage-2 fault (0 otherwise).
 */
#define CAIRN_STREAM_FAULT_WORDS       3
#define CAIRN_STREAM_FAULTS_PER_CALL   8
#define CAIRN_STREAM_FAULT_QUEUE       16 /* records kept per stream */
#define CAIRN_STREAM_FAULT_KIND(w)     ((unsigned)((w)&0xff))
#define CAIRN_STREAM_FAULT_READ	       (1UL << 8) /* else a write */
#define CAIRN_STREAM_FAULT_STAGE2      (1UL << 9)
#define CAIRN_STREAM_FAULT_INSTRUCTION (1UL << 10)
#define CAIRN_STREAM_FAULT_PRIVILEGED  (1UL << 11)
#define CAIRN_STREAM_FAULT_CLASS(w)    ((unsigned)(((w) >> 12) & 3))

/* Fault kinds: the SMMUv3's event numbers (Arm IHI 0070, 7.3). */
enum cairn_smmu_event {
	CAIRN_SMMU_EVT_UNSUPPORTED_UPSTREAM = 0x01,
	CAIRN_SMMU_EVT_BAD_STREAMID = 0x02,
	CAIRN_SMMU_EVT_STE_FETCH = 0x03,
	CAIRN_SMMU_EVT_BAD_STE = 0x04,
	CAIRN_SMMU_EVT_BAD_ATS_REQUEST = 0x05,
	CAIRN_SMMU_EVT_STREAM_DISABLED = 0x06,
	CAIRN_SMMU_EVT_TRANSLATION_FORBIDDEN = 0x07,
	CAIRN_SMMU_EVT_BAD_SUBSTREAMID = 0x08,
	CAIRN_SMMU_EVT_CD_FETCH = 0x09,
	CAIRN_SMMU_EVT_BAD_CD = 0x0a,
	CAIRN_SMMU_EVT_WALK_ABORT = 0x0b,
	CAIRN_SMMU_EVT_TRANSLATION = 0x10,
	CAIRN_SMMU_EVT_ADDRESS_SIZE = 0x11,
	CAIRN_SMMU_EVT_ACCESS = 0x12,
	CAIRN_SMMU_EVT_PERMISSION = 0x13,
	CAIRN_SMMU_EVT_TLB_CONFLICT = 0x20,
	CAIRN_SMMU_EVT_CONFIG_CONFLICT = 0x21,
	CAIRN_SMMU_EVT_PAGE_REQUEST = 0x24,
};

/* Registers in Read/WriteRegisters order. */
#define CAIRN_TCB_REGISTER_COUNT 33 /* pc, sp, x0..x30 */

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
	CAIRN_ARG_VSPACE = 15,
	CAIRN_ARG_IPA = 16,
	CAIRN_ARG_AUTHORITY = 17,
	CAIRN_ARG_PRIORITY = 18,
	CAIRN_ARG_CSPACE = 19,
	CAIRN_ARG_IPC_BUFFER = 20,
	CAIRN_ARG_FAULT_ENDPOINT = 21,
	CAIRN_ARG_NOTIFICATION = 22,
	CAIRN_ARG_REGISTERS = 23,
	CAIRN_ARG_REPLY = 24,
	CAIRN_ARG_ATTRIBUTES = 25,
	CAIRN_ARG_IRQ = 26,
	CAIRN_ARG_TRIGGER = 27,
	CAIRN_ARG_VCPU = 28,
	CAIRN_ARG_SID = 29,
	CAIRN_ARG_IOSPACE = 30,
	CAIRN_ARG_IOVA = 31,
	CAIRN_ARG_DEVFN = 32,
	CAIRN_ARG_PIN = 33,
};

/* Virtual INTIDs a VCPU can be given: SGIs, PPIs and SPIs (not 1020+). */
#define CAIRN_VIRQ_LIMIT 1020

/* A VCPU's registers, in VCPU.ReadRegs/WriteRegs order: the guest's EL1
 * (and EL0 thread-ID) system registers and its virtual timer. */
enum cairn_vcpu_reg {
	CAIRN_VCPU_SCTLR_EL1 = 0,
	CAIRN_VCPU_TTBR0_EL1 = 1,
	CAIRN_VCPU_TTBR1_EL1 = 2,
	CAIRN_VCPU_TCR_EL1 = 3,
	CAIRN_VCPU_MAIR_EL1 = 4,
	CAIRN_VCPU_AMAIR_EL1 = 5,
	CAIRN_VCPU_VBAR_EL1 = 6,
	CAIRN_VCPU_CONTEXTIDR_EL1 = 7,
	CAIRN_VCPU_TPIDR_EL1 = 8,
	CAIRN_VCPU_TPIDRRO_EL0 = 9,
	CAIRN_VCPU_SP_EL1 = 10,
	CAIRN_VCPU_ELR_EL1 = 11,
	CAIRN_VCPU_SPSR_EL1 = 12,
	CAIRN_VCPU_ESR_EL1 = 13,
	CAIRN_VCPU_FAR_EL1 = 14,
	CAIRN_VCPU_AFSR0_EL1 = 15,
	CAIRN_VCPU_AFSR1_EL1 = 16,
	CAIRN_VCPU_PAR_EL1 = 17,
	CAIRN_VCPU_CPACR_EL1 = 18,
	CAIRN_VCPU_CNTKCTL_EL1 = 19,
	CAIRN_VCPU_CSSELR_EL1 = 20,
	CAIRN_VCPU_CNTV_CTL_EL0 = 21,
	CAIRN_VCPU_CNTV_CVAL_EL0 = 22,
	CAIRN_VCPU_CNTVOFF_EL2 = 23,
	CAIRN_VCPU_VMPIDR_EL2 = 24, /* the MPIDR_EL1 the guest reads */
	CAIRN_VCPU_REG_COUNT
};

/* VCPU.IRQState: where a virtual interrupt is, as the guest's GIC would
 * show it (GICR_ISPENDR0/ISACTIVER0 and the distributor's): pending in a
 * list register or the VCPU's queue, active (acknowledged, not EOIed). */
/* VCPU.InjectIRQ's third word: the group, and whether the guest's EOI of
 * this interrupt is an exit to its VMM (CAIRN_FAULT_VM_EOI), for a
 * level-triggered line it must assert again if still high. */
#define CAIRN_VIRQ_GROUP1   (1UL << 0)
#define CAIRN_VIRQ_EOI_EXIT (1UL << 1)
#define CAIRN_VIRQ_PENDING  (1UL << 0)
#define CAIRN_VIRQ_ACTIVE   (1UL << 1)

/* Frame.Map attributes (a 64-bit field; unassigned bits must be zero). */
#define CAIRN_MAP_DEVICE    (1UL << 0) /* Device-nGnRE, never executable */
#define CAIRN_MAP_UNCACHED  (1UL << 1) /* Normal, non-cacheable */
#define CAIRN_MAP_ATTRS_ALL 0x3UL

/*
 * CNode guards set through Mint/Mutate of a CNode cap: the badge word
 * carries guard_bits in bits 0-5 and the guard value from bit 6 up.
 */
#define CAIRN_GUARD_BITS(word)	((unsigned)((word)&0x3f))
#define CAIRN_GUARD_VALUE(word) ((word) >> 6)
#define CAIRN_GUARD_WORD(value, bits)                                          \
	(((unsigned long)(value) << 6) | ((bits)&0x3f))
