/*
 * Entry of the test guest. A loader enters at the first byte at EL1, MMU
 * off, x0 = DTB. The arm64 Image header makes QEMU -kernel (or any Image
 * loader) place it at a 2 MiB aligned RAM base + text_offset; the raw form
 * of the same bytes (mkraw.py zeroes the header after code0) is entered at
 * its first byte too. The code is position independent: it applies its own
 * R_AARCH64_RELATIVE relocations, so it runs wherever it is loaded as long
 * as that is 4 KiB aligned (the page tables in BSS must be).
 */
#include "layout.h"

#define SCTLR_EL1_BASE	0x30d00800	/* RES1 bits of ARMv8.0, MMU off */
#define SCTLR_EL1_ON	((1 << 0) | (1 << 2) | (1 << 3) | (1 << 12))
#define CPACR_FPEN	(3 << 20)
#define MAIR_VALUE	0xff04		/* 0: Device-nGnRE, 1: Normal WB */
/* T0SZ 25 (39-bit VA, walks start at level 1), inner/outer WBWA, inner
 * shareable, 4K granule; TTBR1 walks off (EPD1) with a valid TG1. */
#define TCR_BASE	0x80993519
#define R_AARCH64_RELATIVE 1027

	.global __guest_link_base
	.set	__guest_link_base, LINK_BASE

	.section .text.head, "ax"
	.global _start
_start:
	b	primary_entry		/* code0 */
	.long	0			/* code1 */
	.quad	0x80000			/* text_offset */
	.quad	__image_end - _start	/* image_size, BSS included */
	.quad	0x2			/* flags: little endian, 4K pages */
	.quad	0, 0, 0			/* reserved */
	.ascii	"ARM\x64"		/* magic */
	.long	0			/* reserved (PE header offset) */

primary_entry:
	mrs	x25, daif
	msr	daifset, #0xf
	mov	x19, x0
	mov	x20, x1
	mov	x21, x2
	mov	x22, x3
	mrs	x23, CurrentEL
	mrs	x24, sctlr_el1
	/* Only EL1 is supported; nothing can be reported before the DTB. */
	cmp	x23, #(1 << 2)
	b.ne	park
	bl	el1_reset
	bl	relocate
	/* BSS (16-byte aligned by the linker script). */
	adrp	x1, __bss_start
	add	x1, x1, :lo12:__bss_start
	adrp	x2, __bss_end
	add	x2, x2, :lo12:__bss_end
1:	cmp	x1, x2
	b.hs	2f
	stp	xzr, xzr, [x1], #16
	b	1b
2:	adrp	x0, entry_state
	add	x0, x0, :lo12:entry_state
	stp	x19, x20, [x0]
	stp	x21, x22, [x0, #16]
	stp	x23, x24, [x0, #32]
	adr	x1, _start
	stp	x25, x1, [x0, #48]
	adrp	x0, cpus		/* the boot CPU is cpus[0] */
	add	x0, x0, :lo12:cpus
	msr	tpidr_el1, x0
	adrp	x1, stacks
	add	x1, x1, :lo12:stacks
	add	x1, x1, #STACK_SIZE
	mov	sp, x1
	bl	guest_main
park:	wfe
	b	park

/* Known EL1 state: MMU off, vectors, FP/SIMD untrapped. */
el1_reset:
	ldr	x1, =SCTLR_EL1_BASE
	msr	sctlr_el1, x1
	isb
	adrp	x1, vectors
	add	x1, x1, :lo12:vectors
	msr	vbar_el1, x1
	mov	x1, #CPACR_FPEN
	msr	cpacr_el1, x1
	isb
	ret

/*
 * Applies .rela.dyn for the load address. Counts what it applied, and any
 * relocation of another type (left alone), for main.c to report.
 */
relocate:
	adr	x9, _start
	ldr	x10, =LINK_BASE
	sub	x9, x9, x10		/* load - link */
	adrp	x11, __rela_start
	add	x11, x11, :lo12:__rela_start
	adrp	x12, __rela_end
	add	x12, x12, :lo12:__rela_end
	mov	x16, #0
	mov	x17, #0
1:	cmp	x11, x12
	b.hs	3f
	ldp	x13, x14, [x11], #16	/* r_offset, r_info */
	ldr	x15, [x11], #8		/* r_addend */
	cmp	w14, #R_AARCH64_RELATIVE
	b.ne	2f
	add	x15, x15, x9
	str	x15, [x13, x9]
	add	x16, x16, #1
	b	1b
2:	add	x17, x17, #1
	b	1b
3:	adrp	x0, reloc_counts
	add	x0, x0, :lo12:reloc_counts
	stp	x16, x17, [x0]
	ret

/* Turns the MMU on with pt_l1 (mmu.c fills it); identity map, VA = PA. */
	.global mmu_on
mmu_on:
	ldr	x0, =MAIR_VALUE
	msr	mair_el1, x0
	mrs	x1, id_aa64mmfr0_el1
	and	x1, x1, #0xf		/* PARange */
	mov	x2, #5			/* IPS at most 48 bits */
	cmp	x1, x2
	csel	x1, x1, x2, ls
	ldr	x0, =TCR_BASE
	bfi	x0, x1, #32, #3
	msr	tcr_el1, x0
	adrp	x0, pt_l1
	msr	ttbr0_el1, x0
	isb
	tlbi	vmalle1
	dsb	nsh
	isb
	mrs	x0, sctlr_el1
	ldr	x1, =SCTLR_EL1_ON
	orr	x0, x0, x1
	msr	sctlr_el1, x0
	isb
	ret

/*
 * Secondary CPUs, from PSCI CPU_ON: MMU off, x0 = their struct cpu. Nothing
 * is read from memory before the MMU is on (so nothing the boot CPU wrote
 * through its caches needs cleaning), then the stack comes from the struct.
 */
	.global secondary_entry
secondary_entry:
	msr	daifset, #0xf
	mov	x19, x0
	bl	el1_reset
	bl	mmu_on
	msr	tpidr_el1, x19
	ldr	x1, [x19, #CPU_OFF_STACK_TOP]
	mov	sp, x1
	mov	x0, x19
	bl	secondary_main
	b	park

/* dcache_inval_range(start, end): invalidate to PoC, by line. */
	.global dcache_inval_range
dcache_inval_range:
	mrs	x3, ctr_el0
	ubfx	x3, x3, #16, #4		/* DminLine, log2 words */
	mov	x2, #4
	lsl	x2, x2, x3
	sub	x3, x2, #1
	bic	x0, x0, x3
1:	cmp	x0, x1
	b.hs	2f
	dc	ivac, x0
	add	x0, x0, x2
	b	1b
2:	dsb	sy
	ret

	/* In .data: BSS is cleared after relocating. */
	.data
	.balign	8
	.global reloc_counts
reloc_counts:
	.quad	0, 0
