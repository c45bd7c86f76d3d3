#include "syscall.h"

#include "cap/cspace.h"
#include "kmem.h"
#include "objects/cnode.h"
#include "objects/untyped.h"
#include "print.h"
#include "sched.h"

#include <cairn/invocations.h>
#include <cairn/syscalls.h>

/* Message words 0..5 travel in x2..x7, the rest in the IPC buffer. */
static size_t read_message(const struct tcb *t, uint64_t *words)
{
	size_t n = CAIRN_MSGINFO_LENGTH(t->regs.x[1]);

	if (n > CAIRN_MSG_MAX_WORDS) {
		n = CAIRN_MSG_MAX_WORDS;
	}
	for (size_t i = 0; i < n && i < CAIRN_MSG_REG_WORDS; i++) {
		words[i] = t->regs.x[2 + i];
	}
	if (n > CAIRN_MSG_REG_WORDS) {
		if (pa_addr(t->ipc_buffer) == 0) {
			return CAIRN_MSG_REG_WORDS; /* the rest cannot arrive */
		}
		const struct cairn_ipc_buffer *b = kmem_ptr(t->ipc_buffer);
		for (size_t i = CAIRN_MSG_REG_WORDS; i < n; i++) {
			words[i] = b->mr[i];
		}
	}
	return n;
}

static enum cairn_error invoke(struct tcb *t, struct inv_error *err)
{
	uint64_t words[CAIRN_MSG_MAX_WORDS];
	uint64_t label = CAIRN_MSGINFO_LABEL(t->regs.x[1]);
	struct cte *slot;
	enum cairn_error e;

	e = cspace_lookup_cap(&t->cspace.cap, t->regs.x[0], &slot, err);
	if (e != CAIRN_OK) {
		return e;
	}
	size_t n = read_message(t, words);
	switch ((enum cap_type)slot->cap.type) {
	case CAP_UNTYPED:
		return untyped_invoke(slot, label, words, n, &t->cspace.cap,
				      err);
	case CAP_CNODE:
		return cnode_invoke(&slot->cap, label, words, n, &t->cspace.cap,
				    err);
	default:
		/* Endpoints, Notifications, Frames, TCBs and VSpaces have no
		 * invocations yet. */
		return inv_fail(err, CAIRN_ILLEGAL_OPERATION, CAIRN_ARG_INVOKED,
				slot->cap.type, 0);
	}
}

static void reply_call(struct tcb *t, enum cairn_error e,
		       const struct inv_error *err)
{
	t->regs.x[0] = e;
	if (e == CAIRN_OK) {
		t->regs.x[1] = CAIRN_MSGINFO(0, 0);
		return;
	}
	t->regs.x[1] = CAIRN_MSGINFO(0, 3);
	for (int i = 0; i < 3; i++) {
		t->regs.x[2 + i] = err->detail[i];
	}
}

void syscall_handle(struct tcb *t, uint64_t number)
{
	struct inv_error err;

	switch (number) {
	case CAIRN_SYS_CALL:
		reply_call(t, invoke(t, &err), &err);
		break;
	case CAIRN_SYS_YIELD:
		sched_yield(t);
		sched_run();
#ifdef CAIRN_DEBUG
	case CAIRN_SYS_DEBUG_PUTCHAR:
		kputchar((char)t->regs.x[0]);
		break;
#endif
	default: {
		struct user_fault f = {
		    .class_name = "unknown system call",
		    .pc = t->regs.pc,
		    .address = number,
		};
		user_fault(t, &f);
	}
	}
	sched_continue(t);
}

void user_fault(struct tcb *t, const struct user_fault *f)
{
	if (f->has_address) {
		kprintf("fault: thread '%s': %s at pc 0x%lx, address 0x%lx "
			"(IPA 0x%lx), ESR 0x%lx; no fault endpoint: "
			"suspended\n",
			t->name, f->class_name, f->pc, f->address, f->ipa,
			f->esr);
	} else if (f->esr != 0) {
		kprintf("fault: thread '%s': %s at pc 0x%lx, ESR 0x%lx; no "
			"fault endpoint: suspended\n",
			t->name, f->class_name, f->pc, f->esr);
	} else {
		kprintf("fault: thread '%s': %s (0x%lx) at pc 0x%lx; no fault "
			"endpoint: suspended\n",
			t->name, f->class_name, f->address, f->pc);
	}
	t->state = THREAD_INACTIVE;
	sched_run();
}
