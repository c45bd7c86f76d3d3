/* The VMM's MMIO dispatch: ranges, unhandled and refused accesses, value
 * masking. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "mmio.h"

/* A device that records what it saw and answers reads with its offset
 * filled into every byte; it refuses 8-byte accesses. */
struct probe {
	unsigned calls;
	uint64_t offset;
	struct mmio_access seen;
};

static bool probe_mmio(void *opaque, uint64_t offset, struct mmio_access *a)
{
	struct probe *p = opaque;

	p->calls++;
	p->offset = offset;
	p->seen = *a;
	if (a->size == 8) {
		return false;
	}
	if (!a->write) {
		a->value = 0x0101010101010101ull * (offset & 0xff);
	}
	return true;
}

static struct mmio_bus bus;
static struct probe dev_a, dev_b;

static int setup(void **state)
{
	(void)state;
	mmio_bus_init(&bus);
	dev_a = (struct probe){0};
	dev_b = (struct probe){0};
	assert_int_equal(mmio_bus_add(&bus, 0x1000, 0x1000, probe_mmio, &dev_a),
			 0);
	assert_int_equal(mmio_bus_add(&bus, 0x3000, 0x100, probe_mmio, &dev_b),
			 0);
	return 0;
}

static struct mmio_access rd(uint64_t ipa, uint8_t size)
{
	return (struct mmio_access){.ipa = ipa, .size = size, .value = ~0ull};
}

static struct mmio_access wr(uint64_t ipa, uint8_t size, uint64_t value)
{
	return (struct mmio_access){
	    .ipa = ipa, .size = size, .write = true, .value = value};
}

static void test_dispatch_goes_to_the_range_with_its_offset(void **state)
{
	(void)state;
	struct mmio_access a = rd(0x1010, 4);
	assert_int_equal(mmio_dispatch(&bus, &a), MMIO_HANDLED);
	assert_int_equal(dev_a.calls, 1);
	assert_int_equal(dev_a.offset, 0x10);
	assert_int_equal(dev_b.calls, 0);
	assert_int_equal(a.value, 0x10101010); /* cut to 4 bytes */

	a = rd(0x30ff, 1);
	assert_int_equal(mmio_dispatch(&bus, &a), MMIO_HANDLED);
	assert_int_equal(dev_b.offset, 0xff);
	assert_int_equal(a.value, 0xff);
	assert_int_equal(bus.unhandled, 0);
}

static void test_read_value_starts_at_zero(void **state)
{
	(void)state;
	struct mmio_access a = rd(0x1000, 2);
	assert_int_equal(mmio_dispatch(&bus, &a), MMIO_HANDLED);
	/* The device saw 0, not the caller's stale ~0. */
	assert_int_equal(dev_a.seen.value, 0);
	assert_int_equal(a.value, 0);
}

static void test_write_value_is_cut_to_its_size(void **state)
{
	(void)state;
	struct mmio_access a = wr(0x1004, 2, 0xdeadbeefcafef00dull);
	assert_int_equal(mmio_dispatch(&bus, &a), MMIO_HANDLED);
	assert_true(dev_a.seen.write);
	assert_int_equal(dev_a.seen.size, 2);
	assert_int_equal(dev_a.seen.value, 0xf00d);
}

static void test_unhandled_ranges(void **state)
{
	(void)state;
	uint64_t holes[] = {0, 0xfff, 0x2000, 0x2fff, 0x3100, ~0ull - 7};
	for (unsigned i = 0; i < sizeof(holes) / sizeof(holes[0]); i++) {
		struct mmio_access a = rd(holes[i], 4);
		assert_int_equal(mmio_dispatch(&bus, &a), MMIO_UNHANDLED);
	}
	assert_int_equal(bus.unhandled, 6);
	assert_int_equal(dev_a.calls + dev_b.calls, 0);
}

