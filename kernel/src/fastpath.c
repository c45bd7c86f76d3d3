#include "fastpath.h"

#include "arch.h"
#include "assert.h"
#include "cap/cspace.h"
#include "fault.h"
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

/*
 * The receiver at the head of ep, if a Call (or a fault, which the kernel
 * makes as one) may be handed to it here: it gave a Reply object and
 * outranks every ready thread, so the slowpath would run it next too.
 */
static inline __attribute__((always_inline)) struct tcb *
waiting_receiver(const struct endpoint *ep)
{
	struct tcb *r = ep->head;

	if (ep->state != EP_RECEIVING || pa_addr(r->reply) == 0 ||
	    (int)r->priority <= sched_highest_ready()) {
		return NULL;
	}
	return r;
}

/*
 * t's Call (or fault) reaches r, the head of ep, as ipc_send and
 * complete_send do: r leaves the queue and its Reply, t waits on that
 * Reply. The message itself is the caller's to copy.
 */
static inline __attribute__((always_inline)) void hand_over(struct tcb *t,
							    struct endpoint *ep,
							    struct tcb *r,
							    const struct cap *c)
{
	struct reply *rp = kmem_ptr(r->reply);

	ASSERT(rp->caller == NULL); /* kept by ipc_recv */
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
	t->ipc_badge = c->badge;
	t->ipc_rights = c->rights;
	t->ipc_is_call = true;
	rp->caller = t;
	t->state = THREAD_BLOCKED_REPLY;
	t->blocked_on = kmem_pa(rp);
	r->state = THREAD_RUNNABLE;
	r->blocked_on = pa_init(0);
}

void fastpath_call(struct tcb *t)
{
	const struct cap *c;
	struct tcb *r;

	if (!short_message(t) ||
	    (c = lookup(t, t->regs.x[0], CAP_ENDPOINT, CAIRN_RIGHT_WRITE)) ==
		NULL ||
	    (r = waiting_receiver(kmem_ptr(c->object))) == NULL) {
		syscall_slowpath(t, CAIRN_SYS_CALL);
	}
	copy_short(t, r, c->badge);
	hand_over(t, kmem_ptr(c->object), r, c);
	arch_run_thread(r);
}

/* What ipc_transfer does for a fault: the words in registers, the rest in
 * the receiver's IPC buffer (cut to the registers' six without one). */
static void copy_fault(const struct tcb *t, struct tcb *r, uint64_t badge)
{
	struct cairn_ipc_buffer *rb = tcb_ipc_buffer(r);
	unsigned n = rb != NULL ? CAIRN_FAULT_WORDS : CAIRN_MSG_REG_WORDS;

	for (unsigned i = 0; i < CAIRN_MSG_REG_WORDS; i++) {
		r->regs.x[2 + i] = t->fault_msg[i];
	}
	for (unsigned i = CAIRN_MSG_REG_WORDS; i < n; i++) {
		rb->mr[i] = t->fault_msg[i];
	}
	r->regs.x[0] = badge;
	r->regs.x[1] = CAIRN_MSGINFO(t->fault_label, n);
}

void fastpath_vm_exit(struct tcb *t)
{
	const struct cap *c;
	struct tcb *r;

	/* fault_send's lookup: an Endpoint cap with WRITE (slot 0, where a
	 * fault_ep of 0 points, is always empty). */
	if ((c = lookup(t, t->fault_ep, CAP_ENDPOINT, CAIRN_RIGHT_WRITE)) ==
		NULL ||
	    (r = waiting_receiver(kmem_ptr(c->object))) == NULL) {
		return;
	}
	t->fault_pending = true;
	copy_fault(t, r, c->badge);
	hand_over(t, kmem_ptr(c->object), r, c);
	arch_run_thread(r);
}

/*
 * What any reply taken here needs besides its own conditions: caller
 * waits for it, nobody is queued to send to t, no notification is
 * pending for t, caller outranks every ready thread, and the Reply is
 * named by no other receiver.
 */
static inline __attribute__((always_inline)) bool
answerable(const struct tcb *t, const struct tcb *caller,
	   const struct reply *rp, const struct endpoint *ep)
{
	return caller->state == THREAD_BLOCKED_REPLY &&
	       ep->state != EP_SENDING &&
	       (pa_addr(t->bound_ntfn) == 0 ||
		((struct notification *)kmem_ptr(t->bound_ntfn))->word == 0) &&
	       (int)caller->priority > sched_highest_ready() &&
	       (rp->receiver == NULL || rp->receiver == t);
}

/* Then t receives, as ipc_recv does when nobody is sending, and the
 * answered caller runs. */
static inline __attribute__((always_inline, noreturn)) void
recv_and_run(struct tcb *t, struct reply *rp, struct endpoint *ep,
	     const struct cap *c, struct tcb *caller)
{
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

/*
 * A reply to a fault: taken here only for a vCPU's VM exit answered with
 * CAIRN_VM_REPLY, whose effect fault_vm_reply defines for both paths (as
 * ipc_reply and fault_resume apply it). Out of line, so a plain reply
 * pays for none of it.
 */
static __attribute__((noinline, noreturn)) void
vm_reply_recv(struct tcb *t, struct reply *rp, struct endpoint *ep,
	      const struct cap *c, struct tcb *caller)
{
	if (CAIRN_MSGINFO_LABEL(t->regs.x[1]) != CAIRN_VM_REPLY ||
	    tcb_vcpu(caller) == NULL || !answerable(t, caller, rp, ep)) {
		syscall_slowpath(t, CAIRN_SYS_REPLY_RECV);
	}
	rp->caller = NULL;
	caller->fault_pending = false;
	fault_vm_reply(t, caller);
	caller->state = THREAD_RUNNABLE;
	caller->blocked_on = pa_init(0);
	recv_and_run(t, rp, ep, c, caller);
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
	if (caller == NULL) {
		syscall_slowpath(t, CAIRN_SYS_REPLY_RECV);
	}
	if (caller->fault_pending) {
		vm_reply_recv(t, rp, ep, c, caller);
	}
	if (!answerable(t, caller, rp, ep)) {
		syscall_slowpath(t, CAIRN_SYS_REPLY_RECV);
	}
	/* Reply, as ipc_reply does. */
	rp->caller = NULL;
	t->fault_pending = false;
	copy_short(t, caller, CAIRN_OK);
	caller->state = THREAD_RUNNABLE;
	caller->blocked_on = pa_init(0);
	recv_and_run(t, rp, ep, c, caller);
}
