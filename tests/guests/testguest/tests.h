/* What the test files share (t_*.c); main.c runs them in order. */
#ifndef TESTGUEST_TESTS_H
#define TESTGUEST_TESTS_H

#include "suite.h"

/* What main.c set up before the tests, for them to check. */
struct machine_setup {
	const char *gic_why; /* NULL: distributor and boot CPU ready */
	unsigned map_failures;
	uint64_t unbacked; /* the abort tests' addresses */
	uint64_t beyond_ram;
};
extern struct machine_setup setup;

void cpus_init(void);
void run_all_tests(void);

/* Fail the running test (and return false) if the GIC is not set up. */
bool need_gic(void);
/* Bring the secondaries up if no test has yet; the number online. Skips
 * the running test if there are none (a one-CPU machine) or fails it if
 * they would not come up. */
unsigned need_secondaries(void);
/* Runs fn on every online secondary (and on the boot CPU too if self),
 * waits, and fails the running test with each CPU's message. */
void run_everywhere(cpu_fn fn, uint64_t arg, bool self, uint64_t timeout_us);

#define TEST_LIST(name)                                                        \
	extern const struct test name[];                                       \
	extern const unsigned name##_count
TEST_LIST(boot_tests);
TEST_LIST(psci_tests);
TEST_LIST(smccc_tests);
TEST_LIST(gic_tests);
TEST_LIST(timer_tests);
TEST_LIST(sgi_tests);
TEST_LIST(abort_tests);
TEST_LIST(cpu_tests);
TEST_LIST(psci_off_tests);

/* bench.c: the benchmark's tests (bench=ROUNDS). */
void bench_run(void);

/* fuzz.c */
void fuzz_run(uint64_t seed, uint64_t count);
void fuzz_survived_test(void);

#endif
