/*
 * The ticker guest: a flat binary that prints "booted: a tick every 0.2 s"
 * once, then "tick N" (N = 1, 2, ...) every 0.2 s of its virtual counter,
 * forever, on the PL011 of QEMU virt's layout, which its VMM emulates, and
 * "key C" for each character typed to it (polled: no interrupt). The
 * boot test domain_control (configs/test-domain-control.toml) pauses,
 * resumes and restarts it through the console and reads the ticks: they
 * stop while paused, go on from where they were when resumed, and start
 * again at "booted" after a restart.
 *
 * Entered at EL1 with the MMU off (so data accesses are Device memory: only
 * single-byte and aligned word accesses here), x0 = the DTB, unused. The
 * decimal digits are put together in guest RAM below the kernel, which
 * nothing else uses. Waiting is a WFI loop with the virtual timer armed
 * for the next tick and interrupts masked (PSTATE.I, as at reset): the
 * timer's interrupt ends the WFI without a vector, and the ticker takes
 * and ends it at its GIC CPU interface (ICC_IAR1_EL1, ICC_EOIR1_EL1). A
 * WFI with nothing to end it may wait for ever, so keys are read whenever
 * a WFI ends (a tick at the latest).
 */
	.equ	UART_DR, 0x09000000	/* PL011 data register */
	.equ	UART_FR, 0x18		/* its flag register, from DR */
	.equ	DIGITS_END, 0x40010000	/* free guest RAM */

	.text
	.global	_start
_start:
	movz	x19, #(UART_DR >> 16), lsl #16
	mov	x1, #0xff
	msr	s3_0_c4_c6_0, x1	/* ICC_PMR_EL1: every priority */
	mov	x1, #1
	msr	s3_0_c12_c12_7, x1	/* ICC_IGRPEN1_EL1: group 1 on */
	isb
	adr	x0, booted
	bl	puts
	mov	x20, #0			/* ticks so far */
	mrs	x21, cntfrq_el0
	mov	x1, #5
	udiv	x21, x21, x1		/* counter ticks in 0.2 s */
next:
	mrs	x22, cntvct_el0
	add	x22, x22, x21		/* the deadline: after a pause too */
	msr	cntv_cval_el0, x22
	mov	x1, #1
	msr	cntv_ctl_el0, x1	/* enabled, its interrupt unmasked */
	isb
wait:
	wfi
	isb
	bl	echo_keys
	mrs	x1, cntvct_el0
	cmp	x1, x22
	b.lo	wait
	msr	cntv_ctl_el0, xzr	/* off until the next deadline */
	isb
	bl	take_irqs
	add	x20, x20, #1
	adr	x0, tick
	bl	puts
	mov	x0, x20
	bl	putdec
	mov	w1, #'\n'
	str	w1, [x19]
	b	next

/* echo_keys: "key C" for each byte the UART has received (FR.RXFE clear),
 * so a test can see that what is typed while the domain has the console's
 * focus reaches its guest. */
echo_keys:
	mov	x9, x30
1:	ldr	w1, [x19, #UART_FR]
	tbnz	w1, #4, 2f		/* RXFE: nothing more */
	ldr	w10, [x19]
	adr	x0, key
	bl	puts
	and	w10, w10, #0xff
	str	w10, [x19]
	mov	w1, #'\n'
	str	w1, [x19]
	b	1b
2:	mov	x30, x9
	ret

/* take_irqs: acknowledges and ends every interrupt pending (the timer's,
 * and any other the VMM raised), so the next WFI waits again. */
take_irqs:
1:	mrs	x1, s3_0_c12_c12_0	/* ICC_IAR1_EL1 */
	cmp	x1, #1020
	b.hs	2f			/* 1020-1023: none */
	msr	s3_0_c12_c12_1, x1	/* ICC_EOIR1_EL1 */
	b	1b
2:	ret

/* puts(x0): the NUL-ended string at x0. */
puts:
	ldrb	w1, [x0], #1
	cbz	w1, 1f
	str	w1, [x19]
	b	puts
1:	ret

/* putdec(x0): x0 in decimal, its digits built backwards below DIGITS_END. */
putdec:
	movz	x3, #(DIGITS_END >> 16), lsl #16
	mov	x4, x3
	mov	x5, #10
1:	udiv	x6, x0, x5
	msub	x7, x6, x5, x0		/* x0 % 10 */
	add	w7, w7, #'0'
	strb	w7, [x4, #-1]!
	mov	x0, x6
	cbnz	x0, 1b
2:	ldrb	w7, [x4], #1
	str	w7, [x19]
	cmp	x4, x3
	b.ne	2b
	ret

booted:	.asciz	"booted: a tick every 0.2 s\n"
tick:	.asciz	"tick "
key:	.asciz	"key "
