#include "objects/vspace.h"

#include "objects/iospace.h"
#include "objects/mapping.h"

#include <cairn/invocations.h>

enum { A_VSPACE, A_IPA, A_RIGHTS, A_ATTRS };

static enum cairn_error decode_frame_map(struct invocation *inv,
					 struct map_op *op)
{
	const uint64_t *a = inv->args;
	uint64_t bytes = cap_object_size(&inv->slot->cap);
	enum cairn_error e = map_decode_target(inv, &map_vspace, 4, bytes, op);

	if (e != CAIRN_OK) {
		return e;
	}
	if ((a[A_RIGHTS] & ~(uint64_t)CAIRN_RIGHTS_ALL) != 0) {
		return inv_refuse(inv, CAIRN_INVALID_ARGUMENT, CAIRN_ARG_RIGHTS,
				  0, CAIRN_RIGHTS_ALL);
	}
	if ((a[A_ATTRS] & ~CAIRN_MAP_ATTRS_ALL) != 0) {
		return inv_refuse(inv, CAIRN_INVALID_ARGUMENT,
				  CAIRN_ARG_ATTRIBUTES, 0, CAIRN_MAP_ATTRS_ALL);
	}
	e = map_decode_leaf(inv, &map_vspace, bytes, op);
	if (e != CAIRN_OK) {
		return e;
	}
	const struct cap *f = op->cap;
	op->leaf = (struct s2_leaf){
	    .pa = f->object,
	    .rights = (uint32_t)a[A_RIGHTS] & f->rights,
	    .device = f->device || (a[A_ATTRS] & CAIRN_MAP_DEVICE),
	    .uncached = (a[A_ATTRS] & CAIRN_MAP_UNCACHED) != 0,
	};
	return CAIRN_OK;
}

/* Frame.Unmap ends a VSpace mapping only (UnmapIO an IOSpace one). */
static void frame_unmap(struct cap *c)
{
	if (!mapping_is_io(c->mapping)) {
		map_unmap_cap(c);
	}
}

enum cairn_error frame_invoke(struct invocation *inv)
{
	struct map_op op;
	enum cairn_error e;

	switch (inv->label) {
	case CAIRN_FRAME_MAP:
		e = decode_frame_map(inv, &op);
		if (e == CAIRN_OK) {
			map_perform_leaf(&op);
		}
		return e;
	case CAIRN_FRAME_UNMAP:
		frame_unmap(&inv->slot->cap);
		return CAIRN_OK;
	case CAIRN_FRAME_GET_ADDRESS:
		inv->reply[0] = pa_addr(inv->slot->cap.object);
		inv->reply_len = 1;
		return CAIRN_OK;
	case CAIRN_FRAME_MAP_IO:
	case CAIRN_FRAME_UNMAP_IO:
		return frame_io_invoke(inv);
	default:
		return inv_bad_label(inv);
	}
}

enum cairn_error page_table_invoke(struct invocation *inv)
{
	return map_table_invoke(inv, &map_vspace, CAIRN_PAGE_TABLE_MAP,
				CAIRN_PAGE_TABLE_UNMAP);
}
