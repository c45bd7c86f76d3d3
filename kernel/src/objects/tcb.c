#include "objects/tcb.h"

#include "arch.h"
#include "assert.h"
#include "cap/cdt.h"
#include "cap/cspace.h"
#include "cap/delete.h"
#include "ipc.h"
#include "objects/cnode.h"
#include "objects/vcpu.h"
#include "sched.h"

#include <cairn/invocations.h>
#include <string.h>

void tcb_set_name(struct tcb *t, const char *name)
{
	size_t i = 0;

	for (; i + 1 < TCB_NAME_LEN && name[i] != '\0'; i++) {
		t->name[i] = name[i];
	}
	t->name[i] = '\0';
}

static struct tcb *all_head, *all_tail;

void tcb_register(struct tcb *t)
{
	t->all_next = NULL;
	t->all_prev = all_tail;
	if (all_tail != NULL) {
		all_tail->all_next = t;
	} else {
		all_head = t;
	}
	all_tail = t;
}

static void tcb_unregister(struct tcb *t)
{
	if (t->all_prev != NULL) {
		t->all_prev->all_next = t->all_next;
	} else if (all_head == t) {
		all_head = t->all_next;
	}
	if (t->all_next != NULL) {
		t->all_next->all_prev = t->all_prev;
	} else if (all_tail == t) {
		all_tail = t->all_prev;
	}
	t->all_next = t->all_prev = NULL;
}

struct tcb *tcb_first(void)
{
	return all_head;
}

void tcb_suspend(struct tcb *t)
{
	ipc_cancel(t);
	sched_dequeue(t);
	t->state = THREAD_INACTIVE;
}

void tcb_hold_cap(struct tcb *t, struct cte *own, enum cte_owner kind,
		  struct cte *parent, const struct cap *copy)
{
	(void)t;
	cdt_insert_child(parent, own, copy);
	own->owner = kind;
}

/* Empties one of t's own slots on purpose: not a loss to report. */
static void release_cap(struct cte *own)
{
	own->owner = CTE_OWNER_CNODE;
	cte_perform_delete(own);
}

/*
 * An IPC buffer is ordinary RAM the kernel reads and writes on the thread's
 * behalf: a 4 KiB frame that is not device memory (a load from a device
 * frame in read_message would abort inside the kernel).
 */
static bool usable_ipc_buffer(const struct cap *f)
{
	return f->type == CAP_FRAME && f->size_bits == CAIRN_FRAME_4K_BITS &&
	       !f->device;
}

struct configure_op {
	struct tcb *t;
	struct cte *cs, *vs, *ipc; /* ipc NULL: no IPC buffer */
	struct cap cs_cap, vs_cap, ipc_cap;
	ipaddr_t ipc_ipa;
	uint64_t fault_ep;
};

static enum cairn_error decode_configure(struct invocation *inv,
					 struct configure_op *op)
{
	const uint64_t *a = inv->args;
	enum cairn_error e = inv_need_args(inv, 5);

	op->t = tcb_of(&inv->slot->cap);
	op->ipc = NULL;
	if (e == CAIRN_OK) {
		e = inv_lookup_typed(inv, CAIRN_ARG_CSPACE, a[0], CAP_CNODE,
				     &op->cs);
	}
	if (e == CAIRN_OK) {
		e = inv_lookup_typed(inv, CAIRN_ARG_VSPACE, a[1], CAP_VSPACE,
				     &op->vs);
	}
	if (e == CAIRN_OK && a[2] != 0) {
		e = inv_lookup_typed(inv, CAIRN_ARG_IPC_BUFFER, a[2], CAP_FRAME,
				     &op->ipc);
	}
	if (e != CAIRN_OK) {
		return e;
	}
	if (op->ipc != NULL && !usable_ipc_buffer(&op->ipc->cap)) {
		return inv_refuse(inv, CAIRN_INVALID_CAPABILITY,
				  CAIRN_ARG_IPC_BUFFER, 0, 0);
	}
	if (op->ipc != NULL && !IS_ALIGNED(a[3], KiB(4))) {
		return inv_refuse(inv, CAIRN_ALIGNMENT_ERROR, CAIRN_ARG_IPA,
				  KiB(4), 0);
	}
	op->ipc_ipa = ipa_init(op->ipc != NULL ? a[3] : 0);
	op->fault_ep = a[4];
	e = cnode_derive(&op->cs->cap, CAIRN_RIGHTS_ALL, false, 0, &op->cs_cap,
			 &inv->err);
	if (e == CAIRN_OK) {
		e = cnode_derive(&op->vs->cap, CAIRN_RIGHTS_ALL, false, 0,
				 &op->vs_cap, &inv->err);
	}
	if (e == CAIRN_OK && op->ipc != NULL) {
		e = cnode_derive(&op->ipc->cap, CAIRN_RIGHTS_ALL, false, 0,
				 &op->ipc_cap, &inv->err);
	}
	if (e == CAIRN_OK) {
		e = cte_decode_delete(&op->t->cspace, &inv->err);
	}
	if (e == CAIRN_OK) {
		e = cte_decode_delete(&op->t->vspace, &inv->err);
	}
	return e; /* a frame's deletion cannot be refused */
}

