#include "objects/object.h"

#include "arch.h"
#include "assert.h"
#include "ipc.h"
#include "kmem.h"
#include "objects/irq.h"
#include "objects/mapping.h"
#include "objects/stream.h"
#include "objects/tcb.h"
#include "objects/vcpu.h"
#include "vmid.h"

uint64_t cap_object_size(const struct cap *c)
{
	switch ((enum cap_type)c->type) {
	case CAP_UNTYPED:
	case CAP_FRAME:
		return 1ULL << c->size_bits;
	case CAP_CNODE:
		return 1ULL << (c->size_bits + CAIRN_SLOT_BITS);
	case CAP_ENDPOINT:
		return 1ULL << CAIRN_ENDPOINT_BITS;
	case CAP_NOTIFICATION:
		return 1ULL << CAIRN_NOTIFICATION_BITS;
	case CAP_TCB:
		return 1ULL << CAIRN_TCB_BITS;
	case CAP_VSPACE:
		return 1ULL << CAIRN_VSPACE_BITS;
	case CAP_PAGE_TABLE:
		return 1ULL << CAIRN_PAGE_TABLE_BITS;
	case CAP_IOSPACE:
		return 1ULL << CAIRN_IOSPACE_BITS;
	case CAP_IO_PAGE_TABLE:
		return 1ULL << CAIRN_IO_PAGE_TABLE_BITS;
	case CAP_REPLY:
		return 1ULL << CAIRN_REPLY_BITS;
	case CAP_VCPU:
		return 1ULL << CAIRN_VCPU_BITS;
	case CAP_IRQ_CONTROL:
	case CAP_IRQ_HANDLER: /* authority, not memory */
	case CAP_AUDIT_CONTROL:
	case CAP_POWER_CONTROL:
	case CAP_SID_CONTROL:
	case CAP_STREAM_ID:
	case CAP_NULL:
		break;
	}
	return 0;
}

bool cap_same_object(const struct cap *a, const struct cap *b)
{
	return a->type == b->type && a->type != CAP_NULL &&
	       pa_addr(a->object) == pa_addr(b->object) &&
	       a->size_bits == b->size_bits;
}

unsigned object_size_bits(enum cairn_object_type type, unsigned size_bits,
			  unsigned *arg_min, unsigned *arg_max)
{
	*arg_min = *arg_max = 0;
	switch (type) {
	case CAIRN_OBJ_UNTYPED:
		*arg_min = CAIRN_UNTYPED_MIN_BITS;
		*arg_max = CAIRN_UNTYPED_MAX_BITS;
		return size_bits >= *arg_min && size_bits <= *arg_max
			   ? size_bits
			   : 0;
	case CAIRN_OBJ_CNODE:
		*arg_min = CAIRN_CNODE_MIN_RADIX;
		*arg_max = CAIRN_CNODE_MAX_RADIX;
		return size_bits >= *arg_min && size_bits <= *arg_max
			   ? size_bits + CAIRN_SLOT_BITS
			   : 0;
	case CAIRN_OBJ_ENDPOINT:
		return CAIRN_ENDPOINT_BITS;
	case CAIRN_OBJ_NOTIFICATION:
		return CAIRN_NOTIFICATION_BITS;
	case CAIRN_OBJ_FRAME_4K:
		return CAIRN_FRAME_4K_BITS;
	case CAIRN_OBJ_FRAME_2M:
		return CAIRN_FRAME_2M_BITS;
	case CAIRN_OBJ_VSPACE:
		return CAIRN_VSPACE_BITS;
	case CAIRN_OBJ_PAGE_TABLE:
		return CAIRN_PAGE_TABLE_BITS;
	case CAIRN_OBJ_TCB:
		return CAIRN_TCB_BITS;
	case CAIRN_OBJ_REPLY:
		return CAIRN_REPLY_BITS;
	case CAIRN_OBJ_VCPU:
		return CAIRN_VCPU_BITS;
	case CAIRN_OBJ_IOSPACE:
		return CAIRN_IOSPACE_BITS;
	case CAIRN_OBJ_IO_PAGE_TABLE:
		return CAIRN_IO_PAGE_TABLE_BITS;
	case CAIRN_OBJ_TYPE_COUNT:
		break;
	}
	return 0;
}

struct cap object_create(enum cairn_object_type type, unsigned size_bits,
			 paddr_t pa, bool device)
{
	unsigned lo, hi;
	unsigned bits = object_size_bits(type, size_bits, &lo, &hi);
	struct cap c = {
	    .type = (uint8_t)(type == CAIRN_OBJ_FRAME_2M ? CAP_FRAME : type),
	    .rights = CAIRN_RIGHTS_ALL,
	    .object = pa,
	    .device = device,
	};

	if (type == CAIRN_OBJ_UNTYPED || type == CAIRN_OBJ_FRAME_4K ||
	    type == CAIRN_OBJ_FRAME_2M) {
		c.size_bits = (uint8_t)bits;
	} else if (type == CAIRN_OBJ_CNODE) {
		c.size_bits = (uint8_t)size_bits;
	}
	/* The memory is zero already: Retype cleared it (untyped.c). */
	if (type != CAIRN_OBJ_UNTYPED) {
		cap_set_tag(&c, ktag_create(pa, c.type));
	}
	if (type == CAIRN_OBJ_VSPACE || type == CAIRN_OBJ_IOSPACE) {
		/* Untyped decode checked that enough VMIDs are free. */
		c.vmid = vmid_value(vmid_alloc(pa, type == CAIRN_OBJ_IOSPACE));
	} else if (type == CAIRN_OBJ_TCB) {
		tcb_set_name(kmem_ptr(pa), "thread");
		tcb_register(kmem_ptr(pa));
	} else if (type == CAIRN_OBJ_VCPU) {
		vcpu_init(kmem_ptr(pa));
	}
	return c;
}

