/*
 * IPC: Endpoints (synchronous rendezvous), Reply objects (the one-shot
 * answer to a Call) and Notifications (asynchronous signal words).
 *
 * A thread blocked on an Endpoint is in that Endpoint's FIFO queue, which
 * holds only senders or only receivers (the endpoint's state says which).
 * The message stays in the sender's registers and IPC buffer (or, for a
 * fault, in its TCB) until a receiver takes it.
 */
#pragma once

#include "objects/tcb.h"

#include <cairn/syscalls.h>

enum endpoint_state { EP_IDLE, EP_SENDING, EP_RECEIVING };

struct endpoint {
	struct tcb *head;
	struct tcb *tail;
	uint64_t state; /* enum endpoint_state */
	uint64_t reserved;
};

struct reply {
	struct tcb *caller;   /* blocked in BLOCKED_REPLY on this, or NULL */
	struct tcb *receiver; /* waiting to receive with this, or NULL */
};

struct notification {
	uint64_t word;
	struct tcb *head; /* waiters */
	struct tcb *tail;
	struct tcb *bound;
};

_Static_assert(sizeof(struct endpoint) <= (1U << CAIRN_ENDPOINT_BITS), "");
_Static_assert(sizeof(struct reply) <= (1U << CAIRN_REPLY_BITS), "");
_Static_assert(sizeof(struct notification) <= (1U << CAIRN_NOTIFICATION_BITS),
	       "");

/* Send on an Endpoint cap; a Call also waits for the reply. */
void ipc_send(struct tcb *s, const struct cap *ep_cap, bool blocking,
	      bool call);

/* Receive on an Endpoint, binding rp (may be NULL) to a Call received. */
void ipc_recv(struct tcb *r, const struct cap *ep_cap, struct reply *rp,
	      bool blocking);

/* Answer the Call rp holds with p's message (no-op if none). */
void ipc_reply(struct tcb *p, struct reply *rp);

/*
 * Delivers t's fault (already in t->fault_label and t->fault_msg) to its
 * fault endpoint, as a Call. False if t has no usable fault endpoint.
 */
bool ipc_send_fault(struct tcb *t);

/* Takes t out of whatever IPC it is blocked in. */
void ipc_cancel(struct tcb *t);

void endpoint_cancel_all(struct endpoint *ep);
void reply_cancel(struct reply *rp);

void notification_signal(struct notification *n, uint64_t badge);
void notification_wait(struct tcb *t, struct notification *n, bool blocking);
bool notification_bound(const struct cap *c);
void notification_bind(const struct cap *c, struct tcb *t);
void notification_unbind_tcb(struct tcb *t);
void notification_cancel_all(struct notification *n);

/* Wakes t with x0 = word (a bound notification interrupting a Recv). */
void notification_deliver(struct tcb *t, uint64_t word);
