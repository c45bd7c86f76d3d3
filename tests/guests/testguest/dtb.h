/* The machine as the DTB passed in x0 describes it (dtb.c, libfdt). */
#ifndef TESTGUEST_DTB_H
#define TESTGUEST_DTB_H

#include "guest.h"

#define MEM_MAX	 8
#define GICR_MAX 4

struct range {
	uint64_t base, size;
};

struct platform {
	const void *fdt;
	uint32_t fdt_size;
	struct range mem[MEM_MAX];
	unsigned nmem;
	uint64_t cpu_mpidr[CPU_MAX];
	unsigned ncpus, dtb_cpus; /* used; listed in the DTB */
	unsigned cpus_not_psci;	  /* cpus whose enable-method is not psci */
	struct range gicd;
	struct range gicr[GICR_MAX];
	unsigned ngicr;
	uint64_t gicr_stride; /* 0: from GICR_TYPER.VLPIS */
	struct range uart;
	const char *uart_path;
	bool uart_from_stdout;
	unsigned vtimer_intid;
	enum conduit psci;
	const char *psci_compat;
	const char *bootargs;
	const char *model;
};

extern struct platform plat;

/* Reads the DTB; on failure *why says what was missing. */
bool dtb_parse(const void *fdt, const char **why);
/* The node whose reg (or ranges) covers addr, if any. */
const char *dtb_claims(uint64_t addr, char *buf, size_t size);
/* Whether addr lies inside one of the DTB's memory ranges. */
bool in_memory(uint64_t addr, uint64_t size);
uint64_t memory_end(void);

static inline unsigned plat_vtimer_intid(void)
{
	return plat.vtimer_intid;
}

#endif
