/*
 * The P2M benchmark: how many instructions (under -icount shift=0) it
 * takes to give a device N pages and take them back, N = 1, 64 and
 * PAGES. share-pt: Frame.Unmap and Frame.Map of this
 * component's own pages in its own VSpace, to which its device's stream
 * is bound (so each unmap also invalidates the SMMU's TLB and waits for a
 * sync); no IPC. sync-pt: one ring record and one submit() to the IOMMU
 * server per direction, which copies, MapIOs and files each page (and
 * deletes each copy to unmap it). Prints one line per figure.
 */
#include "p2m_gen.h"

#include "console_client.h" /* needs the generated header first */
#include "iommu_proto.h"

#include <libcairn/invoke.h>
#include <libcairn/syscall.h>
#include <stdio.h>

/* 1 024: two clients of 4 096 pages each are more objects than the root
 * task's CNode holds while it builds the system (4 014 free slots). */
#define PAGES 1024UL
#define RW    (CAIRN_RIGHT_READ | CAIRN_RIGHT_WRITE)

static uint64_t first_page; /* the slot of my first page's frame cap */
static uint32_t vspace;

static uint64_t counter(void)
{
	uint64_t v;

	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
	return v;
}

/* Counter ticks to instructions (one per virtual ns under -icount). */
static uint64_t instructions(uint64_t ticks)
{
	uint64_t freq;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(freq));
	return ticks * (1000000000UL / freq);
}

static uint64_t page_ipa(uint64_t i)
{
	return (uint64_t)P2MBENCH_DATAPORT_PAGES + i * IOMMU_PAGE;
}

/* share-pt: n pages unmapped, then mapped again; 0 on any failure. */
static int share_round(uint64_t n, uint64_t *map, uint64_t *unmap)
{
	uint64_t t0 = counter();
	for (uint64_t i = 0; i < n; i++) {
		if (cairn_frame_unmap(first_page + i).error != CAIRN_OK) {
			return 0;
		}
	}
	uint64_t t1 = counter();
	for (uint64_t i = 0; i < n; i++) {
		if (cairn_frame_map(first_page + i, vspace, page_ipa(i), RW, 0)
			.error != CAIRN_OK) {
			return 0;
		}
	}
	*unmap = instructions(t1 - t0);
	*map = instructions(counter() - t1);
	return 1;
}

static uint32_t submit_one(uint32_t op, uint32_t first, uint32_t pages)
{
	struct iommu_ring *ring = P2MBENCH_DATAPORT_IOMMU;
	uint32_t done = 0, detail = 0, ret = 0;

	ring->rec[ring->prod % IOMMU_RING_RECORDS] =
	    (struct iommu_record){op, first, IOMMU_IOVA_FIRST, pages, RW};
	ring->prod++;
	IommuClient_submit(P2MBENCH_SLOT_IOMMU, ring->prod, &done, &detail,
			   &ret);
	return ret;
}

/* sync-pt: n pages mapped by one record, then unmapped by another. */
static int sync_round(uint64_t n, uint64_t *map, uint64_t *unmap)
{
	uint64_t t0 = counter();
	if (submit_one(IOMMU_OP_MAP, (uint32_t)first_page, (uint32_t)n) !=
	    IOMMU_OK) {
		return 0;
	}
	uint64_t t1 = counter();
	if (submit_one(IOMMU_OP_UNMAP, 0, (uint32_t)n) != IOMMU_OK) {
		return 0;
	}
	*map = instructions(t1 - t0);
	*unmap = instructions(counter() - t1);
	return 1;
}

int main(void)
{
	uint32_t bdf, ids, sid, mode, stream, first, ret;
	uint64_t bar_ipa, bar_size;
	const uint64_t sizes[] = {1, 64, PAGES};

	CONSOLE_CLIENT_INIT(P2MBENCH, CONSOLE);
	IommuClient_device(P2MBENCH_SLOT_IOMMU, 0, &bdf, &ids, &sid, &mode,
			   &bar_ipa, &bar_size, &stream, &vspace, &first, &ret);
	first_page = first - PAGES;
	if (ret != IOMMU_OK ||
	    (mode == IOMMU_MODE_SHARE_PT &&
	     cairn_stream_bind_vspace(stream, vspace).error != CAIRN_OK)) {
		printf("p2m bench: no device to measure with: %s\n",
		       iommu_error_name(ret));
		return 1;
	}
	for (unsigned k = 0; k < 3; k++) {
		uint64_t n = sizes[k], map = 0, unmap = 0;
		int ok = mode == IOMMU_MODE_SHARE_PT
			     ? share_round(n, &map, &unmap)
			     : sync_round(n, &map, &unmap);
		printf("p2m bench: %s %lu pages: %s map %lu, unmap %lu "
		       "instructions per page\n",
		       iommu_mode_name(mode), (unsigned long)n,
		       ok ? "ok" : "FAILED", (unsigned long)(map / n),
		       (unsigned long)(unmap / n));
	}
	printf("p2m bench: done\n");
	for (;;) {
		cairn_wait(P2MBENCH_SLOT_CONSOLE_WAKE);
	}
}
