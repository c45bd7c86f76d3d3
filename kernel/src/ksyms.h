/*
 * Kernel symbols for panic backtraces. tools/mkimage writes them from the
 * kernel ELF into the boot module "kernel.syms":
 *   header { char magic[8] = "CAIRNSYM"; u32 count; u32 strtab_size; }
 *   count x { u64 addr; u32 name_offset; u32 reserved; }, sorted by addr
 *   strtab_size bytes of NUL-terminated names
 */
#pragma once

#include "errors.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Validates the table; addresses outside [text_start, text_end) never match. */
enum k_error ksyms_init(const void *data, size_t size, uint64_t text_start,
			uint64_t text_end);

/* The symbol at or below addr, and addr's offset from it. */
bool ksyms_lookup(uint64_t addr, const char **name, uint64_t *offset);

size_t ksyms_count(void);
