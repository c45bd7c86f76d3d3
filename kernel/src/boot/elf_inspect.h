/*
 * Inspection of the ELF64 AArch64 executables packed as boot modules. Only
 * reads and checks; loading arrives with the capability core.
 */
#pragma once

#include "errors.h"

#include <stddef.h>
#include <stdint.h>

struct elf_info {
	uint64_t entry;
	size_t load_segments;
	uint64_t vaddr_lo; /* lowest PT_LOAD address */
	uint64_t vaddr_hi; /* end of the highest PT_LOAD (memsz) */
};

/*
 * Checks that data holds an ELF64 little-endian AArch64 executable whose
 * program headers and PT_LOAD file contents lie inside size bytes and whose
 * entry point falls in a loadable segment.
 */
enum k_error elf_inspect(const void *data, size_t size, struct elf_info *info,
			 const char **what);

#define ELF_PF_X 1
#define ELF_PF_W 2
#define ELF_PF_R 4

struct elf_segment {
	uint64_t vaddr;
	uint64_t paddr; /* load address: where the file bytes go */
	uint64_t memsz;
	uint64_t filesz;
	uint64_t offset;
	uint32_t flags; /* ELF_PF_* */
};

/*
 * The PT_LOAD segments of an image elf_inspect() accepted, at most max of
 * them; returns how many there are.
 */
size_t elf_load_segments(const void *data, struct elf_segment *out, size_t max);
