/*
 * Boot protocol: what the loader handed over (x0 = a DTB, x1-x3 zero, EL1,
 * MMU and D-cache off, interrupts masked), where the image landed, and the
 * machine the DTB describes.
 */
#include <libfdt.h>

#include "arch.h"
#include "dtb.h"
#include "mmu.h"
#include "tests.h"

#define TEXT_OFFSET 0x80000
#define SCTLR_M	    (1u << 0)
#define SCTLR_C	    (1u << 2)
#define DAIF_ALL    0x3c0
#define EL1	    (1u << 2)
#define MIB	    (1024 * 1024)

extern uint64_t reloc_counts[2];

static void boot_dtb(void)
{
	const struct entry_state *e = &entry_state;
	uint64_t dtb = e->x[0];
	note("x0 0x%lx: DTB v%u, %u bytes", dtb, fdt_version(plat.fdt),
	     plat.fdt_size);
	check(!(dtb & 7), "x0 0x%lx is not 8-byte aligned", dtb);
	check(fdt_check_header(plat.fdt) == 0, "x0 does not point at a DTB");
	check(fdt_version(plat.fdt) >= 17, "DTB version %u, not 17",
	      fdt_version(plat.fdt));
	check(in_memory(dtb, plat.fdt_size),
	      "the DTB at 0x%lx is not inside the memory it describes", dtb);
	check(!e->x[1] && !e->x[2] && !e->x[3],
	      "x1-x3 at entry are 0x%lx 0x%lx 0x%lx, not zero", e->x[1],
	      e->x[2], e->x[3]);
	check(e->current_el == EL1, "entered at EL%lu, not EL1",
	      e->current_el >> 2);
	check(!(e->sctlr & (SCTLR_M | SCTLR_C)),
	      "MMU or D-cache on at entry (SCTLR_EL1 0x%lx)", e->sctlr);
	check((e->daif & DAIF_ALL) == DAIF_ALL,
	      "DAIF 0x%lx at entry: interrupts not all masked", e->daif);
}

static void boot_image(void)
{
	uint64_t load = entry_state.load_addr;
	uint64_t size = (uintptr_t)__image_end - (uintptr_t)_start_image;
	note("loaded at 0x%lx (linked at 0x%x), %lu KiB with BSS; %lu "
	     "relocations applied",
	     load, LINK_BASE, size / 1024, reloc_counts[0]);
	check((load - TEXT_OFFSET) % BLOCK_SIZE == 0,
	      "loaded at 0x%lx, not a 2 MiB aligned base + text_offset 0x%x",
	      load, TEXT_OFFSET);
	check(in_memory(load, size), "image 0x%lx-0x%lx is not inside memory",
	      load, load + size);
	check(reloc_counts[1] == 0, "%lu relocations of an unknown type",
	      reloc_counts[1]);
	check(!setup.map_failures, "%u regions could not be mapped",
	      setup.map_failures);
}

static void boot_bootargs(void)
{
	note("bootargs '%s'", plat.bootargs ? plat.bootargs : "");
	check(!opt.errors[0], "options not understood: %s", opt.errors);
}

static void boot_memory(void)
{
	uint64_t total = 0;
	check(plat.nmem > 0, "no memory node in the DTB");
	for (unsigned i = 0; i < plat.nmem; i++) {
		note("memory 0x%lx-0x%lx (%lu MiB)", plat.mem[i].base,
		     plat.mem[i].base + plat.mem[i].size,
		     plat.mem[i].size / MIB);
		total += plat.mem[i].size;
	}
	note("%lu MiB in %u ranges", total / MIB, plat.nmem);
	check(total >= 2 * MIB, "only %lu bytes of memory", total);
}

static void boot_cpus(void)
{
	uint64_t self = this_mpidr();
	bool found = false;
	for (unsigned i = 0; i < plat.ncpus; i++) {
		note("cpu MPIDR 0x%lx%s", plat.cpu_mpidr[i],
		     plat.cpu_mpidr[i] == self ? " (this one)" : "");
		found |= plat.cpu_mpidr[i] == self;
	}
	note("%u cpus in the DTB%s", plat.dtb_cpus,
	     plat.dtb_cpus > CPU_MAX ? ", the first 8 used" : "");
	check(plat.dtb_cpus > 0, "no cpu nodes under /cpus");
	check(found, "this CPU's MPIDR 0x%lx is not in the DTB", self);
	/* Only CPUs to be started need an enable-method (QEMU gives a
	 * single CPU none). */
	check(plat.dtb_cpus < 2 || !plat.cpus_not_psci,
	      "%u cpus without enable-method \"psci\"", plat.cpus_not_psci);
}

static void boot_devices(void)
{
	note("GICv3 distributor 0x%lx, %u redistributor regions from 0x%lx",
	     plat.gicd.base, plat.ngicr, plat.gicr[0].base);
	note("PL011 0x%lx (%s, %s)", plat.uart.base, plat.uart_path,
	     plat.uart_from_stdout ? "/chosen/stdout-path" : "first arm,pl011");
	note("virtual timer INTID %u, counter %lu Hz", plat.vtimer_intid,
	     ticks_per_sec());
	note("PSCI %s over %s", plat.psci_compat ? plat.psci_compat : "none",
	     plat.psci == CONDUIT_HVC	? "hvc"
	     : plat.psci == CONDUIT_SMC ? "smc"
					: "nothing");
	check(plat.gicd.base && plat.ngicr,
	      "no arm,gic-v3 node with distributor and redistributors");
	check(plat.vtimer_intid >= 16 && plat.vtimer_intid < 32,
	      "the virtual timer's interrupt (INTID %u) is not a PPI",
	      plat.vtimer_intid);
	check(plat.psci != CONDUIT_NONE, "no PSCI node with method hvc or smc");
	check(ticks_per_sec() != 0, "CNTFRQ_EL0 is 0");
}

const struct test boot_tests[] = {
    {"boot.dtb", boot_dtb},	      {"boot.image", boot_image},
    {"boot.bootargs", boot_bootargs}, {"boot.memory", boot_memory},
    {"boot.cpus", boot_cpus},	      {"boot.devices", boot_devices},
};
const unsigned boot_tests_count = ARRAY_SIZE(boot_tests);
