/* Identification, the generic counter and the idle loop. */
#include "arch/cpu.h"
#include "arch.h"
#include "arch/sysreg.h"

#include <string.h>

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

bool arch_irq_pending(void)
{
	/* ISR_EL1.I: a physical IRQ is pending, masked or not (at EL2 the
	 * register reports the physical state). */
	return (read_sysreg(isr_el1) & (1UL << 7)) != 0;
}

void arch_zero(void *p, size_t n)
{
	uint8_t *b = p;
	/* DC ZVA zeroes a whole block per instruction (DCZID_EL0.BS words),
	 * the cheapest way to clear memory; DZP set forbids it. */
	uint64_t dczid = read_sysreg(dczid_el0);
	size_t block = 4UL << (dczid & 0xf);

	if ((dczid & (1UL << 4)) != 0) {
		memset(p, 0, n);
		return;
	}
	while (n > 0 && ((uintptr_t)b & (block - 1)) != 0) {
		*b++ = 0;
		n--;
	}
	for (; n >= block; n -= block, b += block) {
		__asm__ volatile("dc zva, %0" ::"r"(b) : "memory");
	}
	while (n > 0) {
		*b++ = 0;
		n--;
	}
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
