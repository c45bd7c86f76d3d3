/*
 * EL2 exception vectors.
 *
 * A synchronous exception or IRQ from a thread (native at EL0, or a guest)
 * saves the thread's registers into its TCB (found through SP_EL2) and calls
 * handle_lower_sync() or handle_lower_irq() on a fresh kernel stack; the
 * kernel leaves again through arch_run_thread() and arch_return_to_user().
 * The kernel stack holds nothing across a trap.
 *
 * Everything else is unexpected: the entry saves the full register state
 * into this CPU's struct cpu (found through TPIDR_EL2, not the stack, which
 * may be what broke) and calls exception_unexpected() on a dedicated
 * per-CPU exception stack. TPIDRRO_EL0 is the one scratch register there;
 * its value is lost, which a panic can afford.
 */
#include "arch/cpu.h"
#include "objects/tcb.h"

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


/* x4-x30 into x[4..30] of the register block at x0 (a TCB's user_regs or
 * the CPU's exc_frame: both start with x[31]). */
.macro store_x4_to_x30
	stp	x4, x5, [x0, #32]
	stp	x6, x7, [x0, #48]
	stp	x8, x9, [x0, #64]
	stp	x10, x11, [x0, #80]
	stp	x12, x13, [x0, #96]
	stp	x14, x15, [x0, #112]
	stp	x16, x17, [x0, #128]
	stp	x18, x19, [x0, #144]
	stp	x20, x21, [x0, #160]
	stp	x22, x23, [x0, #176]
	stp	x24, x25, [x0, #192]
	stp	x26, x27, [x0, #208]
	stp	x28, x29, [x0, #224]
	str	x30, [x0, #240]
.endm

/*
 * A trap from a thread (native at EL0, or a guest at EL1/EL0): all of its
 * registers go into its TCB and `handler` runs on a fresh kernel stack with
 * the TCB in x0. arch_return_to_user leaves SP_EL2 pointing at the
 * thread's register block (offset 0 of its TCB), so the entry needs no
 * scratch register: no register a thread or guest owns is touched before
 * it is saved. The whole save fits in the vector's 32 instructions, so the
 * IPC fastpath takes no branch before C.
 */
.macro lower_entry handler
	.balign	0x80
9990:
	stp	x0, x1, [sp, #0]
	stp	x2, x3, [sp, #16]
	mov	x0, sp
	store_x4_to_x30
	mrs	x1, sp_el0
	mrs	x2, elr_el2
	stp	x1, x2, [x0, #USER_REGS_OFF_SP]		/* sp, pc */
	mrs	x1, spsr_el2
	mrs	x2, tpidr_el0
	stp	x1, x2, [x0, #USER_REGS_OFF_SPSR]	/* spsr, tpidr */
	mrs	x1, tpidr_el2
	ldr	x1, [x1, #CPU_OFF_STACK_TOP]
	mov	sp, x1
	bl	\handler
	b	park
	.if (. - 9990b) > 0x80
	.error "lower_entry does not fit a vector slot"
	.endif
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
	lower_entry handle_lower_sync	/* lower EL, AArch64: synchronous */
	lower_entry handle_lower_irq	/* lower EL, AArch64: IRQ */
	unexpected 10
	unexpected 11
	/* Lower EL, AArch32: used only if EL1 were AArch32, which HCR_EL2.RW
	 * rules out (a guest's AArch32 EL0 traps through the AArch64 entries
	 * above). Routed like them anyway, so no guest state reaches a panic. */
	lower_entry handle_lower_sync	/* lower EL, AArch32: synchronous */
	lower_entry handle_lower_irq	/* lower EL, AArch32: IRQ */
	unexpected 14
	unexpected 15

/* x0 = frame, x1 = vector kind; x1 and x2 are saved, x0 is in TPIDRRO_EL0. */
exc_unexpected_common:
	str	x3, [x0, #24]
	store_x4_to_x30
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

/*
 * arch_return_to_user(struct user_regs *regs): restore and eret, leaving
 * SP_EL2 at regs for the next entry (lower_entry).
 */
	.global arch_return_to_user
arch_return_to_user:
	ldp	x1, x2, [x0, #USER_REGS_OFF_SP]		/* sp, pc */
	msr	sp_el0, x1
	msr	elr_el2, x2
	ldp	x1, x2, [x0, #USER_REGS_OFF_SPSR]	/* spsr, tpidr */
	msr	spsr_el2, x1
	msr	tpidr_el0, x2
	mov	sp, x0
	ldp	x2, x3, [x0, #16]
	ldp	x4, x5, [x0, #32]
	ldp	x6, x7, [x0, #48]
	ldp	x8, x9, [x0, #64]
	ldp	x10, x11, [x0, #80]
	ldp	x12, x13, [x0, #96]
	ldp	x14, x15, [x0, #112]
	ldp	x16, x17, [x0, #128]
	ldp	x18, x19, [x0, #144]
	ldp	x20, x21, [x0, #160]
	ldp	x22, x23, [x0, #176]
	ldp	x24, x25, [x0, #192]
	ldp	x26, x27, [x0, #208]
	ldp	x28, x29, [x0, #224]
	ldr	x30, [x0, #240]
	ldp	x0, x1, [x0, #0]
	eret
