/*
 * PSCI 1.1 and the SMCCC calls a guest makes by HVC, answered by its VMM.
 * Portable (no system calls), so host unit tests drive it directly.
 *
 * psci_call() takes the guest's x0 (function id, W0) and x1..x6 and gives
 * back x0..x3 to write into the guest (unused ones 0, as KVM does) and an
 * action the caller carries out: start another vCPU at an entry point with a
 * context id in its x0 (EL1h, MMU and caches off, interrupts masked: PSCI's
 * CPU_ON entry state), stop the calling vCPU, wait for an interrupt, or power
 * off or reset the domain. The model keeps each vCPU's power state (vCPU 0 on
 * at reset, the others off) and validates what PSCI asks to be validated;
 * vCPUs are named by the MPIDR affinity.h gives them.
 *
 * Implemented, SMC32 and, where PSCI defines one, SMC64 ids: PSCI_VERSION
 * (1.1), CPU_SUSPEND (as a WFI: any power state returns SUCCESS after the
 * wait, which PSCI permits), CPU_OFF, CPU_ON, AFFINITY_INFO (level 0 only),
 * MIGRATE_INFO_TYPE (2: no trusted OS needs migrating), SYSTEM_OFF,
 * SYSTEM_RESET, PSCI_FEATURES. Every other function id, SMCCC_VERSION and
 * SMCCC_ARCH_FEATURES included (so the guest assumes SMCCC 1.0 and asks for
 * no workarounds), TRNG, vendor hypervisor calls and yielding calls, returns
 * NOT_SUPPORTED: -1 as all ones in x0. For SMC32 ids the arguments are cut to
 * 32 bits, as SMCCC says the upper halves are ignored.
 *
 * All state is in struct psci, one per domain, owned by the caller.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "affinity.h"

/* Function ids (SMCCC: fast call, owner 4 = standard secure service). */
#define PSCI_0_2_FN_BASE	  0x84000000u
#define PSCI_0_2_FN64_BASE	  0xc4000000u
#define PSCI_FN_VERSION		  0x84000000u
#define PSCI_FN_CPU_SUSPEND	  0x84000001u
#define PSCI_FN64_CPU_SUSPEND	  0xc4000001u
#define PSCI_FN_CPU_OFF		  0x84000002u
#define PSCI_FN_CPU_ON		  0x84000003u
#define PSCI_FN64_CPU_ON	  0xc4000003u
#define PSCI_FN_AFFINITY_INFO	  0x84000004u
#define PSCI_FN64_AFFINITY_INFO	  0xc4000004u
#define PSCI_FN_MIGRATE		  0x84000005u
#define PSCI_FN_MIGRATE_INFO_TYPE 0x84000006u
#define PSCI_FN_SYSTEM_OFF	  0x84000008u
#define PSCI_FN_SYSTEM_RESET	  0x84000009u
#define PSCI_FN_FEATURES	  0x8400000au
#define SMCCC_FN_VERSION	  0x80000000u
#define SMCCC_FN_ARCH_FEATURES	  0x80000001u

#define PSCI_VERSION_1_1 0x00010001u

/* Return codes (signed, sign-extended into x0). */
#define PSCI_RET_SUCCESS	    0
#define PSCI_RET_NOT_SUPPORTED	    (-1)
#define PSCI_RET_INVALID_PARAMETERS (-2)
#define PSCI_RET_DENIED		    (-3)
#define PSCI_RET_ALREADY_ON	    (-4)
#define PSCI_RET_ON_PENDING	    (-5)
#define PSCI_RET_INTERNAL_FAILURE   (-6)
#define PSCI_RET_INVALID_ADDRESS    (-9)

/* MIGRATE_INFO_TYPE: a trusted OS is not present or needs no migration. */
#define PSCI_MIGRATE_NONE 2

/* AFFINITY_INFO answers. */
#define PSCI_AFFINITY_ON	 0
#define PSCI_AFFINITY_OFF	 1
#define PSCI_AFFINITY_ON_PENDING 2

enum psci_power {
	PSCI_POWER_OFF = 0,
	PSCI_POWER_ON_PENDING = 1, /* CPU_ON accepted, not yet running */
	PSCI_POWER_ON = 2,
};

enum psci_action {
	PSCI_ACTION_NONE = 0,	  /* resume the caller with x0..x3 */
	PSCI_ACTION_START_VCPU,	  /* start .target at .entry, x0 = .context,
				     then resume the caller with x0..x3 */
	PSCI_ACTION_STOP_VCPU,	  /* stop the caller (CPU_OFF) */
	PSCI_ACTION_WAIT,	  /* block the caller until an interrupt is
				     pending for it (or resume at once), then
				     resume it with x0..x3 */
	PSCI_ACTION_SYSTEM_OFF,	  /* power the domain off */
	PSCI_ACTION_SYSTEM_RESET, /* reset the domain (and psci_init()) */
};

struct psci_result {
	uint64_t x[4]; /* x0..x3 for the caller. For STOP_VCPU, SYSTEM_OFF
			  and SYSTEM_RESET, what to resume with if the caller
			  cannot carry the action out (DENIED, or
			  INTERNAL_FAILURE) */
	enum psci_action action;
	unsigned target;  /* START_VCPU: the vCPU to start */
	uint64_t entry;	  /* START_VCPU: its PC */
	uint64_t context; /* START_VCPU: its x0 */
};

struct psci {
	unsigned nr_vcpus;
	uint8_t power[VMM_MAX_VCPUS]; /* enum psci_power */
	uint64_t ram_base, ram_size;  /* CPU_ON entries must lie in it */
};

/* Reset state: vCPU 0 on, the rest off. CPU_ON's entry point must lie in
 * [ram_base, ram_base + ram_size) (INVALID_ADDRESS otherwise); a ram_size
 * of 0 accepts any. -1 for a bad nr_vcpus. */
int psci_init(struct psci *p, unsigned nr_vcpus, uint64_t ram_base,
	      uint64_t ram_size);

/* vcpu made an HVC (or SMC) with x[0] = function id, x[1..6] arguments. */
void psci_call(struct psci *p, unsigned vcpu, const uint64_t x[7],
	       struct psci_result *r);

/* The caller has started vcpu (after PSCI_ACTION_START_VCPU): it is on. */
void psci_vcpu_started(struct psci *p, unsigned vcpu);

enum psci_power psci_power_state(const struct psci *p, unsigned vcpu);