static void perform_configure(const struct configure_op *op)
{
	struct tcb *t = op->t;

	/*
	 * The TCB holds copies of its roots and buffer, so none of them can be
	 * destroyed while it uses them. Replacing them is not losing them:
	 * release_cap does not suspend a running thread.
	 */
	release_cap(&t->cspace);
	release_cap(&t->vspace);
	release_cap(&t->ipc_buffer);
	tcb_hold_cap(t, &t->cspace, CTE_OWNER_TCB_CSPACE, op->cs, &op->cs_cap);
	tcb_hold_cap(t, &t->vspace, CTE_OWNER_TCB_VSPACE, op->vs, &op->vs_cap);
	if (op->ipc != NULL) {
		tcb_hold_cap(t, &t->ipc_buffer, CTE_OWNER_TCB_IPC_BUFFER,
			     op->ipc, &op->ipc_cap);
	}
	t->vspace_root = op->vs_cap.object;
	t->vmid = vmid_init((uint16_t)op->vs_cap.vmid);
	t->ipc_buffer_ipa = op->ipc_ipa;
	t->fault_ep = op->fault_ep;
}

struct priority_op {
	struct tcb *t;
	bool mcp; /* SetMCPriority, not SetPriority */
	uint8_t value;
};

static enum cairn_error decode_priority(struct invocation *inv,
					struct priority_op *op)
{
	struct cte *auth;
	enum cairn_error e = inv_need_args(inv, 2);

	if (e == CAIRN_OK) {
		e = inv_lookup_typed(inv, CAIRN_ARG_AUTHORITY, inv->args[0],
				     CAP_TCB, &auth);
	}
	if (e != CAIRN_OK) {
		return e;
	}
	uint8_t mcp = tcb_of(&auth->cap)->mcp;
	if (inv->args[1] > mcp) {
		return inv_refuse(inv, CAIRN_RANGE_ERROR, CAIRN_ARG_PRIORITY, 0,
				  mcp);
	}
	op->t = tcb_of(&inv->slot->cap);
	op->mcp = inv->label == CAIRN_TCB_SET_MC_PRIORITY;
	op->value = (uint8_t)inv->args[1];
	return CAIRN_OK;
}

static void perform_priority(const struct priority_op *op)
{
	struct tcb *t = op->t;

	if (op->mcp) {
		t->mcp = op->value;
		return;
	}
	bool queued = t->state == THREAD_RUNNABLE;
	if (queued) {
		sched_dequeue(t);
	}
	t->priority = op->value;
	if (queued && t != sched_current()) {
		sched_enqueue(t);
	}
}

/* Register i in Read/WriteRegisters order: pc, sp, x0..x30. */
static uint64_t *reg_slot(struct tcb *t, size_t i)
{
	return i == 0 ? &t->regs.pc : i == 1 ? &t->regs.sp : &t->regs.x[i - 2];
}

/* ReadRegisters (count) or WriteRegisters (resume, count, values...). */
struct registers_op {
	struct tcb *t;
	bool write, resume;
	uint64_t count;
	const uint64_t *values;
};

static enum cairn_error decode_registers(struct invocation *inv,
					 struct registers_op *op)
{
	const uint64_t *a = inv->args;

