#include "syscall.h"

#include "cap/cspace.h"
#include "fastpath.h"
#include "invocation.h"
#include "ipc.h"
#include "kmem.h"
#include "objects/object.h"
#include "objects/tcb.h"
#include "preempt.h"
#include "print.h"
#include "sched.h"
#include "shutdown.h"

#include <cairn/invocations.h>
#include <cairn/syscalls.h>

/* Message words 0..5 travel in x2..x7, the rest in the IPC buffer. */
static size_t read_message(const struct tcb *t, uint64_t *words)
{
	size_t n = CAIRN_MSGINFO_LENGTH(t->regs.x[1]);
	const struct cairn_ipc_buffer *b = tcb_ipc_buffer(t);

	if (n > CAIRN_MSG_MAX_WORDS) {
		n = CAIRN_MSG_MAX_WORDS;
	}
	if (n > CAIRN_MSG_REG_WORDS && b == NULL) {
		n = CAIRN_MSG_REG_WORDS; /* the rest cannot arrive */
	}
	for (size_t i = 0; i < n; i++) {
		words[i] =
		    i < CAIRN_MSG_REG_WORDS ? t->regs.x[2 + i] : b->mr[i];
	}
	return n;
}

static void write_reply(struct tcb *t, const uint64_t *words, size_t n)
{
	struct cairn_ipc_buffer *b = tcb_ipc_buffer(t);

	if (n > CAIRN_MSG_REG_WORDS && b == NULL) {
		n = CAIRN_MSG_REG_WORDS;
	}
	for (size_t i = 0; i < n; i++) {
		if (i < CAIRN_MSG_REG_WORDS) {
			t->regs.x[2 + i] = words[i];
		} else {
			b->mr[i] = words[i];
		}
	}
	t->regs.x[1] = CAIRN_MSGINFO(0, n);
}

static void call(struct tcb *t)
{
	uint64_t words[CAIRN_MSG_MAX_WORDS];
	uint64_t reply[CAIRN_MSG_MAX_WORDS];
	struct invocation inv = {
	    .caller = t,
	    .label = CAIRN_MSGINFO_LABEL(t->regs.x[1]),
	    .args = words,
	    .cspace = &t->cspace.cap,
	    .reply = reply,
	};
	enum cairn_error e =
	    inv_lookup_cap(&inv, CAIRN_ARG_INVOKED, t->regs.x[0], &inv.slot);

	if (e == CAIRN_OK && inv.slot->cap.type == CAP_ENDPOINT) {
		if (!(inv.slot->cap.rights & CAIRN_RIGHT_WRITE)) {
			e = inv_refuse(&inv, CAIRN_ILLEGAL_OPERATION,
				       CAIRN_ARG_RIGHTS, inv.slot->cap.rights,
				       0);
		} else {
			ipc_send(t, &inv.slot->cap, true, true);
			return;
		}
	}
	if (e == CAIRN_OK) {
		inv.nargs = read_message(t, words);
		e = invoke(&inv);
	}
	if (sched_current() != t) {
		/* The invocation destroyed the caller's own TCB: no one to
		 * answer, and its memory is no longer a thread. */
		sched_run();
	}
	if (e == INV_RESTART) {
		/* Back onto the SVC: the call runs again, decoded afresh,
		 * after the waiting interrupt is taken (preempt.h). */
		t->regs.pc -= 4;
		return;
	}
	t->regs.x[0] = e;
	if (e == CAIRN_OK) {
		write_reply(t, reply, inv.reply_len);
	} else {
		write_reply(t, inv.err.detail, CAIRN_ERROR_DETAIL_WORDS);
	}
}

static struct cte *ipc_cap(struct tcb *t, uint64_t cptr, uint64_t number)
{
	struct inv_error err;
	struct cte *slot;

	if (cspace_lookup_cap(&t->cspace.cap, cptr, &slot, &err) != CAIRN_OK) {
		fault_cap(t, cptr, number, err.code,
			  "capability fault (lookup failed)");
	}
	return slot;
}

