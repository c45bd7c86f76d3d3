/*
 * The DMA matrix in sync-pt: device addresses are IOVAs of the IOSpace
 * the IOMMU server keeps for this driver, mapped by records on the ring
 * page this driver shares with it (servers/iommu/iommu_proto.h). Pages
 * 1-3 of my private dataport are mapped by the slots of their frame caps;
 * what DMA may not reach (cases.c) is the same as in share-pt; after an
 * unmap the server acknowledged and after a Revoke of my frame cap a page
 * is unreachable at once; every bad request is refused with its error,
 * and the server goes on serving me and the other driver.
 */
#include "dma_gen.h"

#include "dma.h"
#include "edu.h"
#include "iommu_proto.h"

#include <libcairn/invoke.h>
#include <libcairn/syscall.h>
#include <stdio.h>

#define DEPTH 64
#define RW    (CAIRN_RIGHT_READ | CAIRN_RIGHT_WRITE)
static struct iommu_ring *const ring = DMADRIVER_DATAPORT_IOMMU;

/* The last pages of my IOVA window (the server says how large it is),
 * X(7) its last: far from the low physical addresses peer_memory attacks
 * as IOVAs where the window is large. */
#define X(i)	  (IOMMU_IOVA_BASE + (ring->pages - 8UL + (i)) * PAGE)
#define HOLE_IOVA 0x7f00000000UL

static volatile uint8_t *page_va(unsigned i)
{
	return (volatile uint8_t *)DMADRIVER_DATAPORT_MINE + i * PAGE;
}

/* One record, submitted alone; the server's answer (0 or IOMMU_ERR_*). */
static uint32_t request(uint32_t op, uint32_t first, uint64_t iova,
			uint32_t pages)
{
	uint32_t done = 0, detail = 0, ret = 0;

	ring->rec[ring->prod % IOMMU_RING_RECORDS] =
	    (struct iommu_record){op, first, iova, pages, RW};
	ring->prod++;
	if (IommuClient_submit(DMADRIVER_SLOT_IOMMU, ring->prod, &done, &detail,
			       &ret) != 0) {
		return IOMMU_ERR_KERNEL;
	}
	return ret;
}

static int say(int ok, const char *name, const char *what)
{
	printf("%s %s: %s\n", ok ? "PASS" : "FAIL", name, what);
	return ok;
}

static int map_own(struct dev *d)
{
	/* Pages 1 and 2 in one record: consecutive slots, consecutive IOVAs. */
	int ok = request(IOMMU_OP_MAP, (uint32_t)d->mine_slot + 1, X(1), 2) ==
		 IOMMU_OK;

	d->a = page_va(1);
	d->b = page_va(2);
	d->a_iova = X(1);
	d->b_iova = X(2);
	edu_fill(d->a, 1);
	edu_fill(d->b, 2);
	ok = ok && dma(d, X(1), 0) && dma(d, X(2), 1) && edu_holds(d->b, 1);
	return say(ok, "own_memory",
		   "two frames mapped by one ring record, a page copied "
		   "through the device, data checked");
}

/* Page 3 at X(3) has just lost its mapping: a write must not reach it. */
static int write_blocked(struct dev *d, uint64_t seed)
{
	edu_fill(d->a, 77);
	return dma(d, X(1), 0) && dma(d, X(3), 1) &&
	       edu_holds(page_va(3), seed);
}

static int after_unmap(struct dev *d)
{
	edu_fill(d->a, 1);
	edu_fill(page_va(3), 30);
	int ok = request(IOMMU_OP_MAP, (uint32_t)d->mine_slot + 3, X(3), 1) ==
		 IOMMU_OK;
	ok = ok && dma(d, X(1), 0) && dma(d, X(3), 1) &&
	     edu_holds(page_va(3), 1);
	edu_fill(page_va(3), 31);
	ok = ok && request(IOMMU_OP_UNMAP, 0, X(3), 1) == IOMMU_OK;
	return say(ok && write_blocked(d, 31), "after_unmap",
		   "right after the server acknowledged an unmap, DMA to the "
		   "page is blocked");
}

/* Mapped through a copy of my cap; revoking my cap takes the copy, the
 * server's copy of it and the mapping. */
