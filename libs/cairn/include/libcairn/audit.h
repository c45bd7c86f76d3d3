/* libcairn: reading the live capability audit (AuditControl.Walk). */
#pragma once

#include <cairn/invocations.h>
#include <stdint.h>

struct cairn_audit_entry {
	char holder[17]; /* the TCB's name, NUL-terminated */
	uint64_t cptr;
	uint64_t depth;
	uint64_t type;
	uint64_t object; /* stable for this boot */
	uint64_t rights;
	uint64_t badge;
};

typedef void (*cairn_audit_fn)(const struct cairn_audit_entry *e, void *ctx);

/* Calls fn for every entry; returns the count, or -error. */
long cairn_audit_walk(uint64_t audit, cairn_audit_fn fn, void *ctx);

/* Prints every entry as one JSON line after prefix, then
 * "<prefix>end N entries". Returns the count, or -error. */
long cairn_audit_print_jsonl(uint64_t audit, const char *prefix);

const char *cairn_object_type_name(uint64_t type);

/* Rights as the audit prints them: "rwgx", '-' for each one missing. */
void cairn_rights_string(uint64_t rights, char out[5]);

/* A live thread and its counters (AuditControl.Threads). */
struct cairn_thread_entry {
	char name[17];
	uint64_t state; /* CAIRN_THREAD_* */
	uint64_t priority;
	uint64_t cpu_ticks; /* system-counter ticks spent at EL0 */
	uint64_t ipc_calls;
	uint64_t now, freq, irqs; /* the counter, its Hz, user interrupts */
	/* The CPUs online (bit i: CPU i) and the ticks each spent idle. */
	uint64_t cpus_online;
	uint64_t idle_ticks[CAIRN_AUDIT_MAX_CPUS];
};

typedef void (*cairn_thread_fn)(const struct cairn_thread_entry *t, void *ctx);

/* Calls fn for every live thread; returns the count, or -error. */
long cairn_audit_threads(uint64_t audit, cairn_thread_fn fn, void *ctx);

/* PowerControl: return only on failure (the error). */
long cairn_power_off(uint64_t power);
long cairn_power_reset(uint64_t power);