static void send(struct tcb *t, uint64_t number)
{
	struct cte *slot = ipc_cap(t, t->regs.x[0], number);
	bool blocking = number == CAIRN_SYS_SEND;

	switch ((enum cap_type)slot->cap.type) {
	case CAP_ENDPOINT:
		if (slot->cap.rights & CAIRN_RIGHT_WRITE) {
			ipc_send(t, &slot->cap, blocking, false);
			return;
		}
		break;
	case CAP_NOTIFICATION:
		if (slot->cap.rights & CAIRN_RIGHT_WRITE) {
			notification_signal(kmem_ptr(slot->cap.object),
					    slot->cap.badge);
			return;
		}
		break;
	case CAP_REPLY:
		ipc_reply(t, kmem_ptr(slot->cap.object));
		return;
	default:
		break;
	}
	fault_cap(t, t->regs.x[0], number, CAIRN_INVALID_CAPABILITY,
		  "capability fault (cannot send)");
}

static void recv(struct tcb *t, uint64_t number)
{
	bool blocking = number != CAIRN_SYS_NB_RECV;
	struct cte *slot = ipc_cap(t, t->regs.x[0], number);
	struct reply *rp = NULL;

	if (t->regs.x[9] != 0) {
		struct cte *r = ipc_cap(t, t->regs.x[9], number);
		if (r->cap.type != CAP_REPLY) {
			fault_cap(t, t->regs.x[9], number,
				  CAIRN_INVALID_CAPABILITY,
				  "capability fault (not a Reply)");
		}
		rp = kmem_ptr(r->cap.object);
	}
	if (number == CAIRN_SYS_REPLY_RECV) {
		if (rp == NULL) {
			fault_cap(t, 0, number, CAIRN_INVALID_CAPABILITY,
				  "capability fault (ReplyRecv without Reply)");
		}
		ipc_reply(t, rp);
	}
	if (!(slot->cap.rights & CAIRN_RIGHT_READ)) {
		fault_cap(t, t->regs.x[0], number, CAIRN_INVALID_CAPABILITY,
			  "capability fault (cannot receive)");
	}
	if (slot->cap.type == CAP_ENDPOINT) {
		ipc_recv(t, &slot->cap, rp, blocking);
	} else if (slot->cap.type == CAP_NOTIFICATION) {
		notification_wait(t, kmem_ptr(slot->cap.object), blocking);
	} else {
		fault_cap(t, t->regs.x[0], number, CAIRN_INVALID_CAPABILITY,
			  "capability fault (cannot receive)");
	}
}

/* The thread ends itself; it needs no capability to do so. The last
 * thread to end ends the machine with the system's status (shutdown.h). */
static void thread_exit(struct tcb *t)
{
	long status = (long)t->regs.x[0];

	kprintf("%s: exited with status %ld\n", t->name, status);
	tcb_suspend(t);
	shutdown_thread_ended(t, status, false);
}

void syscall_slowpath(struct tcb *t, uint64_t number)
{
	kref_check(); /* debug builds: what the last system call left */
	switch (number) {
	case CAIRN_SYS_CALL:
		call(t);
		break;
	case CAIRN_SYS_SEND:
	case CAIRN_SYS_NB_SEND:
		send(t, number);
		break;
	case CAIRN_SYS_RECV:
	case CAIRN_SYS_NB_RECV:
	case CAIRN_SYS_REPLY_RECV:
		recv(t, number);
		break;
	case CAIRN_SYS_EXIT:
		thread_exit(t);
		break;
	case CAIRN_SYS_YIELD:
		sched_yield(t);
		sched_run(); /* does not return */
	case CAIRN_SYS_DEBUG_PUTCHAR:
		/*
		 * In every build: before the console server owns the UART this
		 * is the only way the root task can report progress or a bad
		 * spec. After the handover kputchar drops it, so no ambient
		 * channel to the console remains.
		 */
		kputchar((char)t->regs.x[0]);
		break;
	default: {
		t->fault_label = CAIRN_FAULT_UNKNOWN_SYSCALL;
		t->fault_msg[0] = t->regs.pc;
		t->fault_msg[1] = number;
		struct user_fault f = {
		    .class_name = "unknown system call",
		    .pc = t->regs.pc,
		    .address = number,
		};
		user_fault_prepared(t, &f);
	}
	}
	sched_continue(t);
}
