#include "objects/iospace.h"

#include "objects/mapping.h"

#include <cairn/invocations.h>

enum { A_IOSPACE, A_IOVA, A_RIGHTS };

/* What a device may be allowed: to read, to write. */
#define IO_RIGHTS (CAIRN_RIGHT_READ | CAIRN_RIGHT_WRITE)

static enum cairn_error check_rights(struct invocation *inv, uint64_t rights)
{
	uint64_t missing = rights & ~(uint64_t)inv->slot->cap.rights;

	if ((rights & ~(uint64_t)IO_RIGHTS) != 0 || rights == 0) {
		return inv_refuse(inv, CAIRN_INVALID_ARGUMENT, CAIRN_ARG_RIGHTS,
				  0, IO_RIGHTS);
	}
	if (missing != 0) {
		/* Never more than the cap grants, and never silently less. */
		return inv_refuse(inv, CAIRN_ILLEGAL_OPERATION,
				  CAIRN_ARG_RIGHTS, missing, 0);
	}
	if (!(rights & CAIRN_RIGHT_READ) && arch_smmu_info()->io_stage1) {
		/* A stage-1 descriptor cannot say write-only. */
		return inv_refuse(inv, CAIRN_NOT_SUPPORTED, CAIRN_ARG_RIGHTS,
				  rights, 0);
	}
	return CAIRN_OK;
}

static enum cairn_error decode_map_io(struct invocation *inv, struct map_op *op)
{
	uint64_t bytes = cap_object_size(&inv->slot->cap);
	enum cairn_error e = map_decode_target(inv, &map_iospace, 3, bytes, op);

	if (e == CAIRN_OK) {
		e = check_rights(inv, inv->args[A_RIGHTS]);
	}
	if (e == CAIRN_OK) {
		e = map_decode_leaf(inv, &map_iospace, bytes, op);
	}
	if (e != CAIRN_OK) {
		return e;
	}
	op->leaf = (struct s2_leaf){
	    .pa = op->cap->object,
	    .rights = (uint32_t)inv->args[A_RIGHTS],
	    .device = op->cap->device, /* peer-to-peer: a device's memory */
	};
	return CAIRN_OK;
}

enum cairn_error frame_io_invoke(struct invocation *inv)
{
	struct cap *c = &inv->slot->cap;
	struct map_op op;
	enum cairn_error e;

	switch (inv->label) {
	case CAIRN_FRAME_MAP_IO:
		e = decode_map_io(inv, &op);
		if (e == CAIRN_OK) {
			map_perform_leaf(&op);
		}
		return e;
	case CAIRN_FRAME_UNMAP_IO:
		/* An IOSpace mapping only (Unmap ends a VSpace one). */
		if (mapping_is_io(c->mapping)) {
			map_unmap_cap(c);
		}
		return CAIRN_OK;
	default:
		return inv_bad_label(inv);
	}
}

enum cairn_error io_page_table_invoke(struct invocation *inv)
{
	return map_table_invoke(inv, &map_iospace, CAIRN_IO_PAGE_TABLE_MAP,
				CAIRN_IO_PAGE_TABLE_UNMAP);
}
