/*
 * The isolation guest: with its MMU off (every access goes straight to
 * the IPA), it reads one word at every 2 MiB of the first 4 GiB of IPA
 * space and at every 1 GiB up to 512 GiB (Cairn's IPA space is 39 bits),
 * skipping only its own RAM (0x40000000, 64 MiB: configs/test-isolation.toml)
 * and the two device windows its VMM emulates at those steps (the GIC
 * distributor at 0x08000000, the PL011 at 0x09000000). Every one of those
 * reads must end in an abort its vector catches: its stage 2 maps its RAM
 * and nothing else, so no other domain's memory, no VMM's and not
 * Cairn's. It prints "isolation: N probes, N aborted, first not aborted
 * 0x..." in hex and powers its domain off.
 */
	.equ	UART_DR, 0x09000000
	.equ	RAM, 0x40000000
	.equ	RAM_SIZE, 0x4000000	/* the manifest's memory = "64M" */
	.equ	STEP_LOW, 0x200000	/* 2 MiB below 4 GiB */
	.equ	STEP_HIGH, 0x40000000	/* 1 GiB above */
	.equ	PSCI_SYSTEM_OFF, 0x84000008

	.text
	.global	_start
_start:
	movz	x19, #(UART_DR >> 16), lsl #16
	adr	x0, hello
	bl	puts
	adr	x0, vectors
	msr	vbar_el1, x0
	isb
	mov	x20, #0			/* the address probed */
	mov	x21, #0			/* probes */
	mov	x22, #0			/* aborted */
	mov	x23, #0			/* the first that did not abort */
probe:
	bl	skipped
	cbnz	x0, next
	mov	x24, #0			/* the vector sets it */
	ldr	w1, [x20]
	add	x21, x21, #1
	cbz	x24, 1f
	add	x22, x22, #1
	b	next
1:	cbnz	x23, next
	mov	x23, x20
next:
	mov	x0, #STEP_LOW
	mov	x1, #STEP_HIGH
	lsr	x2, x20, #32		/* below 4 GiB: the fine step */
	cmp	x2, #0
	csel	x0, x0, x1, eq
	add	x20, x20, x0
	lsr	x2, x20, #39
	cbz	x2, probe
	adr	x0, probes
	bl	puts
	mov	x0, x21
	bl	puthex
	adr	x0, aborted
	bl	puts
	mov	x0, x22
	bl	puthex
	adr	x0, first
	bl	puts
	mov	x0, x23
	bl	puthex
	adr	x0, newline
	bl	puts
	movz	x0, #(PSCI_SYSTEM_OFF >> 16), lsl #16
	movk	x0, #(PSCI_SYSTEM_OFF & 0xffff)
	hvc	#0
	b	.

/* x0 = 1 if x20 is its own RAM or an emulated device window. */
skipped:
	mov	x0, #1
	movz	x1, #0x0800, lsl #16
	cmp	x20, x1
	b.eq	2f
	movz	x1, #0x0900, lsl #16
	cmp	x20, x1
	b.eq	2f
	movz	x1, #(RAM >> 16), lsl #16
	cmp	x20, x1
	b.lo	1f
	movz	x2, #((RAM + RAM_SIZE) >> 16), lsl #16
	cmp	x20, x2
	b.lo	2f
1:	mov	x0, #0
2:	ret

/* Prints the string at x0 (NUL-terminated). */
puts:
	ldrb	w1, [x0], #1
	cbz	w1, 1f
	str	w1, [x19]
	b	puts
1:	ret

/* Prints x0 as 0x and 16 hex digits. */
puthex:
	mov	w1, #'0'
	str	w1, [x19]
	mov	w1, #'x'
	str	w1, [x19]
	mov	x2, #60
1:	lsr	x1, x0, x2
	and	x1, x1, #0xf
	cmp	x1, #10
	add	x3, x1, #'0'
	add	x4, x1, #('a' - 10)
	csel	x1, x3, x4, lo
	str	w1, [x19]
	subs	x2, x2, #4
	b.pl	1b
	ret

hello:	.asciz	"isolation: probing the IPA space outside my RAM\n"
probes:	.asciz	"isolation: "
aborted: .asciz	" probes, "
first:	.asciz	" aborted, first not aborted "
newline: .asciz	"\n"

/* Current EL with SP_ELx, synchronous: an abort; note it, skip the load. */
	.balign	2048
vectors:
	.skip	0x200
	mov	x24, #1
	mrs	x9, elr_el1
	add	x9, x9, #4
	msr	elr_el1, x9
	eret
