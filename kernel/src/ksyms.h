/*
 * Kernel symbols for panic backtraces. tools/mkimage writes them from the
 * kernel ELF into the boot module "kernel.syms" (tools/lib/cairn/mkimage.py
 * mirrors this layout; change both together): a struct ksyms_header, count
 * struct ksym sorted by addr, then strtab_size bytes of NUL-terminated names.
 */
#pragma once

#include "errors.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KSYMS_MAGIC "CAIRNSYM"

struct ksyms_header {
	char magic[8];
	uint32_t count;
	uint32_t strtab_size;
};

struct ksym {
	uint64_t addr;
	uint32_t name_offset; /* into the string table */
	uint32_t reserved;
};

/* Validates the table; addresses outside [text_start, text_end) never match. */
enum k_error ksyms_init(const void *data, size_t size, uint64_t text_start,
			uint64_t text_end);

/* The symbol at or below addr, and addr's offset from it. */
bool ksyms_lookup(uint64_t addr, const char **name, uint64_t *offset);

size_t ksyms_count(void);
