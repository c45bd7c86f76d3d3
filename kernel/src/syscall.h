/* System calls and user faults: where a native thread's traps land. */
#pragma once

#include "fastpath.h"
#include "objects/tcb.h"

#include <cairn/syscalls.h>

struct user_fault {
	uint64_t esr;
	const char *class_name;
	uint64_t pc;
	uint64_t address; /* FAR: meaningful when has_address */
	ipaddr_t ipa;	  /* the stage-2 input address of an abort */
	bool has_address;
	bool instruction; /* an instruction fetch, not a data access */
};

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

/*
 * A fault the thread cannot continue from: it becomes a fault message (a
 * Call) on the thread's fault endpoint; without one, the thread is
 * suspended with one log line saying why.
 */
__attribute__((noreturn)) void user_fault(struct tcb *t,
					  const struct user_fault *f);

/* As user_fault, with t->fault_label and t->fault_msg already filled. */
__attribute__((noreturn)) void user_fault_prepared(struct tcb *t,
						   const struct user_fault *f);
