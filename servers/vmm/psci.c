#include "psci.h"

#include <string.h>

#define SMCCC_64 (1u << 30)

int psci_init(struct psci *p, unsigned nr_vcpus, uint64_t ram_base,
	      uint64_t ram_size)
{
	if (nr_vcpus == 0 || nr_vcpus > VMM_MAX_VCPUS) {
		return -1;
	}
	memset(p, 0, sizeof(*p));
	p->nr_vcpus = nr_vcpus;
	p->power[0] = PSCI_POWER_ON;
	p->ram_base = ram_base;
	p->ram_size = ram_size;
	return 0;
}

enum psci_power psci_power_state(const struct psci *p, unsigned vcpu)
{
	return vcpu < p->nr_vcpus ? (enum psci_power)p->power[vcpu]
				  : PSCI_POWER_OFF;
}

void psci_vcpu_started(struct psci *p, unsigned vcpu)
{
	if (vcpu < p->nr_vcpus) {
		p->power[vcpu] = PSCI_POWER_ON;
	}
}

static void answer(struct psci_result *r, int64_t x0)
{
	r->x[0] = (uint64_t)x0;
}

static bool entry_ok(const struct psci *p, uint64_t entry)
{
	return p->ram_size == 0 ||
	       (entry >= p->ram_base && entry - p->ram_base < p->ram_size);
}

static void cpu_on(struct psci *p, const uint64_t a[4], struct psci_result *r)
{
	int target = vmm_mpidr_vcpu(a[1], p->nr_vcpus);

	if (target < 0) {
		answer(r, PSCI_RET_INVALID_PARAMETERS);
		return;
	}
	switch (p->power[target]) {
	case PSCI_POWER_ON:
		answer(r, PSCI_RET_ALREADY_ON);
		return;
	case PSCI_POWER_ON_PENDING:
		answer(r, PSCI_RET_ON_PENDING);
		return;
	default:
		break;
	}
	if (!entry_ok(p, a[2])) {
		answer(r, PSCI_RET_INVALID_ADDRESS);
		return;
	}
	p->power[target] = PSCI_POWER_ON_PENDING;
	r->action = PSCI_ACTION_START_VCPU;
	r->target = (unsigned)target;
	r->entry = a[2];
	r->context = a[3];
	answer(r, PSCI_RET_SUCCESS);
}

static void affinity_info(const struct psci *p, const uint64_t a[4],
			  struct psci_result *r)
{
	int target = vmm_mpidr_vcpu(a[1], p->nr_vcpus);

	if (target < 0 || a[2] != 0) { /* only affinity level 0 */
		answer(r, PSCI_RET_INVALID_PARAMETERS);
		return;
	}
	switch (p->power[target]) {
	case PSCI_POWER_ON:
		answer(r, PSCI_AFFINITY_ON);
		return;
	case PSCI_POWER_ON_PENDING:
		answer(r, PSCI_AFFINITY_ON_PENDING);
		return;
	default:
		answer(r, PSCI_AFFINITY_OFF);
		return;
	}
}

/* PSCI_FEATURES: 0 (no feature flags: CPU_SUSPEND takes the original
 * power_state format, platform-coordinated) for what psci_call() answers. */
static bool implemented(uint32_t fn)
{
	switch (fn) {
	case PSCI_FN_VERSION:
	case PSCI_FN_CPU_SUSPEND:
	case PSCI_FN64_CPU_SUSPEND:
	case PSCI_FN_CPU_OFF:
	case PSCI_FN_CPU_ON:
	case PSCI_FN64_CPU_ON:
	case PSCI_FN_AFFINITY_INFO:
	case PSCI_FN64_AFFINITY_INFO:
	case PSCI_FN_MIGRATE_INFO_TYPE:
	case PSCI_FN_SYSTEM_OFF:
	case PSCI_FN_SYSTEM_RESET:
	case PSCI_FN_FEATURES:
		return true;
	default:
		return false;
	}
}

/* The calls that do not return to their caller when they succeed. */
static bool no_return(struct psci *p, unsigned vcpu, uint32_t fn,
		      struct psci_result *r)
{
	switch (fn) {
	case PSCI_FN_CPU_OFF:
		p->power[vcpu] = PSCI_POWER_OFF;
		r->action = PSCI_ACTION_STOP_VCPU;
		answer(r, PSCI_RET_DENIED);
		return true;
	case PSCI_FN_SYSTEM_OFF:
		r->action = PSCI_ACTION_SYSTEM_OFF;
		answer(r, PSCI_RET_INTERNAL_FAILURE);
		return true;
	case PSCI_FN_SYSTEM_RESET:
		r->action = PSCI_ACTION_SYSTEM_RESET;
		answer(r, PSCI_RET_INTERNAL_FAILURE);
		return true;
	default:
		return false;
	}
}

void psci_call(struct psci *p, unsigned vcpu, const uint64_t x[7],
	       struct psci_result *r)
{
	uint32_t fn = (uint32_t)x[0];
	uint64_t a[4] = {0, x[1], x[2], x[3]};

	memset(r, 0, sizeof(*r));
	answer(r, PSCI_RET_NOT_SUPPORTED);
	if (vcpu >= p->nr_vcpus || !implemented(fn)) {
		return;
	}
	if (!(fn & SMCCC_64)) { /* SMC32: only the low halves count */
		for (unsigned i = 1; i < 4; i++) {
			a[i] &= 0xffffffffu;
		}
	}
	if (no_return(p, vcpu, fn, r)) {
		return;
	}
	switch (fn & ~SMCCC_64) {
	case PSCI_FN_VERSION:
		answer(r, PSCI_VERSION_1_1);
		break;
	case PSCI_FN_CPU_SUSPEND:
		r->action = PSCI_ACTION_WAIT;
		answer(r, PSCI_RET_SUCCESS);
		break;
	case PSCI_FN_CPU_ON:
		cpu_on(p, a, r);
		break;
	case PSCI_FN_AFFINITY_INFO:
		affinity_info(p, a, r);
		break;
	case PSCI_FN_MIGRATE_INFO_TYPE:
		answer(r, PSCI_MIGRATE_NONE);
		break;
	case PSCI_FN_FEATURES:
		answer(r, implemented((uint32_t)a[1]) ? PSCI_RET_SUCCESS
						      : PSCI_RET_NOT_SUPPORTED);
		break;
	}
}
