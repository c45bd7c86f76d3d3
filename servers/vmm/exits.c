/*
 * Answering VM exits (cairn/syscalls.h, CAIRN_FAULT_VM_*): one handler per
 * kind, each filling the one reply message that resumes the vCPU
 * (CAIRN_VM_REPLY: flags, then register/value pairs), so an emulated
 * access costs one exit and one reply. The device models decide; this file
 * only translates between the exit's words and their calls. Nothing a
 * guest does ends the VMM: what cannot be emulated becomes an abort or an
 * undefined instruction in the guest.
 */
#include "vmm.h"

#include <cairn/syscalls.h>
#include <libcairn/syscall.h>

#define REG_NONE 31 /* xzr: a result nobody reads */

/* ICC_SGI1R_EL1, ICC_ASGI1R_EL1, ICC_SGI0R_EL1: trapped by HCR_EL2.IMO. */
#define SYSREG_SGI1R  CAIRN_VM_SYSREG(3, 0, 12, 11, 5)
#define SYSREG_ASGI1R CAIRN_VM_SYSREG(3, 0, 12, 11, 6)
#define SYSREG_SGI0R  CAIRN_VM_SYSREG(3, 0, 12, 11, 7)
#define SYSREG_OP0(e) ((e) >> 14)
#define SYSREG_CRN(e) (((e) >> 7) & 0xf)

struct reply {
	struct cairn_msg *m;
	uint64_t flags;
	unsigned pairs;
};

static void reply_begin(struct reply *r, struct cairn_msg *m)
{
	r->m = m;
	r->flags = 0;
	r->pairs = 0;
}

/* A register the guest gets back, at most four per reply. */
static void reply_set(struct reply *r, unsigned reg, uint64_t value)
{
	if (reg >= REG_NONE || r->pairs == 4) {
		return;
	}
	r->m->mr[2 + 2 * r->pairs] = reg;
	r->m->mr[3 + 2 * r->pairs] = value;
	r->pairs++;
}

static void reply_end(struct reply *r)
{
	r->m->mr[0] = r->flags;
	r->m->mr[1] = r->pairs;
	r->m->info = CAIRN_MSGINFO(CAIRN_VM_REPLY, 2 + 2 * r->pairs);
}

/* Word i of the exit: six in registers, the rest in our IPC buffer. */
static uint64_t word(const struct cairn_recv *in, unsigned i)
{
	return i < CAIRN_MSG_REG_WORDS ? in->mr[i] : cairn_ipc_buffer->mr[i];
}

static uint64_t loaded_value(uint64_t access, uint64_t raw)
{
	unsigned bits = 8 * CAIRN_VM_ACCESS_SIZE(access);

	if ((access & CAIRN_VM_ACCESS_SIGNED) && bits < 64) {
		uint64_t sign = 1UL << (bits - 1);
		raw = (raw ^ sign) - sign;
	}
	if (!(access & CAIRN_VM_ACCESS_64)) {
		raw &= 0xffffffffUL; /* a W register: the top half is zero */
	}
	return raw;
}

static void unbacked(struct vmm *v, unsigned i, uint64_t ipa, uint64_t pc,
		     struct reply *r, const char *what)
{
	if (!v->unbacked_logged) {
		v->unbacked_logged = true;
		vmm_log("vCPU %u: %s IPA 0x%lx (pc 0x%lx): nothing there; the "
			"guest takes an external abort (logged once per boot)",
			i, what, ipa, pc);
	}
	v->n.aborts_injected++;
	r->flags |= CAIRN_VM_REPLY_ABORT;
}

static void data_abort(struct vmm *v, unsigned i, const struct cairn_recv *in,
		       struct reply *r)
{
	uint64_t ipa = word(in, 0), access = word(in, 1), pc = word(in, 3);
	struct mmio_access a = {.ipa = ipa,
				.size = (uint8_t)CAIRN_VM_ACCESS_SIZE(access),
				.write = access & CAIRN_VM_ACCESS_WRITE,
				.value = word(in, 2)};

	v->n.mmio++;
	if (!(access & CAIRN_VM_ACCESS_VALID)) {
		/* A pair or writeback access the syndrome cannot describe:
		 * no device model can complete it. */
		unbacked(v, i, ipa, pc, r, "an undecodable access to");
		return;
	}
	if (mmio_dispatch(&v->bus, &a) != MMIO_HANDLED) {
		unbacked(v, i, ipa, pc, r,
			 a.write ? "a write to" : "a read of");
		return;
	}
	if (!a.write) {
		reply_set(r, CAIRN_VM_ACCESS_REG(access),
			  loaded_value(access, a.value));
	}
	r->flags |= CAIRN_VM_REPLY_ADVANCE_PC;
	if (ipa >= PL011_BASE && ipa < PL011_BASE + PL011_SIZE) {
		guest_uart_feed(v);
		guest_uart_update(v);
	}
}

