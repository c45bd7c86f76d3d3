/*
 * PSCI over the DTB's conduit: version, features, bringing the other CPUs
 * up (each with its own stack and MMU, reporting in), ALREADY_ON,
 * AFFINITY_INFO, and at the very end CPU_OFF and back on. Also the SMCCC
 * calls a guest probes that must answer NOT_SUPPORTED.
 */
#include "arch.h"
#include "dtb.h"
#include "tests.h"

#define MIGRATE_TOS_NOT_PRESENT 2
#define OFF_TIMEOUT_US		1000000
#define CMD_TIMEOUT_US		1000000

static void psci_version(void)
{
	int64_t v = psci_call(PSCI_VERSION, 0, 0, 0);
	note("PSCI %ld.%ld", (v >> 16) & 0x7fff, v & 0xffff);
	check(v >= 0 && (v >> 16) >= 1,
	      "PSCI_VERSION returned 0x%lx, not 1.0 "
	      "or later",
	      v);
}

static void psci_features(void)
{
	static const struct {
		uint32_t fn;
		const char *name;
	} fns[] = {
	    {PSCI_VERSION, "PSCI_VERSION"},
	    {PSCI_CPU_ON, "CPU_ON"},
	    {PSCI_CPU_OFF, "CPU_OFF"},
	    {PSCI_AFFINITY_INFO, "AFFINITY_INFO"},
	    {PSCI_SYSTEM_OFF, "SYSTEM_OFF"},
	    {PSCI_FEATURES, "PSCI_FEATURES"},
	};
	for (unsigned i = 0; i < ARRAY_SIZE(fns); i++) {
		int64_t r = psci_call(PSCI_FEATURES, fns[i].fn, 0, 0);
		check(r >= 0, "PSCI_FEATURES(%s 0x%x) returned %ld",
		      fns[i].name, fns[i].fn, r);
	}
	int64_t r = psci_call(PSCI_FEATURES, 0x8400001fu, 0, 0);
	check(r == PSCI_NOT_SUPPORTED,
	      "PSCI_FEATURES(unallocated 0x8400001f) returned %ld, not -1", r);
}

static void psci_migrate_info_type(void)
{
	int64_t r = psci_call(PSCI_MIGRATE_INFO_TYPE, 0, 0, 0);
	check(r == MIGRATE_TOS_NOT_PRESENT,
	      "MIGRATE_INFO_TYPE returned %ld, not 2 (no trusted OS)", r);
}

/* An affinity no CPU in the DTB has. */
static uint64_t absent_mpidr(void)
{
	for (uint64_t m = 0xfe;; m--) {
		bool used = false;
		for (unsigned i = 0; i < ncpus; i++) {
			used |= cpus[i].mpidr == m;
		}
		if (!used) {
			return m;
		}
	}
}

static void check_reported(struct cpu *c)
{
	uintptr_t lo = c->stack_top - STACK_SIZE;
	check(c->mpidr_seen == c->mpidr,
	      "cpu %u came up as MPIDR 0x%lx, not "
	      "0x%lx",
	      c->idx, c->mpidr_seen, c->mpidr);
	check(c->sctlr_seen & 1, "cpu %u: MMU off after turning it on", c->idx);
	check(c->sp_seen > lo && c->sp_seen <= c->stack_top,
	      "cpu %u: SP 0x%lx outside its stack", c->idx, c->sp_seen);
	check(!c->result, "cpu %u: %s", c->idx, c->msg);
}

static void psci_cpu_on(void)
{
	char why[120];
	if (ncpus < 2) {
		skip("one CPU in the DTB");
		return;
	}
	uint64_t absent = absent_mpidr();
	int64_t r =
	    psci_call(PSCI_CPU_ON, absent, (uintptr_t)secondary_entry, 0);
	check(r == PSCI_INVALID_PARAMS,
	      "CPU_ON of absent MPIDR 0x%lx returned %ld, not -2", absent, r);
	smp_bring_up_all(true, why, sizeof(why));
	check(!why[0], "%s", why);
	for (unsigned i = 1; i < ncpus; i++) {
		if (cpus[i].online) {
			check_reported(&cpus[i]);
		}
	}
}

static void nothing(struct cpu *c, uint64_t arg)
{
	(void)c;
	(void)arg;
}

static void psci_already_on(void)
{
	if (!need_secondaries()) {
		return;
	}
	struct cpu *c = &cpus[1];
	int64_t r = psci_call(PSCI_CPU_ON, c->mpidr, (uintptr_t)secondary_entry,
			      (uintptr_t)c);
	check(r == PSCI_ALREADY_ON,
	      "second CPU_ON of running cpu 1 returned %ld, not -4", r);
	cpu_run(c, nothing, 0);
	check(cpu_wait(c, CMD_TIMEOUT_US),
	      "cpu 1 stopped running after the second CPU_ON");
}

