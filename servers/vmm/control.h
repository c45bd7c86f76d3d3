/*
 * The console's control of a domain (`domain NAME pause|resume|restart`),
 * the VMM's side: ConsoleIO.domain reports the domain's state and answers
 * with a command, carried out here with guest.c's operations.
 */
#pragma once

#include "vmm.h"

#include <stdbool.h>
#include <stdint.h>

struct control {
	struct vmm *v;
	uint32_t state, running; /* as the console last heard them */
	bool reported;
	bool refused; /* the console refused a report: said once */
};

void control_init(struct control *c, struct vmm *v);

/* True when the domain's state or running vCPUs differ from what the
 * console last heard (an exit powered it off, restarted it, or started or
 * stopped a vCPU). */
bool control_stale(const struct control *c);

/* Reports the state and carries out what the console answers, reporting
 * again after each, until it has nothing more to ask. */
void control_sync(struct control *c);
