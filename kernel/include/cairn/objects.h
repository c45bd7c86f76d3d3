/* Cairn ABI: object types, their sizes, and capability rights. */
#pragma once

enum cairn_object_type {
	CAIRN_OBJ_UNTYPED = 1,
	CAIRN_OBJ_CNODE = 2,
	CAIRN_OBJ_ENDPOINT = 3,
	CAIRN_OBJ_NOTIFICATION = 4,
	CAIRN_OBJ_FRAME_4K = 5,
	CAIRN_OBJ_FRAME_2M = 6,
	CAIRN_OBJ_VSPACE = 7,	  /* a stage-2 root table and a VMID */
	CAIRN_OBJ_PAGE_TABLE = 8, /* a stage-2 table below the root */
	CAIRN_OBJ_TCB = 9,
	CAIRN_OBJ_REPLY = 10,
	CAIRN_OBJ_VCPU = 11, /* a guest's EL1 state, run by a bound TCB */
	/* A device-only translation root that the SMMU alone walks (DMA of
	 * the streams bound to it), and a table below it. */
	CAIRN_OBJ_IOSPACE = 12,
	CAIRN_OBJ_IO_PAGE_TABLE = 13,
	CAIRN_OBJ_TYPE_COUNT
};

/*
 * log2 of object sizes in bytes. CNode and Untyped take a size_bits argument
 * at Retype: a CNode of radix r has 2^r slots of 2^CAIRN_SLOT_BITS bytes.
 */
#define CAIRN_SLOT_BITS		 6
#define CAIRN_ENDPOINT_BITS	 5
#define CAIRN_NOTIFICATION_BITS	 5
#define CAIRN_FRAME_4K_BITS	 12
#define CAIRN_FRAME_2M_BITS	 21
#define CAIRN_VSPACE_BITS	 12
#define CAIRN_PAGE_TABLE_BITS	 12
#define CAIRN_TCB_BITS		 11
#define CAIRN_REPLY_BITS	 4
#define CAIRN_VCPU_BITS		 12
#define CAIRN_IOSPACE_BITS	 12 /* its root table; IOVAs span 2^39 */
#define CAIRN_IO_PAGE_TABLE_BITS 12
#define CAIRN_IPA_BITS		 39 /* a VSpace spans 2^39 bytes of IPA */
#define CAIRN_MAX_PRIORITY	 255
#define CAIRN_UNTYPED_MIN_BITS	 4
#define CAIRN_UNTYPED_MAX_BITS	 47
#define CAIRN_CNODE_MIN_RADIX	 1
#define CAIRN_CNODE_MAX_RADIX	 20

/* Capability rights: a 32-bit field; unassigned bits must be zero. */
#define CAIRN_RIGHT_READ  (1U << 0) /* receive; map readable */
#define CAIRN_RIGHT_WRITE (1U << 1) /* send; map writable */
#define CAIRN_RIGHT_GRANT (1U << 2) /* transfer capabilities over IPC */
#define CAIRN_RIGHT_EXEC  (1U << 3) /* map executable */
#define CAIRN_RIGHTS_ALL  0xfU

/*
 * What a StreamID's rights allow (no other rights apply to it): FAULTS its
 * fault route (SetFaultNotification, GetFaults); BIND binding a stream that
 * is not bound; REBIND changing or ending a binding (BindVSpace on a bound
 * stream, Unbind). A cap minted with BIND alone binds once, for good.
 * The same rules hold for BindIOSpace.
 */
#define CAIRN_STREAM_RIGHT_FAULTS CAIRN_RIGHT_READ
#define CAIRN_STREAM_RIGHT_BIND	  CAIRN_RIGHT_WRITE
#define CAIRN_STREAM_RIGHT_REBIND CAIRN_RIGHT_GRANT
