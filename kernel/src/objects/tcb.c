#include "objects/tcb.h"

#include "arch.h"
#include "cap/cdt.h"
#include "cap/cspace.h"
#include "cap/delete.h"
#include "ipc.h"
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

static enum cairn_error configure(struct tcb *t, const uint64_t *a, size_t n,
				  const struct cap *cspace,
				  struct inv_error *err)
{
	struct cte *cs, *vs, *ipc = NULL;
	enum cairn_error e;

	if (n < 5) {
		return inv_fail(err, CAIRN_TRUNCATED_MESSAGE, 0, 5, 0);
	}
	e = lookup_typed(cspace, a[0], CAP_CNODE, CAIRN_ARG_CSPACE, &cs, err);
	if (e == CAIRN_OK) {
		e = lookup_typed(cspace, a[1], CAP_VSPACE, CAIRN_ARG_VSPACE,
				 &vs, err);
	}
	if (e == CAIRN_OK && a[2] != 0) {
		e = lookup_typed(cspace, a[2], CAP_FRAME, CAIRN_ARG_IPC_BUFFER,
				 &ipc, err);
	}
	if (e == CAIRN_OK && ipc != NULL &&
	    ipc->cap.size_bits != CAIRN_FRAME_4K_BITS) {
		e = inv_fail(err, CAIRN_INVALID_CAPABILITY,
			     CAIRN_ARG_IPC_BUFFER, 0, 0);
	}
	if (e == CAIRN_OK) {
		e = cte_prepare_delete(&t->cspace, err);
	}
	if (e == CAIRN_OK) {
		e = cte_prepare_delete(&t->vspace, err);
	}
	if (e != CAIRN_OK) {
		return e;
	}
	/*
	 * Commit: the TCB holds its own copies of the two roots. Replacing
	 * them is not losing them, so the slots are not the TCB's while the
	 * old caps go (tcb_lost_cap would suspend the thread).
	 */
	struct cap cs_cap = cs->cap, vs_cap = vs->cap;
	t->cspace.owner = CTE_OWNER_CNODE;
	t->vspace.owner = CTE_OWNER_CNODE;
	cte_commit_delete(&t->cspace);
	cte_commit_delete(&t->vspace);
	cdt_insert_child(cs, &t->cspace, &cs_cap);
	cdt_insert_child(vs, &t->vspace, &vs_cap);
	t->cspace.owner = CTE_OWNER_TCB;
	t->vspace.owner = CTE_OWNER_TCB;
	t->vspace_root = vs_cap.object;
	t->vmid = (uint16_t)vs_cap.vmid;
	t->ipc_buffer = ipc != NULL ? ipc->cap.object : pa_init(0);
	t->ipc_buffer_ipa = ipc != NULL ? a[3] : 0;
	t->fault_ep = a[4];
	return CAIRN_OK;
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
	cte_commit_delete(&t->cspace);
	cte_commit_delete(&t->vspace);
	t->vspace_root = pa_init(0);
}

void tcb_lost_cap(struct cte *slot)
{
	/* A cap the TCB holds was deleted from outside (a revoke). */
	struct tcb *t;

	if (slot->owner != CTE_OWNER_TCB) {
		return;
	}
	t = (struct tcb *)((uint8_t *)slot -
			   (slot->cap.type == CAP_CNODE
				? __builtin_offsetof(struct tcb, cspace)
				: __builtin_offsetof(struct tcb, vspace)));
	tcb_suspend(t);
	if (slot == &t->vspace) {
		t->vspace_root = pa_init(0);
	}
}
