/* Endpoints: synchronous rendezvous, FIFO queues of senders or receivers. */
#include "objects/endpoint.h"

#include "assert.h"
#include "ipc.h"
#include "kmem.h"
#include "objects/reply.h"

/* r received s's message: s continues, or waits for the reply on rp. */
static void complete_send(struct tcb *s, struct tcb *r, struct reply *rp)
{
	ipc_transfer(s, r, s->ipc_badge, s->ipc_rights);
	if (!s->ipc_is_call) {
		ipc_wake(s);
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
		s->regs.x[1] = CAIRN_MSGINFO(0, CAIRN_ERROR_DETAIL_WORDS);
		s->regs.x[2] = CAIRN_ARG_REPLY;
		s->regs.x[3] = s->regs.x[4] = s->regs.x[5] = 0;
		ipc_wake(s);
		return;
	}
	rp->caller = s;
	ipc_block(s, THREAD_BLOCKED_REPLY, kmem_pa(rp));
}

void ipc_send(struct tcb *s, const struct cap *ep_cap, bool blocking, bool call)
{
	struct endpoint *ep = kmem_ptr(ep_cap->object);

	s->ipc_badge = ep_cap->badge;
	s->ipc_rights = ep_cap->rights;
	s->ipc_is_call = call;
	if (ep->state == EP_RECEIVING) {
		struct tcb *r = ep->head;
		ipc_queue_remove(&ep->head, &ep->tail, r);
		if (ep->head == NULL) {
			ep->state = EP_IDLE;
		}
		struct reply *rp =
		    pa_addr(r->reply) ? kmem_ptr(r->reply) : NULL;
		if (rp != NULL) {
			rp->receiver = NULL;
		}
		r->reply = pa_init(0);
		ipc_wake(r);
		if (call) {
			ipc_block(s, THREAD_BLOCKED_REPLY, pa_init(0));
		}
		complete_send(s, r, rp);
		return;
	}
	if (!blocking) {
		return; /* NBSend with no receiver: dropped */
	}
	ipc_queue_append(&ep->head, &ep->tail, s);
	ep->state = EP_SENDING;
	ipc_block(s, THREAD_BLOCKED_SEND, ep_cap->object);
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
		ipc_queue_remove(&ep->head, &ep->tail, s);
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
	ipc_queue_append(&ep->head, &ep->tail, r);
	ep->state = EP_RECEIVING;
	ipc_block(r, THREAD_BLOCKED_RECV, ep_cap->object);
}

void endpoint_cancel_all(struct endpoint *ep)
{
	while (ep->head != NULL) {
		struct tcb *t = ep->head;
		ipc_queue_remove(&ep->head, &ep->tail, t);
		if (pa_addr(t->reply) != 0) {
			((struct reply *)kmem_ptr(t->reply))->receiver = NULL;
			t->reply = pa_init(0);
		}
		ipc_abort_wait(t);
	}
	ep->state = EP_IDLE;
}
