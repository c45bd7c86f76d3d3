/* PCI enumeration, BAR sizing and placement, interrupt pins and iommu-map
 * StreamIDs
 * (libs/pci/pci.c) over a fake root bus whose BARs answer sizing as
 * hardware does. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "pci.h"

/* A fake bus: per devfn, 64 dwords of config space and the size of each
 * BAR register (0: unimplemented); a BAR register keeps only the address
 * bits its size leaves, plus its read-only type bits. */
struct fake_fn {
	uint32_t reg[64];
	uint64_t bar_size[PCI_BARS];
	uint32_t bar_type[PCI_BARS];
};
static struct fake_fn bus[PCI_DEVFNS];
static unsigned writes;

static uint32_t fake_read(void *ctx, unsigned devfn, unsigned off)
{
	(void)ctx;
	assert_true(devfn < PCI_DEVFNS && off < 256 && off % 4 == 0);
	return bus[devfn].reg[off / 4];
}

static void fake_write(void *ctx, unsigned devfn, unsigned off, uint32_t v)
{
	(void)ctx;
	struct fake_fn *f = &bus[devfn];
	unsigned r = off / 4;

	writes++;
	if (off >= PCI_BAR0 && off < PCI_BAR0 + 4 * PCI_BARS) {
		unsigned i = (off - PCI_BAR0) / 4;
		/* The upper half of a 64-bit BAR holds the size's high bits. */
		int upper = i > 0 && (f->bar_type[i - 1] & 0x6) == PCI_BAR_64;
		uint64_t size = upper ? f->bar_size[i - 1] : f->bar_size[i];
		uint64_t mask = ~(size - 1);
		if (size == 0) {
			f->reg[r] = 0;
		} else if (upper) {
			f->reg[r] = v & (uint32_t)(mask >> 32);
		} else {
			f->reg[r] =
			    (v & (uint32_t)mask & ~0xfU) | f->bar_type[i];
		}
		return;
	}
	f->reg[r] = v;
}

static const struct pci_cfg cfg = {fake_read, fake_write, NULL};

static void add(unsigned devfn, uint16_t vendor, uint16_t device, int multi)
{
	bus[devfn].reg[0] = (uint32_t)device << 16 | vendor;
	bus[devfn].reg[PCI_HEADER / 4] = multi ? 0x800000U : 0;
}

static void add_bar(unsigned devfn, unsigned i, uint64_t size, uint32_t type)
{
	bus[devfn].bar_size[i] = size;
	bus[devfn].bar_type[i] = type;
	bus[devfn].reg[PCI_BAR0 / 4 + i] = type;
}

static int setup(void **state)
{
	(void)state;
	for (unsigned i = 0; i < PCI_DEVFNS; i++) {
		memset(&bus[i], 0, sizeof(bus[i]));
		bus[i].reg[0] = 0xffffffffU; /* absent */
	}
	writes = 0;
	return 0;
}

static void test_scan_finds_functions_in_order(void **state)
{
	(void)state;
	struct pci_function f[8];

	add(PCI_DEVFN(0, 0), 0x1b36, 0x0008, 0); /* QEMU's host bridge */
	add(PCI_DEVFN(2, 0), 0x1234, 0x11e8, 0);
	add(PCI_DEVFN(2, 3), 0x1234, 0x9999, 0); /* not multi: unseen */
	add(PCI_DEVFN(4, 0), 0x8086, 0x1000, 1);
	add(PCI_DEVFN(4, 2), 0x8086, 0x1001, 0);
	add(PCI_DEVFN(31, 0), 0x1234, 0x11e8, 0);
	assert_int_equal(pci_scan(&cfg, f, 8), 5);
	assert_int_equal(f[0].devfn, 0);
	assert_int_equal(f[1].devfn, PCI_DEVFN(2, 0));
	assert_int_equal(f[1].vendor, 0x1234);
	assert_int_equal(f[1].device, 0x11e8);
	assert_int_equal(f[2].devfn, PCI_DEVFN(4, 0));
	assert_int_equal(f[3].devfn, PCI_DEVFN(4, 2));
	assert_int_equal(f[4].devfn, PCI_DEVFN(31, 0));
	assert_int_equal(writes, 0); /* scanning writes nothing */
}

