#include "objects/tcb.h"

#include "arch.h"
#include "assert.h"
#include "cap/cdt.h"
#include "cap/cspace.h"
#include "cap/delete.h"
#include "ipc.h"
#include "objects/cnode.h"
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

/* A cap argument of a required type, found in the caller's CSpace. */
static enum cairn_error lookup_typed(const struct cap *cspace, uint64_t cptr,
				     enum cap_type type, unsigned arg,
				     struct cte **slot, struct inv_error *err)
{
	enum cairn_error e = cspace_lookup_cap(cspace, cptr, slot, err);

	if (e == CAIRN_OK && (*slot)->cap.type != type) {
		return inv_fail(err, CAIRN_INVALID_CAPABILITY, arg, 0, 0);
	}
	return e;
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
	cte_commit_delete(own);
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
	struct cte *cs, *vs, *ipc; /* ipc NULL: no IPC buffer */
	struct cap cs_cap, vs_cap, ipc_cap;
};

static enum cairn_error decode_configure(struct tcb *t, const uint64_t *a,
					 size_t n, const struct cap *cspace,
					 struct configure_op *op,
					 struct inv_error *err)
{
	enum cairn_error e;

	op->ipc = NULL;
	if (n < 5) {
		return inv_fail(err, CAIRN_TRUNCATED_MESSAGE, 0, 5, 0);
	}
	e = lookup_typed(cspace, a[0], CAP_CNODE, CAIRN_ARG_CSPACE, &op->cs,
			 err);
	if (e == CAIRN_OK) {
		e = lookup_typed(cspace, a[1], CAP_VSPACE, CAIRN_ARG_VSPACE,
				 &op->vs, err);
	}
	if (e == CAIRN_OK && a[2] != 0) {
		e = lookup_typed(cspace, a[2], CAP_FRAME, CAIRN_ARG_IPC_BUFFER,
				 &op->ipc, err);
	}
	if (e != CAIRN_OK) {
		return e;
	}
	if (op->ipc != NULL && !usable_ipc_buffer(&op->ipc->cap)) {
		return inv_fail(err, CAIRN_INVALID_CAPABILITY,
				CAIRN_ARG_IPC_BUFFER, 0, 0);
	}
	if (op->ipc != NULL && !IS_ALIGNED(a[3], KiB(4))) {
		return inv_fail(err, CAIRN_ALIGNMENT_ERROR, CAIRN_ARG_IPA,
				KiB(4), 0);
	}
	e = cnode_derive(&op->cs->cap, CAIRN_RIGHTS_ALL, false, 0, &op->cs_cap,
			 err);
	if (e == CAIRN_OK) {
		e = cnode_derive(&op->vs->cap, CAIRN_RIGHTS_ALL, false, 0,
				 &op->vs_cap, err);
	}
	if (e == CAIRN_OK && op->ipc != NULL) {
		e = cnode_derive(&op->ipc->cap, CAIRN_RIGHTS_ALL, false, 0,
				 &op->ipc_cap, err);
	}
	if (e == CAIRN_OK) {
		e = cte_prepare_delete(&t->cspace, err);
	}
	if (e == CAIRN_OK) {
		e = cte_prepare_delete(&t->vspace, err);
	}
	return e; /* a frame's deletion cannot be refused */
}

static void perform_configure(struct tcb *t, const uint64_t *a,
			      struct configure_op *op)
{
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
	t->vmid = (uint16_t)op->vs_cap.vmid;
	t->ipc_buffer_ipa = op->ipc != NULL ? a[3] : 0;
	t->fault_ep = a[4];
}

static enum cairn_error configure(struct tcb *t, const uint64_t *a, size_t n,
				  const struct cap *cspace,
				  struct inv_error *err)
{
	struct configure_op op;
	enum cairn_error e = decode_configure(t, a, n, cspace, &op, err);

	if (e == CAIRN_OK) {
		perform_configure(t, a, &op);
	}
	return e;
}

static enum cairn_error set_priority(struct tcb *t, uint64_t label,
				     const uint64_t *a, size_t n,
				     const struct cap *cspace,
				     struct inv_error *err)
{
	struct cte *auth;
	enum cairn_error e;

	if (n < 2) {
		return inv_fail(err, CAIRN_TRUNCATED_MESSAGE, 0, 2, 0);
	}
	e = lookup_typed(cspace, a[0], CAP_TCB, CAIRN_ARG_AUTHORITY, &auth,
			 err);
	if (e != CAIRN_OK) {
		return e;
	}
	uint8_t mcp = tcb_of(&auth->cap)->mcp;
	if (a[1] > mcp) {
		return inv_fail(err, CAIRN_RANGE_ERROR, CAIRN_ARG_PRIORITY, 0,
				mcp);
	}
	if (label == CAIRN_TCB_SET_MC_PRIORITY) {
		t->mcp = (uint8_t)a[1];
		return CAIRN_OK;
	}
	bool queued = t->state == THREAD_RUNNABLE;
	if (queued) {
		sched_dequeue(t);
	}
	t->priority = (uint8_t)a[1];
	if (queued && t != sched_current()) {
		sched_enqueue(t);
	}
	return CAIRN_OK;
}

/* Register i in Read/WriteRegisters order: pc, sp, x0..x30. */
static uint64_t *reg_slot(struct tcb *t, size_t i)
{
	return i == 0 ? &t->regs.pc : i == 1 ? &t->regs.sp : &t->regs.x[i - 2];
}

