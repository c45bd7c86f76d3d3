#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "boot/memmap.h"

static void add(struct memmap *m, uint64_t base, uint64_t size)
{
	assert_int_equal(memmap_add(m, pa_init(base), size), K_OK);
}

static void expect_ranges(const struct memmap *m, const uint64_t *pairs,
			  size_t n)
{
	assert_int_equal(m->count, n);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(pa_addr(m->range[i].base), pairs[2 * i]);
		assert_int_equal(pa_addr(m->range[i].end), pairs[2 * i + 1]);
	}
}

static void test_add_sorts_and_merges(void **state)
{
	struct memmap m;
	(void)state;

	memmap_init(&m);
	add(&m, 0x5000, 0x1000);
	add(&m, 0x1000, 0x1000);
	add(&m, 0x9000, 0x1000);
	expect_ranges(
	    &m, (uint64_t[]){0x1000, 0x2000, 0x5000, 0x6000, 0x9000, 0xa000},
	    3);
	/* Touching on the left, overlapping on the right: all fold. */
	add(&m, 0x2000, 0x3800);
	expect_ranges(&m, (uint64_t[]){0x1000, 0x6000, 0x9000, 0xa000}, 2);
	/* Ending exactly where the next range begins merges too. */
	add(&m, 0x8000, 0x1000);
	expect_ranges(&m, (uint64_t[]){0x1000, 0x6000, 0x8000, 0xa000}, 2);
	add(&m, 0x0, 0x10000);
	expect_ranges(&m, (uint64_t[]){0x0, 0x10000}, 1);
	assert_int_equal(memmap_total(&m), 0x10000);
}

static void test_remove_splits_trims_and_drops(void **state)
{
	struct memmap m;
	(void)state;

	memmap_init(&m);
	add(&m, 0x40000000, 0x40000000);
	assert_int_equal(memmap_remove(&m, pa_init(0x40200000), 0x86000), K_OK);
	expect_ranges(
	    &m, (uint64_t[]){0x40000000, 0x40200000, 0x40286000, 0x80000000},
	    2);
	/* Trim the end of one and drop a whole one. */
	assert_int_equal(memmap_remove(&m, pa_init(0x40100000), 0x186000),
			 K_OK);
	expect_ranges(
	    &m, (uint64_t[]){0x40000000, 0x40100000, 0x40286000, 0x80000000},
	    2);
	assert_int_equal(memmap_remove(&m, pa_init(0x3ff00000), 0x300000),
			 K_OK);
	expect_ranges(&m, (uint64_t[]){0x40286000, 0x80000000}, 1);
	/* Removing what is not there changes nothing. */
	assert_int_equal(memmap_remove(&m, pa_init(0x1000), 0x1000), K_OK);
	assert_int_equal(m.count, 1);
}

static void test_errors_leave_map_unchanged(void **state)
{
	struct memmap m;
	(void)state;

	memmap_init(&m);
	assert_int_equal(memmap_add(&m, pa_init(0x1000), 0),
			 K_ERR_INVALID_ARGUMENT);
	assert_int_equal(memmap_add(&m, pa_init(UINT64_MAX - 10), 100),
			 K_ERR_RANGE);
	for (uint64_t i = 0; i < MEMMAP_MAX_RANGES; i++) {
		add(&m, i * 0x10000, 0x1000);
	}
	assert_int_equal(memmap_add(&m, pa_init(0x1000000), 0x1000),
			 K_ERR_NO_MEMORY);
	/* A hole in a full map needs one more slot: refused, map intact. */
	assert_int_equal(memmap_remove(&m, pa_init(0x400), 0x100),
			 K_ERR_NO_MEMORY);
	assert_int_equal(m.count, MEMMAP_MAX_RANGES);
	assert_int_equal(memmap_total(&m), MEMMAP_MAX_RANGES * 0x1000);
	/* Merging into an existing range needs no slot, so it still works. */
	add(&m, 0x1000, 0x1000);
	assert_int_equal(m.count, MEMMAP_MAX_RANGES);
}

static void test_contains(void **state)
{
	struct memmap m;
	(void)state;

	memmap_init(&m);
	add(&m, 0x1000, 0x2000);
	add(&m, 0x8000, 0x1000);
	assert_true(memmap_contains(&m, pa_init(0x1000), 0x2000));
	assert_true(memmap_contains(&m, pa_init(0x8800), 0x800));
	assert_false(memmap_contains(&m, pa_init(0x2000), 0x2000));
	assert_false(memmap_contains(&m, pa_init(0x0), 0x1000));
	assert_false(memmap_contains(&m, pa_init(0x1000), 0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_add_sorts_and_merges),
	    cmocka_unit_test(test_remove_splits_trims_and_drops),
	    cmocka_unit_test(test_errors_leave_map_unchanged),
	    cmocka_unit_test(test_contains),
	};
	return cmocka_run_group_tests_name("memmap", tests, NULL, NULL);
}
