/*
 * Faults: how a thread that cannot go on reaches its handler. A fault
 * becomes a Call on the thread's fault endpoint carrying the fault message
 * (t->fault_label and t->fault_msg); the handler's reply resumes it. A
 * guest's VM exits (arch_vm_exit decodes them) go the same way to its VMM.
 */
#include "fault.h"

#include "cap/cspace.h"
#include "fastpath.h"
#include "ipc.h"
#include "objects/tcb.h"
#include "objects/vcpu.h"
#include "print.h"
#include "sched.h"
#include "shutdown.h"

#include <cairn/invocations.h>

bool fault_send(struct tcb *t)
{
	struct inv_error err;
	struct cte *slot;

	if (t->fault_ep == 0 ||
	    cspace_lookup_cap(&t->cspace.cap, t->fault_ep, &slot, &err) !=
		CAIRN_OK ||
	    slot->cap.type != CAP_ENDPOINT ||
	    !(slot->cap.rights & CAIRN_RIGHT_WRITE)) {
		return false;
	}
	t->fault_pending = true;
	ipc_send(t, &slot->cap, true, true);
	return true;
}

/* Word i of p's message (0 past what arrived). The buffer is looked at
 * only past the registers: the fastpath's replies never reach it. */
static uint64_t msg_word(const struct tcb *p, uint64_t i)
{
	if (i >= CAIRN_MSGINFO_LENGTH(p->regs.x[1]) ||
	    i >= CAIRN_MSG_MAX_WORDS) {
		return 0;
	}
	if (i < CAIRN_MSG_REG_WORDS) {
		return p->regs.x[2 + i];
	}
	const struct cairn_ipc_buffer *pb = tcb_ipc_buffer(p);
	return pb != NULL ? pb->mr[i] : 0;
}

/* (count, pc, sp, x0, ...), as TCB.WriteRegisters. */
static void write_regs(const struct tcb *p, struct tcb *c)
{
	uint64_t n = CAIRN_MSGINFO_LENGTH(p->regs.x[1]);
	uint64_t count = msg_word(p, 0);

	for (uint64_t i = 0;
	     i < count && i + 1 < n && i < CAIRN_TCB_REGISTER_COUNT; i++) {
		uint64_t *reg = i == 0	 ? &c->regs.pc
				: i == 1 ? &c->regs.sp
					 : &c->regs.x[i - 2];
		*reg = msg_word(p, i + 1);
	}
}

/* The exit's own words (vmexit.c) give the faulting address. */
static void vm_reply_abort(struct tcb *c)
{
	if (c->fault_label == CAIRN_FAULT_VM_DATA_ABORT) {
		arch_guest_abort(c, false, c->fault_msg[5], c->fault_msg[4]);
	} else if (c->fault_label == CAIRN_FAULT_VM_INSN_ABORT) {
		arch_guest_abort(c, true, c->fault_msg[3], c->fault_msg[2]);
	}
}

/*
 * The word after the pairs: an interrupt to make pending as the guest
 * resumes, as VCPU.InjectIRQ would (CAIRN_VM_INJECT). A reply cannot fail,
 * so one InjectIRQ would refuse (a bad INTID, other flag bits, a full
 * queue) is dropped; the VMM that needs to know uses InjectIRQ.
 */
static void vm_reply_inject(struct tcb *c, uint64_t word)
{
	uint64_t intid = CAIRN_VM_INJECT_INTID(word);
	uint64_t how = CAIRN_VM_INJECT_FLAGS(word);
	struct vcpu *v = tcb_vcpu(c);

	if (intid >= CAIRN_VIRQ_LIMIT ||
	    (how & ~(CAIRN_VIRQ_GROUP1 | CAIRN_VIRQ_EOI_EXIT)) != 0 ||
	    !arch_vgic_can_inject(v)) {
		return;
	}
	arch_vgic_inject(v, (uint32_t)intid, CAIRN_VM_INJECT_PRIORITY(word),
			 how & CAIRN_VIRQ_GROUP1, how & CAIRN_VIRQ_EOI_EXIT);
}

/* (flags, n, n pairs of register and value[, interrupt]): a VM exit
 * answered. The one definition, for the slowpath (fault_resume) and the
 * fastpath. */
