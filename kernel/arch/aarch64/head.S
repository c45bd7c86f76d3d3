/*
 * Kernel entry. QEMU (or any arm64 Image loader) enters at _start at EL2 with
 * the MMU off and the DTB's physical address in x0. The arm64 Image header
 * below is what makes the loader treat us as a Linux-style Image.
 */
#include "arch/cpu.h"
#include "arch/sysreg.h"

#define HCR_EL2_RW	(1 << 31)

	.section .text.head, "ax"
	.global _start
_start:
	b	primary_entry		/* code0 */
	.long	0			/* code1 */
	.quad	0x200000		/* text_offset: load 2 MiB into RAM */
	.quad	__image_size		/* image_size, rewritten by tools/mkimage */
	.quad	0x2			/* flags: little endian, 4K pages */
	.quad	0, 0, 0			/* reserved */
	.ascii	"ARM\x64"		/* magic */
	.long	0			/* reserved (PE header offset) */

primary_entry:
	msr	daifset, #0xf
	mov	x19, x0			/* DTB physical address */

	/* Anything but EL2 cannot run Cairn: stop here quietly. */
	mrs	x1, CurrentEL
	cmp	x1, #(2 << 2)
	b.ne	park

	/* Linked at a fixed address: refuse to run anywhere else. */
	adr	x1, _start
	ldr	x2, =_start
	cmp	x1, x2
	b.ne	park

	ldr	x0, =cpus		/* boot CPU is cpus[0] */
	msr	tpidr_el2, x0
	bl	el2_reset_state

	/* Clear BSS (16-byte aligned by the linker script). */
	ldr	x1, =__bss_start
	ldr	x2, =__bss_end
1:	cmp	x1, x2
	b.hs	2f
	stp	xzr, xzr, [x1], #16
	b	1b
2:
	ldr	x1, =kernel_stacks + CPU_STACK_SIZE
	mov	sp, x1
	mov	x0, x19
	bl	kernel_main
	b	park

/*
 * Secondary CPUs start here from PSCI CPU_ON, MMU off, with x0 = the
 * physical (= virtual, identity map) address of their struct cpu.
 */
	.global secondary_entry
secondary_entry:
	msr	daifset, #0xf
	mov	x19, x0
	msr	tpidr_el2, x19
	bl	el2_reset_state
	ldr	x1, [x19, #CPU_OFF_STACK_TOP]
	mov	sp, x1
	mov	x0, x19
	bl	secondary_main
	b	park

/* Known EL2 state: MMU and caches off, vectors installed, FP untrapped. */
el2_reset_state:
	ldr	x1, =SCTLR_EL2_RES1
	msr	sctlr_el2, x1
	isb
	ldr	x1, =exception_vectors
	msr	vbar_el2, x1
	ldr	x1, =CPTR_EL2_RES1
	msr	cptr_el2, x1
	mov	x1, #HCR_EL2_RW
	msr	hcr_el2, x1
	isb
	ret

	.global park
park:
	msr	daifset, #0xf
1:	wfe
	b	1b
