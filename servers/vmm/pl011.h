/*
 * An emulated Arm PL011 UART for a guest (r1p4's ID registers, as QEMU's
 * virt board shows: Linux's amba bus matches it with a 16-byte FIFO).
 * Portable (no system calls), so host unit tests drive it directly.
 *
 * Transmit is instantaneous: every byte written to DR goes straight to the
 * caller's output callback, so the TX FIFO is always empty (FR.TXFE set,
 * TXFF and BUSY clear). The TX interrupt (TXRIS) follows what Linux's
 * amba-pl011 driver expects of a FIFO at or below its trigger level: it is
 * asserted at reset and after every DR write, and only UARTICR clears it
 * (until the next write). Linux writes as much as fits before it unmasks
 * TXIM, so it never waits on an interrupt that will not come.
 *
 * Receive: pl011_input() fills the RX FIFO (16 bytes with LCR_H.FEN, else a
 * 1-byte holding register) and takes only what fits, so the caller keeps the
 * rest and offers it again after the guest reads DR (pl011_rx_room()): no
 * overrun happens and no byte is lost. Time is not modelled, so the receive
 * timeout has always elapsed: RTRIS is set whenever the FIFO holds data and
 * RXRIS when it holds at least the IFLS trigger level; both are recomputed
 * on every FIFO change, and UARTICR clears them until the next one.
 *
 * The interrupt output is a level, pl011_irq_level() (RIS & IMSC non-zero);
 * the caller forwards it to the vGIC SPI (PL011_INTID) after every access
 * and every pl011_input(), whenever it may have changed.
 *
 * Accesses of 1, 2 or 4 bytes, aligned (Linux uses 16-bit accesses for an
 * Arm PL011 and earlycon byte writes to DR); a narrow read sees its part of
 * the register, a narrow write to a register's low part stores the value
 * zero-extended, one to its upper bytes is ignored. 8-byte and misaligned
 * accesses are refused. Not modelled: the UARTEN/TXE/RXE enables (ignored,
 * as QEMU does), baud rates (stored only), loopback, break, modem lines and
 * their interrupts, receive errors, IrDA, DMA (DMACR stored only).
 *
 * All state is in struct pl011, one per emulated UART, owned by the caller.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mmio.h"

#define PL011_BASE	 0x09000000ull
#define PL011_SIZE	 0x1000ull
#define PL011_INTID	 33 /* SPI 1 */
#define PL011_FIFO_DEPTH 16

/* Register offsets. */
#define PL011_DR    0x000
#define PL011_RSR   0x004 /* write: ECR */
#define PL011_FR    0x018
#define PL011_ILPR  0x020
#define PL011_IBRD  0x024
#define PL011_FBRD  0x028
#define PL011_LCR_H 0x02c
#define PL011_CR    0x030
#define PL011_IFLS  0x034
#define PL011_IMSC  0x038
#define PL011_RIS   0x03c
#define PL011_MIS   0x040
#define PL011_ICR   0x044
#define PL011_DMACR 0x048
#define PL011_ID    0xfe0 /* PeriphID0..3, PCellID0..3: one byte a word */

/* FR bits. */
#define PL011_FR_BUSY (1u << 3)
#define PL011_FR_RXFE (1u << 4)
#define PL011_FR_TXFF (1u << 5)
#define PL011_FR_RXFF (1u << 6)
#define PL011_FR_TXFE (1u << 7)

/* RIS / MIS / IMSC / ICR bits. */
#define PL011_INT_RX  (1u << 4)
#define PL011_INT_TX  (1u << 5)
#define PL011_INT_RT  (1u << 6)
#define PL011_INT_ALL 0x7ffu

#define PL011_LCR_H_FEN (1u << 4)

/* A byte the guest transmitted. */
typedef void (*pl011_output_fn)(void *ctx, uint8_t byte);

struct pl011 {
	pl011_output_fn output;
	void *ctx;
	uint8_t rx[PL011_FIFO_DEPTH];
	unsigned rx_head, rx_count;
	uint32_t rsr, ilpr, ibrd, fbrd, lcr_h, cr, ifls, imsc, ris, dmacr;
};

/* Reset state: CR 0x300 (TXE, RXE), IFLS 0x12, FIFO empty, TXRIS set. */
void pl011_init(struct pl011 *u, pl011_output_fn output, void *ctx);

/* MMIO handler for mmio_bus_add(): opaque is the struct pl011. */
bool pl011_mmio(void *uart, uint64_t offset, struct mmio_access *a);

/* Offers n received bytes; returns how many the FIFO took (the rest are the
 * caller's to offer again once the guest has read some). */
size_t pl011_input(struct pl011 *u, const uint8_t *bytes, size_t n);

/* How many more bytes pl011_input() would take now. */
size_t pl011_rx_room(const struct pl011 *u);

/* The interrupt output (UARTINTR): true while RIS & IMSC is non-zero. */
bool pl011_irq_level(const struct pl011 *u);
