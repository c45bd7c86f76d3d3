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
 * Otherwise it hands the system call to the slowpath (syscall_slowpath).
 * Built unless CAIRN_NO_FASTPATH is defined.
 */
#pragma once

#include "objects/tcb.h"

/* Each switches to the woken thread or runs the slowpath: never returns. */
__attribute__((noreturn)) void fastpath_call(struct tcb *t);
__attribute__((noreturn)) void fastpath_reply_recv(struct tcb *t);