static void test_scan_counts_past_max(void **state)
{
	(void)state;
	struct pci_function f[2];

	for (unsigned d = 0; d < 5; d++) {
		add(PCI_DEVFN(d, 0), 0x1234, (uint16_t)d, 0);
	}
	assert_int_equal(pci_scan(&cfg, f, 2), 5);
	assert_int_equal(f[1].device, 1);
	assert_int_equal(pci_scan(&cfg, f, 0), 5);
}

static void test_scan_empty_bus(void **state)
{
	(void)state;
	struct pci_function f[1];

	assert_int_equal(pci_scan(&cfg, f, 1), 0);
}

static void test_sid_through_the_map(void **state)
{
	(void)state;
	/* QEMU virt: one entry, identity over bus 0..255. Here also an
	 * offset entry and one for another IOMMU, which is skipped. */
	const struct pci_map_entry map[] = {
	    {0x000, 0x000, 0x100, 0}, /* another IOMMU's: skipped */
	    {0x000, 0x400, 0x010, 1},
	    {0x010, 0x010, 0x0f0, 1},
	};
	assert_int_equal(pci_sid_of(map, 3, 0x008), 0x408);
	assert_int_equal(pci_sid_of(map, 3, 0x00f), 0x40f);
	assert_int_equal(pci_sid_of(map, 3, 0x010), 0x010);
	assert_int_equal(pci_sid_of(map, 3, 0x0ff), 0x0ff);
	assert_int_equal(pci_sid_of(map, 3, 0x100), PCI_NO_SID);
	assert_int_equal(pci_sid_of(map, 1, 0x008), PCI_NO_SID);
	assert_int_equal(pci_sid_of(map, 0, 0x008), PCI_NO_SID);
}

static void test_bar_probe_sizes_and_restores(void **state)
{
	(void)state;
	struct pci_bar b[PCI_BARS];
	unsigned fn = PCI_DEVFN(2, 0);

	add(fn, 0x1234, 0x11e8, 0);
	add_bar(fn, 0, 1 << 20, 0);	   /* 32-bit, 1 MiB */
	add_bar(fn, 1, 0x100, PCI_BAR_IO); /* I/O: skipped */
	add_bar(fn, 2, 1UL << 33, PCI_BAR_64 | PCI_BAR_PREFETCH); /* 8 GiB */
	add_bar(fn, 5, 0x1000, 0);
	bus[fn].reg[PCI_COMMAND / 4] = PCI_CMD_MEMORY;
	uint32_t before[64];
	memcpy(before, bus[fn].reg, sizeof(before));
	assert_int_equal(pci_bar_probe(&cfg, fn, b), 3);
	assert_int_equal(b[0].index, 0);
	assert_int_equal(b[0].size, 1 << 20);
	assert_false(b[0].is64);
	assert_int_equal(b[1].index, 2);
	assert_true(b[1].is64 && b[1].prefetch);
	assert_int_equal(b[1].size, 1UL << 33);
	assert_int_equal(b[2].index, 5);
	assert_int_equal(b[2].size, 0x1000);
	/* Every register as it was, decoding included. */
	assert_memory_equal(before, bus[fn].reg, sizeof(before));
}

static void test_bar_probe_refuses_odd_size(void **state)
{
	(void)state;
	struct pci_bar b[PCI_BARS];
	unsigned fn = PCI_DEVFN(3, 0);

	add(fn, 0x1234, 1, 0);
	add_bar(fn, 0, 0x3000, 0); /* reads back as no power of two */
	assert_int_equal(pci_bar_probe(&cfg, fn, b), -1);
}

