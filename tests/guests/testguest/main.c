/*
 * The boot CPU's path: map what is needed to read the DTB, turn the MMU
 * on, learn the machine from the DTB, bring up the console and the GIC,
 * run the suite (and the fuzzer and the benchmark, if asked), print the summary
 * and power off through PSCI.
 */
#include <libfdt.h>

#include "arch.h"
#include "dtb.h"
#include "gic.h"
#include "guest.h"
#include "mmu.h"
#include "suite.h"
#include "tests.h"

#define DEFAULT_UNBACKED 0x0b000000ull

struct entry_state entry_state;
struct machine_setup setup;
extern uint64_t reloc_counts[2];
extern const char testguest_version[];

static void park(void)
{
	for (;;) {
		wfe();
	}
}

/* The header with the MMU off: bytes only, as the DTB's alignment is not
 * yet known and Device memory (MMU off) faults unaligned accesses. */
static uint32_t be32_bytes(uintptr_t p)
{
	const volatile uint8_t *b = (const volatile uint8_t *)p;
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | b[3];
}

static void map_or_note(uint64_t base, uint64_t size, enum mem_kind kind,
			const char *what)
{
	if (!mmu_map(base, size, kind)) {
		setup.map_failures++;
		print("testguest: cannot map %s 0x%lx-0x%lx (%u of %u tables "
		      "used)\n",
		      what, base, base + size, mmu_tables_used(),
		      mmu_tables_max());
	}
}

static void map_machine(void)
{
	for (unsigned i = 0; i < plat.nmem; i++) {
		map_or_note(plat.mem[i].base, plat.mem[i].size, MEM_NORMAL,
			    "memory");
	}
	map_or_note(plat.gicd.base, plat.gicd.size, MEM_DEVICE, "GICD");
	for (unsigned i = 0; i < plat.ngicr; i++) {
		map_or_note(plat.gicr[i].base, plat.gicr[i].size, MEM_DEVICE,
			    "GICR");
	}
	setup.unbacked = opt.unbacked ? opt.unbacked : DEFAULT_UNBACKED;
	setup.beyond_ram = (memory_end() + BLOCK_SIZE - 1) & ~(BLOCK_SIZE - 1);
	map_or_note(setup.unbacked, 4096, MEM_DEVICE, "unbacked address");
	map_or_note(setup.beyond_ram, 4096, MEM_DEVICE, "beyond RAM");
}

static void banner(void)
{
	print("\ntestguest %s: EL1 guest test suite; loaded at 0x%lx, DTB at "
	      "0x%lx (%u bytes)\n",
	      testguest_version, entry_state.load_addr, entry_state.x[0],
	      plat.fdt_size);
	print("testguest: model '%s', bootargs '%s'\n",
	      plat.model ? plat.model : "", plat.bootargs ? plat.bootargs : "");
}

static void setup_gic(void)
{
	setup.gic_why = gic_init_dist();
	if (!setup.gic_why) {
		setup.gic_why = gic_init_cpu(&cpus[0]);
	}
	if (setup.gic_why) {
		print("testguest: GIC not set up: %s\n", setup.gic_why);
	}
	__asm__ volatile("msr daifclr, #6" : : : "memory"); /* IRQ, SError */
}

void guest_main(void)
{
	uintptr_t dtb = entry_state.x[0];
	/* Without a DTB there is no console to complain on. */
	if (!dtb || be32_bytes(dtb) != FDT_MAGIC) {
		park();
	}
	uint32_t size = be32_bytes(dtb + 4);
	mmu_map((uintptr_t)_start_image,
		(uintptr_t)__image_end - (uintptr_t)_start_image, MEM_NORMAL);
	mmu_map(dtb, size, MEM_NORMAL);
	mmu_enable(dtb, size);
	const char *why;
	if (!dtb_parse((const void *)dtb, &why)) {
		park();
	}
	mmu_map(plat.uart.base, plat.uart.size, MEM_DEVICE);
	uart_init((uintptr_t)plat.uart.base);
	banner();
	options_parse(plat.bootargs);
	map_machine();
	cpus_init();
	setup_gic();
	if (opt.suite) {
		run_all_tests();
	}
	if (opt.fuzz) {
		fuzz_run(opt.fuzz_seed, opt.fuzz_count);
		static const struct test survived[] = {
		    {"fuzz.survived", fuzz_survived_test}};
		run_tests(survived, 1);
	}
	if (opt.bench_rounds) {
		bench_run();
	}
	suite_finish();
}

bool need_gic(void)
{
	return check(!setup.gic_why, "GIC not set up: %s", setup.gic_why);
}

unsigned need_secondaries(void)
{
	char why[120];
	if (ncpus < 2) {
		skip("one CPU in the DTB");
		return 0;
	}
	if (!smp_tried()) {
		smp_bring_up_all(false, why, sizeof(why));
	}
	unsigned n = secondaries_online();
	check(n > 0, "no secondary CPU is online");
	return n;
}

void run_everywhere(cpu_fn fn, uint64_t arg, bool self, uint64_t timeout_us)
{
	for (unsigned i = 1; i < ncpus; i++) {
		if (cpus[i].online) {
			cpu_run(&cpus[i], fn, arg);
		}
	}
	if (self) {
		cpus[0].result = 0;
		cpus[0].msg[0] = '\0';
		fn(&cpus[0], arg);
		check(!cpus[0].result, "cpu 0: %s", cpus[0].msg);
	}
	for (unsigned i = 1; i < ncpus; i++) {
		if (!cpus[i].online) {
			continue;
		}
		if (!cpu_wait(&cpus[i], timeout_us)) {
			check(false, "cpu %u did not finish its part", i);
			continue;
		}
		check(!cpus[i].result, "cpu %u: %s", i, cpus[i].msg);
	}
}

void run_all_tests(void)
{
	static const struct {
		const struct test *tests;
		const unsigned *count;
	} lists[] = {
	    {boot_tests, &boot_tests_count},
	    {psci_tests, &psci_tests_count},
	    {smccc_tests, &smccc_tests_count},
	    {gic_tests, &gic_tests_count},
	    {timer_tests, &timer_tests_count},
	    {sgi_tests, &sgi_tests_count},
	    {abort_tests, &abort_tests_count},
	    {cpu_tests, &cpu_tests_count},
	    {psci_off_tests, &psci_off_tests_count},
	};
	for (unsigned i = 0; i < ARRAY_SIZE(lists); i++) {
		run_tests(lists[i].tests, *lists[i].count);
	}
}
