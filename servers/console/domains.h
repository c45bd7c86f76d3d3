/*
 * The guest domains as the console knows them, and the shell's `domain`
 * command; portable (no system calls), so host unit tests drive it.
 *
 * A console client becomes a domain when it calls ConsoleIO.domain
 * (domainctl.h): its VMM reports the domain's state there whenever it
 * changes and whenever it is woken. Its name is the client's, which the
 * console takes from the live audit (the VMM instance is named as its
 * domain), so a client can only ever report, and be commanded, as itself.
 * The shell queues commands per domain (a few, so that `pause` then
 * `resume` typed before the VMM ran are both carried out, in order); the
 * caller wakes the VMM, which takes them one per report.
 */
#pragma once

#include "domainctl.h"
#include "mux.h"

#include <stdint.h>

#define DOMAINS_QUEUE 4 /* commands waiting for one VMM */

struct domain {
	uint32_t state; /* enum domainctl_state; UNKNOWN: not a domain */
	uint32_t running, vcpus;
	uint8_t queue[DOMAINS_QUEUE]; /* enum domainctl_command */
	unsigned head, queued;
};

struct domains {
	const struct mux *mux; /* the clients' names */
	struct domain d[MUX_MAX_CLIENTS];
};

typedef void (*domains_print_fn)(void *ctx, const char *s);

void domains_init(struct domains *ds, const struct mux *m);

/*
 * Client's report. Recorded if it is well formed (a known client, a state
 * 1..3, running <= vcpus); then *command is the oldest queued command (which
 * leaves the queue), or DOMAINCTL_NONE.
 */
enum domainctl_status domains_report(struct domains *ds, unsigned client,
				     uint32_t state, uint32_t running,
				     uint32_t vcpus, uint32_t *command);

/* The command an action word of `domain NAME ACTION` names, or
 * DOMAINCTL_NONE; and the words, for errors and Tab. */
enum domainctl_command domains_action(const char *word);
const char *domains_action_name(enum domainctl_command cmd);
const char *domains_state_name(uint32_t state);

/*
 * `domain` as the shell split it (argc 1 to 3; the shell checked the count
 * and the action): lists every domain, shows one, or queues a command for
 * one. Returns the client whose VMM must be woken to take a command just
 * queued, or 0.
 */
unsigned domains_command(struct domains *ds, int argc, char **argv,
			 domains_print_fn print, void *ctx);

/* `ps`'s DOMAINS section: a table of the domains, nothing without any;
 * returns how many. */
unsigned domains_list(const struct domains *ds, domains_print_fn print,
		      void *ctx);

/* For Tab after `domain `: every domain's name. */
void domains_names(const struct domains *ds,
		   void (*offer)(void *arg, const char *name), void *arg);
