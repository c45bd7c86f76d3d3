/*
 * EL1 exception vectors. Every entry saves x0-x30, ELR, SPSR, ESR and FAR
 * in a frame on the current stack (SP_EL1) and calls the C handler for its
 * kind (exceptions.c), which may change the frame's ELR (to skip a caught
 * instruction); then everything is restored and ERET.
 */
#define FRAME_SIZE	288	/* 31 + ELR, SPSR, ESR, FAR, pad: 16 aligned */
#define KIND_SYNC	0
#define KIND_IRQ	1
#define KIND_FIQ	2
#define KIND_SERROR	3
#define FROM_SP0	0x10	/* added to the kind for unexpected sources */
#define FROM_LOWER	0x20

.macro ventry kind
	.balign	128
	sub	sp, sp, #FRAME_SIZE
	stp	x0, x1, [sp, #0]
	mov	x1, #\kind
	b	exception_common
.endm

	.section .text.vectors, "ax"
	.balign	2048
	.global vectors
vectors:
	ventry	(KIND_SYNC + FROM_SP0)
	ventry	(KIND_IRQ + FROM_SP0)
	ventry	(KIND_FIQ + FROM_SP0)
	ventry	(KIND_SERROR + FROM_SP0)
	ventry	KIND_SYNC
	ventry	KIND_IRQ
	ventry	KIND_FIQ
	ventry	KIND_SERROR
	ventry	(KIND_SYNC + FROM_LOWER)
	ventry	(KIND_IRQ + FROM_LOWER)
	ventry	(KIND_FIQ + FROM_LOWER)
	ventry	(KIND_SERROR + FROM_LOWER)
	ventry	(KIND_SYNC + FROM_LOWER)
	ventry	(KIND_IRQ + FROM_LOWER)
	ventry	(KIND_FIQ + FROM_LOWER)
	ventry	(KIND_SERROR + FROM_LOWER)

exception_common:
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x19, [sp, #144]
	stp	x20, x21, [sp, #160]
	stp	x22, x23, [sp, #176]
	stp	x24, x25, [sp, #192]
	stp	x26, x27, [sp, #208]
	stp	x28, x29, [sp, #224]
	mrs	x2, elr_el1
	stp	x30, x2, [sp, #240]
	mrs	x2, spsr_el1
	mrs	x3, esr_el1
	stp	x2, x3, [sp, #256]
	mrs	x2, far_el1
	str	x2, [sp, #272]
	mov	x0, sp
	bl	exception_dispatch
	ldp	x30, x2, [sp, #240]
	msr	elr_el1, x2
	ldr	x2, [sp, #256]
	msr	spsr_el1, x2
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x19, [sp, #144]
	ldp	x20, x21, [sp, #160]
	ldp	x22, x23, [sp, #176]
	ldp	x24, x25, [sp, #192]
	ldp	x26, x27, [sp, #208]
	ldp	x28, x29, [sp, #224]
	add	sp, sp, #FRAME_SIZE
	eret
