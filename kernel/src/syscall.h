/* System calls and user faults: where a native thread's traps land. */
#pragma once

#include "objects/tcb.h"

struct user_fault {
	uint64_t esr;
	const char *class_name;
	uint64_t pc;
	uint64_t address; /* FAR: meaningful when has_address */
	uint64_t ipa;	  /* the stage-2 input address of an abort */
	bool has_address;
	bool instruction; /* an instruction fetch, not a data access */
};

__attribute__((noreturn)) void syscall_handle(struct tcb *t, uint64_t number);

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
