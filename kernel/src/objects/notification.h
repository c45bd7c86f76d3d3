/* Notifications: a word of signal bits, its waiters and a bound thread. */
#pragma once

#include "objects/tcb.h"

struct notification {
	uint64_t word;
	struct tcb *head; /* waiters */
	struct tcb *tail;
	struct tcb *bound;
};

_Static_assert(sizeof(struct notification) <= (1U << CAIRN_NOTIFICATION_BITS),
	       "");

void notification_signal(struct notification *n, uint64_t badge);
void notification_wait(struct tcb *t, struct notification *n, bool blocking);
bool notification_bound(const struct cap *c);
void notification_bind(const struct cap *c, struct tcb *t);
void notification_unbind_tcb(struct tcb *t);
void notification_cancel_all(struct notification *n);

/* Wakes t with x0 = word (a bound notification interrupting a Recv). */
void notification_deliver(struct tcb *t, uint64_t word);
