/*
 * The IPC fastpath: Call and ReplyRecv in the common case, and a guest's
 * VM exit, with the thread switch done directly. It applies only where its
 * result is exactly the slowpath's (ipc.c, fault.c), which defines the
 * semantics:
 *   - the message fits in registers (length <= 6) and carries no caps;
 *   - Call: an Endpoint cap with WRITE whose queue holds a receiver that
 *     gave a Reply object, and that receiver outranks every ready thread;
 *   - VM exit (its fault message already decoded): the same of the
 *     guest's fault endpoint; the message goes as ipc_transfer sends a
 *     fault (six words in registers, the rest in the receiver's buffer);
 *   - ReplyRecv: a Reply cap holding a caller blocked in a plain Call, or
 *     in a VM exit answered with CAIRN_VM_REPLY (fault_vm_reply, shared
 *     with the slowpath), an Endpoint cap with READ with no sender queued,
 *     no pending bound notification, and a caller that outranks every
 *     ready thread.
 * Otherwise it hands the system call to the slowpath (syscall_slowpath),
 * or the exit back to fault_vm_exit. Built unless CAIRN_NO_FASTPATH is
 * defined.
 */
#pragma once

#include "objects/tcb.h"

/* Each switches to the woken thread or runs the slowpath: never returns. */
__attribute__((noreturn)) void fastpath_call(struct tcb *t);
__attribute__((noreturn)) void fastpath_reply_recv(struct tcb *t);

/* Switches to t's VMM with t's exit, or returns if the slowpath must
 * deliver it (fault_send). */
void fastpath_vm_exit(struct tcb *t);
