/* Notifications: a word of signal bits, its waiters and a bound thread. */
#include "ipc.h"
#include "kmem.h"
#include "sched.h"

static void wake_with(struct tcb *t, uint64_t word)
{
	t->regs.x[0] = word;
	t->regs.x[1] = CAIRN_MSGINFO(0, 0);
	t->state = THREAD_RUNNABLE;
	t->blocked_on = pa_init(0);
	if (t != sched_current()) {
		sched_enqueue(t);
	}
}

void notification_deliver(struct tcb *t, uint64_t word)
{
	if (t->state == THREAD_BLOCKED_RECV) {
		ipc_cancel(t);
	}
	wake_with(t, word);
}

void notification_signal(struct notification *n, uint64_t badge)
{
	/* An unbadged cap signals bit 0, so a waiter never wakes to 0. */
	n->word |= badge != 0 ? badge : 1;
	if (n->head != NULL) {
		struct tcb *t = n->head;
		n->head = t->ep_next;
		if (n->head == NULL) {
			n->tail = NULL;
		} else {
			n->head->ep_prev = NULL;
		}
		t->ep_next = t->ep_prev = NULL;
		wake_with(t, n->word);
		n->word = 0;
	} else if (n->bound != NULL && n->bound->state == THREAD_BLOCKED_RECV) {
		notification_deliver(n->bound, n->word);
		n->word = 0;
	}
}

void notification_wait(struct tcb *t, struct notification *n, bool blocking)
{
	if (n->word != 0 || !blocking) {
		t->regs.x[0] = n->word;
		t->regs.x[1] = CAIRN_MSGINFO(0, 0);
		n->word = 0;
		return;
	}
	t->ep_next = NULL;
	t->ep_prev = n->tail;
	if (n->tail != NULL) {
		n->tail->ep_next = t;
	} else {
		n->head = t;
	}
	n->tail = t;
	t->state = THREAD_BLOCKED_NOTIFICATION;
	t->blocked_on = kmem_pa(n);
}

bool notification_bound(const struct cap *c)
{
	return ((struct notification *)kmem_ptr(c->object))->bound != NULL;
}

void notification_bind(const struct cap *c, struct tcb *t)
{
	((struct notification *)kmem_ptr(c->object))->bound = t;
	t->bound_ntfn = c->object;
}

void notification_unbind_tcb(struct tcb *t)
{
	if (pa_addr(t->bound_ntfn) != 0) {
		((struct notification *)kmem_ptr(t->bound_ntfn))->bound = NULL;
		t->bound_ntfn = pa_init(0);
	}
}

void notification_cancel_all(struct notification *n)
{
	while (n->head != NULL) {
		struct tcb *t = n->head;
		n->head = t->ep_next;
		t->ep_next = t->ep_prev = NULL;
		t->regs.x[0] = 0;
		t->regs.x[1] = CAIRN_MSGINFO(CAIRN_LABEL_ABORTED, 0);
		t->state = THREAD_RUNNABLE;
		t->blocked_on = pa_init(0);
		if (t != sched_current()) {
			sched_enqueue(t);
		}
	}
	n->tail = NULL;
	if (n->bound != NULL) {
		n->bound->bound_ntfn = pa_init(0);
		n->bound = NULL;
	}
}
