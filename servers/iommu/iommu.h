/* The IOMMU server's state, shared by main.c (the loop, client calls,
 * faults) and setup.c (enumeration and each device's setup). */
#pragma once

#include "devices.h"
#include "p2m.h"

#include <libcairn/invoke.h>

struct iommu {
	const struct iommu_info *info;
	unsigned clients;
	struct iommu_client client[IOMMU_MAX_CLIENTS];
	struct p2m p2m[IOMMU_MAX_CLIENTS];	/* sync-pt clients' mappings */
	uint32_t sync_error[IOMMU_MAX_CLIENTS]; /* sync-pt set up, or why not */
	struct cairn_pcie_info pcie;
	int can_share;	    /* SIDControl.Info: the SMMU walks CPU tables */
	int have_iospaces;  /* the kernel offers sync-pt's IOSpaces */
	uint64_t mem32_cpu; /* the 32-bit window: CPU and PCI addresses */
	uint64_t mem32_pci;
};

extern struct iommu iommu;

/* Enumerates the bus and sets every client's devices up; prints a line
 * per device (and per problem). 0, or -1 if nothing can be served. */
int iommu_setup(struct iommu *s);

/* sync-pt (sync.c): client c's IO page tables mapped (IOMMU_OK), or why
 * not (IOMMU_ERR_UNAVAILABLE: no IOSpaces in this kernel or none in the
 * spec for the client); a device's stream bound to its IOSpace; a
 * submit() carried out. */
uint32_t iommu_sync_client(struct iommu *s, unsigned c);
uint32_t iommu_sync_device(const struct iommu_client *cl,
			   const struct iommu_device *d);
uint32_t iommu_submit(struct iommu *s, unsigned c, uint32_t prod,
		      uint32_t *done, uint32_t *detail);

/* Reports device d of client c to the console (ConsoleIO.iommu). */
void iommu_report_device(const struct iommu *s, unsigned c, unsigned d);

/* The notification badge bit a client's stream faults arrive with. */
#define IOMMU_FAULT_BADGE(c) (1UL << (8 + (c)))
#define IOMMU_FAULT_BADGES   (0xffUL << 8)
