#pragma once

#include <stdarg.h>

/* Prints the message on the boot console and powers the machine off. */
__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt,
							   ...);

/*
 * For panic paths that print more than one message (the exception dump):
 * panic_begin() returns false if another panic already owns the console,
 * and panic_end() powers off.
 */
#include <stdbool.h>
bool panic_begin(void);
__attribute__((noreturn)) void panic_end(void);
