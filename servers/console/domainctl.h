/*
 * The numbers ConsoleIO.domain carries (idl/console.idl), shared by the
 * console and the VMMs. A VMM reports its domain's state; the console
 * answers with the next command the shell queued for it (`domain NAME
 * pause|resume|restart`), which the VMM carries out and then reports the
 * state it led to, taking the next command with that answer.
 */
#pragma once

enum domainctl_state {
	DOMAINCTL_UNKNOWN = 0, /* not a domain: it never reported */
	DOMAINCTL_RUNNING = 1,
	DOMAINCTL_PAUSED = 2,
	DOMAINCTL_OFF = 3, /* powered off, or it never started */
};
#define DOMAINCTL_STATES 4

enum domainctl_command {
	DOMAINCTL_NONE = 0,
	DOMAINCTL_PAUSE = 1,
	DOMAINCTL_RESUME = 2,
	DOMAINCTL_RESTART = 3,
};
#define DOMAINCTL_COMMANDS 4

/* ConsoleIO.domain's return value. */
enum domainctl_status {
	DOMAINCTL_OK = 0,
	DOMAINCTL_NOT_A_CLIENT = 1, /* the console does not know the caller */
	DOMAINCTL_BAD_REPORT = 2,   /* a state out of range, or vCPUs */
};
