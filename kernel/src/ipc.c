#include "ipc.h"

#include "assert.h"
#include "cap/cdt.h"
#include "cap/cspace.h"
#include "kmem.h"
#include "objects/cnode.h"
#include "sched.h"

#include <cairn/invocations.h>

/* ---- queues ---- */

static void queue_append(struct tcb **head, struct tcb **tail, struct tcb *t)
{
	t->ep_next = NULL;
	t->ep_prev = *tail;
	if (*tail != NULL) {
		(*tail)->ep_next = t;
	} else {
		*head = t;
	}
	*tail = t;
}

static void queue_remove(struct tcb **head, struct tcb **tail, struct tcb *t)
{
	if (t->ep_prev != NULL) {
		t->ep_prev->ep_next = t->ep_next;
	} else {
		*head = t->ep_next;
	}
	if (t->ep_next != NULL) {
		t->ep_next->ep_prev = t->ep_prev;
	} else {
		*tail = t->ep_prev;
	}
	t->ep_next = t->ep_prev = NULL;
}

static void wake(struct tcb *t)
{
	t->state = THREAD_RUNNABLE;
	t->blocked_on = pa_init(0);
	if (t != sched_current()) {
		sched_enqueue(t); /* the current thread is never queued */
	}
}

static void block(struct tcb *t, enum thread_state s, paddr_t on)
{
	t->state = s;
	t->blocked_on = on;
}

/* ---- message transfer ---- */

/* Copies one capability from s to r if s may grant and r asked for one. */
static unsigned transfer_cap(struct tcb *s, struct tcb *r, uint32_t rights)
{
	struct cairn_ipc_buffer *sb = tcb_ipc_buffer(s),
				*rb = tcb_ipc_buffer(r);
	struct inv_error err;
	struct cte *src, *dest;
	struct cap cnode, copy;

	if (!(rights & CAIRN_RIGHT_GRANT) || sb == NULL || rb == NULL ||
	    rb->recv_cnode == 0) {
		return 0;
	}
	if (cspace_lookup_cap(&s->cspace.cap, sb->caps[0], &src, &err) !=
		CAIRN_OK ||
	    cspace_lookup_cnode(&r->cspace.cap, rb->recv_cnode, 0, 0, 0, &cnode,
				&err) != CAIRN_OK ||
	    cspace_lookup_slot(&cnode, rb->recv_index,
			       rb->recv_depth > 64 ? 0
						   : (unsigned)rb->recv_depth,
			       &dest, &err) != CAIRN_OK ||
	    !cap_is_null(&dest->cap) || src->cap.type == CAP_UNTYPED ||
	    cnode_derive(&src->cap, CAIRN_RIGHTS_ALL, false, 0, &copy, &err) !=
		CAIRN_OK) {
		return 0; /* as seL4: the message goes, the cap does not */
	}
	cdt_insert_child(src, dest, &copy);
	return 1;
}

/* Moves s's message to r: x0 = badge, x1 = info, x2.. and mr[6..]. */
static void transfer(struct tcb *s, struct tcb *r, uint64_t badge,
		     uint32_t rights)
{
	uint64_t label, n;
	unsigned caps = 0;
	struct cairn_ipc_buffer *rb = tcb_ipc_buffer(r);

	if (s->fault_pending) {
		label = s->fault_label;
		n = CAIRN_FAULT_WORDS;
		for (unsigned i = 0; i < n; i++) {
			r->regs.x[2 + i] = s->fault_msg[i];
		}
	} else {
		struct cairn_ipc_buffer *sb = tcb_ipc_buffer(s);
		label = CAIRN_MSGINFO_LABEL(s->regs.x[1]);
		n = CAIRN_MSGINFO_LENGTH(s->regs.x[1]);
		if (n > CAIRN_MSG_MAX_WORDS) {
			n = CAIRN_MSG_MAX_WORDS;
		}
		if (n > CAIRN_MSG_REG_WORDS && (sb == NULL || rb == NULL)) {
			n = CAIRN_MSG_REG_WORDS; /* no buffer to carry more */
		}
		for (unsigned i = 0; i < n && i < CAIRN_MSG_REG_WORDS; i++) {
			r->regs.x[2 + i] = s->regs.x[2 + i];
		}
		for (unsigned i = CAIRN_MSG_REG_WORDS; i < n; i++) {
			rb->mr[i] = sb->mr[i];
		}
		if (CAIRN_MSGINFO_CAP_COUNT(s->regs.x[1]) > 0) {
			caps = transfer_cap(s, r, rights);
		}
	}
	r->regs.x[0] = badge;
	r->regs.x[1] = CAIRN_MSGINFO_CAPS(label, caps, n);
}

