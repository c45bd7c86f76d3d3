#include "drivers/pl011.h"

#include <stdint.h>

#define UART_DR	  0x000
#define UART_FR	  0x018
#define UART_LCRH 0x02c
#define UART_CR	  0x030
#define UART_IMSC 0x038

#define FR_TXFF	   (1U << 5)
#define FR_BUSY	   (1U << 3)
#define LCRH_FEN   (1U << 4)
#define LCRH_WLEN8 (3U << 5)
#define CR_UARTEN  (1U << 0)
#define CR_TXE	   (1U << 8)
#define CR_RXE	   (1U << 9)

static volatile uint32_t *uart;

static inline uint32_t reg_read(uint32_t off)
{
	return uart[off / 4];
}

static inline void reg_write(uint32_t off, uint32_t v)
{
	uart[off / 4] = v;
}

void pl011_init(vaddr_t base)
{
	uart = ptr_from_va(base);
	/* The PL011 must be disabled and idle while LCRH changes. */
	reg_write(UART_CR, 0);
	while (reg_read(UART_FR) & FR_BUSY) {
	}
	reg_write(UART_LCRH, LCRH_WLEN8 | LCRH_FEN);
	reg_write(UART_IMSC, 0);
	reg_write(UART_CR, CR_UARTEN | CR_TXE | CR_RXE);
}

static void put_raw(char c)
{
	while (reg_read(UART_FR) & FR_TXFF) {
	}
	reg_write(UART_DR, (uint8_t)c);
}

void pl011_putc(char c)
{
	if (uart == NULL) {
		return;
	}
	if (c == '\n') {
		put_raw('\r');
	}
	put_raw(c);
}
