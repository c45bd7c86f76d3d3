/*
 * The IPC fastpath: Call and ReplyRecv in the common case, with the
 * thread switch done directly. It applies only where its result is exactly
 * the slowpath's (ipc.c), which defines the semantics:
 *   - the message fits in registers (length <= 6) and carries no caps;
 *   - Call: an Endpoint cap with WRITE whose queue holds a receiver that
 *     gave a Reply object, and that receiver outranks every ready thread;
 *   - ReplyRecv: a Reply cap holding a caller blocked in a plain Call (not
 *     a fault), an Endpoint cap with READ with no sender queued, no pending
 *     bound notification, and a caller that outranks every ready thread.
 * Otherwise it returns false and the slowpath runs. Built unless
 * CAIRN_NO_FASTPATH is defined.
 */
#pragma once

#include "objects/tcb.h"

/* Either switches to the woken thread (never returns) or returns false. */
bool fastpath_call(struct tcb *t);
bool fastpath_reply_recv(struct tcb *t);
