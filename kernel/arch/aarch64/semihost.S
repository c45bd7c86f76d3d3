/*
 * arch_semihost_exit(x0 = status): the semihosting SYS_EXIT call (0x18),
 * which ends QEMU with `status` as its exit status. AArch64 passes a
 * parameter block: { ADP_Stopped_ApplicationExit (0x20026), status }.
 *
 * Without semihosting QEMU takes HLT #0xf000 as an undefined instruction;
 * exception_unexpected() recognises arch_semihost_trap as the faulting PC
 * and falls back to PSCI (shutdown_no_semihosting). Returns only if
 * neither happens.
 */
	.text
	.global	arch_semihost_exit
	.global	arch_semihost_trap
	.type	arch_semihost_exit, %function
arch_semihost_exit:
	sub	sp, sp, #16
	mov	x1, #0x0026
	movk	x1, #0x2, lsl #16
	stp	x1, x0, [sp]
	mov	x1, sp
	mov	x0, #0x18
arch_semihost_trap:
	hlt	#0xf000
	add	sp, sp, #16
	ret
	.size	arch_semihost_exit, . - arch_semihost_exit
