/* Reply objects: the one-shot answer to a Call. */
#include "objects/reply.h"

#include "assert.h"
#include "fault.h"
#include "ipc.h"
#include "kmem.h"

/*
 * Invariant: a Reply a receiver names holds no caller. A Recv naming a
 * Reply whose Call was never answered abandons that caller (its Call fails
 * with CAIRN_LABEL_ABORTED), so the new caller can always be answered and a
 * server never receives a Call its caller was told had failed.
 */
void reply_drop_caller(struct reply *rp)
{
	struct tcb *c = rp->caller;

	rp->caller = NULL;
	if (c != NULL && c->state == THREAD_BLOCKED_REPLY) {
		ipc_abort_wait(c);
	}
}

/*
 * Invariant: a Reply is named by at most one receiver, the one blocked
 * with it (rp->receiver == r iff r->reply == rp). A Recv naming a Reply
 * another thread is blocked with aborts that thread's Recv first, on every
 * path (blocking or not, message waiting or not), so a Call taken by either
 * receiver always finds the Reply free.
 */
void reply_drop_receiver(struct reply *rp, struct tcb *r)
{
	struct tcb *old = rp->receiver;

	if (old != NULL && old != r) {
		ASSERT(old->state == THREAD_BLOCKED_RECV &&
		       pa_addr(old->reply) == pa_addr(kmem_pa(rp)));
		ipc_cancel(old);
		ipc_abort_wait(old);
	}
	ASSERT(rp->receiver == NULL || rp->receiver == r);
}

void ipc_reply(struct tcb *p, struct reply *rp)
{
	struct tcb *c = rp->caller;

	if (c == NULL || c->state != THREAD_BLOCKED_REPLY) {
		return;
	}
	rp->caller = NULL;
	if (c->fault_pending) {
		fault_resume(p, c);
		return;
	}
	p->fault_pending = false;
	ipc_transfer(p, c, 0, 0);
	c->regs.x[0] = CAIRN_OK;
	ipc_wake(c);
}

void reply_cancel(struct reply *rp)
{
	if (rp->receiver != NULL) {
		rp->receiver->reply = pa_init(0);
		rp->receiver = NULL;
	}
	reply_drop_caller(rp);
}
