#include "panic.h"

#include "arch.h"
#include "format.h"
#include "print.h"
#include "shutdown.h"

static int panicking;

bool panic_begin(void)
{
	print_enter_panic_mode();
	/* Only the first panic prints; a nested or concurrent one stops. */
	return __atomic_exchange_n(&panicking, 1, __ATOMIC_ACQ_REL) == 0;
}

void panic_end(void)
{
	kprintf("PANIC: powering off (exit status %d)\n",
		SHUTDOWN_STATUS_PANIC);
	shutdown_exit(SHUTDOWN_STATUS_PANIC);
}

void panic(const char *fmt, ...)
{
	if (panic_begin()) {
		char msg[256];
		va_list ap;

		va_start(ap, fmt);
		format_vbuf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
		kprintf("PANIC on cpu %lu: %s\n",
			(unsigned long)arch_cpu_index(), msg);
	}
	panic_end();
}