static enum cairn_error registers(struct tcb *t, uint64_t label,
				  const uint64_t *a, size_t n, uint64_t *reply,
				  size_t *reply_len, struct inv_error *err)
{
	bool write = label == CAIRN_TCB_WRITE_REGISTERS;
	size_t first = write ? 2 : 0; /* (resume, count, ...) or (count) */

	if (n < first + 1) {
		return inv_fail(err, CAIRN_TRUNCATED_MESSAGE, 0, first + 1, 0);
	}
	uint64_t count = a[first - (write ? 1 : 0)];
	if (count < 1 || count > CAIRN_TCB_REGISTER_COUNT) {
		return inv_fail(err, CAIRN_RANGE_ERROR, CAIRN_ARG_COUNT, 1,
				CAIRN_TCB_REGISTER_COUNT);
	}
	if (!write) {
		for (size_t i = 0; i < count; i++) {
			reply[i] = *reg_slot(t, i);
		}
		*reply_len = count;
		return CAIRN_OK;
	}
	if (n < first + count) {
		return inv_fail(err, CAIRN_TRUNCATED_MESSAGE, 0, first + count,
				0);
	}
	for (size_t i = 0; i < count; i++) {
		*reg_slot(t, i) = a[first + i];
	}
	if (a[0] != 0) {
		tcb_resume(t);
	}
	return CAIRN_OK;
}

static enum cairn_error bind_notification(struct tcb *t, const uint64_t *a,
					  size_t n, const struct cap *cspace,
					  struct inv_error *err)
{
	struct cte *nt;
	enum cairn_error e;

	if (n < 1) {
		return inv_fail(err, CAIRN_TRUNCATED_MESSAGE, 0, 1, 0);
	}
	e = lookup_typed(cspace, a[0], CAP_NOTIFICATION, CAIRN_ARG_NOTIFICATION,
			 &nt, err);
	if (e != CAIRN_OK) {
		return e;
	}
	if (pa_addr(t->bound_ntfn) != 0 || notification_bound(&nt->cap)) {
		return inv_fail(err, CAIRN_ILLEGAL_OPERATION,
				CAIRN_ARG_NOTIFICATION, 0, 0);
	}
	notification_bind(&nt->cap, t);
	return CAIRN_OK;
}

void tcb_resume(struct tcb *t)
{
	if (t->state == THREAD_INACTIVE && pa_addr(t->vspace_root) != 0) {
		t->state = THREAD_RUNNABLE;
		sched_enqueue(t);
	}
}

enum cairn_error tcb_invoke(struct cte *slot, uint64_t label,
			    const uint64_t *args, size_t nargs,
			    const struct cap *cspace, uint64_t *reply,
			    size_t *reply_len, struct inv_error *err)
{
	struct tcb *t = tcb_of(&slot->cap);

	switch (label) {
	case CAIRN_TCB_CONFIGURE:
		return configure(t, args, nargs, cspace, err);
	case CAIRN_TCB_SET_PRIORITY:
	case CAIRN_TCB_SET_MC_PRIORITY:
		return set_priority(t, label, args, nargs, cspace, err);
	case CAIRN_TCB_READ_REGISTERS:
	case CAIRN_TCB_WRITE_REGISTERS:
		return registers(t, label, args, nargs, reply, reply_len, err);
	case CAIRN_TCB_RESUME:
		if (pa_addr(t->vspace_root) == 0) {
			/* Nothing to run in: Configure first. */
			return inv_fail(err, CAIRN_ILLEGAL_OPERATION,
					CAIRN_ARG_VSPACE, 0, 0);
		}
		tcb_resume(t);
		return CAIRN_OK;
	case CAIRN_TCB_SUSPEND:
		tcb_suspend(t);
		return CAIRN_OK;
	case CAIRN_TCB_BIND_NOTIFICATION:
		return bind_notification(t, args, nargs, cspace, err);
	case CAIRN_TCB_SET_NAME:
		if (nargs < 2) {
			return inv_fail(err, CAIRN_TRUNCATED_MESSAGE, 0, 2, 0);
		}
		memcpy(t->name, args, TCB_NAME_LEN);
		t->name[TCB_NAME_LEN - 1] = '\0';
		return CAIRN_OK;
	default:
		return inv_fail(err, CAIRN_ILLEGAL_OPERATION, CAIRN_ARG_LABEL,
				label, 0);
	}
}

enum cairn_error tcb_prepare_destroy(struct tcb *t, struct inv_error *err)
{
	enum cairn_error e = cte_prepare_delete(&t->cspace, err);

	return e == CAIRN_OK ? cte_prepare_delete(&t->vspace, err) : e;
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
	t->vspace_root = pa_init(0);
}

/* The TCB that owns slot, a slot of the given owner kind. */
static struct tcb *owning_tcb(struct cte *slot)
{
	size_t off = slot->owner == CTE_OWNER_TCB_CSPACE
			 ? __builtin_offsetof(struct tcb, cspace)
		     : slot->owner == CTE_OWNER_TCB_VSPACE
			 ? __builtin_offsetof(struct tcb, vspace)
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
		t->ipc_buffer_ipa = 0;
		break;
	default:
		ASSERT(false);
		break;
	}
}

void tcb_check_refs(const struct tcb *t)
{
#ifdef CAIRN_DEBUG
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
