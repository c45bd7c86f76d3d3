/*
 * A component's side of the console: printf and friends go into the
 * connection's output ring (ring.h), a line at a time, and a signal on the
 * console's doorbell says there is something to take. A client waits only
 * while its own ring is full (see console_client_flush). Include after the
 * generated header that declares ConsoleIO, and call
 * CONSOLE_CLIENT_INIT(<TYPE>, <IFACE>) (e.g. CONSOLE_CLIENT_INIT(CONSOLEECHO,
 * CONSOLE)) first thing in main.
 */
#pragma once

#include "ring.h"

#include <libcairn/ipc.h>
#include <libcairn/stdout.h>
#include <stdint.h>
#include <string.h>

#define CONSOLE_CLIENT_LINE	200
#define CONSOLE_CLIENT_PATIENCE 10000 /* yields while the ring is full */

#define CONSOLE_CLIENT_INIT(TYPE, IFACE)                                       \
	console_client_init(                                                   \
	    TYPE##_SLOT_##IFACE, TYPE##_SLOT_##IFACE##_DOORBELL,               \
	    TYPE##_SLOT_##IFACE##_WAKE, TYPE##_DATAPORT_##IFACE,               \
	    TYPE##_DATAPORT_##IFACE##_SIZE)

static uint64_t console_client_ep, console_client_doorbell;
static uint64_t console_client_wake;
static struct console_ring *console_client_ring;
static size_t console_client_ring_bytes;
static char console_client_buf[CONSOLE_CLIENT_LINE];
static unsigned console_client_len;

/*
 * Puts the line in the ring. While the ring is full the client rings the
 * doorbell and yields to let the console take some, but only so many
 * times: a console that never drains costs a client its lines (counted,
 * and reported by the console), never its progress.
 */
static inline void console_client_flush(void)
{
	unsigned tries = 0;

	if (console_client_len == 0) {
		return;
	}
	while (!ring_put(console_client_ring, console_client_ring_bytes,
			 console_client_buf, console_client_len)) {
		if (++tries > CONSOLE_CLIENT_PATIENCE) {
			ring_count_drop(console_client_ring,
					console_client_len);
			break;
		}
		cairn_signal(console_client_doorbell);
		cairn_yield();
	}
	cairn_signal(console_client_doorbell);
	console_client_len = 0;
}

static inline void console_client_put(char c)
{
	console_client_buf[console_client_len++] = c;
	if (c == '\n' || console_client_len == CONSOLE_CLIENT_LINE) {
		console_client_flush();
	}
}

static inline void console_client_init(uint64_t ep, uint64_t doorbell,
				       uint64_t wake, void *ring,
				       size_t ring_bytes)
{
	console_client_ep = ep;
	console_client_doorbell = doorbell;
	console_client_wake = wake;
	console_client_ring = ring;
	console_client_ring_bytes = ring_bytes;
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

/*
 * Sleeps until the console says something was typed for us. Call it after
 * console_client_read() found nothing (that call is what makes us
 * interactive, so the console routes keys here at all); a key typed in
 * between is not missed: the wake stays signalled until we wait.
 */
static inline void console_client_wait_input(void)
{
	cairn_wait(console_client_wake);
}