static void abort_wait(struct tcb *t);

/*
 * Invariant: a Reply a receiver names holds no caller. A Recv naming a
 * Reply whose Call was never answered abandons that caller (its Call fails
 * with CAIRN_LABEL_ABORTED), so the new caller can always be answered and a
 * server never receives a Call its caller was told had failed.
 */
static void reply_drop_caller(struct reply *rp)
{
	struct tcb *c = rp->caller;

	rp->caller = NULL;
	if (c != NULL && c->state == THREAD_BLOCKED_REPLY) {
		abort_wait(c);
	}
}

/*
 * Invariant: a Reply is named by at most one receiver, the one blocked
 * with it (rp->receiver == r iff r->reply == rp). A Recv naming a Reply
 * another thread is blocked with aborts that thread's Recv first, on every
 * path (blocking or not, message waiting or not), so a Call taken by either
 * receiver always finds the Reply free.
 */
static void reply_drop_receiver(struct reply *rp, struct tcb *r)
{
	struct tcb *old = rp->receiver;

	if (old != NULL && old != r) {
		ASSERT(old->state == THREAD_BLOCKED_RECV &&
		       pa_addr(old->reply) == pa_addr(kmem_pa(rp)));
		ipc_cancel(old);
		abort_wait(old);
	}
	ASSERT(rp->receiver == NULL || rp->receiver == r);
}

/* r received s's message: s continues, or waits for the reply on rp. */
static void complete_send(struct tcb *s, struct tcb *r, struct reply *rp)
{
	transfer(s, r, s->ipc_badge, s->ipc_rights);
	if (!s->ipc_is_call) {
		wake(s);
		return;
	}
	ASSERT(rp == NULL || rp->caller == NULL);
	if (rp == NULL) {
		/* No Reply object to hold the call: it cannot be answered. */
		if (s->fault_pending) {
			s->fault_pending = false;
			tcb_suspend(s);
			return;
		}
		s->regs.x[0] = CAIRN_INVALID_CAPABILITY;
		s->regs.x[1] = CAIRN_MSGINFO(0, 3);
		s->regs.x[2] = CAIRN_ARG_REPLY;
		s->regs.x[3] = s->regs.x[4] = 0;
		wake(s);
		return;
	}
	rp->caller = s;
	block(s, THREAD_BLOCKED_REPLY, kmem_pa(rp));
}

void ipc_send(struct tcb *s, const struct cap *ep_cap, bool blocking, bool call)
{
	struct endpoint *ep = kmem_ptr(ep_cap->object);

	s->ipc_badge = ep_cap->badge;
	s->ipc_rights = ep_cap->rights;
	s->ipc_is_call = call;
	if (ep->state == EP_RECEIVING) {
		struct tcb *r = ep->head;
		queue_remove(&ep->head, &ep->tail, r);
		if (ep->head == NULL) {
			ep->state = EP_IDLE;
		}
		struct reply *rp =
		    pa_addr(r->reply) ? kmem_ptr(r->reply) : NULL;
		if (rp != NULL) {
			rp->receiver = NULL;
		}
		r->reply = pa_init(0);
		wake(r);
		if (call) {
			block(s, THREAD_BLOCKED_REPLY, pa_init(0));
		}
		complete_send(s, r, rp);
		return;
	}
	if (!blocking) {
		return; /* NBSend with no receiver: dropped */
	}
	queue_append(&ep->head, &ep->tail, s);
	ep->state = EP_SENDING;
	block(s, THREAD_BLOCKED_SEND, ep_cap->object);
}

void ipc_recv(struct tcb *r, const struct cap *ep_cap, struct reply *rp,
	      bool blocking)
{
	struct endpoint *ep = kmem_ptr(ep_cap->object);
	struct notification *bound =
	    pa_addr(r->bound_ntfn) ? kmem_ptr(r->bound_ntfn) : NULL;

	if (rp != NULL) {
		reply_drop_caller(rp);
		reply_drop_receiver(rp, r);
	}
	if (bound != NULL && bound->word != 0) {
		notification_deliver(r, bound->word);
		bound->word = 0;
		return;
	}
	if (ep->state == EP_SENDING) {
		struct tcb *s = ep->head;
		queue_remove(&ep->head, &ep->tail, s);
		if (ep->head == NULL) {
			ep->state = EP_IDLE;
		}
		s->blocked_on = pa_init(0);
		s->state = THREAD_INACTIVE; /* complete_send decides */
		complete_send(s, r, rp);
		return;
	}
	if (!blocking) {
		r->regs.x[0] = 0;
		r->regs.x[1] = CAIRN_MSGINFO(0, 0);
		return;
	}
	if (rp != NULL) {
		rp->receiver = r;
		r->reply = kmem_pa(rp);
	}
	queue_append(&ep->head, &ep->tail, r);
	ep->state = EP_RECEIVING;
	block(r, THREAD_BLOCKED_RECV, ep_cap->object);
}

