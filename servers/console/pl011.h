/* The PL011 from user level: the console server's device frame. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* Receive interrupts on (a pending one fires); transmit interrupt off
 * until pl011_tx_interrupt asks for it. */
void pl011_start(volatile uint32_t *regs);

/* One received character, or -1 if the receive FIFO is empty. */
int pl011_getc(volatile uint32_t *regs);

/* Whether the transmit FIFO has room; sending c when it has. */
bool pl011_tx_ready(volatile uint32_t *regs);
void pl011_tx_write(volatile uint32_t *regs, char c);

/* The transmit interrupt on (bytes wait for FIFO room) or off. */
void pl011_tx_interrupt(volatile uint32_t *regs, bool on);

/* Clears the receive interrupts (after the FIFO is drained). */
void pl011_clear_rx(volatile uint32_t *regs);
