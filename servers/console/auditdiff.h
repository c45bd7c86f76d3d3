/*
 * The live capability audit diffed against the system's expected set, with
 * the rules of tools/lib/cairn/capaudit.py: entries match on (holder, cptr,
 * depth, type, rights, badge); then each symbolic object name of the
 * expected set must stand for exactly one live object id and no two names
 * for the same one. Portable; host unit tests drive it directly.
 *
 * The live side is streamed: each entry is matched (or reported
 * unexpected) as the kernel's walk hands it over, and never stored, so any
 * number of live capabilities can be checked. The expected side is indexed
 * in place (the text stays where the root task mapped it): 16 bytes per
 * entry, up to AUDIT_MAX_EXPECTED entries; a larger set is refused whole.
 *
 * The expected set is text (tools/lib/cairn/spec.py expected_text()), one
 * capability per line, fields separated by one space:
 *     holder cptr depth type object rights badge
 * cptr and depth in decimal, badge in hex with 0x, rights as "rwgx" with
 * '-' for a missing right. It ends at the first NUL or at len.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AUDIT_MAX_EXPECTED 8192 /* entries; indices fit uint16_t, + 1 */
#define AUDIT_NAME_MAX	   48
#define AUDIT_BUCKETS	   4096			    /* key hash chains */
#define AUDIT_TABLE	   (2 * AUDIT_MAX_EXPECTED) /* at most half full */

struct audit_entry {
	char holder[17];
	char type[16];
	char rights[5];
	char name[AUDIT_NAME_MAX]; /* expected side: the symbolic object */
	uint64_t object;	   /* live side: the object id */
	uint64_t cptr, depth, badge;
};

struct audit_expected {
	uint64_t object; /* the live object it matched */
	uint32_t line;	 /* its line's offset in the text */
	uint16_t next;	 /* the next entry of its key chain, + 1; 0 ends */
	bool matched;
};

typedef void (*audit_report_fn)(void *ctx, const char *line);

struct audit_diff {
	const char *text;
	size_t len;
	struct audit_expected x[AUDIT_MAX_EXPECTED];
	size_t nexpected;
	uint16_t bucket[AUDIT_BUCKETS]; /* first entry of each chain, + 1 */
	/* For the name/id check: open addressing, entry index + 1. */
	uint16_t by_name[AUDIT_TABLE], by_id[AUDIT_TABLE];
	unsigned long nlive;
	unsigned missing, unexpected, inconsistent;
	audit_report_fn report;
	void *ctx;
};

/* Parses and indexes the expected set, and resets the counts; 0, or the
 * 1-based line that is malformed, or -1 if it holds more than
 * AUDIT_MAX_EXPECTED entries. report gets one line per difference
 * ("missing: ...", "unexpected: ...", "inconsistent: ..."). */
long audit_begin(struct audit_diff *d, const char *text, size_t len,
		 audit_report_fn report, void *ctx);

/* One live entry: matched with the first expected entry of its key not yet
 * matched, or reported unexpected at once. */
void audit_live(struct audit_diff *d, const struct audit_entry *e);

/* After the last live entry: reports the missing and the inconsistent;
 * returns the differences, those of audit_live() included. */
unsigned audit_finish(struct audit_diff *d);

/* e as one JSON line (no newline) in the format tools/capaudit diff reads
 * and libcairn's cairn_audit_print_jsonl() prints; returns its length. */
size_t audit_jsonl(char *out, size_t cap, const struct audit_entry *e);
