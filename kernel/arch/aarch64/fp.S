/* Saving and restoring a thread's FP/SIMD registers (struct fp_regs). */
	.arch armv8-a+fp+simd

/* Stores q0-q31, FPSR and FPCR at [\base]; clobbers x2, x3. */
.macro fp_store base
	stp	q0, q1, [\base, #16]
	stp	q2, q3, [\base, #48]
	stp	q4, q5, [\base, #80]
	stp	q6, q7, [\base, #112]
	stp	q8, q9, [\base, #144]
	stp	q10, q11, [\base, #176]
	stp	q12, q13, [\base, #208]
	stp	q14, q15, [\base, #240]
	stp	q16, q17, [\base, #272]
	stp	q18, q19, [\base, #304]
	stp	q20, q21, [\base, #336]
	stp	q22, q23, [\base, #368]
	stp	q24, q25, [\base, #400]
	stp	q26, q27, [\base, #432]
	stp	q28, q29, [\base, #464]
	stp	q30, q31, [\base, #496]
	mrs	x2, fpsr
	mrs	x3, fpcr
	stp	x2, x3, [\base]
.endm

	.text
/* arch_fp_switch(save, restore): the outgoing owner's state to save, then
 * the incoming thread's from restore, in one call. */
	.global arch_fp_switch
arch_fp_switch:
	fp_store x0
	mov	x0, x1
	/* fall through */

	.global arch_fp_restore
arch_fp_restore:
	ldp	q0, q1, [x0, #16]
	ldp	q2, q3, [x0, #48]
	ldp	q4, q5, [x0, #80]
	ldp	q6, q7, [x0, #112]
	ldp	q8, q9, [x0, #144]
	ldp	q10, q11, [x0, #176]
	ldp	q12, q13, [x0, #208]
	ldp	q14, q15, [x0, #240]
	ldp	q16, q17, [x0, #272]
	ldp	q18, q19, [x0, #304]
	ldp	q20, q21, [x0, #336]
	ldp	q22, q23, [x0, #368]
	ldp	q24, q25, [x0, #400]
	ldp	q26, q27, [x0, #432]
	ldp	q28, q29, [x0, #464]
	ldp	q30, q31, [x0, #496]
	ldp	x1, x2, [x0]
	msr	fpsr, x1
	msr	fpcr, x2
	ret
