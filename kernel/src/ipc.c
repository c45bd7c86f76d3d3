/*
 * What every kind of IPC shares: thread queues, waking and blocking,
 * message transfer, and taking a thread out of whatever it waits in.
 * Endpoints, Replies and Notifications (objects/) and fault delivery
 * (fault.c) are built on these.
 */
#include "ipc.h"

#include "assert.h"
#include "cap/cdt.h"
#include "cap/cspace.h"
#include "kmem.h"
#include "objects/cnode.h"
#include "sched.h"

#include <cairn/invocations.h>

void ipc_queue_append(struct tcb **head, struct tcb **tail, struct tcb *t)
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

void ipc_queue_remove(struct tcb **head, struct tcb **tail, struct tcb *t)
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

void ipc_wake(struct tcb *t)
{
	t->state = THREAD_RUNNABLE;
	t->blocked_on = pa_init(0);
	if (t != sched_current()) {
		sched_enqueue(t); /* the current thread is never queued */
	}
}

void ipc_block(struct tcb *t, enum thread_state s, paddr_t on)
{
	t->state = s;
	t->blocked_on = on;
}

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
void ipc_transfer(struct tcb *s, struct tcb *r, uint64_t badge, uint32_t rights)
{
	uint64_t label, n;
	unsigned caps = 0;
	struct cairn_ipc_buffer *rb = tcb_ipc_buffer(r);

	if (s->fault_pending) {
		label = s->fault_label;
		/* Six words in registers, the rest in the buffer, if any. */
		n = rb != NULL ? CAIRN_FAULT_WORDS : CAIRN_MSG_REG_WORDS;
		for (unsigned i = 0; i < n; i++) {
			if (i < CAIRN_MSG_REG_WORDS) {
				r->regs.x[2 + i] = s->fault_msg[i];
			} else {
				rb->mr[i] = s->fault_msg[i];
			}
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

void ipc_abort_wait(struct tcb *t)
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
	ipc_wake(t);
}

void ipc_cancel(struct tcb *t)
{
	switch (t->state) {
	case THREAD_BLOCKED_SEND:
	case THREAD_BLOCKED_RECV: {
		KTAG_CHECK_TYPE(t->blocked_on, CAP_ENDPOINT,
				"the endpoint a cancelled wait was on");
		struct endpoint *ep = kmem_ptr(t->blocked_on);
		ipc_queue_remove(&ep->head, &ep->tail, t);
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
		KTAG_CHECK_TYPE(t->blocked_on, CAP_NOTIFICATION,
				"the notification a cancelled wait was on");
		struct notification *n = kmem_ptr(t->blocked_on);
		ipc_queue_remove(&n->head, &n->tail, t);
		break;
	}
	case THREAD_BLOCKED_WFI:
		sched_wfi_remove(t);
		break;
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
