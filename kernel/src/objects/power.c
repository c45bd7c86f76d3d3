/*
 * PowerControl: authority to switch the whole machine off or reset it
 * (PSCI). Held by the root task, which grants it to whatever the manifest
 * names (the console server's `poweroff` and `reboot`).
 */
#include "objects/power.h"

#include "arch.h"
#include "print.h"

#include <cairn/invocations.h>

enum cairn_error power_invoke(struct invocation *inv)
{
	switch (inv->label) {
	case CAIRN_POWER_OFF:
		print_enter_panic_mode(); /* the last words get out */
		kprintf("power: off, as a PowerControl holder asked\n");
		arch_psci_system_off();
		break;
	case CAIRN_POWER_RESET:
		print_enter_panic_mode();
		kprintf("power: reset, as a PowerControl holder asked\n");
		arch_psci_system_reset();
		break;
	default:
		return inv_bad_label(inv);
	}
	/* PSCI returned: no firmware to do it (or it refused). */
	return inv_refuse(inv, CAIRN_NOT_SUPPORTED, 0, 0, 0);
}
