/* libcairn: reading the live capability audit (AuditControl.Walk). */
#pragma once

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
