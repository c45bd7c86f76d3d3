/*
 * SGIs between vCPUs through ICC_SGI1R_EL1: the boot CPU to each
 * secondary, each secondary to the boot CPU, and to all but self (IRM).
 * The receiving handler acknowledges through ICC_IAR1_EL1 and counts the
 * INTID it read.
 */
#include "arch.h"
#include "gic.h"
#include "tests.h"

#define SGI_TIMEOUT_US 200000

static bool wait_count(volatile unsigned *count, unsigned want)
{
	uint64_t end = now() + us_to_ticks(SGI_TIMEOUT_US);
	while (*count < want) {
		if (now() > end) {
			return false;
		}
		cpu_relax();
	}
	return true;
}

static void sgi_boot_to_secondaries(void)
{
	if (!need_gic() || !need_secondaries()) {
		return;
	}
	for (unsigned i = 1; i < ncpus; i++) {
		struct cpu *c = &cpus[i];
		if (!c->online) {
			continue;
		}
		unsigned before = c->sgi_count[SGI_PING];
		gic_send_sgi(c->mpidr, SGI_PING);
		check(wait_count(&c->sgi_count[SGI_PING], before + 1),
		      "cpu %u did not take SGI %u from cpu 0", i, SGI_PING);
		check(c->sgi_count[SGI_PING] == before + 1,
		      "cpu %u took SGI %u %u times", i, SGI_PING,
		      c->sgi_count[SGI_PING] - before);
	}
}

static void send_to_boot(struct cpu *c, uint64_t arg)
{
	(void)c;
	gic_send_sgi(cpus[0].mpidr, (unsigned)arg);
}

static void sgi_secondaries_to_boot(void)
{
	if (!need_gic() || !need_secondaries()) {
		return;
	}
	volatile unsigned *count = &cpus[0].sgi_count[SGI_PING];
	for (unsigned i = 1; i < ncpus; i++) {
		if (!cpus[i].online) {
			continue;
		}
		unsigned before = *count;
		cpu_run(&cpus[i], send_to_boot, SGI_PING);
		check(cpu_wait(&cpus[i], SGI_TIMEOUT_US),
		      "cpu %u did not run its part", i);
		check(wait_count(count, before + 1),
		      "cpu 0 did not take SGI %u from cpu %u", SGI_PING, i);
	}
}

static void sgi_broadcast(void)
{
	if (!need_gic() || !need_secondaries()) {
		return;
	}
	unsigned before[CPU_MAX];
	for (unsigned i = 0; i < ncpus; i++) {
		before[i] = cpus[i].sgi_count[SGI_PING];
	}
	gic_send_sgi_others(SGI_PING);
	for (unsigned i = 1; i < ncpus; i++) {
		if (cpus[i].online) {
			check(wait_count(&cpus[i].sgi_count[SGI_PING],
					 before[i] + 1),
			      "cpu %u did not take the broadcast SGI", i);
		}
	}
	delay_us(10000);
	check(cpus[0].sgi_count[SGI_PING] == before[0],
	      "the sender took its own all-but-self SGI");
}

const struct test sgi_tests[] = {
    {"sgi.boot_to_secondaries", sgi_boot_to_secondaries},
    {"sgi.secondaries_to_boot", sgi_secondaries_to_boot},
    {"sgi.broadcast", sgi_broadcast},
};
const unsigned sgi_tests_count = ARRAY_SIZE(sgi_tests);