	op->t = tcb_of(&inv->slot->cap);
	op->write = inv->label == CAIRN_TCB_WRITE_REGISTERS;
	size_t first = op->write ? 2 : 0;
	enum cairn_error e = inv_need_args(inv, first + 1);
	if (e != CAIRN_OK) {
		return e;
	}
	op->count = a[op->write ? 1 : 0];
	if (op->count < 1 || op->count > CAIRN_TCB_REGISTER_COUNT) {
		return inv_refuse(inv, CAIRN_RANGE_ERROR, CAIRN_ARG_COUNT, 1,
				  CAIRN_TCB_REGISTER_COUNT);
	}
	op->resume = op->write && a[0] != 0;
	op->values = &a[first];
	return op->write ? inv_need_args(inv, first + op->count) : CAIRN_OK;
}

static void perform_registers(struct invocation *inv,
			      const struct registers_op *op)
{
	for (size_t i = 0; i < op->count; i++) {
		if (op->write) {
			*reg_slot(op->t, i) = op->values[i];
		} else {
			inv->reply[i] = *reg_slot(op->t, i);
		}
	}
	inv->reply_len = op->write ? 0 : op->count;
	if (op->resume) {
		tcb_resume(op->t);
	}
}

static enum cairn_error decode_bind_notification(struct invocation *inv,
						 struct cte **nt)
{
	struct tcb *t = tcb_of(&inv->slot->cap);
	enum cairn_error e = inv_need_args(inv, 1);

	if (e == CAIRN_OK) {
		e = inv_lookup_typed(inv, CAIRN_ARG_NOTIFICATION, inv->args[0],
				     CAP_NOTIFICATION, nt);
	}
	if (e == CAIRN_OK &&
	    (pa_addr(t->bound_ntfn) != 0 || notification_bound(&(*nt)->cap))) {
		e = inv_refuse(inv, CAIRN_ILLEGAL_OPERATION,
			       CAIRN_ARG_NOTIFICATION, 0, 0);
	}
	return e;
}

void tcb_resume(struct tcb *t)
{
	if (t->state == THREAD_INACTIVE && pa_addr(t->vspace_root) != 0) {
		t->state = THREAD_RUNNABLE;
		sched_enqueue(t);
	}
}

/* Runs one of the TCB operations above, decode first. */
#define DECODE_PERFORM(op_type, decode, perform_call)                          \
	do {                                                                   \
		struct op_type op_;                                            \
		enum cairn_error e_ = decode(inv, &op_);                       \
		if (e_ == CAIRN_OK) {                                          \
			perform_call;                                          \
		}                                                              \
		return e_;                                                     \
	} while (0)

enum cairn_error tcb_invoke(struct invocation *inv)
{
	struct tcb *t = tcb_of(&inv->slot->cap);
	struct cte *nt;
	enum cairn_error e;

	switch (inv->label) {
	case CAIRN_TCB_CONFIGURE:
		DECODE_PERFORM(configure_op, decode_configure,
			       perform_configure(&op_));
	case CAIRN_TCB_SET_PRIORITY:
	case CAIRN_TCB_SET_MC_PRIORITY:
		DECODE_PERFORM(priority_op, decode_priority,
			       perform_priority(&op_));
	case CAIRN_TCB_READ_REGISTERS:
	case CAIRN_TCB_WRITE_REGISTERS:
		DECODE_PERFORM(registers_op, decode_registers,
			       perform_registers(inv, &op_));
	case CAIRN_TCB_RESUME:
		if (pa_addr(t->vspace_root) == 0) {
			/* Nothing to run in: Configure first. */
			return inv_refuse(inv, CAIRN_ILLEGAL_OPERATION,
					  CAIRN_ARG_VSPACE, 0, 0);
		}
		tcb_resume(t);
		return CAIRN_OK;
	case CAIRN_TCB_SUSPEND:
		tcb_suspend(t);
		return CAIRN_OK;
	case CAIRN_TCB_BIND_VCPU:
	case CAIRN_TCB_UNBIND_VCPU:
		return vcpu_bind_invoke(inv, t);
	case CAIRN_TCB_BIND_NOTIFICATION:
		e = decode_bind_notification(inv, &nt);
		if (e == CAIRN_OK) {
			notification_bind(&nt->cap, t);
		}
		return e;
	case CAIRN_TCB_SET_NAME:
		e = inv_need_args(inv, 2);
		if (e == CAIRN_OK) {
			memcpy(t->name, inv->args, TCB_NAME_LEN);
			t->name[TCB_NAME_LEN - 1] = '\0';
		}
		return e;
	default:
		return inv_bad_label(inv);
	}
}

