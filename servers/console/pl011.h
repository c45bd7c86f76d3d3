/* The PL011 from user level: the console server's device frame. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* Receive interrupts on (and pending ones cleared); transmit polled. */
void pl011_start(volatile uint32_t *regs);

/* One received character, or -1 if the receive FIFO is empty. */
int pl011_getc(volatile uint32_t *regs);

/* Waits for room in the transmit FIFO, then sends c. */
void pl011_putc(volatile uint32_t *regs, char c);

/* Clears the receive interrupts (after the FIFO is drained). */
void pl011_clear_rx(volatile uint32_t *regs);
