/* panic() for host unit tests: an assertion in kernel code fails the test,
 * unless the test expects it (host_panic.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#include "host_panic.h"
#include "panic.h"

jmp_buf *host_panic_catch;
char host_panic_msg[512];

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(host_panic_msg, sizeof(host_panic_msg), fmt, ap);
	va_end(ap);
	if (host_panic_catch != NULL) {
		jmp_buf *j = host_panic_catch;
		host_panic_catch = NULL;
		longjmp(*j, 1);
	}
	fail_msg("kernel panic: %s", host_panic_msg);
	__builtin_unreachable();
}
