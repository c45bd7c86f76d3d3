/*
 * The benchmark's timed loops and its interrupt vector (bench.c). Each
 * loop is as small as it can be, so what a round costs is the operation
 * and not the guest: x0 = rounds (at least 1), x1 = the operand; returns
 * the CNTVCT ticks the whole loop took. bench_loop_null is the HVC loop's
 * shape without the HVC: the guest's own share of a round.
 */
#include "layout.h"

#define ICC_IAR1_EL1	S3_0_C12_C12_0
#define ICC_EOIR1_EL1	S3_0_C12_C12_1
#define ICC_SGI1R_EL1	S3_0_C12_C11_5
#define INTID_SPURIOUS	1020
#define FIRST_PPI	16

/* x19 counts down, x20 holds the operand, x21 the start. HVC may clobber
 * x0-x17 (SMCCC 1.0), so the loop keeps its state in x19-x21. */
.macro loop_begin
	stp	x19, x20, [sp, #-32]!
	str	x21, [sp, #16]
	mov	x19, x0
	mov	x20, x1
	isb
	mrs	x21, cntvct_el0
.endm

.macro loop_end
	subs	x19, x19, #1
	b.ne	1b
	isb
	mrs	x0, cntvct_el0
	sub	x0, x0, x21
	ldr	x21, [sp, #16]
	ldp	x19, x20, [sp], #32
	ret
.endm

	.text
	.balign	16
	.global bench_loop_hvc
bench_loop_hvc:			/* x1: the SMCCC function id */
	loop_begin
1:	mov	x0, x20
	hvc	#0
	loop_end

	.global bench_loop_null
bench_loop_null:
	loop_begin
1:	mov	x0, x20
	nop
	loop_end

	.global bench_loop_read
bench_loop_read:		/* x1: the MMIO address */
	loop_begin
1:	ldr	w0, [x20]
	loop_end

	.global bench_loop_sgi
bench_loop_sgi:			/* x1: the ICC_SGI1R_EL1 value */
	loop_begin
1:	msr	ICC_SGI1R_EL1, x20
	isb			/* the interrupt is taken here */
	loop_end

/* The two timestamps around the handler's EOI, with nothing between:
 * their own cost, which the EOI figure leaves out. */
	.global bench_stamp_pair
bench_stamp_pair:
	isb
	mrs	x0, cntvct_el0
	isb
	mrs	x3, cntvct_el0
	sub	x0, x3, x0
	ret

/*
 * The vector table while the benchmark runs: an IRQ at EL1 (SP_EL1) goes
 * to bench_irq; everything else to the same entry of the suite's own
 * table (vectors.S), so an unexpected exception is still reported.
 */
.macro forward n
	.balign	128
	b	vectors + 128 * \n
.endm

	.balign	2048
	.global bench_vectors
bench_vectors:
	forward	0
	forward	1
	forward	2
	forward	3
	forward	4
	.balign	128
	b	bench_irq
	forward	6
	forward	7
	forward	8
	forward	9
	forward	10
	forward	11
	forward	12
	forward	13
	forward	14
	forward	15

/*
 * Records in this CPU's struct bench_irq (guest.h) when the vector was
 * entered and when the interrupt was acknowledged, what ICC_IAR1_EL1 gave
 * and how long the EOI took; then counts it. The virtual timer's PPI (the
 * only PPI the benchmark takes) is stopped before its EOI, so its level
 * drops and it does not fire again.
 */
bench_irq:
	stp	x0, x1, [sp, #-32]!
	stp	x2, x3, [sp, #16]
	isb
	mrs	x0, cntvct_el0
	mrs	x1, ICC_IAR1_EL1
	isb
	mrs	x3, cntvct_el0
	mrs	x2, tpidr_el1
	add	x2, x2, #CPU_OFF_BENCH
	stp	x0, x3, [x2, #BENCH_OFF_ENTRY]
	str	x1, [x2, #BENCH_OFF_INTID]
	and	x3, x1, #0xffffff
	cmp	x3, #INTID_SPURIOUS
	b.hs	2f
	cmp	x3, #FIRST_PPI
	b.lo	1f
	msr	cntv_ctl_el0, xzr
1:	isb
	mrs	x0, cntvct_el0
	msr	ICC_EOIR1_EL1, x1
	isb
	mrs	x3, cntvct_el0
	sub	x3, x3, x0
	ldp	x0, x1, [x2, #BENCH_OFF_TAKEN]
	add	x0, x0, #1
	add	x1, x1, x3
	/* The record before the count another vCPU waits on. */
	dmb	ishst
	stp	x0, x1, [x2, #BENCH_OFF_TAKEN]
2:	ldp	x2, x3, [sp, #16]
	ldp	x0, x1, [sp], #32
	eret
