/*
 * What the spec tells the IOMMU server (tools/lib/cairn/iommuspec.py packs
 * it, module "iommu.info", mapped read-only at IOMMU_INFO_IPA): its
 * clients, in manifest order, with their devices and the slots of its own
 * CNode that hold what it needs for them. Change both together.
 */
#pragma once

#include <stdint.h>

#define IOMMU_INFO_IPA	   0x10002000UL
#define IOMMU_INFO_MAGIC   "CAIRNIOM"
#define IOMMU_INFO_VERSION 2
#define IOMMU_MAX_CLIENTS  8
#define IOMMU_MAX_DEVICES  8
#define IOMMU_ECAM_IPA	   0x5000000000UL /* the root bus's 2 MiB */
#define IOMMU_DEVICE_IPA   0x6000000000UL /* a client's device i: + i * 2M */
#define IOMMU_BAR_FRAME	   0x200000UL	  /* each device's BAR frame */

/* iommu_info_device.kind: how the manifest named it. */
#define IOMMU_DEV_BDF 1 /* value: bus << 8 | device << 3 | function */
#define IOMMU_DEV_IDS 2 /* value: device << 16 | vendor */

struct iommu_info_device {
	uint32_t kind, value;
	uint32_t bar;		/* our copy of its BAR frame (unmapped) */
	uint32_t stream;	/* where we claim its StreamID */
	uint32_t client_stream; /* the client's slot for a bind-only copy,
				   0 unless share-pt or enabled */
	uint32_t client_vspace; /* the client's own VSpace cap */
	uint32_t client_irq;	/* the client's slot for the IRQHandler of
				   the device's INTx, which we claim there */
	uint32_t pad;
	uint64_t bar_ipa; /* where the client has the BAR frame mapped */
};

struct iommu_info_client {
	char name[32];
	uint32_t badge;	  /* its connection's badge */
	uint32_t mode;	  /* requested: IOMMU_MODE_* */
	uint32_t devices; /* how many of dev[] */
	uint32_t cnode;	  /* our cap to its CNode */
	/* sync-pt (0 otherwise): its IOSpace, the first of its IO page
	 * tables (a level 2, then a level 3 per 2 MiB of its IOVA window,
	 * mapped by the root task) and how many, and the CNode (a slot per
	 * page of the window) where we keep the copies we map, by IOVA page. */
	uint32_t iospace, io_tables, io_table_count, p2m;
	uint32_t first_slot; /* the client's first device slot */
	/* sync-pt: its IOVA window, pages from IOMMU_IOVA_BASE: a power of
	 * two above the frames it holds, at most IOMMU_IOVA_PAGES. */
	uint32_t iova_pages;
	struct iommu_info_device dev[IOMMU_MAX_DEVICES];
};

struct iommu_info {
	char magic[8];
	uint32_t version;
	uint32_t clients;
	uint32_t reserved[2];
	struct iommu_info_client client[IOMMU_MAX_CLIENTS];
};

/* iommuspec.info_size(), which tools/tests/test_spec.py pins to this. */
_Static_assert(sizeof(struct iommu_info) == 3160,
	       "struct iommu_info differs from tools/lib/cairn/iommuspec.py");
