/* The VMM's PSCI 1.1 / SMCCC handling: every function, every error, the
 * actions handed to the caller and the vCPUs' power states. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "psci.h"

#define RAM_BASE 0x40000000ull
#define RAM_SIZE 0x10000000ull
#define ALL_ONES 0xffffffffffffffffull

static struct psci p;
static struct psci_result r;

static int setup(void **state)
{
	(void)state;
	assert_int_equal(psci_init(&p, 4, RAM_BASE, RAM_SIZE), 0);
	return 0;
}

/* vcpu calls fn(a1, a2, a3); returns x0. */
static uint64_t call(unsigned vcpu, uint64_t fn, uint64_t a1, uint64_t a2,
		     uint64_t a3)
{
	const uint64_t x[7] = {fn, a1, a2, a3, 0xdead, 0xdead, 0xdead};
	psci_call(&p, vcpu, x, &r);
	return r.x[0];
}

static uint64_t ret(int64_t code)
{
	return (uint64_t)code;
}

static void assert_rest_zero(void)
{
	assert_int_equal(r.x[1], 0);
	assert_int_equal(r.x[2], 0);
	assert_int_equal(r.x[3], 0);
}

static void test_init(void **state)
{
	(void)state;
	assert_int_equal(psci_power_state(&p, 0), PSCI_POWER_ON);
	for (unsigned c = 1; c < 4; c++) {
		assert_int_equal(psci_power_state(&p, c), PSCI_POWER_OFF);
	}
	assert_int_equal(psci_power_state(&p, 4), PSCI_POWER_OFF);
	assert_int_equal(psci_init(&p, 0, 0, 0), -1);
	assert_int_equal(psci_init(&p, VMM_MAX_VCPUS + 1, 0, 0), -1);
	assert_int_equal(psci_init(&p, VMM_MAX_VCPUS, 0, 0), 0);
}

static void test_version_and_migrate_info(void **state)
{
	(void)state;
	assert_int_equal(call(0, PSCI_FN_VERSION, 0, 0, 0), 0x10001);
	assert_int_equal(r.action, PSCI_ACTION_NONE);
	assert_rest_zero();
	assert_int_equal(call(0, PSCI_FN_MIGRATE_INFO_TYPE, 0, 0, 0), 2);
	assert_int_equal(r.action, PSCI_ACTION_NONE);
	/* MIGRATE itself: none needed, none offered. */
	assert_int_equal(call(0, PSCI_FN_MIGRATE, 1, 0, 0), ALL_ONES);
	assert_int_equal(call(0, 0xc4000005, 1, 0, 0), ALL_ONES);
	/* Only W0 names the function. */
	assert_int_equal(
	    call(0, 0xffffffff00000000ull | PSCI_FN_VERSION, 0, 0, 0), 0x10001);
}

static void test_features(void **state)
{
	(void)state;
	const uint32_t supported[] = {PSCI_FN_VERSION,
				      PSCI_FN_CPU_SUSPEND,
				      PSCI_FN64_CPU_SUSPEND,
				      PSCI_FN_CPU_OFF,
				      PSCI_FN_CPU_ON,
				      PSCI_FN64_CPU_ON,
				      PSCI_FN_AFFINITY_INFO,
				      PSCI_FN64_AFFINITY_INFO,
				      PSCI_FN_MIGRATE_INFO_TYPE,
				      PSCI_FN_SYSTEM_OFF,
				      PSCI_FN_SYSTEM_RESET,
				      PSCI_FN_FEATURES};
	const uint32_t unsupported[] = {
	    SMCCC_FN_VERSION,
	    SMCCC_FN_ARCH_FEATURES,
	    PSCI_FN_MIGRATE,
	    0x84000007,
	    0xc4000007, /* MIGRATE_INFO_UP_CPU */
	    0xc4000002, /* CPU_OFF has no SMC64 id */
	    0xc4000000, /* nor PSCI_VERSION */
	    0x8400000e,
	    0xc400000e, /* SYSTEM_SUSPEND */
	    0x84000012,
	    0xc4000012, /* SYSTEM_RESET2 */
	    0x84000050, /* TRNG_VERSION */
	    0x8600ff01, /* vendor hypervisor UID */
	    0x0,
	    0xffffffff};
	for (unsigned i = 0; i < sizeof(supported) / sizeof(supported[0]);
	     i++) {
		assert_int_equal(call(0, PSCI_FN_FEATURES, supported[i], 0, 0),
				 0);
	}
	for (unsigned i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]);
	     i++) {
		assert_int_equal(
		    call(0, PSCI_FN_FEATURES, unsupported[i], 0, 0), ALL_ONES);
	}
	/* PSCI_FEATURES is SMC32: the id is W1. */
	assert_int_equal(call(0, PSCI_FN_FEATURES,
			      0xabcd000000000000ull | PSCI_FN_CPU_ON, 0, 0),
			 0);
}

