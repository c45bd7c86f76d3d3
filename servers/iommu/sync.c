/*
 * sync-pt with the kernel's IOSpaces: a client's IOSpace gets its IO page
 * tables at start and each of its streams is bound to it; its ring's
 * records (p2m.c checks them) become kernel calls here. A map copies the
 * client's frame cap (from the client's CNode, which we hold) into our
 * receive slot, MapIOs the copy and moves it (a mapping moves with its
 * cap) into slot n of the client's p2m CNode, n its IOVA page; an unmap
 * deletes that copy, which the kernel returns from only once the SMMU's
 * TLB is invalidated and synchronised. The copy is a child of the
 * client's cap, so the client's Revoke of its own cap unmaps it too.
 */
#include "iommu.h"
#include "iommu_gen.h"

#include <libcairn/invoke.h>
#include <stdio.h>

#define DEPTH	64
#define SCRATCH IOMMU_SLOT_RECV
#define RW	(CAIRN_RIGHT_READ | CAIRN_RIGHT_WRITE)

struct sync_ctx {
	const struct iommu_client *cl;
};

/*
 * Whether the client's cap may be invoked as a frame: never an Endpoint
 * or a Notification, on which MapIO would be an IPC to whoever listens
 * (a client could make us wait on it for ever). Minting a badge tells
 * them apart without invoking anything: only those (and CNodes, whose
 * "badge" is a guard) take one; a Frame refuses it (INVALID_ARGUMENT,
 * the badge). What else refuses it is a kernel object, which refuses
 * MapIO itself.
 */
static int frame_like(const struct iommu_info_client *ic, uint32_t slot)
{
	struct cairn_result r = cairn_cnode_mint(
	    IOMMU_SLOT_CNODE, SCRATCH, DEPTH, ic->cnode, slot, DEPTH, RW, 1);

	if (r.error == CAIRN_OK) {
		cairn_cnode_delete(IOMMU_SLOT_CNODE, SCRATCH, DEPTH);
		return 0;
	}
	return r.error == CAIRN_INVALID_ARGUMENT &&
	       r.detail[0] == CAIRN_ARG_BADGE;
}

static uint32_t map_one(void *ctx, uint32_t slot, uint64_t iova,
			uint32_t rights, uint32_t page)
{
	const struct iommu_info_client *ic = ((struct sync_ctx *)ctx)->cl->info;

	if (!frame_like(ic, slot)) {
		return IOMMU_ERR_CAP; /* none there, or an IPC object */
	}
	struct cairn_result r = cairn_cnode_copy(
	    IOMMU_SLOT_CNODE, SCRATCH, DEPTH, ic->cnode, slot, DEPTH, RW);
	if (r.error != CAIRN_OK) {
		return IOMMU_ERR_CAP;
	}
	r = cairn_frame_map_io(SCRATCH, ic->iospace, iova, rights);
	if (r.error == CAIRN_OK) {
		r = cairn_cnode_move(ic->p2m, page, DEPTH, IOMMU_SLOT_CNODE,
				     SCRATCH, DEPTH);
		if (r.error == CAIRN_OK) {
			return IOMMU_OK;
		}
	}
	/* Not a 4 KiB frame, or refused: our copy goes (and with it any
	 * mapping it made). */
	long e = r.error;
	cairn_cnode_delete(IOMMU_SLOT_CNODE, SCRATCH, DEPTH);
	return e == CAIRN_INVALID_CAPABILITY ? IOMMU_ERR_CAP : IOMMU_ERR_KERNEL;
}

static uint32_t unmap_one(void *ctx, uint32_t page)
{
	const struct iommu_info_client *ic = ((struct sync_ctx *)ctx)->cl->info;

	return cairn_cnode_delete(ic->p2m, page, DEPTH).error == CAIRN_OK
		   ? IOMMU_OK
		   : IOMMU_ERR_KERNEL;
}

uint32_t iommu_submit(struct iommu *s, unsigned c, uint32_t prod,
		      uint32_t *done, uint32_t *detail)
{
	struct sync_ctx ctx = {&s->client[c]};
	const struct p2m_ops ops = {map_one, unmap_one, &ctx};
	const struct iommu_ring *ring =
	    (const void *)((uintptr_t)IOMMU_DATAPORT_CLIENTS +
			   s->client[c].info->badge *
			       IOMMU_DATAPORT_CLIENTS_SIZE);
	uint32_t e = p2m_submit(&s->p2m[c], ring, prod, &ops, done, detail);

	/* Tell the client where we are; it never tells us. */
	((volatile struct iommu_ring *)ring)->cons = s->p2m[c].cons;
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