enum cairn_error object_decode_destroy(const struct cap *c,
				       struct inv_error *err)
{
	if (c->type == CAP_TCB) {
		return tcb_decode_destroy(tcb_of(c), err);
	}
	return CAIRN_OK;
}

void object_cap_gone(struct cte *slot)
{
	if (slot->cap.type == CAP_FRAME || slot->cap.type == CAP_PAGE_TABLE ||
	    slot->cap.type == CAP_IO_PAGE_TABLE) {
		map_cap_gone(slot);
	} else if (slot->cap.type == CAP_STREAM_ID) {
		stream_cap_gone(slot);
	}
	switch ((enum cte_owner)slot->owner) {
	case CTE_OWNER_CNODE:
		break;
	case CTE_OWNER_TCB_CSPACE:
	case CTE_OWNER_TCB_VSPACE:
	case CTE_OWNER_TCB_IPC_BUFFER:
	case CTE_OWNER_TCB_VCPU:
		tcb_lost_cap(slot);
		break;
	case CTE_OWNER_IRQ:
		/* Revoked from outside: the slot is emptied, and the next
		 * interrupt finds no one to tell (irq_deliver). */
		break;
	case CTE_OWNER_STREAM:
		/* Likewise: the next fault is queued, nobody signalled. */
		break;
	}
}

#ifdef CAIRN_DEBUG
/* A Frame or PageTable died since kref_check last walked stage 2. */
static bool s2_audit_due;
#endif

static uint64_t cap_tag(const struct cap *c)
{
#ifdef CAIRN_DEBUG
	return c->tag;
#else
	(void)c;
	return 0;
#endif
}

void object_destroy(const struct cap *c)
{
	switch ((enum cap_type)c->type) {
	case CAP_TCB:
		tcb_destroy(tcb_of(c));
		break;
	case CAP_VSPACE:
	case CAP_IOSPACE:
		map_space_destroy(c);
		break;
	case CAP_ENDPOINT:
		endpoint_cancel_all(kmem_ptr(c->object));
		break;
	case CAP_NOTIFICATION:
		notification_cancel_all(kmem_ptr(c->object));
		break;
	case CAP_REPLY:
		reply_cancel(kmem_ptr(c->object));
		break;
	case CAP_IRQ_HANDLER:
		irq_handler_destroy((uint32_t)pa_addr(c->object));
		break;
	case CAP_VCPU:
		vcpu_destroy(kmem_ptr(c->object));
		break;
	case CAP_STREAM_ID:
		stream_destroy((uint32_t)pa_addr(c->object));
		break;
	default:
		/* Untyped, CNode (already empty), Frame, (IO)PageTable:
		 * nothing beyond the memory, which returns with the Untyped.
		 */
		break;
	}
#ifdef CAIRN_DEBUG
	bool table = c->type == CAP_PAGE_TABLE || c->type == CAP_IO_PAGE_TABLE;
	if (table) {
		map_check_table_empty(c->object);
	}
	s2_audit_due |= c->type == CAP_FRAME || table;
#endif
	/* Last: nothing may touch the object after this (it is poisoned). */
	ktag_destroy(c->object, cap_tag(c), cap_object_size(c), c->device);
}

void kref_check(void)
{
#ifdef CAIRN_DEBUG
	static unsigned calls;
	struct tcb *fp_owner = arch_fp_owner();
	bool fp_owner_live = fp_owner == NULL;

	for (struct tcb *t = tcb_first(); t != NULL; t = t->all_next) {
		tcb_check_refs(t);
		fp_owner_live |= t == fp_owner;
	}
	/* The CPU's FP owner is a raw reference: tcb_destroy clears it
	 * (arch_forget_thread), so it always names a live TCB. */
	ASSERT(fp_owner_live);
	irq_check_refs();
	stream_check_refs();
	/*
	 * Stage 2 is the one place where references (table entries) carry
	 * no tag: the walk checks every entry of every live VSpace points at
	 * a live PageTable or Frame. It costs a pass over every table, so it
	 * runs after a Frame or PageTable died (the moment a stale entry can
	 * appear) and otherwise every 64th call.
	 */
	if (s2_audit_due || ++calls % 64 == 0) {
		s2_audit_due = false;
		map_check_refs();
	}
#endif
}
