#include "auditdiff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Copies the next space-separated field of [*p, end) into out. */
static bool field(const char **p, const char *end, char *out, size_t cap)
{
	size_t n = 0;

	while (*p < end && **p == ' ') {
		(*p)++;
	}
	while (*p < end && **p != ' ' && **p != '\n') {
		if (n + 1 == cap) {
			return false;
		}
		out[n++] = *(*p)++;
	}
	out[n] = '\0';
	return n > 0;
}

static bool parse_line(const char *p, const char *end, struct audit_entry *e)
{
	char cptr[24], depth[8], badge[24];
	char *stop;

	memset(e, 0, sizeof(*e));
	if (!field(&p, end, e->holder, sizeof(e->holder)) ||
	    !field(&p, end, cptr, sizeof(cptr)) ||
	    !field(&p, end, depth, sizeof(depth)) ||
	    !field(&p, end, e->type, sizeof(e->type)) ||
	    !field(&p, end, e->name, sizeof(e->name)) ||
	    !field(&p, end, e->rights, sizeof(e->rights)) ||
	    !field(&p, end, badge, sizeof(badge)) || strlen(e->rights) != 4) {
		return false;
	}
	e->cptr = strtoull(cptr, &stop, 10);
	bool ok = *stop == '\0';
	e->depth = strtoull(depth, &stop, 10);
	ok = ok && *stop == '\0';
	e->badge = strtoull(badge, &stop, 16);
	return ok && *stop == '\0';
}

/* Expected entry i, parsed again from its line (it was valid at begin). */
static void expected(const struct audit_diff *d, size_t i,
		     struct audit_entry *e)
{
	const char *p = d->text + d->x[i].line, *end = d->text + d->len;
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	parse_line(p, nl ? nl : end, e);
}

/* FNV-1a, over strings and words alike. */
static uint64_t hash_bytes(uint64_t h, const void *data, size_t n)
{
	const unsigned char *b = data;

	for (size_t i = 0; i < n; i++) {
		h = (h ^ b[i]) * 0x100000001b3ULL;
	}
	return h;
}

#define FNV_START 0xcbf29ce484222325ULL

static uint64_t key_hash(const struct audit_entry *e)
{
	uint64_t h = FNV_START;

	h = hash_bytes(h, e->holder, strlen(e->holder) + 1);
	h = hash_bytes(h, e->type, strlen(e->type) + 1);
	h = hash_bytes(h, e->rights, strlen(e->rights) + 1);
	h = hash_bytes(h, &e->cptr, sizeof(e->cptr));
	h = hash_bytes(h, &e->depth, sizeof(e->depth));
	return hash_bytes(h, &e->badge, sizeof(e->badge));
}

static bool same_key(const struct audit_entry *a, const struct audit_entry *b)
{
	return a->cptr == b->cptr && a->depth == b->depth &&
	       a->badge == b->badge && strcmp(a->holder, b->holder) == 0 &&
	       strcmp(a->type, b->type) == 0 &&
	       strcmp(a->rights, b->rights) == 0;
}

long audit_begin(struct audit_diff *d, const char *text, size_t len,
		 audit_report_fn report, void *ctx)
{
	const char *end = memchr(text, '\0', len);
	struct audit_entry e;
	long line = 0;

	d->text = text;
	d->len = (size_t)((end ? end : text + len) - text);
	d->report = report;
	d->ctx = ctx;
	d->nexpected = 0;
	d->nlive = 0;
	d->missing = d->unexpected = d->inconsistent = 0;
	end = text + d->len;
	for (const char *p = text; p < end; line++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (d->nexpected == AUDIT_MAX_EXPECTED) {
			return -1;
		}
		if (!parse_line(p, nl ? nl : end, &e)) {
			return line + 1;
		}
		d->x[d->nexpected++] =
		    (struct audit_expected){.line = (uint32_t)(p - text)};
		p = nl ? nl + 1 : end;
	}
	/* Chains in expected order: built from the last entry back. */
	memset(d->bucket, 0, sizeof(d->bucket));
	for (size_t i = d->nexpected; i-- > 0;) {
		expected(d, i, &e);
		uint16_t *head = &d->bucket[key_hash(&e) % AUDIT_BUCKETS];
		d->x[i].next = *head;
		*head = (uint16_t)(i + 1);
	}
	return 0;
}

static void describe(char *out, size_t cap, const char *what,
		     const struct audit_entry *e, const char *object)
{
	char badge[32] = "";

	if (e->badge != 0) {
		snprintf(badge, sizeof(badge), " badge 0x%lx",
			 (unsigned long)e->badge);
	}
	snprintf(out, cap, "%s: %s cptr %lu (depth %lu): %s %s rights %s%s",
		 what, e->holder, (unsigned long)e->cptr,
		 (unsigned long)e->depth, e->type, object, e->rights, badge);
}