static void test_bar_assign_aligned_largest_first(void **state)
{
	(void)state;
	struct pci_bar b[3] = {{.index = 0, .size = 0x1000},
			       {.index = 1, .size = 1 << 20},
			       {.index = 2, .size = 0x4000}};

	assert_int_equal(pci_bar_assign(b, 3, 2 << 20, 2 << 20), 0);
	assert_int_equal(b[1].offset, 0);
	assert_int_equal(b[2].offset, 1 << 20);
	assert_int_equal(b[0].offset, (1 << 20) + 0x4000);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(b[i].offset % b[i].size, 0);
	}
}

static void test_bar_assign_refuses_what_does_not_fit(void **state)
{
	(void)state;
	struct pci_bar two[2] = {{.size = 1 << 20}, {.size = 2 << 20}};
	struct pci_bar big[1] = {{.size = 4 << 20}};

	assert_int_equal(pci_bar_assign(two, 2, 2 << 20, 2 << 20), -1);
	assert_int_equal(pci_bar_assign(big, 1, 8 << 20, 2 << 20), -1);
	assert_int_equal(pci_bar_assign(two, 2, 4 << 20, 4 << 20), 0);
	assert_int_equal(pci_bar_assign(two, 0, 0, 0), 0);
}

static void test_bar_program_writes_and_enables(void **state)
{
	(void)state;
	struct pci_bar b[PCI_BARS];
	unsigned fn = PCI_DEVFN(2, 0);

	add(fn, 0x1234, 0x11e8, 0);
	add_bar(fn, 0, 1 << 20, 0);
	add_bar(fn, 2, 0x4000, PCI_BAR_64);
	assert_int_equal(pci_bar_probe(&cfg, fn, b), 2);
	assert_int_equal(pci_bar_assign(b, 2, 2 << 20, 2 << 20), 0);
	pci_bar_program(&cfg, fn, b, 2, 0x110000000UL);
	assert_int_equal(bus[fn].reg[PCI_BAR0 / 4], 0x10000000U);
	assert_int_equal(bus[fn].reg[PCI_BAR0 / 4 + 2],
			 0x10100000U | PCI_BAR_64);
	assert_int_equal(bus[fn].reg[PCI_BAR0 / 4 + 3], 1);
	assert_int_equal(bus[fn].reg[PCI_COMMAND / 4],
			 PCI_CMD_MEMORY | PCI_CMD_MASTER);
}

static void test_interrupt_pin(void **state)
{
	(void)state;
	unsigned fn = PCI_DEVFN(3, 0);

	add(fn, 0x1234, 0x11e8, 0);
	assert_int_equal(pci_interrupt_pin(&cfg, fn), 0); /* none */
	bus[fn].reg[PCI_INTERRUPT / 4] = 0x01ff; /* INTA, line unknown */
	assert_int_equal(pci_interrupt_pin(&cfg, fn), 1);
	bus[fn].reg[PCI_INTERRUPT / 4] = 0x0400;
	assert_int_equal(pci_interrupt_pin(&cfg, fn), 4);
	bus[fn].reg[PCI_INTERRUPT / 4] = 0x0500; /* no such pin */
	assert_int_equal(pci_interrupt_pin(&cfg, fn), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_scan_finds_functions_in_order, setup),
	    cmocka_unit_test_setup(test_scan_counts_past_max, setup),
	    cmocka_unit_test_setup(test_scan_empty_bus, setup),
	    cmocka_unit_test_setup(test_sid_through_the_map, setup),
	    cmocka_unit_test_setup(test_bar_probe_sizes_and_restores, setup),
	    cmocka_unit_test_setup(test_bar_probe_refuses_odd_size, setup),
	    cmocka_unit_test_setup(test_bar_assign_aligned_largest_first,
				   setup),
	    cmocka_unit_test_setup(test_bar_assign_refuses_what_does_not_fit,
				   setup),
	    cmocka_unit_test_setup(test_bar_program_writes_and_enables, setup),
	    cmocka_unit_test_setup(test_interrupt_pin, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