static void psci_affinity_info(void)
{
	for (unsigned i = 0; i < ncpus; i++) {
		if (!cpus[i].online) {
			continue;
		}
		int64_t r = psci_call(PSCI_AFFINITY_INFO, cpus[i].mpidr, 0, 0);
		check(r == AFF_ON,
		      "AFFINITY_INFO(0x%lx) of running cpu %u "
		      "returned %ld, not 0 (ON)",
		      cpus[i].mpidr, i, r);
	}
	uint64_t absent = absent_mpidr();
	int64_t r = psci_call(PSCI_AFFINITY_INFO, absent, 0, 0);
	check(r == PSCI_INVALID_PARAMS,
	      "AFFINITY_INFO of absent MPIDR 0x%lx returned %ld, not -2",
	      absent, r);
}

static void do_cpu_off(struct cpu *c, uint64_t arg)
{
	(void)arg;
	irq_disable();
	__atomic_store_n(&c->online, false, __ATOMIC_RELEASE);
	int64_t r = psci_call(PSCI_CPU_OFF, 0, 0, 0);
	c->result = -1;
	format(c->msg, sizeof(c->msg), "CPU_OFF returned %ld", r);
	c->online = true;
	irq_enable();
}

static int64_t wait_affinity(uint64_t mpidr, int64_t want)
{
	uint64_t end = now() + us_to_ticks(OFF_TIMEOUT_US);
	int64_t r;
	do {
		r = psci_call(PSCI_AFFINITY_INFO, mpidr, 0, 0);
	} while (r != want && now() < end);
	return r;
}

static void psci_cpu_off(void)
{
	if (!need_secondaries()) {
		return;
	}
	struct cpu *c = &cpus[ncpus - 1];
	if (!check(c->online, "cpu %u is not online", c->idx)) {
		return;
	}
	cpu_run(c, do_cpu_off, 0);
	int64_t r = wait_affinity(c->mpidr, AFF_OFF);
	if (!check(r == AFF_OFF,
		   "AFFINITY_INFO of cpu %u after its CPU_OFF is %ld, not 1 "
		   "(OFF)%s%s",
		   c->idx, r, c->result ? ": " : "", c->msg)) {
		return;
	}
	const char *why = cpu_bring_up(c);
	if (!check(!why, "CPU_ON after CPU_OFF: %s", why)) {
		return;
	}
	check_reported(c);
	r = psci_call(PSCI_AFFINITY_INFO, c->mpidr, 0, 0);
	check(r == AFF_ON, "AFFINITY_INFO of cpu %u back on is %ld", c->idx, r);
	note("cpu %u off and on again", c->idx);
}

const struct test psci_tests[] = {
    {"psci.version", psci_version},
    {"psci.features", psci_features},
    {"psci.migrate_info_type", psci_migrate_info_type},
    {"psci.cpu_on", psci_cpu_on},
    {"psci.already_on", psci_already_on},
    {"psci.affinity_info", psci_affinity_info},
};
const unsigned psci_tests_count = ARRAY_SIZE(psci_tests);

const struct test psci_off_tests[] = {
    {"psci.cpu_off", psci_cpu_off},
};
const unsigned psci_off_tests_count = ARRAY_SIZE(psci_off_tests);

/* Each answer must be NOT_SUPPORTED (-1) in w0. */
static void expect_not_supported(uint32_t fn, const char *what)
{
	uint64_t args[8] = {fn};
	struct smccc_res r = smccc_call(plat.psci, args);
	note("%s 0x%08x: x0 0x%lx", what, fn, r.a0);
	check((int32_t)r.a0 == PSCI_NOT_SUPPORTED,
	      "%s 0x%08x returned 0x%lx, not -1", what, fn, r.a0);
}

static void smccc_unknown(void)
{
	/* Unallocated ids of the Arm architecture, SiP, OEM, standard
	 * secure and vendor hypervisor services. */
	static const uint32_t ids[] = {0x8000ff00u, 0x8200ff00u, 0xc300ff00u,
				       0x8400ff00u, 0xc6001234u};
	for (unsigned i = 0; i < ARRAY_SIZE(ids); i++) {
		expect_not_supported(ids[i], "unknown function");
	}
}

static void smccc_version(void)
{
	expect_not_supported(SMCCC_VERSION, "SMCCC_VERSION");
	int64_t r = psci_call(PSCI_FEATURES, SMCCC_VERSION, 0, 0);
	check(r == PSCI_NOT_SUPPORTED,
	      "PSCI_FEATURES(SMCCC_VERSION) returned %ld, not -1", r);
}

static void smccc_trng(void)
{
	expect_not_supported(TRNG_VERSION, "TRNG_VERSION");
}

static void smccc_vendor_uid(void)
{
	expect_not_supported(VENDOR_HYP_UID, "vendor hypervisor UID");
}

const struct test smccc_tests[] = {
    {"smccc.unknown_function", smccc_unknown},
    {"smccc.version", smccc_version},
    {"smccc.trng", smccc_trng},
    {"smccc.vendor_uid", smccc_vendor_uid},
};
const unsigned smccc_tests_count = ARRAY_SIZE(smccc_tests);
