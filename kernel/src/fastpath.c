#include "fastpath.h"

#include "arch.h"
#include "assert.h"
#include "cap/cspace.h"
#include "ipc.h"
#include "kmem.h"
#include "sched.h"
#include "syscall.h"

#include <cairn/syscalls.h>

static bool short_message(const struct tcb *t)
{
	return CAIRN_MSGINFO_LENGTH(t->regs.x[1]) <= CAIRN_MSG_REG_WORDS &&
	       CAIRN_MSGINFO_CAP_COUNT(t->regs.x[1]) == 0;
}

/* What ipc.c's transfer() does for a short message without caps. */
static void copy_short(const struct tcb *s, struct tcb *r, uint64_t x0)
{
	unsigned n = CAIRN_MSGINFO_LENGTH(s->regs.x[1]);

	for (unsigned i = 0; i < n; i++) {
		r->regs.x[2 + i] = s->regs.x[2 + i];
	}
	r->regs.x[0] = x0;
	r->regs.x[1] = CAIRN_MSGINFO(CAIRN_MSGINFO_LABEL(s->regs.x[1]), n);
}

static inline __attribute__((always_inline)) const struct cap *
lookup(struct tcb *t, uint64_t cptr, enum cap_type type, uint32_t right)
{
	struct inv_error err;
	struct lookup l;

	/* An empty slot's type is CAP_NULL, never `type`. */
	if (cspace_walk(&t->cspace.cap, cptr, CPTR_BITS, &l, &err) !=
		CAIRN_OK ||
	    l.slot->cap.type != type || !(l.slot->cap.rights & right)) {
		return NULL;
	}
	return &l.slot->cap;
}

void fastpath_call(struct tcb *t)
{
	const struct cap *c;
	struct endpoint *ep;
	struct tcb *r;

	if (!short_message(t) || (c = lookup(t, t->regs.x[0], CAP_ENDPOINT,
					     CAIRN_RIGHT_WRITE)) == NULL) {
		syscall_slowpath(t, CAIRN_SYS_CALL);
	}
	ep = kmem_ptr(c->object);
	r = ep->head;
	if (ep->state != EP_RECEIVING || pa_addr(r->reply) == 0 ||
	    (int)r->priority <= sched_highest_ready()) {
		syscall_slowpath(t, CAIRN_SYS_CALL);
	}
	struct reply *rp = kmem_ptr(r->reply);
	ASSERT(rp->caller == NULL); /* kept by ipc_recv */
	/* Dequeue the receiver, as ipc_send does. */
	ep->head = r->ep_next;
	if (ep->head == NULL) {
		ep->tail = NULL;
		ep->state = EP_IDLE;
	} else {
		ep->head->ep_prev = NULL;
	}
	r->ep_next = r->ep_prev = NULL;
	rp->receiver = NULL;
	r->reply = pa_init(0);
	copy_short(t, r, c->badge);
	t->ipc_badge = c->badge;
	t->ipc_rights = c->rights;
	t->ipc_is_call = true;
	rp->caller = t;
	t->state = THREAD_BLOCKED_REPLY;
	t->blocked_on = kmem_pa(rp);
	r->state = THREAD_RUNNABLE;
	r->blocked_on = pa_init(0);
	arch_run_thread(r);
}

void fastpath_reply_recv(struct tcb *t)
{
	const struct cap *c, *rc;
	struct endpoint *ep;
	struct reply *rp;
	struct tcb *caller;

	if (!short_message(t) || t->regs.x[9] == 0 ||
	    (rc = lookup(t, t->regs.x[9], CAP_REPLY, 0xffffffff)) == NULL ||
	    (c = lookup(t, t->regs.x[0], CAP_ENDPOINT, CAIRN_RIGHT_READ)) ==
		NULL) {
		syscall_slowpath(t, CAIRN_SYS_REPLY_RECV);
	}
	rp = kmem_ptr(rc->object);
	caller = rp->caller;
	ep = kmem_ptr(c->object);
	if (caller == NULL || caller->state != THREAD_BLOCKED_REPLY ||
	    caller->fault_pending || ep->state == EP_SENDING ||
	    (pa_addr(t->bound_ntfn) != 0 &&
	     ((struct notification *)kmem_ptr(t->bound_ntfn))->word != 0) ||
	    (int)caller->priority <= sched_highest_ready() ||
	    (rp->receiver != NULL && rp->receiver != t)) {
		syscall_slowpath(t, CAIRN_SYS_REPLY_RECV);
	}
	/* Reply, as ipc_reply does. */
	rp->caller = NULL;
	t->fault_pending = false;
	copy_short(t, caller, CAIRN_OK);
	caller->state = THREAD_RUNNABLE;
	caller->blocked_on = pa_init(0);
	/* Receive, as ipc_recv does when nobody is sending. */
	rp->receiver = t;
	t->reply = kmem_pa(rp);
	t->ep_next = NULL;
	t->ep_prev = ep->tail;
	if (ep->tail != NULL) {
		ep->tail->ep_next = t;
	} else {
		ep->head = t;
	}
	ep->tail = t;
	ep->state = EP_RECEIVING;
	t->state = THREAD_BLOCKED_RECV;
	t->blocked_on = c->object;
	arch_run_thread(caller);
}
