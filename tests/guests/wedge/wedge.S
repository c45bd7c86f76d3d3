/*
 * The wedge guest: says so, then wedges itself for good: it points its
 * exception vectors at IPA 0 (nothing there) and executes an undefined
 * instruction. The exception's vector fetch is a stage-2 instruction abort,
 * which its VMM answers with an external abort, whose vector is the same
 * unbacked address: an endless exception loop that exits to the VMM each
 * time. The boot test a_wedged_guest_costs_only_its_time_slice
 * (configs/test-wedge.toml) checks the domain beside it does not notice.
 */
	.equ	UART_DR, 0x09000000	/* PL011 data register */

	.text
	.global	_start
_start:
	movz	x19, #(UART_DR >> 16), lsl #16
	adr	x1, message
1:	ldrb	w2, [x1], #1
	cbz	w2, 2f
	str	w2, [x19]
	b	1b
2:	msr	vbar_el1, xzr
	isb
	udf	#0
	b	.

message:
	.asciz	"wedging myself: vectors at 0, then an undefined instruction\n"
