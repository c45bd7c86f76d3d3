#include "print.h"

#include "format.h"

#include <stddef.h>
#include <stdint.h>

#define EARLY_BUF_SIZE	 2048
#define PANIC_LOCK_SPINS 10000000UL

static print_sink sink;
static char early_buf[EARLY_BUF_SIZE];
static size_t early_used;
static int print_lock;
static bool panic_mode;
static bool handed_over;  /* user level owns the UART: panics only */
static uint64_t withheld; /* characters not printed since */

static bool lock_acquire(void)
{
	unsigned long spins = 0;

	while (__atomic_exchange_n(&print_lock, 1, __ATOMIC_ACQUIRE) != 0) {
		if (panic_mode && ++spins > PANIC_LOCK_SPINS) {
			return false;
		}
	}
	return true;
}

static void lock_release(void)
{
	__atomic_store_n(&print_lock, 0, __ATOMIC_RELEASE);
}

static void put(void *ctx, char c)
{
	(void)ctx;
	if (handed_over && !panic_mode) {
		withheld++;
	} else if (sink != NULL) {
		sink(c);
	} else if (early_used < EARLY_BUF_SIZE) {
		early_buf[early_used++] = c;
	}
}

void print_set_sink(print_sink s)
{
	bool locked = lock_acquire();

	sink = s;
	for (size_t i = 0; i < early_used; i++) {
		sink(early_buf[i]);
	}
	early_used = 0;
	if (locked) {
		lock_release();
	}
}

bool print_has_sink(void)
{
	return sink != NULL;
}

void kprintf(const char *fmt, ...)
{
	va_list ap;
	bool locked = lock_acquire();

	va_start(ap, fmt);
	format_v(put, NULL, fmt, ap);
	va_end(ap);
	if (locked) {
		lock_release();
	}
}

void print_hand_over(const char *to)
{
	kprintf("kernel: the console is handed over to %s; the kernel prints "
		"again only to panic\n",
		to);
	handed_over = true;
}

uint64_t print_withheld(void)
{
	return withheld;
}

void print_enter_panic_mode(void)
{
	panic_mode = true;
}

void kputchar(char c)
{
	bool locked = lock_acquire();

	put(NULL, c);
	if (locked) {
		lock_release();
	}
}
