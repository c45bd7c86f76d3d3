/*
 * VM exits: a guest's trap to EL2, decoded by exception class into a fault
 * message (cairn/syscalls.h, CAIRN_FAULT_VM_*) for its VMM, so that the
 * common exits need no further system call: the table below has one entry
 * per class the kernel decodes; any other class is CAIRN_FAULT_VM_OTHER.
 */
#include "arch.h"
#include "arch/sysreg.h"
#include "fault.h"
#include "objects/tcb.h"
#include "sched.h"

#include <cairn/syscalls.h>

#define EC_WFX		0x01
#define ESR_WFX_TI_MASK 0x3UL /* ISS.TI: 0 WFI, 1 WFE, 2 WFIT, 3 WFET */
#define ESR_WFX_TI_WFI	0x0UL
#define EC_PAC		0x09 /* pointer authentication, HCR_EL2.API clear */
#define EC_SVE		0x19
#define EC_SME		0x1d
#define EC_HVC64	0x16
#define EC_SMC64	0x17
#define EC_SYSREG	0x18
#define EC_IABT_LOWER	0x20
#define EC_DABT_LOWER	0x24

/* A general register by number as an instruction names it (31: xzr). */
static uint64_t reg_value(const struct tcb *t, unsigned r)
{
	return r < 31 ? t->regs.x[r] : 0;
}

/* The IPA of a stage-2 abort: HPFAR_EL2 gives the page, FAR the offset. */
static uint64_t abort_ipa(uint64_t far)
{
	return ((read_sysreg(hpfar_el2) >> 4) << 12) | (far & 0xfff);
}

static void exit_data_abort(struct tcb *t, uint64_t esr, uint64_t *m)
{
	uint64_t far = read_sysreg(far_el2);
	bool valid = (esr >> 24) & 1; /* ISV: the access is described */
	unsigned rt = (esr >> 16) & 0x1f;
	bool write = (esr >> 6) & 1;
	uint64_t access = 0;

	if (valid) {
		access = ((esr >> 22) & 3) |
			 (write ? CAIRN_VM_ACCESS_WRITE : 0) |
			 (((esr >> 21) & 1) ? CAIRN_VM_ACCESS_SIGNED : 0) |
			 (((esr >> 15) & 1) ? CAIRN_VM_ACCESS_64 : 0) |
			 CAIRN_VM_ACCESS_VALID | ((uint64_t)rt << 8);
	}
	m[0] = abort_ipa(far);
	m[1] = access;
	m[2] = valid && write ? reg_value(t, rt) : 0;
	m[3] = t->regs.pc;
	m[4] = esr;
	m[5] = far;
}

static void exit_insn_abort(struct tcb *t, uint64_t esr, uint64_t *m)
{
	uint64_t far = read_sysreg(far_el2);

	m[0] = abort_ipa(far);
	m[1] = t->regs.pc;
	m[2] = esr;
	m[3] = far;
}

/* HVC and SMC: the SMCCC function id and arguments. */
static void exit_call(struct tcb *t, uint64_t esr, uint64_t *m)
{
	(void)esr;
	for (unsigned i = 0; i < 7; i++) {
		m[i] = t->regs.x[i];
	}
	m[7] = t->regs.pc;
}

static void exit_wfx(struct tcb *t, uint64_t esr, uint64_t *m)
{
	m[0] = t->regs.pc;
	m[1] = esr & 1; /* TI: WFE */
}

static void exit_sysreg(struct tcb *t, uint64_t esr, uint64_t *m)
{
	unsigned op0 = (esr >> 20) & 3, op2 = (esr >> 17) & 7;
	unsigned op1 = (esr >> 14) & 7, crn = (esr >> 10) & 0xf;
	unsigned crm = (esr >> 1) & 0xf, rt = (esr >> 5) & 0x1f;
	bool read = esr & 1;

	m[0] = CAIRN_VM_SYSREG(op0, op1, crn, crm, op2);
	m[1] = read;
	m[2] = rt;
	m[3] = read ? 0 : reg_value(t, rt);
	m[4] = t->regs.pc;
	m[5] = esr;
}