static int after_revoke(struct dev *d)
{
	uint64_t copy = DMADRIVER_SLOT_RECV;
	int ok = cairn_cnode_copy(DMADRIVER_SLOT_CNODE, copy, DEPTH,
				  DMADRIVER_SLOT_CNODE, d->mine_slot + 3, DEPTH,
				  CAIRN_RIGHTS_ALL)
			 .error == CAIRN_OK &&
		 request(IOMMU_OP_MAP, (uint32_t)copy, X(3), 1) == IOMMU_OK;

	edu_fill(d->a, 1);
	ok = ok && dma(d, X(1), 0) && dma(d, X(3), 1) &&
	     edu_holds(page_va(3), 1);
	edu_fill(page_va(3), 32);
	ok = ok &&
	     cairn_cnode_revoke(DMADRIVER_SLOT_CNODE, d->mine_slot + 3, DEPTH)
		     .error == CAIRN_OK;
	ok = ok && write_blocked(d, 32);
	/* The server's record of X(3) is stale now: unmapping it is fine. */
	ok = ok && request(IOMMU_OP_UNMAP, 0, X(3), 1) == IOMMU_OK;
	cairn_cnode_delete(DMADRIVER_SLOT_CNODE, copy, DEPTH); /* if left */
	return say(ok, "after_revoke",
		   "right after a Revoke of my frame cap, DMA to the page is "
		   "blocked");
}

/* A submit with a raw prod (lying or oversized), nothing in the ring. */
static uint32_t submit_raw(uint32_t prod)
{
	uint32_t done = 0, detail = 0, ret = 0;

	IommuClient_submit(DMADRIVER_SLOT_IOMMU, prod, &done, &detail, &ret);
	return ret;
}

/* submit() with no word at all: its answer's first word. */
static uint32_t cut_short(void)
{
	struct cairn_msg msg;

	msg.info = CAIRN_MSGINFO(IommuClient_submit_LABEL, 0);
	cairn_call(DMADRIVER_SLOT_IOMMU, &msg);
	return (uint32_t)msg.mr[0];
}

static int bad_requests(struct dev *d)
{
	static const char *const names[] = {
	    "not a frame cap",	  "an empty slot",    "IOVA out of range",
	    "unaligned IOVA",	  "over a mapping",   "unmap of nothing",
	    "oversized batch",	  "lying ring index", "a message cut short",
	    "just past my window"};
	uint32_t cons = ring->cons, got[10], n = 0;
	uint32_t slot3 = (uint32_t)d->mine_slot + 3;

	/* One at a time, in this order: the empty slot must be empty still
	 * (the revoke above emptied it) and X(4) never mapped. */
	got[n++] = request(IOMMU_OP_MAP, DMADRIVER_SLOT_CONSOLE, X(4), 1);
	got[n++] = request(IOMMU_OP_MAP, DMADRIVER_SLOT_RECV, X(4), 1);
	got[n++] = request(IOMMU_OP_MAP, slot3, HOLE_IOVA, 1);
	got[n++] = request(IOMMU_OP_MAP, slot3, X(4) + 8, 1);
	got[n++] = request(IOMMU_OP_MAP, slot3, X(2), 1);
	got[n++] = request(IOMMU_OP_UNMAP, 0, X(4), 1);
	got[n++] = submit_raw(ring->cons + IOMMU_BATCH_MAX + 1);
	got[n++] = submit_raw(ring->cons - 1);
	got[n++] = cut_short();
	got[n++] = request(IOMMU_OP_MAP, slot3, X(8), 1);
	static const uint32_t want[] = {IOMMU_ERR_CAP,	   IOMMU_ERR_CAP,
					IOMMU_ERR_RANGE,   IOMMU_ERR_ALIGN,
					IOMMU_ERR_OVERLAP, IOMMU_ERR_NOT_MAPPED,
					IOMMU_ERR_BATCH,   IOMMU_ERR_RING,
					IOMMU_ERR_BATCH,   IOMMU_ERR_RANGE};
	int ok = cons + 7 == ring->cons;

	for (unsigned i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		if (got[i] != want[i]) {
			printf("  %s: %s, expected %s\n", names[i],
			       iommu_error_name(got[i]),
			       iommu_error_name(want[i]));
			ok = 0;
		}
	}
	/* Still served, and what was mapped still is. */
	edu_fill(d->a, 5);
	ok = ok && dma(d, X(1), 0) && dma(d, X(2), 1) && edu_holds(d->b, 5);
	return say(ok, "bad_requests",
		   "each refused with its error (cap, empty slot, range, "
		   "alignment, overlap, not mapped, batch, ring, cut short, "
		   "past my window), "
		   "the server still serving");
}

int run_sync_cases(struct dev *d, struct rendezvous *rv, unsigned me)
{
	int (*const cases[])(struct dev *) = {map_own,	       unmapped_iova,
					      kernel_and_mmio, after_unmap,
					      after_revoke,    bad_requests};
	unsigned passed = 0, failed = 0;

	printf("dma: my IOVA window: %u pages from %#lx; my test pages from "
	       "%#lx\n",
	       ring->pages, (unsigned long)IOMMU_IOVA_BASE,
	       (unsigned long)X(0));
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		cases[i](d) ? passed++ : failed++;
		if (i == 0) {
			peer_memory(d, rv, me) ? passed++ : failed++;
			peer_untouched(rv, me) ? passed++ : failed++;
		}
	}
	return (int)(passed << 8 | failed);
}
