/*
 * Accessor stubs for the fuzzer: 16 bytes per register, a read
 * (mrs x0; ret) at +0 and a write (msr x0; ret) at +8. An access that
 * faults is skipped by the catching handler, which lands on the ret.
 */
.macro stubs enc
	mrs	x0, \enc
	ret
	msr	\enc, x0
	ret
.endm

	.text
	.balign	16
	.global fuzz_sysreg_stubs
fuzz_sysreg_stubs:
#define X(name, enc) stubs enc;
#include "sysregs.def"
#undef X

/* The ID register space, op0 3 op1 0 CRn 0, CRm 0-7, op2 0-7. */
	.balign	16
	.global fuzz_idreg_stubs
fuzz_idreg_stubs:
.irp m, 0, 1, 2, 3, 4, 5, 6, 7
.irp o, 0, 1, 2, 3, 4, 5, 6, 7
	stubs	S3_0_C0_C\m\()_\o
.endr
.endr
