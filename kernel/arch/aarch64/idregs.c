/*
 * What a guest may know about the CPU. Cairn switches only some of the
 * CPU's state between domains, so every feature whose state it does not
 * switch is hidden: the ID registers read back sanitised (HCR_EL2.TID3
 * traps them here; the kernel answers without an exit, as they are read
 * often), and using such a feature anyway (SVE, SME, pointer
 * authentication, MTE, RAS error records, the PMU...) is an undefined
 * instruction in the guest, never a trap to its VMM and never another
 * domain's state.
 */
#include "arch.h"
#include "arch/sysreg.h"
#include "objects/tcb.h"
#include "sched.h"

/* The ESR's sysreg encoding, as CAIRN_VM_SYSREG packs it. */
#define ENC(op0, op1, crn, crm, op2)                                           \
	(((op0) << 14) | ((op1) << 11) | ((crn) << 7) | ((crm) << 3) | (op2))

/* A 4-bit ID field at `shift` cleared (feature absent). */
#define FIELD(shift) (0xfUL << (shift))

static uint64_t read_id(unsigned enc)
{
	switch (enc) {
	case ENC(3, 0, 0, 4, 0):
		return read_sysreg(s3_0_c0_c4_0); /* ID_AA64PFR0_EL1 */
	case ENC(3, 0, 0, 4, 1):
		return read_sysreg(s3_0_c0_c4_1); /* ID_AA64PFR1_EL1 */
	case ENC(3, 0, 0, 4, 2):
		return read_sysreg(s3_0_c0_c4_2); /* ID_AA64PFR2_EL1 */
	case ENC(3, 0, 0, 5, 0):
		return read_sysreg(s3_0_c0_c5_0); /* ID_AA64DFR0_EL1 */
	case ENC(3, 0, 0, 6, 0):
		return read_sysreg(s3_0_c0_c6_0); /* ID_AA64ISAR0_EL1 */
	case ENC(3, 0, 0, 6, 1):
		return read_sysreg(s3_0_c0_c6_1); /* ID_AA64ISAR1_EL1 */
	case ENC(3, 0, 0, 6, 2):
		return read_sysreg(s3_0_c0_c6_2); /* ID_AA64ISAR2_EL1 */
	case ENC(3, 0, 0, 7, 0):
		return read_sysreg(s3_0_c0_c7_0); /* ID_AA64MMFR0_EL1 */
	case ENC(3, 0, 0, 7, 1):
		return read_sysreg(s3_0_c0_c7_1); /* ID_AA64MMFR1_EL1 */
	case ENC(3, 0, 0, 7, 2):
		return read_sysreg(s3_0_c0_c7_2); /* ID_AA64MMFR2_EL1 */
	default:
		/* SVE and SME feature registers (ZFR0, SMFR0), the AArch32
		 * ones and every reserved encoding: nothing to know. */
		return 0;
	}
}

/* The fields a guest must not see, per register (cleared: not present). */
static uint64_t sanitise(unsigned enc, uint64_t v)
{
	switch (enc) {
	case ENC(3, 0, 0, 4, 0): /* PFR0: RAS, SVE, SEL2, MPAM, AMU, EL2 */
		v &= ~(FIELD(28) | FIELD(32) | FIELD(36) | FIELD(40) |
		       FIELD(44) | FIELD(8));
		return v;
	case ENC(3, 0, 0, 4, 1): /* PFR1: MTE, RAS_frac, MPAM_frac, SME,
				    NMI, GCS */
		return v & ~(FIELD(8) | FIELD(12) | FIELD(16) | FIELD(24) |
			     FIELD(36) | FIELD(44));
	case ENC(3, 0, 0, 4, 2):
		return 0;
	case ENC(3, 0, 0, 5, 0): /* DFR0: trace, PMU, SPE, TRBE, BRBE, MTPMU */
		return v & ~(FIELD(4) | FIELD(8) | FIELD(32) | FIELD(44) |
			     FIELD(52) | FIELD(48));
	case ENC(3, 0, 0, 6, 1): /* ISAR1: pointer authentication */
		return v & ~(FIELD(4) | FIELD(8) | FIELD(24) | FIELD(28));
	case ENC(3, 0, 0, 6, 2): /* ISAR2: pointer authentication (QARMA3) */
		return v & ~(FIELD(8) | FIELD(12));
	case ENC(3, 0, 0, 7, 0): /* MMFR0: the IPA is at most 40 bits */
		return (v & 0xf) > 2 ? (v & ~0xfUL) | 2 : v;
	case ENC(3, 0, 0, 7, 1): /* MMFR1: no VHE without EL2 */
		return v & ~FIELD(8);
	case ENC(3, 0, 0, 7, 2): /* MMFR2: no nested virtualization */
		return v & ~FIELD(24);
	default:
		return v;
	}
}

/* The ID register space: op0 3, op1 0, CRn 0, CRm 1..7. */
static bool is_id_register(unsigned enc)
{
	unsigned crm = (enc >> 3) & 0xf;

	return (enc & ~(0xfU << 3 | 7U)) == ENC(3, 0, 0, 0, 0) && crm >= 1;
}

/* Registers of hidden features that trap (HCR_EL2.APK, ATA, TERR):
 * pointer-authentication keys, MTE's, RAS error records. */
static bool is_hidden_feature_register(unsigned enc)
{
	unsigned crm = (enc >> 3) & 0xf;
	unsigned top = enc & ~(0xfU << 3 | 7U); /* op0, op1, CRn */

	if (top == ENC(3, 0, 2, 0, 0)) {
		return crm >= 1 && crm <= 3; /* AP{IA,IB,DA,DB,GA}Key */
	}
	if (top == ENC(3, 0, 5, 0, 0)) {
		return (crm >= 3 && crm <= 5) || crm == 6; /* ERR*, TFSR* */
	}
	return enc == ENC(3, 0, 1, 0, 5) || /* RGSR_EL1 */
	       enc == ENC(3, 0, 1, 0, 6) || /* GCR_EL1 */
	       enc == ENC(3, 0, 12, 1, 1);  /* DISR_EL1 */
}

bool arch_guest_sysreg(struct tcb *t, uint64_t esr)
{
	unsigned enc =
	    (unsigned)(((esr >> 20) & 3) << 14 | ((esr >> 14) & 7) << 11 |
		       ((esr >> 10) & 0xf) << 7 | ((esr >> 1) & 0xf) << 3 |
		       ((esr >> 17) & 7));
	unsigned rt = (esr >> 5) & 0x1f;
	bool read = esr & 1;

	if (is_id_register(enc) && read) {
		if (rt < 31) {
			t->regs.x[rt] = sanitise(enc, read_id(enc));
		}
		t->regs.pc += 4;
		return true;
	}
	if (is_id_register(enc) || is_hidden_feature_register(enc)) {
		arch_guest_undef(t); /* ID registers are read-only */
		return true;
	}
	return false;
}
