/* The IOMMU server's clients and devices (devices.h); no system calls. */
#include "devices.h"

#include <cairn/invocations.h>
#include <stdio.h>
#include <string.h>

int iommu_clients_init(struct iommu_client *c, const struct iommu_info *info)
{
	if (memcmp(info->magic, IOMMU_INFO_MAGIC, 8) != 0 ||
	    info->version != IOMMU_INFO_VERSION ||
	    info->clients > IOMMU_MAX_CLIENTS) {
		return -1;
	}
	for (unsigned i = 0; i < info->clients; i++) {
		const struct iommu_info_client *ic = &info->client[i];
		if (ic->devices > IOMMU_MAX_DEVICES || ic->mode > 3 ||
		    memchr(ic->name, '\0', sizeof(ic->name)) == NULL) {
			return -1;
		}
		memset(&c[i], 0, sizeof(c[i]));
		c[i].info = ic;
		c[i].devices = ic->devices;
		for (unsigned d = 0; d < ic->devices; d++) {
			c[i].dev[d].info = &ic->dev[d];
			c[i].dev[d].sid = PCI_NO_SID;
		}
	}
	return (int)info->clients;
}

/* The function a device names, or nfns; taken[] marks those matched. */
static unsigned find(const struct iommu_info_device *d,
		     const struct pci_function *fns, unsigned nfns,
		     const uint8_t *taken)
{
	for (unsigned i = 0; i < nfns; i++) {
		uint32_t ids = (uint32_t)fns[i].device << 16 | fns[i].vendor;
		if (d->kind == IOMMU_DEV_BDF && (d->value >> 8) == 0 &&
		    fns[i].devfn == (d->value & 0xff)) {
			return i;
		}
		if (d->kind == IOMMU_DEV_IDS && ids == d->value && !taken[i]) {
			return i;
		}
	}
	return nfns;
}

void iommu_match(struct iommu_client *c, unsigned n,
		 const struct pci_function *fns, unsigned nfns)
{
	uint8_t taken[PCI_DEVFNS] = {0};

	/* Addresses first, so IDs never take a function an address names. */
	for (int pass = IOMMU_DEV_BDF; pass <= IOMMU_DEV_IDS; pass++) {
		for (unsigned i = 0; i < n; i++) {
			for (unsigned k = 0; k < c[i].devices; k++) {
				struct iommu_device *d = &c[i].dev[k];
				if (d->info->kind != (uint32_t)pass) {
					continue;
				}
				unsigned f = find(d->info, fns, nfns, taken);
				if (f == nfns) {
					d->error = IOMMU_ERR_NOT_PRESENT;
					continue;
				}
				taken[f] = 1;
				d->devfn = fns[f].devfn;
				d->vendor = fns[f].vendor;
				d->id = fns[f].device;
			}
		}
	}
}

uint32_t iommu_effective(uint32_t requested, int can_share, int *fallback)
{
	*fallback = 0;
	if (requested == IOMMU_MODE_ENABLED) {
		return can_share ? IOMMU_MODE_SHARE_PT : IOMMU_MODE_SYNC_PT;
	}
	if (requested == IOMMU_MODE_SHARE_PT && !can_share) {
		*fallback = 1;
		return IOMMU_MODE_SYNC_PT;
	}
	return requested;
}

void iommu_bdf(char out[8], uint16_t devfn)
{
	snprintf(out, 8, "00:%02x.%x", (devfn >> 3) & 0x1f, devfn & 7);
}

const char *iommu_fault_kind(unsigned kind)
{
	switch (kind) {
	case CAIRN_SMMU_EVT_TRANSLATION:
		return "translation fault";
	case CAIRN_SMMU_EVT_PERMISSION:
		return "permission fault";
	case CAIRN_SMMU_EVT_ACCESS:
		return "access flag fault";
	case CAIRN_SMMU_EVT_ADDRESS_SIZE:
		return "address size fault";
	case CAIRN_SMMU_EVT_WALK_ABORT:
		return "table walk abort";
	case CAIRN_SMMU_EVT_TRANSLATION_FORBIDDEN:
		return "translation forbidden";
	case CAIRN_SMMU_EVT_BAD_STE:
		return "bad STE";
	default:
		return "SMMU event";
	}
}

int iommu_fault_line(char *buf, size_t size, struct iommu_client *c,
		     struct iommu_device *d, const uint64_t *record)
{
	char bdf[8];
	unsigned kind = CAIRN_STREAM_FAULT_KIND(record[0]);

	iommu_bdf(bdf, d->devfn);
	d->faults++;
	c->faults++;
	return snprintf(buf, size,
			"DMA fault: %s, device %s (sid %#x): %s at "
			"%#lx: %s (event %#x)",
			c->info->name, bdf, d->sid,
			(record[0] & CAIRN_STREAM_FAULT_READ) ? "read"
							      : "write",
			(unsigned long)record[1], iommu_fault_kind(kind), kind);
}
