#include "invocation.h"

#include "assert.h"
#include "cap/cspace.h"
#include "objects/audit.h"
#include "objects/cnode.h"
#include "objects/iospace.h"
#include "objects/irq.h"
#include "objects/mapping.h"
#include "objects/power.h"
#include "objects/stream.h"
#include "objects/tcb.h"
#include "objects/untyped.h"
#include "objects/vcpu.h"
#include "objects/vspace.h"

#include <cairn/invocations.h>

/* VSpace, Endpoint (its Call is IPC), Notification and Reply. */
static enum cairn_error no_invocations(struct invocation *inv)
{
	return inv_refuse(inv, CAIRN_ILLEGAL_OPERATION, CAIRN_ARG_INVOKED,
			  inv->slot->cap.type, 0);
}

static const invoke_fn invoke_table[CAP_TYPE_LIMIT] = {
    [CAP_UNTYPED] = untyped_invoke,
    [CAP_CNODE] = cnode_invoke,
    [CAP_ENDPOINT] = no_invocations,
    [CAP_NOTIFICATION] = no_invocations,
    [CAP_FRAME] = frame_invoke,
    [CAP_VSPACE] = no_invocations,
    [CAP_PAGE_TABLE] = page_table_invoke,
    [CAP_IOSPACE] = iospace_invoke,
    [CAP_IO_PAGE_TABLE] = io_page_table_invoke,
    [CAP_TCB] = tcb_invoke,
    [CAP_REPLY] = no_invocations,
    [CAP_VCPU] = vcpu_invoke,
    [CAP_IRQ_CONTROL] = irq_control_invoke,
    [CAP_IRQ_HANDLER] = irq_handler_invoke,
    [CAP_AUDIT_CONTROL] = audit_invoke,
    [CAP_POWER_CONTROL] = power_invoke,
    [CAP_SID_CONTROL] = sid_control_invoke,
    [CAP_STREAM_ID] = stream_invoke,
};

enum cairn_error invoke(struct invocation *inv)
{
	unsigned type = inv->slot->cap.type;
	invoke_fn fn = type < CAP_TYPE_LIMIT ? invoke_table[type] : NULL;
	enum cairn_error e = fn != NULL ? fn(inv) : no_invocations(inv);

	/* The SMMU is coherent again before any invocation returns. */
	ASSERT(!map_batch_open());
	return e;
}

/* A failed lookup of argument arg: say which argument it was. */
static enum cairn_error name_arg(struct invocation *inv, unsigned arg,
				 enum cairn_error e)
{
	if (e == CAIRN_FAILED_LOOKUP) {
		inv->err.detail[3] = arg;
	}
	return e;
}

enum cairn_error inv_lookup_cap(struct invocation *inv, unsigned arg,
				uint64_t cptr, struct cte **slot)
{
	return name_arg(inv, arg,
			cspace_lookup_cap(inv->cspace, cptr, slot, &inv->err));
}

enum cairn_error inv_lookup_typed(struct invocation *inv, unsigned arg,
				  uint64_t cptr, enum cap_type type,
				  struct cte **slot)
{
	enum cairn_error e = inv_lookup_cap(inv, arg, cptr, slot);

	if (e == CAIRN_OK && (*slot)->cap.type != type) {
		return inv_refuse(inv, CAIRN_INVALID_CAPABILITY, arg, 0, 0);
	}
	return e;
}

enum cairn_error inv_lookup_slot(struct invocation *inv, unsigned arg,
				 const struct cap *root, uint64_t cptr,
				 uint64_t depth, struct cte **slot)
{
	unsigned d = depth > CPTR_BITS ? 0 : (unsigned)depth;

	return name_arg(inv, arg,
			cspace_lookup_slot(root, cptr, d, slot, &inv->err));
}

enum cairn_error inv_lookup_cnode(struct invocation *inv, unsigned root_arg,
				  uint64_t root_cptr, uint64_t index,
				  uint64_t depth, struct cap *cnode)
{
	/* It names root_arg or root_arg + 1 in detail[3] itself. */
	return cspace_lookup_cnode(inv->cspace, root_cptr, index, depth,
				   root_arg, cnode, &inv->err);
}

enum cairn_error inv_lookup_empty(struct invocation *inv, unsigned arg,
				  const struct cap *root, uint64_t cptr,
				  uint64_t depth, struct cte **slot)
{
	enum cairn_error e = inv_lookup_slot(inv, arg, root, cptr, depth, slot);

	if (e == CAIRN_OK && !cap_is_null(&(*slot)->cap)) {
		return inv_refuse(inv, CAIRN_DELETE_FIRST, arg, cptr, 0);
	}
	return e;
}

enum cairn_error inv_lookup_dest(struct invocation *inv, uint64_t root_cptr,
				 uint64_t index, uint64_t depth,
				 struct cte **slot)
{
	struct cap cnode;
	enum cairn_error e =
	    inv_lookup_cnode(inv, CAIRN_ARG_DEST_ROOT, root_cptr, 0, 0, &cnode);

	if (e != CAIRN_OK) {
		return e;
	}
	return inv_lookup_empty(inv, CAIRN_ARG_DEST_INDEX, &cnode, index, depth,
				slot);
}
