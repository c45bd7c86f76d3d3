#include "boot/smp.h"

#include "arch.h"
#include "arch/cpu.h"
#include "print.h"
#include "sched.h"

_Static_assert(CPU_MAX <= SCHED_MAX_CPUS, "the scheduler counts every CPU");

#define CPU_ON_TIMEOUT_MS 5000

static bool wait_online(volatile bool *online)
{
	uint64_t freq = arch_counter_freq();
	uint64_t start = arch_counter();
	uint64_t limit = freq / 1000 * CPU_ON_TIMEOUT_MS;

	while (!__atomic_load_n(online, __ATOMIC_ACQUIRE)) {
		if (arch_counter() - start > limit) {
			return false;
		}
	}
	return true;
}

static bool start_one(struct cpu *c)
{
	int64_t ret;

	c->stack_top = (uint64_t)(uintptr_t)&kernel_stacks[c->index + 1][0];
	/* The new CPU reads its struct cpu with caches off. */
	arch_dcache_clean_kernel_data();
	ret = arch_psci_cpu_on(c->mpidr, arch_secondary_entry(),
			       (uint64_t)(uintptr_t)c);
	if (ret != 0) {
		kprintf("smp: cpu %lu (MPIDR 0x%lx): PSCI CPU_ON failed, "
			"error %ld\n",
			(unsigned long)c->index, c->mpidr, (long)ret);
		return false;
	}
	if (!wait_online(&c->online)) {
		kprintf("smp: cpu %lu (MPIDR 0x%lx): did not report in within "
			"%d ms\n",
			(unsigned long)c->index, c->mpidr, CPU_ON_TIMEOUT_MS);
		return false;
	}
	return true;
}

size_t smp_start_secondaries(const struct platform *plat)
{
	uint64_t self = arch_mpidr();
	size_t next = 1;
	size_t online = 1;

	cpus[0].mpidr = self;
	cpus[0].stack_top = (uint64_t)(uintptr_t)&kernel_stacks[1][0];
	cpus[0].online = true;
	sched_cpu_up();
	for (size_t i = 0; i < plat->cpu_count; i++) {
		if (plat->cpu_mpidr[i] == self) {
			continue;
		}
		if (next == CPU_MAX) {
			kprintf(
			    "smp: MPIDR 0x%lx: more CPUs than CPU_MAX (%d); "
			    "left off\n",
			    plat->cpu_mpidr[i], CPU_MAX);
			continue;
		}
		struct cpu *c = &cpus[next];
		c->index = next++;
		c->mpidr = plat->cpu_mpidr[i];
		if (start_one(c)) {
			online++;
		}
	}
	return online;
}

/* A secondary CPU's first C code: MMU on, report in, park. */
__attribute__((noreturn)) void secondary_main(struct cpu *c)
{
	arch_mmu_enable(false);
	kprintf("cpu %lu: online, MPIDR 0x%lx, EL2, MMU on\n",
		(unsigned long)c->index, arch_mpidr());
	sched_cpu_up();
	sched_idle_begin(); /* for good: no thread runs here yet */
	__atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
	arch_idle_loop();
}
