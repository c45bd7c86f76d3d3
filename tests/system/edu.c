/* QEMU's edu device, driven by polling (edu.h). */
#include "edu.h"

#include <stdio.h>

#define EDU_DMA_SRC    0x80
#define EDU_DMA_DST    0x88
#define EDU_DMA_COUNT  0x90
#define EDU_DMA_CMD    0x98
#define EDU_DMA_RUN    1
#define EDU_DMA_TO_RAM 2
#define EDU_BUFFER     0x40000 /* the device's own 4 KiB, as an address */
/* Each transfer starts 100 ms after its command, in QEMU's virtual time. */
#define EDU_WAIT_MS 3000

uint64_t edu_now_ms(void)
{
	uint64_t t, freq;

	__asm__ volatile("mrs %0, cntfrq_el0; mrs %1, cntpct_el0"
			 : "=r"(freq), "=r"(t));
	return t / (freq / 1000);
}

static void reg64(volatile uint8_t *bar, unsigned off, uint64_t v)
{
	*(volatile uint64_t *)(bar + off) = v;
}

void edu_raise(volatile uint8_t *bar, uint32_t bits)
{
	*(volatile uint32_t *)(bar + EDU_IRQ_RAISE) = bits;
}

void edu_ack(volatile uint8_t *bar, uint32_t bits)
{
	*(volatile uint32_t *)(bar + EDU_IRQ_ACK) = bits;
}

uint32_t edu_irq_status(volatile uint8_t *bar)
{
	return *(volatile uint32_t *)(bar + EDU_IRQ_STATUS);
}

int edu_dma(volatile uint8_t *bar, uint64_t iova, int to_ram)
{
	reg64(bar, EDU_DMA_SRC, to_ram ? EDU_BUFFER : iova);
	reg64(bar, EDU_DMA_DST, to_ram ? iova : EDU_BUFFER);
	reg64(bar, EDU_DMA_COUNT, EDU_PAGE);
	reg64(bar, EDU_DMA_CMD, EDU_DMA_RUN | (to_ram ? EDU_DMA_TO_RAM : 0));
	uint64_t end = edu_now_ms() + EDU_WAIT_MS;
	while (*(volatile uint64_t *)(bar + EDU_DMA_CMD) & EDU_DMA_RUN) {
		if (edu_now_ms() > end) {
			printf("  the edu's DMA never finished\n");
			return 0;
		}
	}
	return 1;
}

void edu_fill(volatile void *va, uint64_t seed)
{
	for (uint64_t i = 0; i < EDU_PAGE / 8; i++) {
		((volatile uint64_t *)va)[i] = seed * 0x9e3779b97f4a7c15UL + i;
	}
}

int edu_holds(const volatile void *va, uint64_t seed)
{
	for (uint64_t i = 0; i < EDU_PAGE / 8; i++) {
		if (((const volatile uint64_t *)va)[i] !=
		    seed * 0x9e3779b97f4a7c15UL + i) {
			return 0;
		}
	}
	return 1;
}