/* A fault reply resumes the thread, maybe with new registers first. */
static void resume_from_fault(struct tcb *p, struct tcb *c)
{
	uint64_t label = CAIRN_MSGINFO_LABEL(p->regs.x[1]);
	uint64_t n = CAIRN_MSGINFO_LENGTH(p->regs.x[1]);

	c->fault_pending = false;
	if (label == CAIRN_FAULT_REPLY_WRITE_REGS && n >= 1) {
		uint64_t count = p->regs.x[2];
		const struct cairn_ipc_buffer *pb = tcb_ipc_buffer(p);
		for (uint64_t i = 0;
		     i < count && i + 1 < n && i < CAIRN_TCB_REGISTER_COUNT;
		     i++) {
			uint64_t w = i + 1 < CAIRN_MSG_REG_WORDS
					 ? p->regs.x[2 + i + 1]
				     : pb != NULL ? pb->mr[i + 1]
						  : 0;
			uint64_t *reg = i == 0	 ? &c->regs.pc
					: i == 1 ? &c->regs.sp
						 : &c->regs.x[i - 2];
			*reg = w;
		}
	}
	wake(c);
}

void ipc_reply(struct tcb *p, struct reply *rp)
{
	struct tcb *c = rp->caller;

	if (c == NULL || c->state != THREAD_BLOCKED_REPLY) {
		return;
	}
	rp->caller = NULL;
	if (c->fault_pending) {
		resume_from_fault(p, c);
		return;
	}
	p->fault_pending = false;
	transfer(p, c, 0, 0);
	c->regs.x[0] = CAIRN_OK;
	wake(c);
}

bool ipc_send_fault(struct tcb *t)
{
	struct inv_error err;
	struct cte *slot;

	if (t->fault_ep == 0 ||
	    cspace_lookup_cap(&t->cspace.cap, t->fault_ep, &slot, &err) !=
		CAIRN_OK ||
	    slot->cap.type != CAP_ENDPOINT ||
	    !(slot->cap.rights & CAIRN_RIGHT_WRITE)) {
		return false;
	}
	t->fault_pending = true;
	ipc_send(t, &slot->cap, true, true);
	return true;
}

static void abort_wait(struct tcb *t)
{
	if (t->fault_pending) {
		/*
		 * Nobody will handle the fault now. Its registers stay as they
		 * were at the fault, so a Resume retries the instruction.
		 */
		t->fault_pending = false;
		t->blocked_on = pa_init(0);
		t->state = THREAD_INACTIVE;
		return;
	}
	t->regs.x[0] = CAIRN_INVALID_CAPABILITY;
	t->regs.x[1] = CAIRN_MSGINFO(CAIRN_LABEL_ABORTED, 0);
	wake(t);
}

void ipc_cancel(struct tcb *t)
{
	switch (t->state) {
	case THREAD_BLOCKED_SEND:
	case THREAD_BLOCKED_RECV: {
		struct endpoint *ep = kmem_ptr(t->blocked_on);
		queue_remove(&ep->head, &ep->tail, t);
		if (ep->head == NULL) {
			ep->state = EP_IDLE;
		}
		break;
	}
	case THREAD_BLOCKED_REPLY:
		if (pa_addr(t->blocked_on) != 0) {
			((struct reply *)kmem_ptr(t->blocked_on))->caller =
			    NULL;
		}
		break;
	case THREAD_BLOCKED_NOTIFICATION: {
		struct notification *n = kmem_ptr(t->blocked_on);
		queue_remove(&n->head, &n->tail, t);
		break;
	}
	default:
		break;
	}
	if (pa_addr(t->reply) != 0) {
		((struct reply *)kmem_ptr(t->reply))->receiver = NULL;
		t->reply = pa_init(0);
	}
	t->blocked_on = pa_init(0);
	t->fault_pending = false;
}

void endpoint_cancel_all(struct endpoint *ep)
{
	while (ep->head != NULL) {
		struct tcb *t = ep->head;
		queue_remove(&ep->head, &ep->tail, t);
		if (pa_addr(t->reply) != 0) {
			((struct reply *)kmem_ptr(t->reply))->receiver = NULL;
			t->reply = pa_init(0);
		}
		abort_wait(t);
	}
	ep->state = EP_IDLE;
}

void reply_cancel(struct reply *rp)
{
	if (rp->receiver != NULL) {
		rp->receiver->reply = pa_init(0);
		rp->receiver = NULL;
	}
	reply_drop_caller(rp);
}
