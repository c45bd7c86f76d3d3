/* Identification, the generic counter and the idle loop. */
#include "arch/cpu.h"
#include "arch.h"
#include "arch/sysreg.h"

struct cpu cpus[CPU_MAX];
char kernel_stacks[CPU_MAX][CPU_STACK_SIZE] __attribute__((aligned(16)));
char exc_stacks[CPU_MAX][CPU_EXC_STACK_SIZE] __attribute__((aligned(16)));

_Static_assert(__builtin_offsetof(struct cpu, stack_top) == CPU_OFF_STACK_TOP,
	       "head.S reads stack_top at CPU_OFF_STACK_TOP");
_Static_assert(__builtin_offsetof(struct cpu, index) == CPU_OFF_INDEX,
	       "vectors.S reads index at CPU_OFF_INDEX");
_Static_assert(__builtin_offsetof(struct cpu, current) == CPU_OFF_CURRENT,
	       "vectors.S finds the current thread at CPU_OFF_CURRENT");
_Static_assert(__builtin_offsetof(struct cpu, frame) == CPU_OFF_FRAME,
	       "vectors.S saves registers at CPU_OFF_FRAME");

extern char secondary_entry[];

uint64_t arch_mpidr(void)
{
	return read_sysreg(mpidr_el1) & MPIDR_AFF_MASK;
}

size_t arch_cpu_index(void)
{
	return this_cpu()->index;
}

uint64_t arch_counter(void)
{
	isb();
	return read_sysreg(cntpct_el0);
}

uint64_t arch_counter_freq(void)
{
	return read_sysreg(cntfrq_el0);
}

paddr_t arch_secondary_entry(void)
{
	return pa_init((uint64_t)(uintptr_t)secondary_entry);
}

void arch_idle_loop(void)
{
	for (;;) {
		wfi();
	}
}
