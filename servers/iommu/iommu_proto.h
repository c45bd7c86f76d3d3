/*
 * The IOMMU server's protocol (idl/iommu.idl): modes, errors and the
 * sync-pt ring. Shared by the server, its clients and the console (the
 * `iommu` command's reports).
 */
#pragma once

#include <stdint.h>

/* Passthrough modes, as the manifest spells them (iommuspec.MODES). */
enum iommu_mode {
	IOMMU_MODE_DISABLED = 0,
	IOMMU_MODE_SHARE_PT = 1,
	IOMMU_MODE_SYNC_PT = 2,
	IOMMU_MODE_ENABLED = 3, /* requested only: resolved at boot */
};

/* What a method returns; each names what was wrong. */
enum iommu_error {
	IOMMU_OK = 0,
	IOMMU_ERR_NO_DEVICE = 1,   /* no device of that index */
	IOMMU_ERR_NOT_PRESENT = 2, /* listed, but not on the bus */
	IOMMU_ERR_SETUP = 3,	   /* present, but it could not be set up */
	IOMMU_ERR_MODE = 4,	   /* not in the caller's mode */
	IOMMU_ERR_UNAVAILABLE = 5, /* sync-pt: the kernel has no IOSpaces */
	IOMMU_ERR_RING = 6,	   /* ring indices that cannot be */
	IOMMU_ERR_BATCH = 7,	   /* a batch too long, or cut short */
	IOMMU_ERR_RECORD = 8,	   /* an unknown op, bad rights, 0 pages */
	IOMMU_ERR_RANGE = 9,	   /* IOVA outside the caller's range */
	IOMMU_ERR_ALIGN = 10,	   /* IOVA not page aligned */
	IOMMU_ERR_OVERLAP = 11,	   /* over a live mapping */
	IOMMU_ERR_NOT_MAPPED = 12, /* unmap of what is not mapped */
	IOMMU_ERR_CAP = 13,	   /* not a frame cap, or none there */
	IOMMU_ERR_KERNEL = 14,	   /* the kernel refused (detail: why) */
	IOMMU_ERR_UNKNOWN_CLIENT = 15,
};

/* sync-pt: device addresses a client may map: pages 1 to window - 1 from
 * IOMMU_IOVA_BASE, its window (struct iommu_ring's `pages`) a power of two
 * above the frames it holds, at most IOMMU_IOVA_PAGES (32 MiB). Page 0
 * stays unmapped: a device address of the window's base faults, and the
 * server's copy of page n's frame cap lives in slot n of a CNode, whose
 * slot 0 stays empty. */
#define IOMMU_IOVA_BASE	 0x40000000UL
#define IOMMU_IOVA_PAGES 8192UL
#define IOMMU_PAGE	 4096UL
#define IOMMU_IOVA_FIRST (IOMMU_IOVA_BASE + IOMMU_PAGE)

/*
 * The ring: one page per connection (the IommuRing dataport). The client
 * writes records and `prod`; submit(prod) hands the server everything
 * from its own consumer index (which it never reads back from the page)
 * up to prod. Each record is copied out of the page before it is
 * checked, so a client rewriting it meanwhile changes nothing.
 */
#define IOMMU_RING_RECORDS 128 /* a power of two */
#define IOMMU_BATCH_MAX	   64  /* records per submit() */

enum iommu_op {
	IOMMU_OP_MAP = 1,   /* pages frames, slots first.., at iova.. */
	IOMMU_OP_UNMAP = 2, /* pages pages at iova.. */
};

struct iommu_record {
	uint32_t op;
	uint32_t first; /* map: the first of `pages` slots of the caller's
			   CNode, each a 4 KiB frame cap */
	uint64_t iova;
	uint32_t pages;
	uint32_t rights; /* map: CAIRN_RIGHT_READ | _WRITE */
};

struct iommu_ring {
	uint32_t prod;	/* the client's: records written */
	uint32_t cons;	/* the server's, for the client to read */
	uint32_t pages; /* the server's: the client's IOVA window, in pages
			   (written at setup, before the first call) */
	uint32_t pad;
	struct iommu_record rec[IOMMU_RING_RECORDS];
};

/* submit()'s detail for a refused record: which field (with the error). */
enum iommu_field {
	IOMMU_FIELD_NONE = 0,
	IOMMU_FIELD_OP = 1,
	IOMMU_FIELD_FIRST = 2,
	IOMMU_FIELD_IOVA = 3,
	IOMMU_FIELD_PAGES = 4,
	IOMMU_FIELD_RIGHTS = 5,
	IOMMU_FIELD_PROD = 6,
};

const char *iommu_mode_name(uint32_t mode);
const char *iommu_error_name(uint32_t error);
