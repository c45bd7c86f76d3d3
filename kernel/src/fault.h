/*
 * Faults: a thread that cannot go on sends a fault message (a Call) on its
 * fault endpoint; without one it is suspended with one log line saying
 * why. The handler's reply resumes it (fault_resume).
 */
#pragma once

#include "objects/tcb.h"

struct user_fault {
	uint64_t esr;
	const char *class_name;
	uint64_t pc;
	uint64_t address; /* FAR: meaningful when has_address */
	ipaddr_t ipa;	  /* the stage-2 input address of an abort */
	bool has_address;
	bool instruction; /* an instruction fetch, not a data access */
};

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

/*
 * Delivers t's fault (already in t->fault_label and t->fault_msg) to its
 * fault endpoint, as a Call. False if t has no usable fault endpoint.
 */
bool fault_send(struct tcb *t);

/* A guest's exit, decoded into t's fault message: to its VMM, or t stops
 * with a log line. */
__attribute__((noreturn)) void fault_vm_exit(struct tcb *t, uint64_t esr);

/* p's reply to c's fault: resume c, with the registers it sets. */
void fault_resume(struct tcb *p, struct tcb *c);

/*
 * p's CAIRN_VM_REPLY to c's VM exit (c is bound to a VCPU): the register
 * pairs written, then the access made an abort (ABORT), the instruction
 * undefined (UNDEF) or stepped over (ADVANCE_PC) in the guest. c is not
 * woken: the caller does that.
 */
void fault_vm_reply(const struct tcb *p, struct tcb *c);

/* A Send/Recv-family system call on a missing or unsuitable cap. */
__attribute__((noreturn)) void fault_cap(struct tcb *t, uint64_t cptr,
					 uint64_t number, enum cairn_error code,
					 const char *why);
