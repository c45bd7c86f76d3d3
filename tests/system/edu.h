/*
 * QEMU's edu PCI device as the DMA tests drive it (started with
 * `-device edu,dma_mask=0xffffffffffffffff`: its default mask clamps
 * addresses to 28 bits): one page at a time between its own 4 KiB buffer
 * and a device address, and the page patterns that tell what arrived.
 * Shared by the in-system cases (dmacases.c) and the DMA scenario's
 * drivers (tests/scenarios/dma); no system calls.
 */
#pragma once

#include <stdint.h>

#define EDU_ID	  0x11e81234U /* device 0x11e8, vendor 0x1234 (QEMU) */
#define EDU_MAGIC 0x010000edU /* its identification register */
#define EDU_PAGE  4096UL

/* One transfer of a page between the device's buffer and iova, into
 * memory (to_ram) or out of it; 0 (said) if the device never finished:
 * whether the SMMU let it through is seen in memory. */
int edu_dma(volatile uint8_t *bar, uint64_t iova, int to_ram);

/* Its interrupt: raise sets bits of the status register and asserts the
 * interrupt (INTx, as nothing enables its MSI); ack clears them, and the
 * line drops once none is left. */
#define EDU_IRQ_STATUS 0x24
#define EDU_IRQ_RAISE  0x60
#define EDU_IRQ_ACK    0x64
void edu_raise(volatile uint8_t *bar, uint32_t bits);
void edu_ack(volatile uint8_t *bar, uint32_t bits);
uint32_t edu_irq_status(volatile uint8_t *bar);

/* A page's pattern for seed, and whether a page holds it. */
void edu_fill(volatile void *va, uint64_t seed);
int edu_holds(const volatile void *va, uint64_t seed);

/* The physical counter in milliseconds. */
uint64_t edu_now_ms(void);
