/*
 * Capabilities and capability slots (CTEs).
 *
 * Every slot is also a node of the capability derivation tree (CDT), kept as
 * a doubly-linked list in pre-order: a slot's descendants follow it directly
 * and have a greater depth. Derivations (Copy, Mint, Retype) insert the new
 * cap right after its parent at depth + 1.
 */
#pragma once

#include "addr.h"
#include "objects/ktag.h"

#include <cairn/errors.h>
#include <cairn/objects.h>

enum cap_type {
	CAP_NULL = 0,
	CAP_UNTYPED = CAIRN_OBJ_UNTYPED,
	CAP_CNODE = CAIRN_OBJ_CNODE,
	CAP_ENDPOINT = CAIRN_OBJ_ENDPOINT,
	CAP_NOTIFICATION = CAIRN_OBJ_NOTIFICATION,
	CAP_FRAME = CAIRN_OBJ_FRAME_4K, /* both frame sizes; see size_bits */
	CAP_VSPACE = CAIRN_OBJ_VSPACE,
	CAP_PAGE_TABLE = CAIRN_OBJ_PAGE_TABLE,
	CAP_TCB = CAIRN_OBJ_TCB,
	CAP_REPLY = CAIRN_OBJ_REPLY,
	CAP_VCPU = CAIRN_OBJ_VCPU,
	CAP_IOSPACE = CAIRN_OBJ_IOSPACE, /* `vmid` as a VSpace's */
	CAP_IO_PAGE_TABLE = CAIRN_OBJ_IO_PAGE_TABLE,
	/* Authority over interrupts, not memory: `object` holds no address
	 * (0 for IRQControl, the INTID for an IRQHandler). */
	CAP_IRQ_CONTROL = 32,
	CAP_IRQ_HANDLER = 33,
	CAP_AUDIT_CONTROL = 34,
	CAP_POWER_CONTROL = 35,
	/* The SMMU's streams: SIDControl, and a StreamID (`object` holds the
	 * StreamID). */
	CAP_SID_CONTROL = 36,
	CAP_STREAM_ID = 37,
};

/* One past the last cap type: the size of tables indexed by type. */
#define CAP_TYPE_LIMIT (CAP_STREAM_ID + 1)

struct cap {
	uint8_t type;	    /* enum cap_type */
	uint8_t size_bits;  /* Untyped and Frame size; CNode radix */
	uint8_t guard_bits; /* CNode */
	bool device;	    /* Untyped and Frame over device memory */
	uint32_t rights;    /* CAIRN_RIGHT_* */
	paddr_t object;
	union {
		uint64_t badge;	    /* Endpoint, Notification */
		uint64_t guard;	    /* CNode */
		uint64_t watermark; /* Untyped: bytes used from the base */
		uint64_t vmid;	    /* VSpace, IOSpace */
		uint64_t mapping;   /* Frame, (IO)PageTable: see mapping_* */
		uint64_t binding;   /* StreamID: the binding this cap made
				       (objects/stream.c), or 0 */
	};
	union {
		/* Frame, PageTable: which VSpace instance it is mapped into
		 * (its vmid_generation); 0 when not mapped. */
		uint64_t mapped_vspace;
		uint64_t clean; /* Untyped: see untyped.c */
	};
#ifdef CAIRN_DEBUG
	/* The object's tag when its first cap was made (objects/ktag.h):
	 * every cap is a stored reference, and copies carry the tag along,
	 * so a cap kept outside the derivation tree is caught when used. */
	uint64_t tag;
#endif
};

static inline void cap_set_tag(struct cap *c, uint64_t tag)
{
#ifdef CAIRN_DEBUG
	c->tag = tag;
#else
	(void)c;
	(void)tag;
#endif
}

/* Debug builds: panics, naming the object, unless c's object is still the
 * one the cap was made for. */
#ifdef CAIRN_DEBUG
#define KTAG_CHECK_CAP(c, what) KTAG_CHECK((c)->object, (c)->tag, (what))
#else
#define KTAG_CHECK_CAP(c, what) ((void)sizeof(c))
#endif

