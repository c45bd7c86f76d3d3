/*
 * The VMM of one guest domain: the state of its emulated machine and the
 * operations on its guest. Everything is per domain (struct vmm) and per
 * vCPU (struct vmm_vcpu): nothing assumes one CPU or a current vCPU, so the
 * VMM's loop can later run on several CPUs without a rewrite.
 *
 * main.c   the loop: exits, console input, console commands
 * exits.c  each kind of VM exit answered (the device models do the work)
 * guest.c  loading the payload, starting and stopping vCPUs, the domain's
 *          life (boot, pause, resume, restart, power off)
 */
#pragma once

#include "domain_info.h"
#include "mmio.h"
#include "pl011.h"
#include "psci.h"
#include "vgic.h"

#include <libcairn/ipc.h>
#include <stdbool.h>
#include <stdint.h>

enum vmm_state {
	VMM_RUNNING,
	VMM_PAUSED,
	VMM_OFF, /* the guest powered off (SYSTEM_OFF), or never started */
};

struct vmm_vcpu {
	unsigned index;
	uint64_t tcb, vcpu; /* slots */
	bool started;	    /* ever run: SPSR needs a reset before a new run */
	bool running;	    /* started and not stopped (CPU_OFF, power off) */
};

/* What the VMM absorbed, by kind: the console's `domain` reports them. */
struct vmm_counters {
	uint64_t exits, mmio, hvc, smc, sysreg, eoi, other;
	uint64_t aborts_injected, undefs_injected, irqs_injected;
	uint64_t inject_failures;
	/* Counter ticks from each exit's arrival to its reply, by kind: the
	 * VMM's own share of an exit's cost (bench/guests/run). */
	uint64_t ticks, ticks_mmio, ticks_hvc, ticks_sysreg;
	uint64_t ticks_inject; /* of them, in VCPU.InjectIRQ */
};

struct vmm {
	const struct vmm_info *info;
	enum vmm_state state;
	struct vmm_vcpu vcpu[VMM_INFO_VCPUS];
	struct mmio_bus bus;
	struct vgic vgic;
	struct pl011 uart;
	struct psci psci;
	struct vmm_counters n;
	uint64_t cntvoff;	/* the guest's virtual counter starts near 0 */
	bool unbacked_logged;	/* one line per boot for IPAs nothing backs */
	uint8_t rx_pending[64]; /* typed, not yet taken by the UART */
	unsigned rx_count;
};

/*
 * The physical counter: what a native's virtual counter reads too (offset
 * 0), but readable while its guest's EL1 state stays loaded in the CPU,
 * where reading the virtual one traps and swaps that state out.
 */
static inline uint64_t cairn_counter(void)
{
	uint64_t v;

	__asm__ volatile("isb; mrs %0, cntpct_el0" : "=r"(v));
	return v;
}

static inline uint64_t cairn_counter_hz(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(v));
	return v;
}

/* guest.c */
int guest_setup(struct vmm *v, const struct vmm_info *info);
int guest_boot(struct vmm *v);
int guest_start_vcpu(struct vmm *v, unsigned i, uint64_t pc, uint64_t x0);
void guest_stop_vcpu(struct vmm *v, unsigned i);
void guest_power_off(struct vmm *v, const char *why);
void guest_report_counters(const struct vmm *v);
int guest_restart(struct vmm *v, const char *why);
void guest_pause(struct vmm *v);
void guest_resume(struct vmm *v);
void guest_uart_update(struct vmm *v);
void guest_uart_feed(struct vmm *v);

/* exits.c: answers vCPU i's exit in; fills the reply and returns true, or
 * returns false when the vCPU is not to be resumed (it was stopped). */
bool exit_handle(struct vmm *v, unsigned i, const struct cairn_recv *in,
		 struct cairn_msg *reply);

/* Prints "vmm: ..." on the console (the domain's name tags the line). */
void vmm_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
