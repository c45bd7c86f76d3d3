/* SMCCC calls over the DTB's PSCI conduit (smccc.S does the call). */
#include "dtb.h"
#include "guest.h"
#include "suite.h"

void smccc_hvc(const uint64_t args[8], uint64_t res[4]);
void smccc_smc(const uint64_t args[8], uint64_t res[4]);

struct smccc_res smccc_call(enum conduit via, const uint64_t args[8])
{
	uint64_t r[4] = {(uint64_t)PSCI_NOT_SUPPORTED, 0, 0, 0};
	if (via == CONDUIT_HVC) {
		smccc_hvc(args, r);
	} else if (via == CONDUIT_SMC) {
		smccc_smc(args, r);
	}
	return (struct smccc_res){r[0], r[1], r[2], r[3]};
}

/* PSCI returns a 32-bit signed value in w0 (SMC32 and SMC64 alike). */
int64_t psci_call(uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	uint64_t args[8] = {fn, a1, a2, a3, 0, 0, 0, 0};
	return (int32_t)smccc_call(plat.psci, args).a0;
}

void system_off(void)
{
	int64_t r = psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
	print("testguest: PSCI SYSTEM_OFF returned %ld; parking\n", r);
	for (;;) {
		__asm__ volatile("wfi");
	}
}
