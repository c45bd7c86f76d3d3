/*
 * EL2 exception vectors. Nothing is expected yet: every entry saves the full
 * register state into this CPU's struct cpu (found through TPIDR_EL2, not the
 * stack, which may be what broke) and calls exception_unexpected() on a
 * dedicated per-CPU exception stack. TPIDRRO_EL0 is the one scratch register;
 * its value is lost, which a panic can afford.
 */
#include "arch/cpu.h"

#define FRAME_SP	(31 * 8)
#define FRAME_ELR	(32 * 8)
#define FRAME_SPSR	(33 * 8)
#define FRAME_ESR	(34 * 8)
#define FRAME_FAR	(35 * 8)

.macro unexpected kind
	.balign	0x80
	msr	tpidrro_el0, x0
	mrs	x0, tpidr_el2
	add	x0, x0, #CPU_OFF_FRAME
	stp	x1, x2, [x0, #8]
	mov	x1, #\kind
	b	exc_unexpected_common
.endm

	.section .text.vectors, "ax"
	.balign	0x800
	.global exception_vectors
exception_vectors:
	unexpected 0	/* current EL, SP_EL0: synchronous */
	unexpected 1	/* IRQ */
	unexpected 2	/* FIQ */
	unexpected 3	/* SError */
	unexpected 4	/* current EL, SP_ELx: synchronous */
	unexpected 5
	unexpected 6
	unexpected 7
	unexpected 8	/* lower EL, AArch64: synchronous */
	unexpected 9
	unexpected 10
	unexpected 11
	unexpected 12	/* lower EL, AArch32: synchronous */
	unexpected 13
	unexpected 14
	unexpected 15

/* x0 = frame, x1 = vector kind; x1 and x2 are saved, x0 is in TPIDRRO_EL0. */
exc_unexpected_common:
	stp	x3, x4, [x0, #24]
	stp	x5, x6, [x0, #40]
	stp	x7, x8, [x0, #56]
	stp	x9, x10, [x0, #72]
	stp	x11, x12, [x0, #88]
	stp	x13, x14, [x0, #104]
	stp	x15, x16, [x0, #120]
	stp	x17, x18, [x0, #136]
	stp	x19, x20, [x0, #152]
	stp	x21, x22, [x0, #168]
	stp	x23, x24, [x0, #184]
	stp	x25, x26, [x0, #200]
	stp	x27, x28, [x0, #216]
	stp	x29, x30, [x0, #232]
	mrs	x2, tpidrro_el0
	str	x2, [x0, #0]
	mov	x2, sp
	str	x2, [x0, #FRAME_SP]
	mrs	x2, elr_el2
	str	x2, [x0, #FRAME_ELR]
	mrs	x2, spsr_el2
	str	x2, [x0, #FRAME_SPSR]
	mrs	x2, esr_el2
	str	x2, [x0, #FRAME_ESR]
	mrs	x2, far_el2
	str	x2, [x0, #FRAME_FAR]

	/* Exception stack: exc_stacks + (index + 1) * CPU_EXC_STACK_SIZE. */
	mrs	x2, tpidr_el2
	ldr	x2, [x2, #CPU_OFF_INDEX]
	add	x2, x2, #1
	mov	x3, #CPU_EXC_STACK_SIZE
	mul	x2, x2, x3
	ldr	x3, =exc_stacks
	add	x2, x2, x3
	mov	sp, x2
	bl	exception_unexpected
	b	park
