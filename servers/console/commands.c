/*
 * The control shell's commands that ask the kernel: ps, caps, stats (from
 * AuditControl), audit (the live audit against the expected set the root
 * task mapped for us), poweroff and reboot (PowerControl).
 */
#include "console.h"

#include <cairn/invocations.h>
#include <libcairn/audit.h>
#include <libcairn/invoke.h>
#include <stdio.h>
#include <string.h>

static const char *const state_names[] = {
    "inactive", "runnable", "sending", "receiving",
    "replying", "waiting",  "wfi",
};

static const char *state_name(uint64_t s)
{
	return s < sizeof(state_names) / sizeof(state_names[0]) ? state_names[s]
								: "?";
}

static void ps_one(const struct cairn_thread_entry *t, void *ctx)
{
	struct console *c = ctx;

	console_printf(c, "%-16s %-10s %3lu\n", t->name, state_name(t->state),
		       t->priority);
}

static void print_text(void *ctx, const char *s)
{
	console_printf(ctx, "%s", s);
}

/* The threads, then the guest domains as their VMMs last reported them. */
void cmd_ps(struct console *c)
{
	console_printf(c, "%-16s %-10s %3s\n", "NAME", "STATE", "PRI");
	long n = cairn_audit_threads(c->audit, ps_one, c);
	if (n < 0) {
		console_printf(c, "ps: AuditControl.Threads failed: %s\n",
			       cairn_error_name(-n));
	}
	domains_list(&c->domains, print_text, c);
}

/* A thread of that name: what `ps` lists is what `caps` accepts. */
struct find_thread {
	const char *name;
	long state; /* -1: no such thread */
};

static void find_one(const struct cairn_thread_entry *t, void *ctx)
{
	struct find_thread *f = ctx;

	if (strcmp(t->name, f->name) == 0) {
		f->state = (long)t->state;
	}
}

struct caps_ctx {
	struct console *c;
	const char *name;
	unsigned count;
};

static void caps_one(const struct cairn_audit_entry *e, void *ctx)
{
	struct caps_ctx *k = ctx;

	if (strcmp(e->holder, k->name) != 0) {
		return;
	}
	if (k->count++ == 0) {
		console_printf(k->c, "SLOT  TYPE           OBJECT            "
				     "RIGHTS BADGE\n");
	}
	char rights[5];
	cairn_rights_string(e->rights, rights);
	console_printf(k->c, "%4lu  %-14s %016lx  %s  0x%lx\n", e->cptr,
		       cairn_object_type_name(e->type), e->object, rights,
		       e->badge);
}

void cmd_caps(struct console *c, const char *name)
{
	struct find_thread f = {.name = name, .state = -1};
	struct caps_ctx k = {.c = c, .name = name};

	if (cairn_audit_threads(c->audit, find_one, &f) < 0 ||
	    cairn_audit_walk(c->audit, caps_one, &k) < 0) {
		console_printf(c, "caps: the audit failed\n");
		return;
	}
	if (f.state < 0 && k.count == 0) {
		console_printf(c,
			       "caps: no thread is named '%s' (ps lists "
			       "them)\n",
			       name);
		return;
	}
	if (k.count == 0) {
		/* Listed by ps, holding nothing: the exited root task. */
		console_printf(c, "caps: %s holds no capabilities (ps: %s)\n",
			       name, state_name((uint64_t)f.state));
		return;
	}
	console_printf(c, "%u capabilities\n", k.count);
}

struct stats_ctx {
	struct console *c;
	uint64_t total_ticks;
	bool print;
	struct cairn_thread_entry last; /* for the system-wide words */
};

/* part of whole in tenths of a percent; part * 1000 would overflow after
 * months of a GHz counter, so a large whole is scaled down instead. */
static uint64_t per_mille(uint64_t part, uint64_t whole)
{
	if (whole == 0) {
		return 0;
	}
	if (whole > UINT64_MAX / 1000) {
		return part / (whole / 1000);
	}
	return part * 1000 / whole;
}

/* ticks as "S.T s" (tenths), at the counter's frequency. */
static void seconds(char *out, size_t cap, uint64_t ticks, uint64_t freq)
{
	uint64_t tenths = freq ? ticks / (freq / 10 ? freq / 10 : 1) : 0;

	snprintf(out, cap, "%lu.%lu s", tenths / 10, tenths % 10);
}

static void stats_one(const struct cairn_thread_entry *t, void *ctx)
{
	struct stats_ctx *s = ctx;

	s->last = *t;
	if (!s->print) {
		s->total_ticks += t->cpu_ticks;
		return;
	}
	uint64_t permille = per_mille(t->cpu_ticks, s->total_ticks);
	console_printf(s->c, "%-16s %10lu %4lu.%lu%%\n", t->name, t->ipc_calls,
		       permille / 10, permille % 10);
}

