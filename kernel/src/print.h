/*
 * The kernel's own console output: boot messages and panics only. Lines from
 * different CPUs never interleave mid-line. Output before the UART is up is
 * kept in a small buffer and flushed when print_set_sink() is called.
 */
#pragma once

#include <stdint.h>

#include <stdbool.h>

typedef void (*print_sink)(char c);

void print_set_sink(print_sink sink);

__attribute__((format(printf, 1, 2))) void kprintf(const char *fmt, ...);

/*
 * Panic mode: from now on the lock is taken only if it comes free within a
 * bounded wait, so a CPU that died holding it cannot silence the panic.
 */
void print_enter_panic_mode(void);

/*
 * From now on user level drives the UART: kernel output other than a
 * panic is dropped (and counted), so it never interleaves with the console
 * server's. Called when the UART's interrupt is claimed.
 */
void print_hand_over(const char *to);
uint64_t print_withheld(void);

/* One character from a thread's DebugPutChar. */
void kputchar(char c);

bool print_has_sink(void);