static void test_access_over_the_end_is_unhandled(void **state)
{
	(void)state;
	struct mmio_access a = rd(0x1ffe, 4); /* 2 bytes in, 2 beyond */
	assert_int_equal(mmio_dispatch(&bus, &a), MMIO_UNHANDLED);
	assert_int_equal(dev_a.calls, 0);
	a = rd(0x1ffc, 4); /* the last word is fine */
	assert_int_equal(mmio_dispatch(&bus, &a), MMIO_HANDLED);
}

static void test_bad_size_is_unhandled(void **state)
{
	(void)state;
	struct mmio_access a = rd(0x1000, 0);
	assert_int_equal(mmio_dispatch(&bus, &a), MMIO_UNHANDLED);
	a = rd(0x1000, 16);
	assert_int_equal(mmio_dispatch(&bus, &a), MMIO_UNHANDLED);
	assert_int_equal(dev_a.calls, 0);
}

static void test_device_refusal_is_reported_and_counted(void **state)
{
	(void)state;
	struct mmio_access a = rd(0x1008, 8);
	assert_int_equal(mmio_dispatch(&bus, &a), MMIO_REFUSED);
	assert_int_equal(dev_a.calls, 1);
	assert_int_equal(bus.unhandled, 1);
}

static int nop_setup(void **state)
{
	(void)state;
	mmio_bus_init(&bus);
	return 0;
}

static void test_add_refuses_overlaps_wraps_and_overflow(void **state)
{
	(void)state;
	struct probe p = {0};
	assert_int_equal(mmio_bus_add(&bus, 0x1000, 0x1000, probe_mmio, &p), 0);
	/* Overlapping at either end, inside, around. */
	assert_int_equal(mmio_bus_add(&bus, 0x800, 0x801, probe_mmio, &p), -1);
	assert_int_equal(mmio_bus_add(&bus, 0x1fff, 1, probe_mmio, &p), -1);
	assert_int_equal(mmio_bus_add(&bus, 0x1100, 0x10, probe_mmio, &p), -1);
	assert_int_equal(mmio_bus_add(&bus, 0, 0x10000, probe_mmio, &p), -1);
	/* Touching is fine. */
	assert_int_equal(mmio_bus_add(&bus, 0x800, 0x800, probe_mmio, &p), 0);
	assert_int_equal(mmio_bus_add(&bus, 0x2000, 0x10, probe_mmio, &p), 0);
	/* Empty, wrapping, ending at 2^64, no handler. */
	assert_int_equal(mmio_bus_add(&bus, 0x9000, 0, probe_mmio, &p), -1);
	assert_int_equal(mmio_bus_add(&bus, ~0ull - 0xf, 0x20, probe_mmio, &p),
			 -1);
	assert_int_equal(mmio_bus_add(&bus, ~0ull - 0xf, 0x10, probe_mmio, &p),
			 -1);
	assert_int_equal(mmio_bus_add(&bus, 0x9000, 0x10, NULL, &p), -1);
	assert_int_equal(bus.count, 3);
	/* Full. */
	for (unsigned i = bus.count; i < MMIO_MAX_RANGES; i++) {
		assert_int_equal(mmio_bus_add(&bus, 0x100000 * (i + 1), 0x10,
					      probe_mmio, &p),
				 0);
	}
	assert_int_equal(mmio_bus_add(&bus, 0x7000000, 0x10, probe_mmio, &p),
			 -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(
		test_dispatch_goes_to_the_range_with_its_offset, setup),
	    cmocka_unit_test_setup(test_read_value_starts_at_zero, setup),
	    cmocka_unit_test_setup(test_write_value_is_cut_to_its_size, setup),
	    cmocka_unit_test_setup(test_unhandled_ranges, setup),
	    cmocka_unit_test_setup(test_access_over_the_end_is_unhandled,
				   setup),
	    cmocka_unit_test_setup(test_bad_size_is_unhandled, setup),
	    cmocka_unit_test_setup(test_device_refusal_is_reported_and_counted,
				   setup),
	    cmocka_unit_test_setup(test_add_refuses_overlaps_wraps_and_overflow,
				   nop_setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