enum cairn_error tcb_decode_destroy(struct tcb *t, struct inv_error *err)
{
	enum cairn_error e = cte_decode_delete(&t->cspace, err);

	return e == CAIRN_OK ? cte_decode_delete(&t->vspace, err) : e;
}

void tcb_destroy(struct tcb *t)
{
	tcb_suspend(t);
	tcb_unregister(t);
	arch_forget_thread(t);
	notification_unbind_tcb(t);
	release_cap(&t->cspace);
	release_cap(&t->vspace);
	release_cap(&t->ipc_buffer);
	vcpu_unbind(t);
	t->vspace_root = pa_init(0);
}

/* The TCB that owns slot, a slot of the given owner kind. */
static struct tcb *owning_tcb(struct cte *slot)
{
	size_t off = slot->owner == CTE_OWNER_TCB_CSPACE
			 ? __builtin_offsetof(struct tcb, cspace)
		     : slot->owner == CTE_OWNER_TCB_VSPACE
			 ? __builtin_offsetof(struct tcb, vspace)
		     : slot->owner == CTE_OWNER_TCB_VCPU
			 ? __builtin_offsetof(struct tcb, vcpu)
			 : __builtin_offsetof(struct tcb, ipc_buffer);

	return (struct tcb *)((uint8_t *)slot - off);
}

void tcb_lost_cap(struct cte *slot)
{
	/* A cap the TCB holds was deleted from outside (a revoke). */
	struct tcb *t = owning_tcb(slot);

	switch ((enum cte_owner)slot->owner) {
	case CTE_OWNER_TCB_CSPACE:
		tcb_suspend(t);
		break;
	case CTE_OWNER_TCB_VSPACE:
		tcb_suspend(t);
		t->vspace_root = pa_init(0);
		break;
	case CTE_OWNER_TCB_IPC_BUFFER:
		/* It runs on without one: long messages are cut to six
		 * words, as for a thread configured without a buffer. */
		t->ipc_buffer_ipa = ipa_init(0);
		break;
	case CTE_OWNER_TCB_VCPU:
		vcpu_lost(t);
		break;
	default:
		ASSERT(false);
		break;
	}
}

#ifdef CAIRN_DEBUG
/* A raw TCB pointer (queue and list links) names a live TCB. */
static void check_tcb_ptr(const struct tcb *p, const char *what)
{
	if (p != NULL) {
		KTAG_CHECK_TYPE(kmem_pa(p), CAP_TCB, what);
	}
}

/* The type of object a thread in state s is blocked on, if any. */
static unsigned blocked_on_type(enum thread_state s)
{
	switch (s) {
	case THREAD_BLOCKED_SEND:
	case THREAD_BLOCKED_RECV:
		return CAP_ENDPOINT;
	case THREAD_BLOCKED_NOTIFICATION:
		return CAP_NOTIFICATION;
	case THREAD_BLOCKED_REPLY:
		return CAP_REPLY;
	default:
		return CAP_NULL;
	}
}

/*
 * The objects t's IPC links name are live and of the right type, and so
 * are the threads those objects queue. These links record no generation:
 * they are mutual (tcb_check_refs), and a new object at a freed one's
 * address starts with empty links, so a stale link fails one check or the
 * other.
 */
