#include "auditdiff.h"

#include <stdbool.h>
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

long audit_parse_expected(struct audit_diff *d, const char *text, size_t len)
{
	const char *end = memchr(text, '\0', len);
	long line = 0;

	end = end ? end : text + len;
	d->nexpected = 0;
	for (const char *p = text; p < end; line++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *stop = nl ? nl : end;
		if (d->nexpected == AUDIT_MAX_ENTRIES) {
			return -1;
		}
		if (!parse_line(p, stop, &d->expected[d->nexpected++])) {
			return line + 1;
		}
		p = nl ? nl + 1 : end;
	}
	return 0;
}

int audit_add_live(struct audit_diff *d, const struct audit_entry *e)
{
	if (d->nlive == AUDIT_MAX_ENTRIES) {
		return -1;
	}
	d->live[d->nlive++] = *e;
	return 0;
}

static bool same_key(const struct audit_entry *a, const struct audit_entry *b)
{
	return a->cptr == b->cptr && a->depth == b->depth &&
	       a->badge == b->badge && strcmp(a->holder, b->holder) == 0 &&
	       strcmp(a->type, b->type) == 0 &&
	       strcmp(a->rights, b->rights) == 0;
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

static void match(struct audit_diff *d)
{
	for (size_t i = 0; i < d->nlive; i++) {
		d->live[i].matched = -1;
	}
	for (size_t i = 0; i < d->nexpected; i++) {
		struct audit_entry *x = &d->expected[i];
		x->matched = -1;
		for (size_t j = 0; j < d->nlive && x->matched < 0; j++) {
			if (d->live[j].matched < 0 &&
			    same_key(x, &d->live[j])) {
				x->matched = (int)j;
				d->live[j].matched = (int)i;
			}
		}
	}
}

/* A name must mean one object, and an object have one name. */
static bool consistent(const struct audit_diff *d, size_t i)
{
	const struct audit_entry *x = &d->expected[i];
	uint64_t id = d->live[x->matched].object;

	for (size_t k = 0; k < i; k++) {
		const struct audit_entry *y = &d->expected[k];
		if (y->matched < 0) {
			continue;
		}
		bool same_name = strcmp(y->name, x->name) == 0;
		bool same_id = d->live[y->matched].object == id;
		if (same_name != same_id) {
			return false;
		}
	}
	return true;
}

unsigned audit_compare(struct audit_diff *d,
		       void (*report)(void *ctx, const char *line), void *ctx)
{
	char line[200], id[24];

	match(d);
	d->missing = d->unexpected = d->inconsistent = 0;
	for (size_t i = 0; i < d->nexpected; i++) {
		const struct audit_entry *x = &d->expected[i];
		if (x->matched < 0) {
			describe(line, sizeof(line), "missing", x, x->name);
			report(ctx, line);
			d->missing++;
		} else if (!consistent(d, i)) {
			describe(line, sizeof(line), "inconsistent", x,
				 x->name);
			report(ctx, line);
			d->inconsistent++;
		}
	}
	for (size_t j = 0; j < d->nlive; j++) {
		const struct audit_entry *e = &d->live[j];
		if (e->matched < 0) {
			snprintf(id, sizeof(id), "%016lx",
				 (unsigned long)e->object);
			describe(line, sizeof(line), "unexpected", e, id);
			report(ctx, line);
			d->unexpected++;
		}
	}
	return d->missing + d->unexpected + d->inconsistent;
}
