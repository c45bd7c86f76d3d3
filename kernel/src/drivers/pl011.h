/* ARM PL011 UART: polled transmit for the kernel's boot and panic output. */
#pragma once

#include "addr.h"

/*
 * Enables the UART at base (already mapped) for 8N1 with FIFOs. The baud rate
 * divisor is left as firmware or the emulator set it.
 */
void pl011_init(vaddr_t base);

/* Writes one character, turning "\n" into "\r\n". */
void pl011_putc(char c);
