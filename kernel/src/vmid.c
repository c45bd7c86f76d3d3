#include "vmid.h"

#include "arch.h"
#include "assert.h"

static paddr_t owner[VMID_COUNT];
static uint64_t generation[VMID_COUNT];
static bool io[VMID_COUNT];
static uint64_t generations; /* handed out so far: never reused */
static unsigned streams[VMID_COUNT];
static unsigned streams_total;
static unsigned in_use = 1; /* VMID 0 */

vmid_t vmid_alloc(paddr_t root, bool is_io)
{
	for (unsigned v = 1; v < VMID_COUNT; v++) {
		if (pa_addr(owner[v]) == 0) {
			ASSERT(streams[v] == 0);
			owner[v] = root;
			io[v] = is_io;
			generation[v] = ++generations;
			in_use++;
			/* A previous owner's entries may linger. */
			arch_s2_flush_vmid(vmid_init((uint16_t)v));
			return vmid_init((uint16_t)v);
		}
	}
	return vmid_init(0);
}

void vmid_free(vmid_t vmid)
{
	/* Its streams were unbound first (stream_space_destroyed), and
	 * unbinding flushed the SMMU's TLB of this VMID. */
	ASSERT(streams[vmid_value(vmid)] == 0);
	arch_s2_flush_vmid(vmid);
	owner[vmid_value(vmid)] = pa_init(0);
	generation[vmid_value(vmid)] = 0;
	in_use--;
}

unsigned vmid_available(void)
{
	return VMID_COUNT - in_use;
}

paddr_t vmid_owner(vmid_t vmid)
{
	return owner[vmid_value(vmid)];
}

bool vmid_is_io(vmid_t vmid)
{
	return io[vmid_value(vmid)];
}

uint64_t vmid_generation(vmid_t vmid)
{
	return generation[vmid_value(vmid)];
}

unsigned vmid_streams(vmid_t vmid)
{
	return streams[vmid_value(vmid)];
}

void vmid_stream_bound(vmid_t vmid)
{
	ASSERT(pa_addr(owner[vmid_value(vmid)]) != 0);
	streams[vmid_value(vmid)]++;
	streams_total++;
}

void vmid_stream_unbound(vmid_t vmid)
{
	ASSERT(streams[vmid_value(vmid)] != 0);
	streams[vmid_value(vmid)]--;
	streams_total--;
}

unsigned vmid_streams_total(void)
{
	return streams_total;
}