static void exit_other(struct tcb *t, uint64_t esr, uint64_t *m)
{
	m[0] = esr;
	m[1] = t->regs.pc;
	m[2] = read_sysreg(far_el2);
}

struct exit_class {
	enum cairn_fault label;
	void (*decode)(struct tcb *t, uint64_t esr, uint64_t *msg);
};

static const struct exit_class exit_classes[64] = {
    [EC_WFX] = {CAIRN_FAULT_VM_WFX, exit_wfx},
    [EC_HVC64] = {CAIRN_FAULT_VM_HVC, exit_call},
    [EC_SMC64] = {CAIRN_FAULT_VM_SMC, exit_call},
    [EC_SYSREG] = {CAIRN_FAULT_VM_SYSREG, exit_sysreg},
    [EC_IABT_LOWER] = {CAIRN_FAULT_VM_INSN_ABORT, exit_insn_abort},
    [EC_DABT_LOWER] = {CAIRN_FAULT_VM_DATA_ABORT, exit_data_abort},
};

/*
 * WFI and WFE are answered here, not by the VMM: with a virtual interrupt
 * or the guest's own timer due the guest goes on at once. Otherwise a WFI
 * waits (THREAD_BLOCKED_WFI, sched.c) until an interrupt is injected into
 * its VCPU or its timer's deadline, so an idle guest leaves its CPU to
 * every lower priority too; a WFE yields to the threads of its priority
 * (it runs again at its next turn, which the architecture allows: a WFE may
 * end at any time).
 */
static __attribute__((noreturn)) void guest_wait(struct tcb *t, uint64_t esr)
{
	struct vcpu *v = tcb_vcpu(t);
	uint64_t deadline;

	t->regs.pc += 4;
	if (arch_vcpu_wake_pending(v)) {
		sched_continue(t);
	}
	/* WFI waits for an interrupt or its own timer. WFE (and WFIT/WFET)
	 * yields: its wake-up may be another vCPU's SEV, which no trap
	 * shows, as in a spinlock. */
	if ((esr & ESR_WFX_TI_MASK) != ESR_WFX_TI_WFI ||
	    !sched_wfi_block(t, arch_vcpu_timer_deadline(v, &deadline)
				    ? deadline
				    : SCHED_NEVER)) {
		sched_yield(t);
	}
	sched_run();
}

void arch_vm_exit(struct tcb *t, uint64_t esr)
{
	unsigned ec = (esr >> 26) & 0x3f;
	const struct exit_class *x = &exit_classes[ec];

	/* Hidden features and ID registers: answered here (idregs.c). */
	if (ec == EC_SVE || ec == EC_SME || ec == EC_PAC) {
		arch_guest_undef(t);
		sched_continue(t);
	}
	if (ec == EC_SYSREG && arch_guest_sysreg(t, esr)) {
		sched_continue(t);
	}
	if (ec == EC_WFX) {
		guest_wait(t, esr);
	}
	for (unsigned i = 0; i < CAIRN_FAULT_WORDS; i++) {
		t->fault_msg[i] = 0;
	}
	if (x->decode != NULL) {
		t->fault_label = x->label;
		x->decode(t, esr, t->fault_msg);
	} else {
		t->fault_label = CAIRN_FAULT_VM_OTHER;
		exit_other(t, esr, t->fault_msg);
	}
	fault_vm_exit(t, esr);
}

void arch_vm_eoi_exit(struct tcb *t)
{
	struct vcpu *v = tcb_vcpu(t);

	if (v == NULL || !arch_vgic_eoi_exits_pending(v)) {
		return;
	}
	for (unsigned i = 0; i < CAIRN_FAULT_WORDS; i++) {
		t->fault_msg[i] = 0;
	}
	t->fault_label = CAIRN_FAULT_VM_EOI;
	t->fault_msg[0] = arch_vgic_take_eoi_exits(v, &t->fault_msg[1],
						   CAIRN_FAULT_WORDS - 1);
	fault_vm_exit(t, 0);
}
