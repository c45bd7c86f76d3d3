/*
 * printf-style formatting for the kernel, with no allocation and no libc.
 * Supports %c %s %d %i %u %x %X %p %%, the flags '0' and '-', a field width,
 * and the length modifiers l, ll and z. Unknown conversions print verbatim.
 */
#pragma once

#include <stdarg.h>
#include <stddef.h>

typedef void (*format_sink)(void *ctx, char c);

/* Returns the number of characters produced. */
size_t format_v(format_sink sink, void *ctx, const char *fmt, va_list ap);

size_t format_vbuf(char *buf, size_t size, const char *fmt, va_list ap);

/* Formats into buf (always NUL-terminated when size > 0), like snprintf. */
__attribute__((format(printf, 3, 4))) size_t format_buf(char *buf, size_t size,
							const char *fmt, ...);
