/*
 * The thin interface between portable kernel code and the architecture.
 * kernel/arch/<arch>/ implements it; nothing in kernel/src/ touches a system
 * register directly.
 */
#pragma once

#include "addr.h"
#include "errors.h"
#include "platform.h"

struct cpu;

enum mmu_attr {
	MMU_CODE,   /* read-only, executable */
	MMU_RODATA, /* read-only, never executable */
	MMU_DATA,   /* read-write, never executable */
	MMU_DEVICE, /* Device-nGnRE, read-write, never executable */
};

/*
 * Maps [va, va + size) to pa in the kernel's EL2 tables. Only invalid entries
 * are filled; parts already mapped are left as they are, so a broad mapping
 * laid over finer earlier ones never rewrites a live entry. Fails without
 * changing anything if the table pool cannot hold the new tables.
 */
enum k_error arch_mmu_map(vaddr_t va, paddr_t pa, uint64_t size,
			  enum mmu_attr attr);

/* Turns on the EL2 MMU and caches on the calling CPU. */
void arch_mmu_enable(bool boot_cpu);

/* Tables in use and available, for the boot report. */
void arch_mmu_usage(size_t *used, size_t *total);

/*
 * Writes kernel data and BSS back to the point of coherency, so that a CPU
 * starting with its MMU and caches off reads what this CPU wrote.
 */
void arch_dcache_clean_kernel_data(void);

uint64_t arch_mpidr(void);
size_t arch_cpu_index(void);
uint64_t arch_counter(void);
uint64_t arch_counter_freq(void);

/* PSCI through the conduit the DTB names. */
void arch_psci_init(enum psci_conduit conduit);
int64_t arch_psci_version(void);
int64_t arch_psci_cpu_on(uint64_t mpidr, paddr_t entry, uint64_t context);
/* Returns only if the conduit is missing or firmware refused. */
void arch_psci_system_off(void);

paddr_t arch_secondary_entry(void);

__attribute__((noreturn)) void arch_idle_loop(void);
