/* The console's output ring (servers/console/ring.h): whole lines in, the
 * same bytes out across the wrap, full rings refuse, bad indices are
 * caught by the console's side. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ring.h"

#define BYTES 64 /* a small ring: 48 bytes of data, 47 usable */

static union {
	struct console_ring r;
	char bytes[BYTES];
} u;

static int setup(void **state)
{
	(void)state;
	memset(&u, 0, sizeof(u));
	return 0;
}

static void capacity_leaves_one_byte_free(void **state)
{
	(void)state;
	assert_int_equal(ring_capacity(BYTES), BYTES - 16);
	char fill[64];
	memset(fill, 'x', sizeof(fill));
	assert_false(ring_put(&u.r, BYTES, fill, 48));
	assert_true(ring_put(&u.r, BYTES, fill, 47));
	assert_int_equal(ring_pending(&u.r, BYTES), 47);
	assert_false(ring_put(&u.r, BYTES, fill, 1));
}

static void bytes_come_out_in_order_across_the_wrap(void **state)
{
	(void)state;
	char out[64];
	char text[] = "0123456789abcdefghijklmnopqrstuvwxyz";

	for (int round = 0; round < 10; round++) {
		assert_true(ring_put(&u.r, BYTES, text, 30));
		assert_int_equal(ring_take(&u.r, BYTES, out, 20), 20);
		assert_memory_equal(out, text, 20);
		assert_int_equal(ring_take(&u.r, BYTES, out, sizeof(out)), 10);
		assert_memory_equal(out, text + 20, 10);
		assert_int_equal(ring_pending(&u.r, BYTES), 0);
	}
	assert_true(u.r.head < ring_capacity(BYTES));
}

static void a_line_that_does_not_fit_is_not_cut(void **state)
{
	(void)state;
	char out[64];

	assert_true(ring_put(&u.r, BYTES, "first line\n", 11));
	assert_true(ring_put(&u.r, BYTES, "second line, longer\n", 20));
	/* 31 used, 16 free: a 20-byte line is refused whole. */
	assert_false(ring_put(&u.r, BYTES, "third line, too long\n", 21));
	ring_count_drop(&u.r, 21);
	assert_int_equal(u.r.dropped, 21);
	assert_int_equal(ring_take(&u.r, BYTES, out, sizeof(out)), 31);
	assert_memory_equal(out, "first line\nsecond line, longer\n", 31);
}

static void out_of_range_indices_are_refused(void **state)
{
	(void)state;
	char out[8];

	u.r.head = 1000; /* a client scribbled on its ring */
	assert_int_equal(ring_pending(&u.r, BYTES), -1);
	assert_int_equal(ring_take(&u.r, BYTES, out, sizeof(out)), -1);
	assert_int_equal(u.r.tail, 0);
	u.r.head = 0;
	u.r.tail = 48;
	assert_int_equal(ring_take(&u.r, BYTES, out, sizeof(out)), -1);
	assert_false(ring_put(&u.r, BYTES, "x", 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(capacity_leaves_one_byte_free, setup),
	    cmocka_unit_test_setup(bytes_come_out_in_order_across_the_wrap,
				   setup),
	    cmocka_unit_test_setup(a_line_that_does_not_fit_is_not_cut, setup),
	    cmocka_unit_test_setup(out_of_range_indices_are_refused, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
