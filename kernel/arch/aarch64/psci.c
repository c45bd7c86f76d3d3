/* PSCI calls through the conduit (SMC or HVC) that the DTB names. */
#include "arch.h"

#define PSCI_VERSION	   0x84000000U
#define PSCI_CPU_ON_64	   0xc4000003U
#define PSCI_SYSTEM_OFF	   0x84000008U
#define PSCI_SYSTEM_RESET  0x84000009U
#define PSCI_NOT_SUPPORTED (-1)

static enum psci_conduit psci_conduit = PSCI_CONDUIT_NONE;

static int64_t psci_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	switch (psci_conduit) {
	case PSCI_CONDUIT_SMC:
		__asm__ volatile("smc #0"
				 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
				 :
				 : "memory");
		return (int64_t)x0;
	case PSCI_CONDUIT_HVC:
		__asm__ volatile("hvc #0"
				 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
				 :
				 : "memory");
		return (int64_t)x0;
	case PSCI_CONDUIT_NONE:
		break;
	}
	return PSCI_NOT_SUPPORTED;
}

void arch_psci_init(enum psci_conduit conduit)
{
	psci_conduit = conduit;
}

int64_t arch_psci_version(void)
{
	return psci_call(PSCI_VERSION, 0, 0, 0);
}

int64_t arch_psci_cpu_on(uint64_t mpidr, paddr_t entry, uint64_t context)
{
	return psci_call(PSCI_CPU_ON_64, mpidr, pa_addr(entry), context);
}

void arch_psci_system_off(void)
{
	(void)psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
}

void arch_psci_system_reset(void)
{
	(void)psci_call(PSCI_SYSTEM_RESET, 0, 0, 0);
}