void audit_live(struct audit_diff *d, const struct audit_entry *e)
{
	struct audit_entry x;
	char line[256], id[24];

	d->nlive++;
	for (uint16_t i = d->bucket[key_hash(e) % AUDIT_BUCKETS]; i != 0;
	     i = d->x[i - 1].next) {
		struct audit_expected *c = &d->x[i - 1];
		if (c->matched) {
			continue;
		}
		expected(d, i - 1, &x);
		if (same_key(&x, e)) {
			c->matched = true;
			c->object = e->object;
			return;
		}
	}
	snprintf(id, sizeof(id), "%016lx", (unsigned long)e->object);
	describe(line, sizeof(line), "unexpected", e, id);
	d->report(d->ctx, line);
	d->unexpected++;
}

/*
 * Finds the slot of table for key among the matched entries: the entry
 * whose name (by_name) or object (by_id) equals entry i's, or the empty
 * slot where it goes. Linear probing; the table is at most half full.
 */
static uint16_t *slot(struct audit_diff *d, uint16_t *table, size_t i,
		      const struct audit_entry *xi)
{
	bool names = table == d->by_name;
	uint64_t h = names ? hash_bytes(FNV_START, xi->name, strlen(xi->name))
			   : hash_bytes(FNV_START, &d->x[i].object, 8);
	struct audit_entry y;

	for (size_t k = h % AUDIT_TABLE;; k = (k + 1) % AUDIT_TABLE) {
		if (table[k] == 0) {
			return &table[k];
		}
		size_t j = table[k] - 1u;
		if (!names && d->x[j].object == d->x[i].object) {
			return &table[k];
		}
		if (names) {
			expected(d, j, &y);
			if (strcmp(y.name, xi->name) == 0) {
				return &table[k];
			}
		}
	}
}

/* capaudit's check, in expected order: a name seen before must be the
 * same object; an object seen before must have the same name. */
static void check_names(struct audit_diff *d)
{
	struct audit_entry xi, y;
	char line[320], why[160];

	memset(d->by_name, 0, sizeof(d->by_name));
	memset(d->by_id, 0, sizeof(d->by_id));
	for (size_t i = 0; i < d->nexpected; i++) {
		if (!d->x[i].matched) {
			continue;
		}
		expected(d, i, &xi);
		uint16_t *n = slot(d, d->by_name, i, &xi);
		why[0] = '\0';
		if (*n == 0) {
			*n = (uint16_t)(i + 1);
		} else if (d->x[*n - 1].object != d->x[i].object) {
			snprintf(why, sizeof(why),
				 ": '%s' is object %016lx here but %016lx "
				 "elsewhere",
				 xi.name, (unsigned long)d->x[i].object,
				 (unsigned long)d->x[*n - 1].object);
		}
		uint16_t *o = why[0] ? NULL : slot(d, d->by_id, i, &xi);
		if (o != NULL && *o == 0) {
			*o = (uint16_t)(i + 1);
		} else if (o != NULL) {
			expected(d, *o - 1, &y);
			if (strcmp(y.name, xi.name) != 0) {
				snprintf(why, sizeof(why),
					 ": object %016lx is both '%s' and "
					 "'%s'",
					 (unsigned long)d->x[i].object, y.name,
					 xi.name);
			}
		}
		if (why[0] != '\0') {
			describe(line, sizeof(line), "inconsistent", &xi,
				 xi.name);
			strncat(line, why, sizeof(line) - strlen(line) - 1);
			d->report(d->ctx, line);
			d->inconsistent++;
		}
	}
}

unsigned audit_finish(struct audit_diff *d)
{
	struct audit_entry x;
	char line[256];

	for (size_t i = 0; i < d->nexpected; i++) {
		if (!d->x[i].matched) {
			expected(d, i, &x);
			describe(line, sizeof(line), "missing", &x, x.name);
			d->report(d->ctx, line);
			d->missing++;
		}
	}
	check_names(d);
	return d->missing + d->unexpected + d->inconsistent;
}

/* s as the inside of a JSON string. */
static void json_string(char *out, size_t cap, const char *s)
{
	size_t n = 0;

	for (; *s != '\0' && n + 7 < cap; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			out[n++] = '\\';
			out[n++] = (char)c;
		} else if (c < 0x20 || c >= 0x7f) {
			n += (size_t)snprintf(out + n, cap - n, "\\u%04x", c);
		} else {
			out[n++] = (char)c;
		}
	}
	out[n] = '\0';
}

size_t audit_jsonl(char *out, size_t cap, const struct audit_entry *e)
{
	char holder[6 * sizeof(e->holder) + 1];
	int n;

	/* Names come from the kernel, but any thread holding its own TCB
	 * cap can set its own: escaped, it cannot break the line. */
	json_string(holder, sizeof(holder), e->holder);
	n = snprintf(out, cap,
		     "{\"holder\": \"%s\", \"cptr\": %lu, \"depth\": %lu, "
		     "\"type\": \"%s\", \"object\": \"%016lx\", \"rights\": "
		     "\"%s\", \"badge\": %lu}",
		     holder, (unsigned long)e->cptr, (unsigned long)e->depth,
		     e->type, (unsigned long)e->object, e->rights,
		     (unsigned long)e->badge);
	return n < 0 ? 0 : ((size_t)n < cap ? (size_t)n : cap - 1);
}
