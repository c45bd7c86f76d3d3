/*
 * Exceptions the kernel makes a guest take at its own EL1, as the hardware
 * would have: an undefined instruction (a hidden feature used anyway, a
 * system register its VMM refuses) and a synchronous external abort (an
 * access to an IPA nothing backs). The guest's EL1 state is in the CPU's
 * registers while it is loaded here and in its VCPU otherwise, so each
 * register is reached through el1_read/el1_write.
 */
#include "arch.h"
#include "arch/cpu.h"
#include "arch/sysreg.h"
#include "assert.h"
#include "objects/tcb.h"
#include "objects/vcpu.h"

#include <cairn/invocations.h>

#define ESR_IL		 (1UL << 25) /* a 32-bit instruction trapped */
#define EC_SHIFT	 26
#define EC_UNKNOWN	 0x00
#define EC_IABT_LOWER	 0x20
#define EC_IABT_CURRENT	 0x21
#define EC_DABT_LOWER	 0x24
#define EC_DABT_CURRENT	 0x25
#define FSC_SYNC_EXT	 0x10	    /* synchronous external abort */
#define ESR_WNR		 (1UL << 6) /* a data abort's write-not-read */
#define SPSR_AARCH32	 (1UL << 4)
#define SPSR_EL1H_MASKED 0x3c5UL /* EL1h with D, A, I and F masked */

/* The registers reached here (ESR, ELR, SPSR, FAR, VBAR) are live in the
 * CPU whenever v's state is loaded, a native thread beside it or not: none
 * of them is in the natives' view (vcpu.c). */
static bool loaded(const struct vcpu *v)
{
	return this_cpu()->el1_owner == v;
}

static uint64_t el1_read(struct vcpu *v, enum cairn_vcpu_reg r)
{
	if (!loaded(v)) {
		return v->regs[r];
	}
	switch (r) {
	case CAIRN_VCPU_VBAR_EL1:
		return read_sysreg(vbar_el1);
	default:
		return v->regs[r];
	}
}

static void el1_write(struct vcpu *v, enum cairn_vcpu_reg r, uint64_t value)
{
	if (!loaded(v)) {
		v->regs[r] = value;
		return;
	}
	switch (r) {
	case CAIRN_VCPU_ESR_EL1:
		write_sysreg(esr_el1, value);
		break;
	case CAIRN_VCPU_ELR_EL1:
		write_sysreg(elr_el1, value);
		break;
	case CAIRN_VCPU_SPSR_EL1:
		write_sysreg(spsr_el1, value);
		break;
	case CAIRN_VCPU_FAR_EL1:
		write_sysreg(far_el1, value);
		break;
	default:
		v->regs[r] = value;
		break;
	}
}

/* From EL1 (either stack pointer), or a lower EL: which vector, and
 * whether the exception class is the current-EL one. */
static uint64_t vector_offset(uint64_t spsr, bool *current)
{
	unsigned mode = spsr & 0xf;

	*current = !(spsr & SPSR_AARCH32) && (mode == 0x4 || mode == 0x5);
	if (*current) {
		return mode == 0x5 ? 0x200 : 0x000;
	}
	return spsr & SPSR_AARCH32 ? 0x600 : 0x400;
}

/* The guest (not running: its registers are in t) enters its EL1
 * synchronous vector with this syndrome, as the hardware would. */
static void take(struct tcb *t, struct vcpu *v, uint64_t esr, uint64_t far,
		 bool has_far)
{
	uint64_t spsr = t->regs.spsr;
	bool current;
	uint64_t offset = vector_offset(spsr, &current);

	el1_write(v, CAIRN_VCPU_ESR_EL1, esr);
	el1_write(v, CAIRN_VCPU_ELR_EL1, t->regs.pc);
	el1_write(v, CAIRN_VCPU_SPSR_EL1, spsr);
	if (has_far) {
		el1_write(v, CAIRN_VCPU_FAR_EL1, far);
	}
	t->regs.pc = el1_read(v, CAIRN_VCPU_VBAR_EL1) + offset;
	t->regs.spsr = SPSR_EL1H_MASKED;
}

void arch_guest_undef(struct tcb *t)
{
	struct vcpu *v = tcb_vcpu(t);

	ASSERT(v != NULL);
	take(t, v, (uint64_t)EC_UNKNOWN << EC_SHIFT | ESR_IL, 0, false);
}

void arch_guest_abort(struct tcb *t, bool instruction, uint64_t far,
		      uint64_t exit_esr)
{
	struct vcpu *v = tcb_vcpu(t);
	bool current;

	ASSERT(v != NULL);
	vector_offset(t->regs.spsr, &current);
	uint64_t ec = instruction ? (current ? EC_IABT_CURRENT : EC_IABT_LOWER)
				  : (current ? EC_DABT_CURRENT : EC_DABT_LOWER);
	uint64_t iss = FSC_SYNC_EXT | (instruction ? 0 : exit_esr & ESR_WNR);
	take(t, v, ec << EC_SHIFT | ESR_IL | iss, far, true);
}