static void check_ipc_targets(const struct tcb *t)
{
	unsigned on =
	    pa_addr(t->blocked_on) != 0 ? blocked_on_type(t->state) : CAP_NULL;

	if (on != CAP_NULL) {
		KTAG_CHECK_TYPE(t->blocked_on, on,
				"the object a thread is blocked on");
	}
	if (on == CAP_ENDPOINT) {
		const struct endpoint *ep = kmem_ptr(t->blocked_on);
		check_tcb_ptr(ep->head, "the head of an endpoint queue");
		check_tcb_ptr(ep->tail, "the tail of an endpoint queue");
	} else if (on == CAP_NOTIFICATION) {
		const struct notification *n = kmem_ptr(t->blocked_on);
		check_tcb_ptr(n->head, "the head of a notification queue");
		check_tcb_ptr(n->tail, "the tail of a notification queue");
	}
	if (pa_addr(t->reply) != 0) {
		KTAG_CHECK_TYPE(t->reply, CAP_REPLY,
				"the Reply a thread receives with");
	}
	if (pa_addr(t->bound_ntfn) != 0) {
		KTAG_CHECK_TYPE(t->bound_ntfn, CAP_NOTIFICATION,
				"the notification bound to a thread");
	}
	check_tcb_ptr(t->ep_next, "the next thread in an IPC queue");
	check_tcb_ptr(t->ep_prev, "the previous thread in an IPC queue");
	check_tcb_ptr(t->sched_next, "the next thread in a run queue");
	check_tcb_ptr(t->sched_prev, "the previous thread in a run queue");
	check_tcb_ptr(t->all_next, "the next thread on the list of TCBs");
	check_tcb_ptr(t->all_prev, "the previous thread on the list of TCBs");
}
#endif

void tcb_check_refs(const struct tcb *t)
{
#ifdef CAIRN_DEBUG
	/* Tags first: a dead object's fields are poison, which would make
	 * the checks below fail without saying why. */
	KTAG_CHECK_TYPE(kmem_pa(t), CAP_TCB, "a thread on the list of TCBs");
	KTAG_CHECK_CAP(&t->cspace.cap, "the CSpace root a TCB holds");
	KTAG_CHECK_CAP(&t->vspace.cap, "the VSpace a TCB holds");
	KTAG_CHECK_CAP(&t->ipc_buffer.cap, "the IPC buffer a TCB holds");
	KTAG_CHECK_CAP(&t->vcpu.cap, "the VCPU a TCB holds");
	vcpu_check_refs(t);
	check_ipc_targets(t);
	/* Owned slots hold what their kind says, or nothing. */
	ASSERT(cap_is_null(&t->cspace.cap) ||
	       (t->cspace.cap.type == CAP_CNODE &&
		t->cspace.owner == CTE_OWNER_TCB_CSPACE));
	ASSERT(cap_is_null(&t->vspace.cap) ||
	       (t->vspace.cap.type == CAP_VSPACE &&
		t->vspace.owner == CTE_OWNER_TCB_VSPACE));
	ASSERT(pa_addr(t->vspace_root) == 0 ||
	       pa_addr(t->vspace_root) == pa_addr(t->vspace.cap.object));
	ASSERT(cap_is_null(&t->ipc_buffer.cap) ||
	       (usable_ipc_buffer(&t->ipc_buffer.cap) &&
		t->ipc_buffer.owner == CTE_OWNER_TCB_IPC_BUFFER));
	/* Listed references are mutual: each is on the other's list. */
	bool queued = t->state == THREAD_BLOCKED_SEND ||
		      t->state == THREAD_BLOCKED_RECV ||
		      t->state == THREAD_BLOCKED_NOTIFICATION;
	ASSERT(!queued || pa_addr(t->blocked_on) != 0);
	ASSERT(t->state != THREAD_RUNNABLE || pa_addr(t->blocked_on) == 0);
	/* sched.c's invariant: on its WFI list iff waiting in WFI. */
	ASSERT((t->state == THREAD_BLOCKED_WFI) == sched_wfi_listed(t));
	ASSERT(t->state != THREAD_BLOCKED_WFI || pa_addr(t->blocked_on) == 0);
	if (t->state == THREAD_BLOCKED_REPLY && pa_addr(t->blocked_on) != 0) {
		ASSERT(((struct reply *)kmem_ptr(t->blocked_on))->caller == t);
	}
	if (pa_addr(t->reply) != 0) {
		ASSERT(t->state == THREAD_BLOCKED_RECV);
		ASSERT(((struct reply *)kmem_ptr(t->reply))->receiver == t);
	}
	if (pa_addr(t->bound_ntfn) != 0) {
		ASSERT(
		    ((struct notification *)kmem_ptr(t->bound_ntfn))->bound ==
		    t);
	}
#else
	(void)t;
#endif
}
