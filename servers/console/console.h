/* The console server's state, shared by its main loop and its commands. */
#pragma once

#include "auditdiff.h"
#include "domains.h"
#include "iommus.h"
#include "mux.h"
#include "ring.h"
#include "shell.h"

#include <stdbool.h>
#include <stdint.h>

/* The caps the manifest must grant (caps = ["uart", "audit", "power"]),
 * in the order the root task places them (tools/lib/cairn/spec.py). */
#define CONSOLE_UART_FRAME    (CONSOLE_SLOT_GRANTS + 0)
#define CONSOLE_UART_IRQ      (CONSOLE_SLOT_GRANTS + 1)
#define CONSOLE_AUDIT	      (CONSOLE_SLOT_GRANTS + 2)
#define CONSOLE_POWER	      (CONSOLE_SLOT_GRANTS + 3)
#define CONSOLE_UART_IPA      0x10100000UL /* spec.UART_IPA */
#define CONSOLE_AUDIT_SET     0x10010000UL /* spec.AUDIT_SET_IPA */
#define CONSOLE_AUDIT_SET_MAX (CONSOLE_UART_IPA - CONSOLE_AUDIT_SET)

#define CONSOLE_MAX_BADGES 64 /* spec.MAX_PEERS */
_Static_assert(MUX_MAX_CLIENTS >= CONSOLE_MAX_BADGES,
	       "every connection's client has a place in the mux");
/* Doorbell bits: the PL011's IRQHandler signals with our unbadged cap
 * (bit 0); clients' caps carry badge 2 (spec.py), and every doorbell
 * drains the rings, so that bit needs no test. */
#define CONSOLE_DOORBELL_UART 1UL
/* A Call with this badge bit is a fault of the client the rest of the
 * badge names, which made us its fault handler (a VMM:
 * tools/lib/cairn/domainspec.py, FAULT_BADGE). */
#define CONSOLE_FAULT_BADGE 0x10000UL
#define CONSOLE_CLEAR_LINE  "\x1b[K" /* a redrawn prompt follows it */

struct console {
	volatile uint32_t *uart;
	uint64_t audit, power;
	struct mux mux;
	struct shell shell;
	struct domains domains; /* the clients that reported as domains */
	struct iommus iommus;	/* what the IOMMU server reported */
	/* Which mux client a connection's badge is (0: unknown). */
	uint8_t client_of_badge[CONSOLE_MAX_BADGES];
	uint8_t badge_of_client[MUX_MAX_CLIENTS];
	/* Per mux client: its output ring, drops reported so far. */
	struct console_ring *ring[MUX_MAX_CLIENTS];
	uint32_t ring_dropped[MUX_MAX_CLIENTS];
	bool ring_broken[MUX_MAX_CLIENTS];
};

/* Shell output: straight to the UART (the console's own lines). */
void console_printf(struct console *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void console_flush(struct console *c);
/* Waits until everything queued has gone to the UART (before power off). */
void console_drain_output(struct console *c);
void console_mux_stats(struct console *c);

void cmd_ps(struct console *c);
void cmd_caps(struct console *c, const char *name);
void cmd_stats(struct console *c);
/* jsonl: print the live audit as JSON lines instead of diffing it. */
void cmd_audit(struct console *c, bool jsonl);
void cmd_power(struct console *c, bool reboot);
