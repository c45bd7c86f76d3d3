/*
 * IPC: what Endpoints, Replies, Notifications and fault delivery share.
 * The objects themselves are objects/endpoint.h, objects/reply.h and
 * objects/notification.h; fault messages are fault.h.
 */
#pragma once

#include "objects/endpoint.h"
#include "objects/notification.h"
#include "objects/reply.h"
#include "objects/tcb.h"

#include <cairn/syscalls.h>

/* A thread queue (endpoint or notification waiters), FIFO. */
void ipc_queue_append(struct tcb **head, struct tcb **tail, struct tcb *t);
void ipc_queue_remove(struct tcb **head, struct tcb **tail, struct tcb *t);

/* t is runnable again (queued unless it is the current thread). */
void ipc_wake(struct tcb *t);
/* t waits in state s on the object at `on`. */
void ipc_block(struct tcb *t, enum thread_state s, paddr_t on);

/* Moves s's message (or fault) to r: x0 = badge, x1 = info, words. */
void ipc_transfer(struct tcb *s, struct tcb *r, uint64_t badge,
		  uint32_t rights);

/* t's wait ends unanswered: its IPC fails with CAIRN_LABEL_ABORTED, or a
 * fault stays unhandled with its registers intact. */
void ipc_abort_wait(struct tcb *t);

/* Takes t out of whatever IPC it is blocked in. */
void ipc_cancel(struct tcb *t);
