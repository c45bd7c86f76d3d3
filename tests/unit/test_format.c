#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "format.h"

/* The tests feed malformed and NULL arguments on purpose. */
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-overflow"
#pragma GCC diagnostic ignored "-Wformat-extra-args"

#define CHECK(want, ...)                                                       \
	do {                                                                   \
		char buf_[128];                                                \
		size_t n_ = format_buf(buf_, sizeof(buf_), __VA_ARGS__);       \
		assert_string_equal(buf_, want);                               \
		assert_int_equal(n_, sizeof(want) - 1);                        \
	} while (0)

static void test_conversions(void **state)
{
	(void)state;
	CHECK("plain", "plain");
	CHECK("a=-42 b=42 c=4294967295", "a=%d b=%i c=%u", -42, 42,
	      4294967295U);
	CHECK("0x40200000 DEAD", "0x%lx %X", 0x40200000UL, 0xdeadU);
	CHECK("-9223372036854775808", "%ld", (long)INT64_MIN);
	CHECK("18446744073709551615", "%llu", 18446744073709551615ULL);
	CHECK("size 12", "size %zu", (size_t)12);
	CHECK("c=x s=str null=(null) 100%", "c=%c s=%s null=%s 100%%", 'x',
	      "str", (char *)NULL);
	CHECK("0x0000000000001234", "%p", (void *)0x1234);
}

static void test_width_and_flags(void **state)
{
	(void)state;
	CHECK("[   42]", "[%5d]", 42);
	CHECK("[00042]", "[%05d]", 42);
	CHECK("[-0042]", "[%05d]", -42);
	CHECK("[42   ]", "[%-5d]", 42);
	CHECK("[x2 ]", "[%-3s]", "x2");
	CHECK("0x00ff", "0x%04x", 0xff);
	CHECK("toolong", "%3s", "toolong");
}

static void test_unknown_and_truncation(void **state)
{
	(void)state;
	CHECK("%q", "%q");
	char small[6];
	size_t n = format_buf(small, sizeof(small), "%s", "truncated");
	assert_string_equal(small, "trunc");
	assert_int_equal(n, 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_conversions),
	    cmocka_unit_test(test_width_and_flags),
	    cmocka_unit_test(test_unknown_and_truncation),
	};
	return cmocka_run_group_tests_name("format", tests, NULL, NULL);
}
