/*
 * The live capability audit diffed against the system's expected set, with
 * the rules of tools/lib/cairn/capaudit.py: entries match on (holder, cptr,
 * depth, type, rights, badge); then each symbolic object name of the
 * expected set must stand for exactly one live object id and no two names
 * for the same one. Portable; host unit tests drive it directly.
 *
 * The expected set is text (tools/lib/cairn/spec.py expected_text()), one
 * capability per line, fields separated by one space:
 *     holder cptr depth type object rights badge
 * cptr and depth in decimal, badge in hex with 0x, rights as "rwgx" with
 * '-' for a missing right. It ends at the first NUL or at len.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#define AUDIT_MAX_ENTRIES 1024
#define AUDIT_NAME_MAX	  48

struct audit_entry {
	char holder[17];
	char type[16];
	char rights[5];
	char name[AUDIT_NAME_MAX]; /* expected side: the symbolic object */
	uint64_t object;	   /* live side: the object id */
	uint64_t cptr, depth, badge;
	int matched; /* index on the other side, or -1 */
};

struct audit_diff {
	struct audit_entry expected[AUDIT_MAX_ENTRIES];
	struct audit_entry live[AUDIT_MAX_ENTRIES];
	size_t nexpected, nlive;
	unsigned missing, unexpected, inconsistent;
};

/* Parses the expected set; 0, or the 1-based line that is malformed, or
 * -1 if it holds more than AUDIT_MAX_ENTRIES. */
long audit_parse_expected(struct audit_diff *d, const char *text, size_t len);

/* Adds one live entry; -1 when AUDIT_MAX_ENTRIES are there already. */
int audit_add_live(struct audit_diff *d, const struct audit_entry *e);

/* Compares; report gets one line per difference ("missing: ...",
 * "unexpected: ...", "inconsistent: ..."). Returns the differences. */
unsigned audit_compare(struct audit_diff *d,
		       void (*report)(void *ctx, const char *line), void *ctx);
