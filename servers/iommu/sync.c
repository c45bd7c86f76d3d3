/*
 * sync-pt with the kernel's IOSpaces: a client's IOSpace gets its IO page
 * tables at start and each of its streams is bound to it; its ring's
 * records (p2m.c checks them) become kernel calls here. A map is
 * IOSpace.MapFrames: the kernel copies the client's frame caps (from the
 * client's CNode, which we hold) into slots n.. of the client's p2m CNode,
 * n the IOVA page, and maps the copies, up to 64 pages a call; an unmap
 * is IOSpace.UnmapFrames, which deletes up to 64 copies and returns only
 * once the SMMU's TLB is invalidated and synchronised. A copy is a child of the
 * client's cap, so the client's Revoke of its own cap unmaps it too.
 */
#include "iommu.h"
#include "iommu_gen.h"

#include <libcairn/invoke.h>
#include <stdbool.h>
#include <stdio.h>

#define DEPTH 64

struct sync_ctx {
	const struct iommu_client *cl;
};

/*
 * One kernel call per CAIRN_IOSPACE_MAP_FRAMES_MAX pages: the kernel copies
 * the client's caps (children of them, so the client's Revoke unmaps) into
 * the p2m CNode's slots page.. and maps the copies, each call all or none.
 * It only reads what the client's slots hold, so a client naming an
 * Endpoint cannot make us block on it.
 */
static uint32_t map_run(void *ctx, uint32_t slot, uint64_t iova,
			uint32_t rights, uint32_t page, uint32_t pages,
			uint32_t *mapped)
{
	const struct iommu_info_client *ic = ((struct sync_ctx *)ctx)->cl->info;

	for (*mapped = 0; *mapped < pages;) {
		uint32_t n = pages - *mapped;
		n = n < CAIRN_IOSPACE_MAP_FRAMES_MAX
			? n
			: CAIRN_IOSPACE_MAP_FRAMES_MAX;
		struct cairn_result r = cairn_iospace_map_frames(
		    ic->iospace, ic->p2m, page + *mapped, ic->cnode,
		    (uint64_t)slot + *mapped, n,
		    iova + (uint64_t)*mapped * IOMMU_PAGE, rights);
		if (r.error != CAIRN_OK) {
			/* Not a frame granting the rights: the client's
			 * mistake; anything else is ours or the kernel's. */
			bool cap = (r.error == CAIRN_INVALID_CAPABILITY &&
				    r.detail[0] == CAIRN_ARG_SRC_INDEX) ||
				   (r.error == CAIRN_ILLEGAL_OPERATION &&
				    r.detail[0] == CAIRN_ARG_RIGHTS) ||
				   (r.error == CAIRN_RANGE_ERROR &&
				    r.detail[0] == CAIRN_ARG_SRC_INDEX);
			if (cap) {
				return IOMMU_ERR_CAP;
			}
			printf("error: %s: IOSpace.MapFrames at %#lx: %s "
			       "(details %lu, %lu, %lu, %lu)\n",
			       ic->name, (unsigned long)iova,
			       cairn_error_name(r.error), r.detail[0],
			       r.detail[1], r.detail[2], r.detail[3]);
			return IOMMU_ERR_KERNEL;
		}
		*mapped += n;
	}
	return IOMMU_OK;
}

/* Each copy deleted on its own: what UnmapFrames refused is still done,
 * one page at a time (a CNode.Delete succeeds on an empty slot). */
static uint32_t unmap_each(const struct iommu_info_client *ic, uint32_t page,
			   uint32_t pages)
{
	uint32_t err = IOMMU_OK;

	for (uint32_t i = 0; i < pages; i++) {
		if (cairn_cnode_delete(ic->p2m, page + i, DEPTH).error !=
		    CAIRN_OK) {
			err = IOMMU_ERR_KERNEL;
		}
	}
	return err;
}

/* Our copies deleted (and so unmapped), 64 a call: the kernel invalidates
 * the SMMU's TLB once per call and returns once it is clean. */
static uint32_t unmap_run(void *ctx, uint32_t page, uint32_t pages)
{
	const struct iommu_info_client *ic = ((struct sync_ctx *)ctx)->cl->info;
	uint32_t err = IOMMU_OK;

	for (uint32_t done = 0; done < pages;) {
		uint32_t n = pages - done;
		n = n < CAIRN_IOSPACE_MAP_FRAMES_MAX
			? n
			: CAIRN_IOSPACE_MAP_FRAMES_MAX;
		struct cairn_result r = cairn_iospace_unmap_frames(
		    ic->iospace, ic->p2m, page + done, n);
		if (r.error != CAIRN_OK) {
			printf("error: %s: IOSpace.UnmapFrames at page %u: %s "
			       "(details %lu, %lu): deleting one by one\n",
			       ic->name, page + done, cairn_error_name(r.error),
			       r.detail[0], r.detail[1]);
			err = unmap_each(ic, page + done, n) != IOMMU_OK
				  ? IOMMU_ERR_KERNEL
				  : err;
		}
		done += n;
	}
	return err;
}

/* The client's ring page (the IommuRing dataport of its connection). */
static volatile struct iommu_ring *ring_of(const struct iommu_client *cl)
{
	return (volatile void *)((uintptr_t)IOMMU_DATAPORT_CLIENTS +
				 cl->info->badge * IOMMU_DATAPORT_CLIENTS_SIZE);
}

uint32_t iommu_submit(struct iommu *s, unsigned c, uint32_t prod,
		      uint32_t *done, uint32_t *detail)
{
	struct sync_ctx ctx = {&s->client[c]};
	const struct p2m_ops ops = {map_run, unmap_run, &ctx};
	volatile struct iommu_ring *ring = ring_of(&s->client[c]);
	uint32_t e = p2m_submit(&s->p2m[c], (const struct iommu_ring *)ring,
				prod, &ops, done, detail);

	/* Tell the client where we are; it never tells us. */
	ring->cons = s->p2m[c].cons;
	s->client[c].mappings = s->p2m[c].mappings;
	return e;
}

uint32_t iommu_sync_client(struct iommu *s, unsigned c)
{
	const struct iommu_info_client *ic = s->client[c].info;

	/* Its IO page tables come mapped (the root task maps them: a table
	 * is copied only while mapped). */
	if (!s->have_iospaces || ic->iospace == 0) {
		return IOMMU_ERR_UNAVAILABLE;
	}
	uint32_t pages = ic->iova_pages;
	if (pages < 2 || pages > IOMMU_IOVA_PAGES || (pages & (pages - 1))) {
		printf("error: %s: an IOVA window of %u pages in the info "
		       "page\n",
		       ic->name, pages);
		return IOMMU_ERR_SETUP;
	}
	p2m_init(&s->p2m[c], pages);
	ring_of(&s->client[c])->pages = pages;
	return IOMMU_OK;
}

uint32_t iommu_sync_device(const struct iommu_client *cl,
			   const struct iommu_device *d)
{
	struct cairn_result r =
	    cairn_stream_bind_iospace(d->info->stream, cl->info->iospace);

	if (r.error != CAIRN_OK) {
		printf("error: %s: BindIOSpace of StreamID %#x: %s\n",
		       cl->info->name, d->sid, cairn_error_name(r.error));
		return IOMMU_ERR_SETUP;
	}
	return IOMMU_OK;
}
