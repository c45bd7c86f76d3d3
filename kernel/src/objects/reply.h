/* Reply objects: the one-shot answer to a Call. */
#pragma once

#include "objects/tcb.h"

struct reply {
	struct tcb *caller;   /* blocked in BLOCKED_REPLY on this, or NULL */
	struct tcb *receiver; /* waiting to receive with this, or NULL */
};

_Static_assert(sizeof(struct reply) <= (1U << CAIRN_REPLY_BITS), "");

/* Answer the Call rp holds with p's message (no-op if none). */
void ipc_reply(struct tcb *p, struct reply *rp);

/* A Recv naming rp abandons rp's unanswered caller... */
void reply_drop_caller(struct reply *rp);
/* ...and any other receiver blocked with rp. */
void reply_drop_receiver(struct reply *rp, struct tcb *r);

/* The Reply's last cap is gone. */
void reply_cancel(struct reply *rp);
