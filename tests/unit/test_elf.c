/* elf_inspect() on ELF images built in memory. */
#include <elf.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "boot/elf_inspect.h"

struct image {
	Elf64_Ehdr eh;
	Elf64_Phdr ph[2];
	uint8_t payload[64];
};

static struct image make(void)
{
	struct image im;
	memset(&im, 0, sizeof(im));
	memcpy(im.eh.e_ident, ELFMAG, SELFMAG);
	im.eh.e_ident[EI_CLASS] = ELFCLASS64;
	im.eh.e_ident[EI_DATA] = ELFDATA2LSB;
	im.eh.e_type = ET_EXEC;
	im.eh.e_machine = EM_AARCH64;
	im.eh.e_entry = 0x400010;
	im.eh.e_phoff = offsetof(struct image, ph);
	im.eh.e_phentsize = sizeof(Elf64_Phdr);
	im.eh.e_phnum = 2;
	im.ph[0].p_type = PT_LOAD;
	im.ph[0].p_offset = offsetof(struct image, payload);
	im.ph[0].p_vaddr = 0x400000;
	im.ph[0].p_filesz = 64;
	im.ph[0].p_memsz = 64;
	im.ph[1].p_type = PT_LOAD;
	im.ph[1].p_vaddr = 0x800000;
	im.ph[1].p_memsz = 0x2000; /* BSS only */
	return im;
}

static void test_valid_executable(void **state)
{
	(void)state;
	struct image im = make();
	struct elf_info info;
	const char *what;
	assert_int_equal(elf_inspect(&im, sizeof(im), &info, &what), K_OK);
	assert_int_equal(info.entry, 0x400010);
	assert_int_equal(info.load_segments, 2);
	assert_int_equal(info.vaddr_lo, 0x400000);
	assert_int_equal(info.vaddr_hi, 0x802000);
}

static void expect(struct image *im, size_t size, enum k_error err,
		   const char *msg)
{
	struct elf_info info;
	const char *what = NULL;
	assert_int_equal(elf_inspect(im, size, &info, &what), err);
	assert_string_equal(what, msg);
}

static void test_rejections(void **state)
{
	(void)state;
	struct image im;

	im = make();
	im.eh.e_ident[1] = 'X';
	expect(&im, sizeof(im), K_ERR_INVALID_ARGUMENT, "not an ELF file");
	im = make();
	expect(&im, 10, K_ERR_INVALID_ARGUMENT, "not an ELF file");
	im = make();
	im.eh.e_ident[EI_CLASS] = ELFCLASS32;
	expect(&im, sizeof(im), K_ERR_NOT_SUPPORTED, "not ELF64 little-endian");
	im = make();
	im.eh.e_machine = EM_X86_64;
	expect(&im, sizeof(im), K_ERR_NOT_SUPPORTED,
	       "not an AArch64 executable");
	im = make();
	im.eh.e_phnum = 40;
	expect(&im, sizeof(im), K_ERR_RANGE,
	       "program headers run past the file");
	im = make();
	im.ph[0].p_filesz = 4096;
	im.ph[0].p_memsz = 4096;
	expect(&im, sizeof(im), K_ERR_RANGE,
	       "PT_LOAD contents run past the file");
	im = make();
	im.eh.e_entry = 0x500000;
	expect(&im, sizeof(im), K_ERR_INVALID_ARGUMENT,
	       "entry point outside every PT_LOAD segment");
	im = make();
	im.ph[0].p_type = PT_NOTE;
	im.ph[1].p_type = PT_NOTE;
	expect(&im, sizeof(im), K_ERR_INVALID_ARGUMENT, "no PT_LOAD segment");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_valid_executable),
	    cmocka_unit_test(test_rejections),
	};
	return cmocka_run_group_tests_name("elf", tests, NULL, NULL);
}
