/*
 * The P2M benchmark: how many instructions (under -icount shift=0) it
 * takes to give a device N pages and take them back, N = 1, 64 and
 * PAGES. share-pt: Frame.Unmap and Frame.Map of this
 * component's own pages in its own VSpace, to which its device's stream
 * is bound (so each unmap also invalidates the SMMU's TLB and waits for a
 * sync); no IPC. sync-pt: the same Frame.Unmap and Frame.Map (the P2M
 * change itself, with no stream on this VSpace), each direction followed
 * by one ring record and one submit() to the IOMMU server, which maps the
 * pages with IOSpace.MapFrames, 64 a call (and deletes each copy to unmap
 * it). Prints one line per figure: the whole change per page and, for
 * sync-pt, the part that is the IOMMU server's.
 */
#include "p2m_gen.h"

#include "console_client.h" /* needs the generated header first */
#include "iommu_proto.h"

#include <libcairn/invoke.h>
#include <libcairn/syscall.h>
#include <stdio.h>

#define PAGES 4096UL /* the P2mPages dataport's */
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

/* The P2M change itself: n of my pages unmapped from my VSpace, or mapped
 * again; 0 on any failure. */
static int refused(const char *what, uint64_t i, struct cairn_result r)
{
	printf("p2m bench: %s of page %lu refused: %s (details %lu, %lu, "
	       "%lu, %lu)\n",
	       what, (unsigned long)i, cairn_error_name(r.error), r.detail[0],
	       r.detail[1], r.detail[2], r.detail[3]);
	return 0;
}

static int vspace_unmap(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		struct cairn_result r = cairn_frame_unmap(first_page + i);
		if (r.error != CAIRN_OK) {
			return refused("Frame.Unmap", i, r);
		}
	}
	return 1;
}

static int vspace_map(uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		struct cairn_result r =
		    cairn_frame_map(first_page + i, vspace, page_ipa(i), RW, 0);
		if (r.error != CAIRN_OK) {
			return refused("Frame.Map", i, r);
		}
	}
	return 1;
}

struct round {
	uint64_t map, unmap;	   /* the whole change */
	uint64_t mirror, unmirror; /* sync-pt: the IOMMU server's part */
};

/* share-pt: n pages unmapped, then mapped again. */
static int share_round(uint64_t n, struct round *r)
{
	uint64_t t0 = counter();
	if (!vspace_unmap(n)) {
		return 0;
	}
	uint64_t t1 = counter();
	if (!vspace_map(n)) {
		return 0;
	}
	r->unmap = instructions(t1 - t0);
	r->map = instructions(counter() - t1);
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
	if (ret != IOMMU_OK) {
		printf("p2m bench: %s of %u pages refused: %s (detail %#x)\n",
		       op == IOMMU_OP_MAP ? "map" : "unmap", pages,
		       iommu_error_name(ret), detail);
	}
	return ret;
}

/* sync-pt: the device given n pages (not timed); then unmapped from my
 * VSpace and from the device (the unmap acknowledged), and mapped again in
 * both; then taken from the device (not timed). */
static int sync_round(uint64_t n, struct round *r)
{
	const uint32_t first = (uint32_t)first_page, pages = (uint32_t)n;

	if (submit_one(IOMMU_OP_MAP, first, pages) != IOMMU_OK) {
		return 0;
	}
	uint64_t t0 = counter();
	if (!vspace_unmap(n)) {
		return 0;
	}
	uint64_t t1 = counter();
	if (submit_one(IOMMU_OP_UNMAP, 0, pages) != IOMMU_OK) {
		return 0;
	}
	uint64_t t2 = counter();
	if (!vspace_map(n)) {
		return 0;
	}
	uint64_t t3 = counter();
	if (submit_one(IOMMU_OP_MAP, first, pages) != IOMMU_OK) {
		return 0;
	}
	uint64_t t4 = counter();
	r->unmap = instructions(t2 - t0);
	r->unmirror = instructions(t2 - t1);
	r->map = instructions(t4 - t2);
	r->mirror = instructions(t4 - t3);
	return submit_one(IOMMU_OP_UNMAP, 0, pages) == IOMMU_OK;
}

int main(void)
{
	uint32_t bdf, ids, sid, mode, stream, first, irq, ret;
	uint64_t bar_ipa, bar_size;
	const uint64_t sizes[] = {1, 64, PAGES};

	CONSOLE_CLIENT_INIT(P2MBENCH, CONSOLE);
	IommuClient_device(P2MBENCH_SLOT_IOMMU, 0, &bdf, &ids, &sid, &mode,
			   &bar_ipa, &bar_size, &stream, &vspace, &first, &irq,
			   &ret);
	first_page = first - PAGES;
	if (ret != IOMMU_OK ||
	    (mode == IOMMU_MODE_SHARE_PT &&
	     cairn_stream_bind_vspace(stream, vspace).error != CAIRN_OK)) {
		printf("p2m bench: no device to measure with: %s\n",
		       iommu_error_name(ret));
		return 1;
	}
	for (unsigned k = 0; k < 3; k++) {
		uint64_t n = sizes[k];
		struct round r = {0};
		int ok = mode == IOMMU_MODE_SHARE_PT ? share_round(n, &r)
						     : sync_round(n, &r);
		printf("p2m bench: %s %lu pages: %s map %lu, unmap %lu "
		       "instructions per page (IOMMU server: map %lu, unmap "
		       "%lu)\n",
		       iommu_mode_name(mode), (unsigned long)n,
		       ok ? "ok" : "FAILED", (unsigned long)(r.map / n),
		       (unsigned long)(r.unmap / n),
		       (unsigned long)(r.mirror / n),
		       (unsigned long)(r.unmirror / n));
	}
	printf("p2m bench: done\n");
	for (;;) {
		cairn_wait(P2MBENCH_SLOT_CONSOLE_WAKE);
	}
}
