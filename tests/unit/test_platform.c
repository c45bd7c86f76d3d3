/* platform_from_dtb() against device trees compiled from fixtures/ by dtc. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "boot/platform.h"

static void *load_dtb(const char *name)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s.dtb", FIXTURES, name);
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	static char buf[65536] __attribute__((aligned(8)));
	size_t n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	assert_true(n > 0 && n < sizeof(buf));
	return buf;
}

static struct platform plat;

static void parse_ok(const char *name)
{
	const char *what = NULL;
	enum k_error err = platform_from_dtb(load_dtb(name), &plat, &what);
	if (err != K_OK) {
		fail_msg("%s: %s (%s)", name, what, k_error_name(err));
	}
}

static void assert_range(const struct mem_range *r, uint64_t base, uint64_t end)
{
	assert_int_equal(pa_addr(r->base), base);
	assert_int_equal(pa_addr(r->end), end);
}

static void test_full_memory(void **state)
{
	(void)state;
	parse_ok("full");
	/* Two nodes, three ranges; the two below 4 GiB touch and merge. */
	assert_int_equal(plat.ram.count, 2);
	assert_range(&plat.ram.range[0], 0x40000000, 0x90000000);
	assert_range(&plat.ram.range[1], 0x100000000, 0x140000000);
	/* /memreserve/ and the fixed reserved-memory child, not the dynamic. */
	assert_int_equal(plat.reserved.count, 2);
	assert_range(&plat.reserved.range[0], 0x40000000, 0x40001000);
	assert_range(&plat.reserved.range[1], 0x50000000, 0x50100000);
}

static void test_full_devices(void **state)
{
	(void)state;
	parse_ok("full");
	/* stdout-path wins over the first PL011, options after ':' ignored. */
	assert_true(plat.has_uart);
	assert_int_equal(pa_addr(plat.uart.base), 0x9040000);
	assert_int_equal(plat.uart_intid, 32 + 8);

	assert_true(plat.has_gic);
	assert_int_equal(pa_addr(plat.gicd.base), 0x8000000);
	assert_int_equal(plat.redist_count, 2);
	assert_int_equal(pa_addr(plat.gicr[1].base), 0x81a0000);
	assert_int_equal(plat.gicr[1].size, 0x40000);
	assert_true(plat.has_its);
	assert_int_equal(pa_addr(plat.its.base), 0x8080000);

	assert_true(plat.has_smmu);
	assert_int_equal(pa_addr(plat.smmu.base), 0x9050000);
	/* By name, not position: gerror is the fourth. */
	assert_int_equal(plat.smmu_eventq_intid, 32 + 74);
	assert_int_equal(plat.smmu_gerror_intid, 32 + 77);
	assert_true(plat.smmu_dma_coherent);
}

static void test_full_pcie(void **state)
{
	(void)state;
	parse_ok("full");
	assert_true(plat.has_pcie);
	assert_int_equal(pa_addr(plat.ecam.base), 0x4010000000);
	assert_int_equal(plat.bus_first, 0);
	assert_int_equal(plat.bus_last, 0x7f);
	assert_int_equal(plat.pci_window_count, 3);
	assert_int_equal(plat.pci_window[0].space, PCI_SPACE_IO);
	assert_int_equal(pa_addr(plat.pci_window[0].cpu_addr), 0x3eff0000);
	assert_int_equal(plat.pci_window[1].space, PCI_SPACE_MEM32);
	assert_int_equal(plat.pci_window[1].size, 0x2eff0000);
	assert_int_equal(plat.pci_window[2].space, PCI_SPACE_MEM64);
	assert_true(plat.pci_window[2].prefetchable);
	assert_int_equal(pa_addr(plat.pci_window[2].cpu_addr), 0x8000000000);
	assert_int_equal(plat.iommu_map_count, 2);
	assert_int_equal(plat.iommu_map[1].rid_base, 0x100);
	assert_int_equal(plat.iommu_map[1].sid_base, 0x1000);
	assert_int_equal(plat.iommu_map[1].length, 0x100);
	assert_int_equal(plat.iommu_map[1].iommu_phandle, plat.smmu_phandle);
	/* INTx: three interrupt-map entries, SPI numbers as INTIDs. */
	assert_null(plat.intx_problem);
	assert_int_equal(plat.intx_count, 3);
	assert_int_equal(plat.intx_mask_hi, 0x1800);
	assert_int_equal(plat.intx_mask_pin, 7);
	assert_int_equal(plat.intx[1].addr_hi, 0x800);
	assert_int_equal(plat.intx[1].pin, 1);
	assert_int_equal(plat.intx[1].intid, 36);
	assert_false(plat.intx[1].edge);
	assert_int_equal(plat.intx[2].intid, 37);
	assert_true(plat.intx[2].edge);
}

