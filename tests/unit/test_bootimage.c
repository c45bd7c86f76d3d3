#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "boot/bootimage.h"

#define TABLE_OFF 0x1000
#define IMAGE	  0x4000

static uint8_t image[IMAGE] __attribute__((aligned(8)));

static struct bootimage_entry *build(uint32_t count)
{
	memset(image, 0, sizeof(image));
	struct bootimage_table *t = (void *)(image + TABLE_OFF);
	memcpy(t->magic, BOOTIMAGE_MAGIC, 8);
	t->version = BOOTIMAGE_VERSION;
	t->count = count;
	return (struct bootimage_entry *)(t + 1);
}

static void test_parse_and_find(void **state)
{
	(void)state;
	struct bootimage_entry *e = build(2);
	strcpy(e[0].name, "root");
	e[0].offset = 0x2000;
	e[0].size = 0x10;
	memcpy(image + 0x2000, "ROOTDATA", 8);
	strcpy(e[1].name, "kernel.syms");
	e[1].offset = 0x3000;
	e[1].size = 0x1000;

	struct boot_modules mods;
	const char *what;
	assert_int_equal(bootimage_parse(image, IMAGE, TABLE_OFF, &mods, &what),
			 K_OK);
	assert_int_equal(mods.count, 2);
	const struct boot_module *root = bootimage_find(&mods, "root");
	assert_non_null(root);
	assert_memory_equal(root->data, "ROOTDATA", 8);
	assert_int_equal(root->size, 0x10);
	assert_null(bootimage_find(&mods, "absent"));
}

static void expect_fail(uint64_t size, enum k_error want, const char *msg)
{
	struct boot_modules mods;
	const char *what;
	assert_int_equal(bootimage_parse(image, size, TABLE_OFF, &mods, &what),
			 want);
	assert_string_equal(what, msg);
	assert_int_equal(mods.count, 0);
}

static void test_rejects_bad_tables(void **state)
{
	(void)state;
	struct bootimage_entry *e = build(1);
	strcpy(e[0].name, "root");
	e[0].offset = 0x2000;
	e[0].size = 0x3000; /* past the end */
	expect_fail(IMAGE, K_ERR_RANGE, "module lies outside the image");

	e[0].size = 0x10;
	e[0].offset = TABLE_OFF; /* overlaps the table */
	expect_fail(IMAGE, K_ERR_RANGE, "module lies outside the image");

	e[0].offset = 0x2000;
	memset(e[0].name, 'x', sizeof(e[0].name));
	expect_fail(IMAGE, K_ERR_INVALID_ARGUMENT,
		    "module name empty or unterminated");

	build(BOOTIMAGE_MAX_MODULES + 1);
	expect_fail(IMAGE, K_ERR_RANGE,
		    "more modules than BOOTIMAGE_MAX_MODULES");

	build(0);
	image[TABLE_OFF] = 'X';
	expect_fail(IMAGE, K_ERR_NOT_FOUND, "no module table after the kernel");
	expect_fail(TABLE_OFF + 4, K_ERR_NOT_FOUND,
		    "no module table after the kernel");

	build(0);
	((struct bootimage_table *)(image + TABLE_OFF))->version = 99;
	expect_fail(IMAGE, K_ERR_NOT_SUPPORTED,
		    "module table version mismatch");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_and_find),
	    cmocka_unit_test(test_rejects_bad_tables),
	};
	return cmocka_run_group_tests_name("bootimage", tests, NULL, NULL);
}
