/*
 * The end of the machine: a finished system or a panic powers off with a
 * status QEMU can pass on (shutdown.h; docs/architecture.md, "How a system
 * ends").
 */
#include "shutdown.h"

#include "arch.h"
#include "objects/tcb.h"
#include "print.h"

static long system_status;  /* the first non-zero status of a thread */
static long exiting_status; /* what shutdown_exit was asked for */

long shutdown_exit_code(long status)
{
	if (status == 0) {
		return 0;
	}
	return status >= 1 && status <= 255 ? status : 255;
}

void shutdown_thread_ended(const struct tcb *t, long status, bool fault)
{
	(void)t;
	if (system_status == 0) {
		system_status =
		    fault ? SHUTDOWN_STATUS_FAULT : shutdown_exit_code(status);
	}
	for (const struct tcb *o = tcb_first(); o != NULL; o = o->all_next) {
		if (o->state != THREAD_INACTIVE) {
			return; /* something can still run */
		}
	}
	print_enter_panic_mode(); /* the last words get out, console or not */
	kprintf("system: every thread has finished; powering off with status "
		"%ld\n",
		system_status);
	shutdown_exit(system_status);
}

void shutdown_exit(long status)
{
	exiting_status = shutdown_exit_code(status);
	if (exiting_status != 0) {
		arch_semihost_exit((uint64_t)exiting_status);
	}
	arch_psci_system_off();
	kprintf("shutdown: PSCI SYSTEM_OFF unavailable; halting\n");
	arch_idle_loop();
}

void shutdown_no_semihosting(void)
{
	kprintf("shutdown: no semihosting (QEMU without -semihosting-config "
		"enable=on): status %ld is lost; PSCI SYSTEM_OFF\n",
		exiting_status);
	arch_psci_system_off();
	kprintf("shutdown: PSCI SYSTEM_OFF unavailable; halting\n");
	arch_idle_loop();
}
