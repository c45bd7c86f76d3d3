/*
 * sync-pt: one client's P2M requests, checked and carried out (the ring
 * protocol of iommu_proto.h). Portable and system-call-free: the kernel
 * work (the client's frame caps copied and mapped, UnmapIO) is behind struct
 * p2m_ops, so host unit tests (tests/unit/test_iommu.c) drive every
 * refusal. Nothing the client wrote is trusted: indices are checked
 * against our own consumer index, each record is copied before it is
 * checked, and a record is carried out whole or not at all.
 */
#pragma once

#include "iommu_proto.h"

#include <stdint.h>

struct p2m_ops {
	/* Maps `pages` frame caps from the client's slot `slot` on at iova
	 * on (our copies of them, kept for IOVA pages `page` on), in order:
	 * IOMMU_OK, or IOMMU_ERR_CAP (no 4 KiB frame granting the rights in
	 * one of the slots) or IOMMU_ERR_KERNEL with *mapped the pages
	 * mapped before the refused one, which the caller takes back. */
	uint32_t (*map)(void *ctx, uint32_t slot, uint64_t iova,
			uint32_t rights, uint32_t page, uint32_t pages,
			uint32_t *mapped);
	/* Unmaps IOVA pages `page` to page + pages - 1, each mapped, and
	 * drops our copies; returns only once the kernel is done (the SMMU's
	 * TLB is clean then), IOMMU_OK or IOMMU_ERR_KERNEL (some copy would
	 * not go: reported on the console). */
	uint32_t (*unmap)(void *ctx, uint32_t page, uint32_t pages);
	void *ctx;
};

struct p2m {
	uint32_t cons;	   /* records taken from the ring */
	uint32_t mappings; /* pages mapped now */
	uint32_t pages;	   /* the IOVA window's, at most IOMMU_IOVA_PAGES */
	uint8_t mapped[IOMMU_IOVA_PAGES / 8];
};

/* An empty P2M over a window of `pages` IOVA pages (clamped to
 * IOMMU_IOVA_PAGES; 0 for a client that is not sync-pt). */
void p2m_init(struct p2m *p, uint32_t pages);

/*
 * submit(prod): carries out the records from p->cons up to prod, in
 * order, stopping at the first refused one. Returns IOMMU_OK or that
 * record's error; *done counts the records carried out, *detail says
 * which (index in the batch << 8) and which field (enum iommu_field).
 * Afterwards p->cons = prod, unless prod itself was refused (IOMMU_ERR_RING
 * or IOMMU_ERR_BATCH: nothing is taken then).
 */
uint32_t p2m_submit(struct p2m *p, const struct iommu_ring *ring, uint32_t prod,
		    const struct p2m_ops *ops, uint32_t *done,
		    uint32_t *detail);

/* Whether IOVA page `page` (0-based from IOMMU_IOVA_BASE) is mapped. */
int p2m_is_mapped(const struct p2m *p, uint32_t page);

/* Unmaps everything (a client gone, its device taken back). */
void p2m_clear(struct p2m *p, const struct p2m_ops *ops);