static void test_unknown_and_smccc_ids_are_not_supported(void **state)
{
	(void)state;
	const uint64_t ids[] = {
	    SMCCC_FN_VERSION, SMCCC_FN_ARCH_FEATURES,
	    0x84000050,	      0xc4000051,
	    0x8600ff01,	      0xc6000000, /* vendor hypervisor, SMC64 */
	    0x04000000,			  /* a yielding call */
	    0x8400ffff,	      0xc4000000,
	    0xc4000002,	      0xc4000008,
	    0xc4000009,	      0xc400000a,
	    0xbf00ff01};
	for (unsigned i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		assert_int_equal(call(1, ids[i], 1, 2, 3), ALL_ONES);
		assert_int_equal(r.action, PSCI_ACTION_NONE);
		assert_rest_zero();
	}
	/* No state changed. */
	assert_int_equal(psci_power_state(&p, 0), PSCI_POWER_ON);
	assert_int_equal(psci_power_state(&p, 1), PSCI_POWER_OFF);
}

static void test_cpu_on_starts_a_vcpu(void **state)
{
	(void)state;
	uint64_t entry = RAM_BASE + 0x80000;
	assert_int_equal(call(0, PSCI_FN64_CPU_ON, vmm_vcpu_mpidr(2), entry,
			      0x1234567890ull),
			 0);
	assert_rest_zero();
	assert_int_equal(r.action, PSCI_ACTION_START_VCPU);
	assert_int_equal(r.target, 2);
	assert_int_equal(r.entry, entry);
	assert_int_equal(r.context, 0x1234567890ull);
	assert_int_equal(psci_power_state(&p, 2), PSCI_POWER_ON_PENDING);

	/* Until the caller says it runs: ON_PENDING. */
	assert_int_equal(call(0, PSCI_FN64_CPU_ON, 2, entry, 0),
			 ret(PSCI_RET_ON_PENDING));
	assert_int_equal(r.action, PSCI_ACTION_NONE);
	assert_int_equal(call(0, PSCI_FN_AFFINITY_INFO, 2, 0, 0),
			 PSCI_AFFINITY_ON_PENDING);
	psci_vcpu_started(&p, 2);
	assert_int_equal(psci_power_state(&p, 2), PSCI_POWER_ON);
	assert_int_equal(call(0, PSCI_FN64_CPU_ON, 2, entry, 0),
			 ret(PSCI_RET_ALREADY_ON));
	assert_int_equal(call(2, PSCI_FN64_CPU_ON, 0, entry, 0),
			 ret(PSCI_RET_ALREADY_ON));
	assert_int_equal(r.action, PSCI_ACTION_NONE);
}

