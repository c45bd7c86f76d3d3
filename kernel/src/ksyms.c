#include "ksyms.h"

#include <string.h>

static const struct ksym *syms;
static const char *strtab;
static size_t nsyms;
static uint64_t text_lo, text_hi;

enum k_error ksyms_init(const void *data, size_t size, uint64_t text_start,
			uint64_t text_end)
{
	const struct ksyms_header *h = data;

	nsyms = 0;
	if (size < sizeof(*h) ||
	    memcmp(h->magic, KSYMS_MAGIC, sizeof(h->magic)) != 0) {
		return K_ERR_INVALID_ARGUMENT;
	}
	uint64_t need = sizeof(*h) + (uint64_t)h->count * sizeof(struct ksym) +
			h->strtab_size;
	if (need > size || h->strtab_size == 0) {
		return K_ERR_RANGE;
	}
	const struct ksym *s = (const void *)(h + 1);
	const char *str = (const char *)(s + h->count);
	if (str[h->strtab_size - 1] != '\0') {
		return K_ERR_INVALID_ARGUMENT;
	}
	for (uint32_t i = 0; i < h->count; i++) {
		if (s[i].name_offset >= h->strtab_size ||
		    (i > 0 && s[i].addr < s[i - 1].addr)) {
			return K_ERR_INVALID_ARGUMENT;
		}
	}
	syms = s;
	strtab = str;
	nsyms = h->count;
	text_lo = text_start;
	text_hi = text_end;
	return K_OK;
}

bool ksyms_lookup(uint64_t addr, const char **name, uint64_t *offset)
{
	if (nsyms == 0 || addr < text_lo || addr >= text_hi ||
	    addr < syms[0].addr) {
		return false;
	}
	size_t lo = 0, hi = nsyms; /* answer in [lo, hi) */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (syms[mid].addr <= addr) {
			lo = mid;
		} else {
			hi = mid;
		}
	}
	*name = strtab + syms[lo].name_offset;
	*offset = addr - syms[lo].addr;
	return true;
}

size_t ksyms_count(void)
{
	return nsyms;
}
