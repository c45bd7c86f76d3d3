/*
 * A component's side of the console: printf and friends go to the console
 * server, a line per ConsoleIO.write (a line longer than a message goes in
 * pieces). Include after the generated header that declares ConsoleIO, and
 * call console_client_init(<TYPE>_SLOT_<CONSOLE>) first thing in main.
 */
#pragma once

#include <libcairn/stdout.h>
#include <stdint.h>
#include <string.h>

#define CONSOLE_CLIENT_LINE 200 /* ConsoleIO.write's string<200> */

static uint64_t console_client_ep;
static char console_client_buf[CONSOLE_CLIENT_LINE + 1];
static unsigned console_client_len;

static inline void console_client_flush(void)
{
	console_client_buf[console_client_len] = '\0';
	if (console_client_len > 0) {
		ConsoleIO_write(console_client_ep, console_client_buf);
	}
	console_client_len = 0;
}

static inline void console_client_put(char c)
{
	console_client_buf[console_client_len++] = c;
	if (c == '\n' || console_client_len == CONSOLE_CLIENT_LINE) {
		console_client_flush();
	}
}

static inline void console_client_init(uint64_t ep)
{
	console_client_ep = ep;
	cairn_stdout_set(console_client_put);
}

/* What was typed for us since the last call (NUL-terminated), or "". */
static inline uint32_t console_client_read(char buf[65])
{
	uint32_t n = 0;

	memset(buf, 0, 65);
	if (ConsoleIO_read(console_client_ep, buf, &n) != 0) {
		return 0;
	}
	return n;
}
