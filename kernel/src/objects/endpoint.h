/*
 * Endpoints: synchronous rendezvous. A thread blocked on an Endpoint is in
 * its FIFO queue, which holds only senders or only receivers (the state
 * says which). The message stays in the sender's registers and IPC buffer
 * (or, for a fault, in its TCB) until a receiver takes it.
 */
#pragma once

#include "objects/reply.h"
#include "objects/tcb.h"

enum endpoint_state { EP_IDLE, EP_SENDING, EP_RECEIVING };

struct endpoint {
	struct tcb *head;
	struct tcb *tail;
	uint64_t state; /* enum endpoint_state */
	uint64_t reserved;
};

_Static_assert(sizeof(struct endpoint) <= (1U << CAIRN_ENDPOINT_BITS), "");

/* Send on an Endpoint cap; a Call also waits for the reply. */
void ipc_send(struct tcb *s, const struct cap *ep_cap, bool blocking,
	      bool call);

/* Receive on an Endpoint, binding rp (may be NULL) to a Call received. */
void ipc_recv(struct tcb *r, const struct cap *ep_cap, struct reply *rp,
	      bool blocking);

/* The Endpoint's last cap is gone: every waiter's IPC fails. */
void endpoint_cancel_all(struct endpoint *ep);
