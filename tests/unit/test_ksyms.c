#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ksyms.h"

struct blob {
	char magic[8];
	uint32_t count, strtab_size;
	struct {
		uint64_t addr;
		uint32_t name, reserved;
	} sym[3];
	char strtab[32];
};

static struct blob make(void)
{
	struct blob b = {.count = 3, .strtab_size = 20};
	memcpy(b.magic, "CAIRNSYM", 8);
	memcpy(b.strtab, "_start\0main\0panic\0\0", 19);
	b.sym[0].addr = 0x1000;
	b.sym[0].name = 0;
	b.sym[1].addr = 0x1100;
	b.sym[1].name = 7;
	b.sym[2].addr = 0x1400;
	b.sym[2].name = 12;
	return b;
}

static void test_lookup(void **state)
{
	(void)state;
	static struct blob b;
	b = make();
	const char *name;
	uint64_t off;

	assert_int_equal(ksyms_init(&b, sizeof(b), 0x1000, 0x2000), K_OK);
	assert_int_equal(ksyms_count(), 3);
	assert_true(ksyms_lookup(0x1000, &name, &off));
	assert_string_equal(name, "_start");
	assert_int_equal(off, 0);
	assert_true(ksyms_lookup(0x13fc, &name, &off));
	assert_string_equal(name, "main");
	assert_int_equal(off, 0x2fc);
	assert_true(ksyms_lookup(0x1abc, &name, &off));
	assert_string_equal(name, "panic");
	assert_false(ksyms_lookup(0x2000, &name, &off)); /* past text */
	assert_false(ksyms_lookup(0xfff, &name, &off));
}

static void test_rejects_corrupt_tables(void **state)
{
	(void)state;
	static struct blob b;

	b = make();
	b.magic[0] = 'X';
	assert_int_equal(ksyms_init(&b, sizeof(b), 0, ~0UL),
			 K_ERR_INVALID_ARGUMENT);
	assert_int_equal(ksyms_count(), 0);

	b = make();
	b.sym[2].addr = 0x1050; /* unsorted */
	assert_int_equal(ksyms_init(&b, sizeof(b), 0, ~0UL),
			 K_ERR_INVALID_ARGUMENT);

	b = make();
	b.sym[1].name = 400; /* name outside the string table */
	assert_int_equal(ksyms_init(&b, sizeof(b), 0, ~0UL),
			 K_ERR_INVALID_ARGUMENT);

	b = make();
	b.count = 1000; /* runs past the blob */
	assert_int_equal(ksyms_init(&b, sizeof(b), 0, ~0UL), K_ERR_RANGE);

	const char *name;
	uint64_t off;
	assert_false(ksyms_lookup(0x1000, &name, &off));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lookup),
	    cmocka_unit_test(test_rejects_corrupt_tables),
	};
	return cmocka_run_group_tests_name("ksyms", tests, NULL, NULL);
}
