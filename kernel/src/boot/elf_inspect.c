#include "boot/elf_inspect.h"

#include <stdbool.h>
#include <string.h>

#define EI_NIDENT   16
#define ELFCLASS64  2
#define ELFDATA2LSB 1
#define ET_EXEC	    2
#define EM_AARCH64  183
#define PT_LOAD	    1

struct elf64_ehdr {
	uint8_t ident[EI_NIDENT];
	uint16_t type;
	uint16_t machine;
	uint32_t version;
	uint64_t entry;
	uint64_t phoff;
	uint64_t shoff;
	uint32_t flags;
	uint16_t ehsize;
	uint16_t phentsize;
	uint16_t phnum;
	uint16_t shentsize;
	uint16_t shnum;
	uint16_t shstrndx;
};

struct elf64_phdr {
	uint32_t type;
	uint32_t flags;
	uint64_t offset;
	uint64_t vaddr;
	uint64_t paddr;
	uint64_t filesz;
	uint64_t memsz;
	uint64_t align;
};

#define FAIL(err, msg)                                                         \
	do {                                                                   \
		*what = (msg);                                                 \
		return (err);                                                  \
	} while (0)

static enum k_error check_header(const struct elf64_ehdr *h, size_t size,
				 const char **what)
{
	if (size < sizeof(*h) || memcmp(h->ident, "\177ELF", 4) != 0) {
		FAIL(K_ERR_INVALID_ARGUMENT, "not an ELF file");
	}
	if (h->ident[4] != ELFCLASS64 || h->ident[5] != ELFDATA2LSB) {
		FAIL(K_ERR_NOT_SUPPORTED, "not ELF64 little-endian");
	}
	if (h->type != ET_EXEC || h->machine != EM_AARCH64) {
		FAIL(K_ERR_NOT_SUPPORTED, "not an AArch64 executable");
	}
	if (h->phentsize != sizeof(struct elf64_phdr) || h->phnum == 0) {
		FAIL(K_ERR_INVALID_ARGUMENT, "no usable program headers");
	}
	if (h->phoff > size ||
	    (size - h->phoff) / sizeof(struct elf64_phdr) < h->phnum) {
		FAIL(K_ERR_RANGE, "program headers run past the file");
	}
	return K_OK;
}

enum k_error elf_inspect(const void *data, size_t size, struct elf_info *info,
			 const char **what)
{
	const struct elf64_ehdr *h = data;
	enum k_error err = check_header(h, size, what);
	bool entry_ok = false;

	if (err != K_OK) {
		return err;
	}
	*info = (struct elf_info){.entry = h->entry, .vaddr_lo = UINT64_MAX};
	const struct elf64_phdr *ph =
	    (const void *)((const uint8_t *)data + h->phoff);
	for (uint16_t i = 0; i < h->phnum; i++) {
		const struct elf64_phdr *p = &ph[i];

		if (p->type != PT_LOAD) {
			continue;
		}
		if (p->filesz > p->memsz || p->offset > size ||
		    p->filesz > size - p->offset) {
			FAIL(K_ERR_RANGE, "PT_LOAD contents run past the file");
		}
		if (p->vaddr + p->memsz < p->vaddr) {
			FAIL(K_ERR_RANGE, "PT_LOAD wraps the address space");
		}
		info->load_segments++;
		if (p->vaddr < info->vaddr_lo) {
			info->vaddr_lo = p->vaddr;
		}
		if (p->vaddr + p->memsz > info->vaddr_hi) {
			info->vaddr_hi = p->vaddr + p->memsz;
		}
		if (h->entry >= p->vaddr && h->entry < p->vaddr + p->memsz) {
			entry_ok = true;
		}
	}
	if (info->load_segments == 0) {
		FAIL(K_ERR_INVALID_ARGUMENT, "no PT_LOAD segment");
	}
	if (!entry_ok) {
		FAIL(K_ERR_INVALID_ARGUMENT, "entry point outside every "
					     "PT_LOAD segment");
	}
	return K_OK;
}

size_t elf_load_segments(const void *data, struct elf_segment *out, size_t max)
{
	const struct elf64_ehdr *h = data;
	const struct elf64_phdr *ph =
	    (const void *)((const uint8_t *)data + h->phoff);
	size_t n = 0;

	for (uint16_t i = 0; i < h->phnum; i++) {
		if (ph[i].type != PT_LOAD) {
			continue;
		}
		if (n < max) {
			out[n] = (struct elf_segment){
			    .vaddr = ph[i].vaddr,
			    .paddr = ph[i].paddr,
			    .memsz = ph[i].memsz,
			    .filesz = ph[i].filesz,
			    .offset = ph[i].offset,
			    .flags = ph[i].flags,
			};
		}
		n++;
	}
	return n;
}