static void test_cpu_on_errors(void **state)
{
	(void)state;
	uint64_t entry = RAM_BASE;
	/* No such vCPU, or bits outside the affinity fields. */
	const uint64_t bad[] = {4,
				15,
				16,
				0x100,
				0x10000,
				1ull << 32,
				1ull << 31 | 1,
				1ull << 40 | 1};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(call(0, PSCI_FN64_CPU_ON, bad[i], entry, 0),
				 ret(PSCI_RET_INVALID_PARAMETERS));
		assert_int_equal(r.action, PSCI_ACTION_NONE);
	}
	/* Entry outside RAM. */
	assert_int_equal(call(0, PSCI_FN64_CPU_ON, 1, RAM_BASE - 4, 0),
			 ret(PSCI_RET_INVALID_ADDRESS));
	assert_int_equal(call(0, PSCI_FN64_CPU_ON, 1, RAM_BASE + RAM_SIZE, 0),
			 ret(PSCI_RET_INVALID_ADDRESS));
	assert_int_equal(r.action, PSCI_ACTION_NONE);
	assert_int_equal(psci_power_state(&p, 1), PSCI_POWER_OFF);
	/* The last byte of RAM is a valid entry. */
	assert_int_equal(
	    call(0, PSCI_FN64_CPU_ON, 1, RAM_BASE + RAM_SIZE - 4, 0), 0);
	/* Without a RAM range every entry goes. */
	psci_init(&p, 2, 0, 0);
	assert_int_equal(call(0, PSCI_FN64_CPU_ON, 1, 0x10, 0), 0);
}

static void test_cpu_on_smc32_uses_low_halves(void **state)
{
	(void)state;
	/* Upper halves are ignored: target 3, entry in RAM, context cut. */
	assert_int_equal(call(0, PSCI_FN_CPU_ON, 0xffffffff00000003ull,
			      0xabcd000000000000ull | (RAM_BASE + 0x1000),
			      0x5555555566666666ull),
			 0);
	assert_int_equal(r.action, PSCI_ACTION_START_VCPU);
	assert_int_equal(r.target, 3);
	assert_int_equal(r.entry, RAM_BASE + 0x1000);
	assert_int_equal(r.context, 0x66666666);
	/* The SMC64 call keeps them, so the same target is invalid there. */
	assert_int_equal(
	    call(0, PSCI_FN64_CPU_ON, 0xffffffff00000001ull, RAM_BASE, 0),
	    ret(PSCI_RET_INVALID_PARAMETERS));
}

static void test_cpu_off(void **state)
{
	(void)state;
	call(0, PSCI_FN64_CPU_ON, 1, RAM_BASE, 0);
	psci_vcpu_started(&p, 1);
	assert_int_equal(call(1, PSCI_FN_CPU_OFF, 0, 0, 0),
			 ret(PSCI_RET_DENIED)); /* if it cannot be done */
	assert_int_equal(r.action, PSCI_ACTION_STOP_VCPU);
	assert_int_equal(psci_power_state(&p, 1), PSCI_POWER_OFF);
	assert_int_equal(call(0, PSCI_FN_AFFINITY_INFO, 1, 0, 0),
			 PSCI_AFFINITY_OFF);
	/* And it can be started again. */
	assert_int_equal(call(0, PSCI_FN64_CPU_ON, 1, RAM_BASE + 8, 7), 0);
	assert_int_equal(r.action, PSCI_ACTION_START_VCPU);
	assert_int_equal(r.target, 1);
	/* vCPU 0 may switch itself off too. */
	call(0, PSCI_FN_CPU_OFF, 0, 0, 0);
	assert_int_equal(r.action, PSCI_ACTION_STOP_VCPU);
	assert_int_equal(psci_power_state(&p, 0), PSCI_POWER_OFF);
}

