/*
 * smccc_hvc / smccc_smc(const uint64_t args[8], uint64_t res[4]): one SMCCC
 * call with x0-x7 from args; x0-x3 of the answer to res. x4-x17 may be
 * clobbered by the callee (SMCCC 1.0), x18 and up are preserved.
 */
.macro smccc_stub name, insn
	.global \name
\name:
	stp	x1, x30, [sp, #-16]!
	mov	x8, x0
	ldp	x0, x1, [x8, #0]
	ldp	x2, x3, [x8, #16]
	ldp	x4, x5, [x8, #32]
	ldp	x6, x7, [x8, #48]
	\insn	#0
	ldp	x8, x30, [sp], #16
	stp	x0, x1, [x8, #0]
	stp	x2, x3, [x8, #16]
	ret
.endm

	.text
	smccc_stub smccc_hvc, hvc
	smccc_stub smccc_smc, smc