/*
 * Where a Frame, PageTable or IOPageTable cap is mapped: the IPA or IOVA
 * (page aligned) with the VMID in bits 0..7, the level in bits 8..9 and
 * MAPPING_IO when the VMID is an IOSpace's; 0 when not mapped.
 */
#define MAPPING_IO (1ULL << 10)

static inline uint64_t mapping_make(ipaddr_t ipa, vmid_t vmid, int level,
				    bool io)
{
	return ipa_addr(ipa) | (vmid_value(vmid) & 0xff) |
	       ((uint64_t)level << 8) | (io ? MAPPING_IO : 0);
}

static inline bool mapping_is_io(uint64_t m)
{
	return (m & MAPPING_IO) != 0;
}

static inline ipaddr_t mapping_ipa(uint64_t m)
{
	return ipa_init(m & ~0xfffULL);
}

static inline vmid_t mapping_vmid(uint64_t m)
{
	return vmid_init((uint16_t)(m & 0xff));
}

/* A VSpace cap's VMID. */
static inline vmid_t cap_vmid(const struct cap *vspace)
{
	return vmid_init((uint16_t)vspace->vmid);
}

static inline int mapping_level(uint64_t m)
{
	return (int)((m >> 8) & 3);
}

struct cte {
	struct cap cap;
	struct cte *prev;
	struct cte *next;
	uint32_t depth;
	uint32_t owner; /* enum cte_owner: who holds a slot outside CNodes */
#ifndef CAIRN_DEBUG
	uint64_t reserved1; /* pads a slot to 2^CAIRN_SLOT_BITS bytes; debug
			     * builds use it for cap.tag */
#endif
};

/*
 * The rule that keeps kernel references safe: every reference the kernel
 * keeps from one object to another is either a capability held in a slot
 * the referring object owns (these kinds; the derivation tree then keeps
 * the referenced object alive, and a revoke that deletes the slot tells the
 * owner through object_cap_gone), or it is on a list that the referenced
 * object clears when it is destroyed (endpoint and notification queues,
 * Reply callers and receivers, a notification's bound thread). Nothing else
 * may hold an object's address across system calls. kref_check() walks
 * both kinds in debug builds.
 */
enum cte_owner {
	CTE_OWNER_CNODE = 0,	      /* an ordinary CNode slot */
	CTE_OWNER_TCB_CSPACE = 1,     /* a TCB's CSpace root */
	CTE_OWNER_TCB_VSPACE = 2,     /* a TCB's VSpace */
	CTE_OWNER_TCB_IPC_BUFFER = 3, /* a TCB's IPC buffer frame */
	CTE_OWNER_IRQ = 4,	      /* an IRQ handler's notification */
	CTE_OWNER_TCB_VCPU = 5,	      /* the VCPU a TCB runs */
	CTE_OWNER_STREAM = 6,	      /* a stream's fault notification */
};

_Static_assert(sizeof(struct cte) == (1U << CAIRN_SLOT_BITS),
	       "a CNode slot is 2^CAIRN_SLOT_BITS bytes");

static inline bool cap_is_null(const struct cap *c)
{
	return c->type == CAP_NULL;
}

/* The bytes an object of this cap's type and size occupies. */
uint64_t cap_object_size(const struct cap *c);

/* The CNode's slots, for a CNode cap. */
static inline struct cte *cnode_slots(const struct cap *c);

/* Two caps name the same object (same type and memory). */
bool cap_same_object(const struct cap *a, const struct cap *b);

/* Failure details as the ABI returns them (cairn/errors.h). */
struct inv_error {
	enum cairn_error code;
	uint64_t detail[CAIRN_ERROR_DETAIL_WORDS];
};

static inline enum cairn_error inv_fail(struct inv_error *e,
					enum cairn_error code, uint64_t d0,
					uint64_t d1, uint64_t d2)
{
	e->code = code;
	e->detail[0] = d0;
	e->detail[1] = d1;
	e->detail[2] = d2;
	e->detail[3] = 0; /* the lookups of invocation.h name the argument */
	return code;
}

#include "kmem.h"

static inline struct cte *cnode_slots(const struct cap *c)
{
	return kmem_ptr(c->object);
}
