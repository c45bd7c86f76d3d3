/* Register offsets and bits from the PL011 TRM (as QEMU's virt models it). */
#include "pl011.h"

#define DR   (0x00 / 4)
#define FR   (0x18 / 4)
#define IMSC (0x38 / 4)
#define ICR  (0x44 / 4)

#define FR_RXFE (1U << 4)
#define FR_TXFF (1U << 5)
#define INT_RX	(1U << 4) /* receive FIFO at its trigger level */
#define INT_TX	(1U << 5) /* transmit FIFO at or below its trigger level */
#define INT_RT	(1U << 6) /* receive timeout: a character waits alone */

void pl011_start(volatile uint32_t *regs)
{
	/*
	 * The kernel enabled the UART for its own output; keep that and add
	 * receive interrupts, so the console sleeps until a key arrives. A
	 * receive interrupt already raised (keys typed during boot) is left
	 * pending, so it fires now: cleared, it would not come back while the
	 * FIFO held those keys (QEMU raises it only on empty to one).
	 */
	regs[IMSC] = INT_RX | INT_RT;
}

int pl011_getc(volatile uint32_t *regs)
{
	if (regs[FR] & FR_RXFE) {
		return -1;
	}
	return (int)(regs[DR] & 0xff);
}

bool pl011_tx_ready(volatile uint32_t *regs)
{
	return (regs[FR] & FR_TXFF) == 0;
}

void pl011_tx_write(volatile uint32_t *regs, char c)
{
	regs[DR] = (uint8_t)c;
}

void pl011_tx_interrupt(volatile uint32_t *regs, bool on)
{
	regs[IMSC] = INT_RX | INT_RT | (on ? INT_TX : 0);
}

void pl011_clear_rx(volatile uint32_t *regs)
{
	regs[ICR] = INT_RX | INT_RT;
}