void fault_vm_reply(const struct tcb *p, struct tcb *c)
{
	uint64_t flags = msg_word(p, 0), n = msg_word(p, 1);

	for (uint64_t i = 0; i < n && 2 + 2 * i + 1 < CAIRN_MSG_MAX_WORDS;
	     i++) {
		uint64_t r = msg_word(p, 2 + 2 * i);
		if (r < 31) {
			c->regs.x[r] = msg_word(p, 2 + 2 * i + 1);
		}
	}
	if (flags & CAIRN_VM_REPLY_INJECT) {
		vm_reply_inject(c, msg_word(p, 2 + 2 * n));
	}
	if (flags & CAIRN_VM_REPLY_ABORT) {
		vm_reply_abort(c);
	} else if (flags & CAIRN_VM_REPLY_UNDEF) {
		arch_guest_undef(c);
	} else if (flags & CAIRN_VM_REPLY_ADVANCE_PC) {
		c->regs.pc += 4; /* AArch64 instructions are 4 bytes */
	}
}

/* A fault reply resumes the thread, maybe with new registers first. */
void fault_resume(struct tcb *p, struct tcb *c)
{
	uint64_t label = CAIRN_MSGINFO_LABEL(p->regs.x[1]);

	c->fault_pending = false;
	if (label == CAIRN_FAULT_REPLY_WRITE_REGS) {
		write_regs(p, c);
	} else if (label == CAIRN_VM_REPLY && tcb_vcpu(c) != NULL) {
		fault_vm_reply(p, c);
	}
	ipc_wake(c);
}

void fault_vm_exit(struct tcb *t, uint64_t esr)
{
#ifndef CAIRN_NO_FASTPATH
	fastpath_vm_exit(t); /* returns if the slowpath must deliver it */
#endif
	if (fault_send(t)) {
		sched_continue(t); /* t now waits for its VMM's reply */
	}
	kprintf("fault: guest '%s': exit %lu (ESR 0x%lx) at pc 0x%lx; no "
		"fault endpoint: suspended\n",
		t->name, (unsigned long)t->fault_label, esr, t->regs.pc);
	tcb_suspend(t);
	sched_run();
}

/* A Send/Recv-family call on a missing or unsuitable cap. */
void fault_cap(struct tcb *t, uint64_t cptr, uint64_t number,
	       enum cairn_error code, const char *why)
{
	t->fault_label = CAIRN_FAULT_CAP;
	t->fault_msg[0] = t->regs.pc;
	t->fault_msg[1] = cptr;
	t->fault_msg[2] = number;
	t->fault_msg[3] = code;
	struct user_fault f = {
	    .class_name = why, .pc = t->regs.pc, .address = cptr};
	user_fault_prepared(t, &f);
}

void user_fault(struct tcb *t, const struct user_fault *f)
{
	t->fault_label =
	    f->has_address ? CAIRN_FAULT_VM : CAIRN_FAULT_USER_EXCEPTION;
	t->fault_msg[0] = f->pc;
	if (f->has_address) {
		t->fault_msg[1] = f->address;
		t->fault_msg[2] = ipa_addr(f->ipa);
		t->fault_msg[3] = f->esr;
		t->fault_msg[4] = f->instruction;
	} else {
		t->fault_msg[1] = f->esr;
		t->fault_msg[2] = t->regs.sp;
	}
	user_fault_prepared(t, f);
}

void user_fault_prepared(struct tcb *t, const struct user_fault *f)
{
	if (fault_send(t)) {
		sched_continue(t); /* t now waits for its handler's reply */
	}
	if (f->has_address) {
		kprintf("fault: thread '%s': %s at pc 0x%lx, address 0x%lx "
			"(IPA 0x%lx), ESR 0x%lx; no fault endpoint: "
			"suspended\n",
			t->name, f->class_name, f->pc, f->address,
			ipa_addr(f->ipa), f->esr);
	} else if (f->esr != 0) {
		kprintf("fault: thread '%s': %s at pc 0x%lx, ESR 0x%lx; no "
			"fault endpoint: suspended\n",
			t->name, f->class_name, f->pc, f->esr);
	} else {
		kprintf("fault: thread '%s': %s (0x%lx) at pc 0x%lx; no fault "
			"endpoint: suspended\n",
			t->name, f->class_name, f->address, f->pc);
	}
	tcb_suspend(t);
	shutdown_thread_ended(t, 0, true);
	sched_run();
}
