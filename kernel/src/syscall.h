/* System calls: where a native thread's system calls land. */
#pragma once

#include "fastpath.h"
#include "fault.h"
#include "objects/tcb.h"

#include <cairn/syscalls.h>

/* Every system call the fastpath does not take. */
__attribute__((noreturn)) void syscall_slowpath(struct tcb *t, uint64_t number);

/* A system call: number is the thread's x8. Inline, as the fastpath's way
 * in from the trap handler. */
static inline __attribute__((noreturn)) void syscall_handle(struct tcb *t,
							    uint64_t number)
{
	if (number >= CAIRN_SYS_CALL && number <= CAIRN_SYS_NB_RECV) {
		t->ipc_calls++;
	}
#ifndef CAIRN_NO_FASTPATH
	if (number == CAIRN_SYS_CALL) {
		fastpath_call(t);
	} else if (number == CAIRN_SYS_REPLY_RECV) {
		fastpath_reply_recv(t);
	}
#endif
	syscall_slowpath(t, number);
}