/* PSCI and SMCCC: the model answers, this carries its action out. */
static bool call(struct vmm *v, unsigned i, const struct cairn_recv *in,
		 struct reply *r)
{
	uint64_t x[7];
	struct psci_result res;

	for (unsigned k = 0; k < 7; k++) {
		x[k] = word(in, k);
	}
	psci_call(&v->psci, i, x, &res);
	switch (res.action) {
	case PSCI_ACTION_START_VCPU:
		if (guest_start_vcpu(v, res.target, res.entry, res.context) !=
		    0) {
			res.x[0] = (uint64_t)(int64_t)PSCI_RET_INTERNAL_FAILURE;
		}
		break;
	case PSCI_ACTION_STOP_VCPU:
		guest_stop_vcpu(v, i);
		return false;
	case PSCI_ACTION_SYSTEM_OFF:
		guest_power_off(v, "the guest called PSCI SYSTEM_OFF");
		return false;
	case PSCI_ACTION_SYSTEM_RESET:
		guest_restart(v, "the guest called PSCI SYSTEM_RESET");
		return false;
	case PSCI_ACTION_WAIT: /* CPU_SUSPEND: a WFI's worth of waiting, */
	case PSCI_ACTION_NONE: /* which may end at once */
		break;
	}
	/* x1..x3 only where they change (SMCCC zeroes unused results): a
	 * reply of up to two pairs fits the registers, so the kernel's
	 * fastpath takes it. */
	reply_set(r, 0, res.x[0]);
	for (unsigned k = 1; k < 4; k++) {
		if (res.x[k] != x[k]) {
			reply_set(r, k, res.x[k]);
		}
	}
	return true;
}

/*
 * Trapped system registers: SGIs are generated here; the debug, PMU and
 * EL1 physical timer registers that trap for every guest (their state is
 * not switched) read as zero and ignore writes, as on a CPU without them;
 * anything else is undefined in the guest.
 */
static void sysreg(struct vmm *v, unsigned i, const struct cairn_recv *in,
		   struct reply *r)
{
	uint64_t enc = word(in, 0), read = word(in, 1), rt = word(in, 2);

	v->n.sysreg++;
	if (!read && (enc == SYSREG_SGI1R || enc == SYSREG_ASGI1R)) {
		vgic_write_sgi1r(&v->vgic, i, word(in, 3));
	} else if (enc == SYSREG_SGI0R) {
		/* Group 0 is the secure world's: nothing to send. */
	} else if (SYSREG_OP0(enc) == 2 || SYSREG_CRN(enc) == 9 ||
		   SYSREG_CRN(enc) == 14 || SYSREG_CRN(enc) == 1) {
		/* debug (op0 2), PMU (CRn 9, 14: PMEV*), the physical timer
		 * (CRn 14), ACTLR_EL1 (CRn 1): read as zero, writes ignored */
		if (read) {
			reply_set(r, (unsigned)rt, 0);
		}
	} else {
		v->n.undefs_injected++;
		r->flags |= CAIRN_VM_REPLY_UNDEF;
		return;
	}
	r->flags |= CAIRN_VM_REPLY_ADVANCE_PC;
}

bool exit_handle(struct vmm *v, unsigned i, const struct cairn_recv *in,
		 struct cairn_msg *m)
{
	struct reply r;
	bool resume = true;

	reply_begin(&r, m);
	v->n.exits++;
	switch (CAIRN_MSGINFO_LABEL(in->info)) {
	case CAIRN_FAULT_VM_DATA_ABORT:
		data_abort(v, i, in, &r);
		break;
	case CAIRN_FAULT_VM_INSN_ABORT:
		unbacked(v, i, word(in, 0), word(in, 1), &r,
			 "an instruction fetch from");
		break;
	case CAIRN_FAULT_VM_HVC:
		v->n.hvc++;
		resume = call(v, i, in, &r);
		break;
	case CAIRN_FAULT_VM_SMC:
		/* The guest's DTB says HVC; an SMC is answered alike but its
		 * PC is the SMC's own. */
		v->n.smc++;
		resume = call(v, i, in, &r);
		r.flags |= CAIRN_VM_REPLY_ADVANCE_PC;
		break;
	case CAIRN_FAULT_VM_SYSREG:
		sysreg(v, i, in, &r);
		break;
	case CAIRN_FAULT_VM_EOI:
		/* The guest EOIed level lines of ours: those still high are
		 * asserted again. It resumes where it was. */
		for (uint64_t k = 0; k < word(in, 0) && k < 7; k++) {
			vgic_eoi(&v->vgic, i, (uint32_t)word(in, 1 + k));
		}
		v->n.eoi++;
		break;
	case CAIRN_FAULT_VM_WFX:
		r.flags |= CAIRN_VM_REPLY_ADVANCE_PC;
		break;
	default:
		v->n.other++;
		v->n.undefs_injected++;
		r.flags |= CAIRN_VM_REPLY_UNDEF;
		break;
	}
	reply_end(&r);
	return resume;
}
