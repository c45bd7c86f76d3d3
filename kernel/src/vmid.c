#include "vmid.h"

#include "arch.h"

static paddr_t owner[VMID_COUNT];
static unsigned streams[VMID_COUNT];
static unsigned in_use = 1; /* VMID 0 */

uint16_t vmid_alloc(paddr_t root)
{
	for (unsigned v = 1; v < VMID_COUNT; v++) {
		if (pa_addr(owner[v]) == 0) {
			owner[v] = root;
			in_use++;
			/* A previous owner's entries may linger. */
			arch_s2_flush_vmid((uint16_t)v);
			return (uint16_t)v;
		}
	}
	return 0;
}

void vmid_free(uint16_t vmid)
{
	arch_s2_flush_vmid(vmid);
	owner[vmid] = pa_init(0);
	in_use--;
}

unsigned vmid_available(void)
{
	return VMID_COUNT - in_use;
}

paddr_t vmid_owner(uint16_t vmid)
{
	return owner[vmid];
}

unsigned vmid_streams(uint16_t vmid)
{
	return streams[vmid];
}
