/* Notifications: a word of signal bits, its waiters and a bound thread. */
#include "objects/notification.h"

#include "ipc.h"
#include "kmem.h"
#include "sched.h"

static void wake_with(struct tcb *t, uint64_t word, uint64_t label)
{
	t->regs.x[0] = word;
	t->regs.x[1] = CAIRN_MSGINFO(label, 0);
	ipc_wake(t);
}

void notification_deliver(struct tcb *t, uint64_t word)
{
	if (t->state == THREAD_BLOCKED_RECV) {
		ipc_cancel(t);
	}
	wake_with(t, word, 0);
}

void notification_signal(struct notification *n, uint64_t badge)
{
	/* Catches a raw reference that outlived its notification, whoever
	 * kept it (a tagged one fails earlier, naming the generation). */
	KTAG_CHECK_TYPE(kmem_pa(n), CAP_NOTIFICATION,
			"the notification being signalled");
	/* An unbadged cap signals bit 0, so a waiter never wakes to 0. */
	n->word |= badge != 0 ? badge : 1;
	if (n->head != NULL) {
		struct tcb *t = n->head;
		ipc_queue_remove(&n->head, &n->tail, t);
		wake_with(t, n->word, 0);
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
	ipc_queue_append(&n->head, &n->tail, t);
	ipc_block(t, THREAD_BLOCKED_NOTIFICATION, kmem_pa(n));
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
		ipc_queue_remove(&n->head, &n->tail, t);
		wake_with(t, 0, CAIRN_LABEL_ABORTED);
	}
	if (n->bound != NULL) {
		n->bound->bound_ntfn = pa_init(0);
		n->bound = NULL;
	}
}