static void test_full_timer_psci_cpus_bootargs(void **state)
{
	(void)state;
	parse_ok("full");
	assert_true(plat.has_timer);
	assert_int_equal(plat.timer_sec_phys, 29);
	assert_int_equal(plat.timer_phys, 30);
	assert_int_equal(plat.timer_virt, 27);
	assert_int_equal(plat.timer_hyp_phys, 26);
	assert_int_equal(plat.timer_hyp_virt, 0);
	assert_int_equal(plat.psci, PSCI_CONDUIT_HVC);
	/* The disabled CPU is left out; two-cell MPIDRs read whole. */
	assert_int_equal(plat.cpu_count, 2);
	assert_int_equal(plat.cpu_mpidr[0], 0x0);
	assert_int_equal(plat.cpu_mpidr[1], 0x100);
	assert_true(platform_has_bootarg(&plat, "poweroff"));
	assert_true(platform_has_bootarg(&plat, "quiet"));
	assert_false(platform_has_bootarg(&plat, "power"));
	assert_false(platform_has_bootarg(&plat, "console"));
}

static void test_minimal(void **state)
{
	(void)state;
	parse_ok("minimal");
	assert_int_equal(plat.ram.count, 1);
	assert_range(&plat.ram.range[0], 0x40000000, 0x48000000);
	assert_false(plat.has_uart);
	assert_false(plat.has_gic);
	assert_false(plat.has_smmu);
	assert_false(plat.has_pcie);
	assert_false(plat.has_timer);
	assert_int_equal(plat.psci, PSCI_CONDUIT_NONE);
	assert_int_equal(plat.cpu_count, 1);
	assert_string_equal(plat.bootargs, "");
}

static void expect_error(const char *name, enum k_error want,
			 const char *what_contains)
{
	const char *what = NULL;
	enum k_error err = platform_from_dtb(load_dtb(name), &plat, &what);
	assert_int_equal(err, want);
	assert_non_null(what);
	if (strstr(what, what_contains) == NULL) {
		fail_msg("%s: message '%s' lacks '%s'", name, what,
			 what_contains);
	}
}

static void test_errors_name_the_problem(void **state)
{
	(void)state;
	expect_error("no-memory", K_ERR_NOT_FOUND, "no memory node");
	expect_error("bad-psci", K_ERR_INVALID_ARGUMENT, "psci: method");
	expect_error("too-many-cpus", K_ERR_NOT_SUPPORTED, "more CPUs");

	static char garbage[64] __attribute__((aligned(8)));
	const char *what = NULL;
	assert_int_equal(platform_from_dtb(garbage, &plat, &what),
			 K_ERR_INVALID_ARGUMENT);
	assert_string_equal(what, "bad DTB header");
}

static void test_free_ram(void **state)
{
	(void)state;
	parse_ok("full");
	struct memmap free;
	struct mem_range image = {pa_init(0x40200000), pa_init(0x40300000)};
	struct mem_range dtb = {pa_init(0x48000000), pa_init(0x48010000)};
	assert_int_equal(platform_free_ram(&plat, image, dtb, &free), K_OK);
	assert_int_equal(free.count, 5);
	assert_range(&free.range[0], 0x40001000, 0x40200000);
	assert_range(&free.range[1], 0x40300000, 0x48000000);
	assert_range(&free.range[2], 0x48010000, 0x50000000);
	assert_range(&free.range[3], 0x50100000, 0x90000000);
	assert_range(&free.range[4], 0x100000000, 0x140000000);
	assert_int_equal(memmap_total(&free), memmap_total(&plat.ram) - 0x1000 -
						  0x100000 - 0x100000 -
						  0x10000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_full_memory),
	    cmocka_unit_test(test_full_devices),
	    cmocka_unit_test(test_full_pcie),
	    cmocka_unit_test(test_full_timer_psci_cpus_bootargs),
	    cmocka_unit_test(test_minimal),
	    cmocka_unit_test(test_errors_name_the_problem),
	    cmocka_unit_test(test_free_ram),
	};
	return cmocka_run_group_tests_name("platform", tests, NULL, NULL);
}