static void test_affinity_info(void **state)
{
	(void)state;
	assert_int_equal(call(1, PSCI_FN_AFFINITY_INFO, 0, 0, 0),
			 PSCI_AFFINITY_ON);
	assert_int_equal(call(0, PSCI_FN64_AFFINITY_INFO, 3, 0, 0),
			 PSCI_AFFINITY_OFF);
	assert_rest_zero();
	/* Only level 0; no such vCPU. */
	assert_int_equal(call(0, PSCI_FN64_AFFINITY_INFO, 0, 1, 0),
			 ret(PSCI_RET_INVALID_PARAMETERS));
	assert_int_equal(call(0, PSCI_FN64_AFFINITY_INFO, 0, 3, 0),
			 ret(PSCI_RET_INVALID_PARAMETERS));
	assert_int_equal(call(0, PSCI_FN64_AFFINITY_INFO, 9, 0, 0),
			 ret(PSCI_RET_INVALID_PARAMETERS));
	/* SMC32: the level's upper half is ignored. */
	assert_int_equal(
	    call(0, PSCI_FN_AFFINITY_INFO, 0, 0xffffffff00000000ull, 0),
	    PSCI_AFFINITY_ON);
	assert_int_equal(r.action, PSCI_ACTION_NONE);
}

static void test_system_off_and_reset(void **state)
{
	(void)state;
	call(2, PSCI_FN_SYSTEM_OFF, 0, 0, 0);
	assert_int_equal(r.action, PSCI_ACTION_SYSTEM_OFF);
	assert_int_equal(r.x[0], ret(PSCI_RET_INTERNAL_FAILURE));
	call(0, PSCI_FN_SYSTEM_RESET, 0, 0, 0);
	assert_int_equal(r.action, PSCI_ACTION_SYSTEM_RESET);
	assert_int_equal(r.x[0], ret(PSCI_RET_INTERNAL_FAILURE));
	/* Neither has an SMC64 id. */
	call(0, 0xc4000008, 0, 0, 0);
	assert_int_equal(r.action, PSCI_ACTION_NONE);
	call(0, 0xc4000009, 0, 0, 0);
	assert_int_equal(r.action, PSCI_ACTION_NONE);
	assert_int_equal(r.x[0], ALL_ONES);
}

static void test_cpu_suspend_is_a_wait(void **state)
{
	(void)state;
	/* Standby and powerdown alike: wait, then return SUCCESS. */
	assert_int_equal(call(0, PSCI_FN_CPU_SUSPEND, 0, 0, 0), 0);
	assert_int_equal(r.action, PSCI_ACTION_WAIT);
	assert_int_equal(call(0, PSCI_FN64_CPU_SUSPEND, 1u << 16, RAM_BASE, 0),
			 0);
	assert_int_equal(r.action, PSCI_ACTION_WAIT);
	assert_int_equal(psci_power_state(&p, 0), PSCI_POWER_ON);
}

static void test_call_from_a_vcpu_out_of_range(void **state)
{
	(void)state;
	assert_int_equal(call(4, PSCI_FN_CPU_OFF, 0, 0, 0), ALL_ONES);
	assert_int_equal(r.action, PSCI_ACTION_NONE);
	psci_vcpu_started(&p, 4); /* ignored */
	assert_int_equal(psci_power_state(&p, 4), PSCI_POWER_OFF);
}

static void test_result_is_cleared_each_call(void **state)
{
	(void)state;
	call(0, PSCI_FN64_CPU_ON, 1, RAM_BASE, 99);
	assert_int_equal(r.action, PSCI_ACTION_START_VCPU);
	call(0, PSCI_FN_VERSION, 0, 0, 0);
	assert_int_equal(r.action, PSCI_ACTION_NONE);
	assert_int_equal(r.target, 0);
	assert_int_equal(r.entry, 0);
	assert_int_equal(r.context, 0);
}

#define T(name) cmocka_unit_test_setup(name, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_init),
	    T(test_version_and_migrate_info),
	    T(test_features),
	    T(test_unknown_and_smccc_ids_are_not_supported),
	    T(test_cpu_on_starts_a_vcpu),
	    T(test_cpu_on_errors),
	    T(test_cpu_on_smc32_uses_low_halves),
	    T(test_cpu_off),
	    T(test_affinity_info),
	    T(test_system_off_and_reset),
	    T(test_cpu_suspend_is_a_wait),
	    T(test_call_from_a_vcpu_out_of_range),
	    T(test_result_is_cleared_each_call),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