/* Per CPU online: the share of the time since boot it spent idle. */
static void stats_cpus(struct console *c, const struct cairn_thread_entry *t)
{
	char total[32];

	seconds(total, sizeof(total), t->now, t->freq);
	for (unsigned i = 0; i < CAIRN_AUDIT_MAX_CPUS; i++) {
		if ((t->cpus_online & (1UL << i)) == 0) {
			continue;
		}
		uint64_t permille = per_mille(t->idle_ticks[i], t->now);
		console_printf(c,
			       "cpu %u: idle %lu.%lu%% of the %s since boot\n",
			       i, permille / 10, permille % 10, total);
	}
}

void cmd_stats(struct console *c)
{
	struct stats_ctx s = {.c = c};
	char user[32];

	/* Two passes: shares need the total first. */
	if (cairn_audit_threads(c->audit, stats_one, &s) < 0) {
		console_printf(c, "stats: AuditControl.Threads failed\n");
		return;
	}
	s.print = true;
	console_printf(c, "%-16s %10s %6s\n", "NAME", "IPC", "CPU");
	cairn_audit_threads(c->audit, stats_one, &s);
	seconds(user, sizeof(user), s.total_ticks, s.last.freq);
	console_printf(c,
		       "CPU: each thread's share of the %s all threads ran "
		       "at EL0 (time in the kernel is not counted)\n",
		       user);
	stats_cpus(c, &s.last);
	console_printf(c, "interrupts delivered to user level: %lu\n",
		       s.last.irqs);
	console_mux_stats(c);
}

void cmd_power(struct console *c, bool reboot)
{
	console_printf(c, "%s\n", reboot ? "rebooting" : "powering off");
	console_flush(c);
	console_drain_output(c);
	long e =
	    reboot ? cairn_power_reset(c->power) : cairn_power_off(c->power);
	console_printf(c, "%s: the firmware refused: %s\n",
		       reboot ? "reboot" : "poweroff", cairn_error_name(e));
}

static struct audit_diff diff; /* large: kept out of the stack */

static void to_entry(const struct cairn_audit_entry *e, struct audit_entry *a)
{
	*a = (struct audit_entry){.cptr = e->cptr,
				  .depth = e->depth,
				  .badge = e->badge,
				  .object = e->object};
	memcpy(a->holder, e->holder, sizeof(a->holder));
	snprintf(a->type, sizeof(a->type), "%s",
		 cairn_object_type_name(e->type));
	cairn_rights_string(e->rights, a->rights);
}

/* Each live entry into the diff as the walk hands it over: nothing is
 * collected, so the live audit may be any size. */
static void add_live(const struct cairn_audit_entry *e, void *ctx)
{
	struct audit_entry a;

	(void)ctx;
	to_entry(e, &a);
	audit_live(&diff, &a);
}

static void print_jsonl(const struct cairn_audit_entry *e, void *ctx)
{
	struct audit_entry a;
	char line[256];

	to_entry(e, &a);
	audit_jsonl(line, sizeof(line), &a);
	console_printf(ctx, "%s\n", line);
}

static void report_line(void *ctx, const char *line)
{
	console_printf(ctx, "%s\n", line);
}

void cmd_audit(struct console *c, bool jsonl)
{
	long n;

	if (jsonl) {
		/* Streamed straight out: no limit, and no expected set. */
		n = cairn_audit_walk(c->audit, print_jsonl, c);
		if (n < 0) {
			console_printf(c, "audit: the walk failed: %s\n",
				       cairn_error_name(-n));
			return;
		}
		console_printf(c, "audit: end %ld entries\n", n);
		return;
	}
	n = audit_begin(&diff, (const char *)CONSOLE_AUDIT_SET,
			CONSOLE_AUDIT_SET_MAX, report_line, c);
	if (n < 0) {
		console_printf(c,
			       "audit: the expected set has more than %d "
			       "entries, more than the console can index; "
			       "diff 'audit --jsonl' with tools/capaudit "
			       "diff instead\n",
			       AUDIT_MAX_EXPECTED);
		return;
	}
	if (n > 0) {
		console_printf(c,
			       "audit: the expected set is unreadable at line "
			       "%ld\n",
			       n);
		return;
	}
	n = cairn_audit_walk(c->audit, add_live, NULL);
	if (n < 0) {
		console_printf(c, "audit: the walk failed: %s\n",
			       cairn_error_name(-n));
		return;
	}
	if (audit_finish(&diff) == 0) {
		console_printf(c, "audit: ok, %lu capabilities\n",
			       (unsigned long)diff.nexpected);
		return;
	}
	console_printf(c,
		       "audit: %u missing, %u unexpected, %u inconsistent "
		       "(%lu expected, %lu live)\n",
		       diff.missing, diff.unexpected, diff.inconsistent,
		       (unsigned long)diff.nexpected, diff.nlive);
}

void console_mux_stats(struct console *c)
{
	console_printf(c, "%-16s %8s %8s %8s %8s\n", "CLIENT", "LINES", "BYTES",
		       "DROPPED", "INPUT");
	for (unsigned i = 1; i < c->mux.count; i++) {
		const struct mux_client *m = &c->mux.client[i];
		console_printf(c, "%-16s %8lu %8lu %8lu %8lu\n", m->name,
			       m->lines, m->bytes, m->dropped, m->input_bytes);
	}
}
