/*
 * Console: the DTB's PL011, transmit only, polled. 32-bit accesses to DR
 * and FR only (plus CR once), which any PL011 emulation must take.
 * print() formats into a buffer and emits it under a lock, so lines from
 * different CPUs never interleave mid-line.
 */
#include "arch.h"
#include "guest.h"

#define UART_DR	  0x00
#define UART_FR	  0x18
#define UART_CR	  0x30
#define FR_TXFF	  (1u << 5)
#define CR_UARTEN (1u << 0)
#define CR_TXE	  (1u << 8)
#define CR_RXE	  (1u << 9)

static uintptr_t uart;
static volatile unsigned print_lock;

void uart_init(uintptr_t base)
{
	uart = base;
	uint32_t cr = mmio_read32(base + UART_CR);
	if ((cr & (CR_UARTEN | CR_TXE)) != (CR_UARTEN | CR_TXE)) {
		mmio_write32(base + UART_CR, CR_UARTEN | CR_TXE | CR_RXE);
	}
}

static void uart_putc_raw(char ch)
{
	if (!uart) {
		return;
	}
	while (mmio_read32(uart + UART_FR) & FR_TXFF) {
	}
	mmio_write32(uart + UART_DR, (uint8_t)ch);
}

/* Before the MMU is on exclusives may not work: no lock needed then, as
 * only the boot CPU runs. The wait is bounded, so an exception report from
 * a CPU that faulted while printing still comes out. */
static bool mmu_is_on(void)
{
	return read_sysreg(sctlr_el1) & 1;
}

static void lock(void)
{
	if (!mmu_is_on()) {
		return;
	}
	for (unsigned long spins = 0;
	     __atomic_exchange_n(&print_lock, 1, __ATOMIC_ACQUIRE);) {
		while (__atomic_load_n(&print_lock, __ATOMIC_RELAXED)) {
			if (++spins > 50000000) {
				return;
			}
			cpu_relax();
		}
	}
}

static void unlock(void)
{
	if (mmu_is_on()) {
		__atomic_store_n(&print_lock, 0, __ATOMIC_RELEASE);
	}
}

static void vprint(const char *fmt, va_list ap)
{
	char buf[512];
	int n = vformat(buf, sizeof(buf), fmt, ap);
	size_t len = n < (int)sizeof(buf) ? (size_t)n : sizeof(buf) - 1;
	lock();
	for (size_t i = 0; i < len; i++) {
		if (buf[i] == '\n') {
			uart_putc_raw('\r');
		}
		uart_putc_raw(buf[i]);
	}
	unlock();
}

void print(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
}
