#include "domains.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const state_names[DOMAINCTL_STATES] = {"unknown", "running",
							  "paused", "off"};
static const char *const action_names[DOMAINCTL_COMMANDS] = {
    "none", "pause", "resume", "restart"};

static __attribute__((format(printf, 3, 4))) void
say(domains_print_fn print, void *ctx, const char *fmt, ...)
{
	char buf[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	print(ctx, buf);
}

void domains_init(struct domains *ds, const struct mux *m)
{
	memset(ds, 0, sizeof(*ds));
	ds->mux = m;
}

enum domainctl_status domains_report(struct domains *ds, unsigned client,
				     uint32_t state, uint32_t running,
				     uint32_t vcpus, uint32_t *command)
{
	*command = DOMAINCTL_NONE;
	if (client == 0 || client >= mux_client_count(ds->mux)) {
		return DOMAINCTL_NOT_A_CLIENT;
	}
	if (state == DOMAINCTL_UNKNOWN || state >= DOMAINCTL_STATES ||
	    running > vcpus) {
		return DOMAINCTL_BAD_REPORT;
	}
	struct domain *d = &ds->d[client];
	d->state = state;
	d->running = running;
	d->vcpus = vcpus;
	if (d->queued > 0) {
		*command = d->queue[d->head];
		d->head = (d->head + 1) % DOMAINS_QUEUE;
		d->queued--;
	}
	return DOMAINCTL_OK;
}

enum domainctl_command domains_action(const char *word)
{
	for (unsigned i = DOMAINCTL_PAUSE; i < DOMAINCTL_COMMANDS; i++) {
		if (strcmp(word, action_names[i]) == 0) {
			return (enum domainctl_command)i;
		}
	}
	return DOMAINCTL_NONE;
}

const char *domains_action_name(enum domainctl_command cmd)
{
	return (unsigned)cmd < DOMAINCTL_COMMANDS ? action_names[cmd] : "?";
}

const char *domains_state_name(uint32_t state)
{
	return state < DOMAINCTL_STATES ? state_names[state] : "?";
}

static const char *name_of(const struct domains *ds, unsigned client)
{
	return ds->mux->client[client].name;
}

/* The client named name: a domain (> 0), a client that is none (its
 * negated index), or 0 for no client at all. */
static int lookup(const struct domains *ds, const char *name)
{
	for (unsigned i = 1; i < mux_client_count(ds->mux); i++) {
		if (strcmp(name_of(ds, i), name) == 0) {
			return ds->d[i].state != DOMAINCTL_UNKNOWN ? (int)i
								   : -(int)i;
		}
	}
	return 0;
}

static void header(domains_print_fn print, void *ctx)
{
	say(print, ctx, "%-16s %-10s %-6s %s\n", "DOMAIN", "STATE", "VCPUS",
	    "VMM");
}

/* The VMM's thread has the domain's name: the tools name the instance so. */
static void row(const struct domains *ds, unsigned i, domains_print_fn print,
		void *ctx)
{
	const struct domain *d = &ds->d[i];
	char vcpus[24];

	snprintf(vcpus, sizeof(vcpus), "%u/%u", d->running, d->vcpus);
	say(print, ctx, "%-16s %-10s %-6s %s\n", name_of(ds, i),
	    domains_state_name(d->state), vcpus, name_of(ds, i));
}

unsigned domains_list(const struct domains *ds, domains_print_fn print,
		      void *ctx)
{
	unsigned shown = 0;

	for (unsigned i = 1; i < mux_client_count(ds->mux); i++) {
		if (ds->d[i].state == DOMAINCTL_UNKNOWN) {
			continue;
		}
		if (shown++ == 0) {
			header(print, ctx);
		}
		row(ds, i, print, ctx);
	}
	return shown;
}

void domains_names(const struct domains *ds,
		   void (*offer)(void *arg, const char *name), void *arg)
{
	for (unsigned i = 1; i < mux_client_count(ds->mux); i++) {
		if (ds->d[i].state != DOMAINCTL_UNKNOWN) {
			offer(arg, name_of(ds, i));
		}
	}
}

/* The domain named name, or 0 after saying why there is none. */
static unsigned find(const struct domains *ds, const char *name,
		     domains_print_fn print, void *ctx)
{
	int found = lookup(ds, name);

	if (found > 0) {
		return (unsigned)found;
	}
	if (found < 0) {
		say(print, ctx,
		    "domain: no domain is named '%s': %s is a console client "
		    "that has not reported as a domain's VMM (domain lists "
		    "the domains)\n",
		    name, name);
	} else {
		say(print, ctx,
		    "domain: no domain is named '%s' (domain lists them)\n",
		    name);
	}
	return 0;
}

static unsigned request(struct domains *ds, unsigned i,
			enum domainctl_command cmd, domains_print_fn print,
			void *ctx)
{
	struct domain *d = &ds->d[i];

	if (d->queued == DOMAINS_QUEUE) {
		say(print, ctx,
		    "domain: %s has %u requests its VMM has not taken yet; "
		    "refused\n",
		    name_of(ds, i), d->queued);
		return 0;
	}
	d->queue[(d->head + d->queued) % DOMAINS_QUEUE] = (uint8_t)cmd;
	d->queued++;
	say(print, ctx, "domain %s: %s requested\n", name_of(ds, i),
	    domains_action_name(cmd));
	return i;
}

unsigned domains_command(struct domains *ds, int argc, char **argv,
			 domains_print_fn print, void *ctx)
{
	if (argc <= 1) {
		if (domains_list(ds, print, ctx) == 0) {
			say(print, ctx,
			    "domain: none: no VMM has reported a guest domain "
			    "to the console\n");
		}
		return 0;
	}
	unsigned i = find(ds, argv[1], print, ctx);
	if (i == 0) {
		return 0;
	}
	if (argc == 2) {
		header(print, ctx);
		row(ds, i, print, ctx);
		return 0;
	}
	enum domainctl_command cmd = domains_action(argv[2]);
	if (cmd == DOMAINCTL_NONE) {
		return 0; /* the shell refused it already */
	}
	return request(ds, i, cmd, print, ctx);
}
