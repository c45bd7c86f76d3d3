#include "vmid.h"

#include "arch.h"

static uint64_t used[VMID_COUNT / 64] = {1}; /* VMID 0 reserved */

uint16_t vmid_alloc(void)
{
	for (unsigned v = 1; v < VMID_COUNT; v++) {
		if (!(used[v / 64] & (1ULL << (v % 64)))) {
			used[v / 64] |= 1ULL << (v % 64);
			/* A previous owner's entries may linger. */
			arch_s2_flush_vmid((uint16_t)v);
			return (uint16_t)v;
		}
	}
	return 0;
}

void vmid_free(uint16_t vmid)
{
	used[vmid / 64] &= ~(1ULL << (vmid % 64));
}
