/*
 * Boot modules packed into cairn.img by tools/mkimage (which mirrors this
 * layout; change both together). The table sits at the first 4 KiB boundary
 * after the kernel's BSS; offsets are from the start of the image.
 */
#pragma once

#include "errors.h"

#include <stddef.h>
#include <stdint.h>

#define BOOTIMAGE_MAGIC	      "CAIRNIMG"
#define BOOTIMAGE_VERSION     1
#define BOOTIMAGE_MAX_MODULES 24
#define BOOTIMAGE_NAME_LEN    32

struct bootimage_table {
	char magic[8];
	uint32_t version;
	uint32_t count;
	/* followed by count struct bootimage_entry */
};

struct bootimage_entry {
	char name[BOOTIMAGE_NAME_LEN]; /* NUL-terminated */
	uint64_t offset;
	uint64_t size;
};

struct boot_module {
	const char *name;
	const void *data;
	uint64_t offset;
	uint64_t size;
};

struct boot_modules {
	size_t count;
	struct boot_module module[BOOTIMAGE_MAX_MODULES];
};

/*
 * Reads the table at image + table_offset in an image of image_size bytes.
 * Every module must lie inside the image, after the table. On failure *what
 * says which check failed.
 */
enum k_error bootimage_parse(const void *image, uint64_t image_size,
			     uint64_t table_offset, struct boot_modules *out,
			     const char **what);

const struct boot_module *bootimage_find(const struct boot_modules *mods,
					 const char *name);
