#include "cap/delete.h"

#include "cap/cdt.h"
#include "objects/object.h"
#include "preempt.h"

static uint64_t cnode_occupied(const struct cap *c)
{
	const struct cte *slots = cnode_slots(c);
	uint64_t n = 0;

	for (uint64_t i = 0; i < (1ULL << c->size_bits); i++) {
		n += !cap_is_null(&slots[i].cap);
	}
	return n;
}

enum cairn_error cte_decode_delete(const struct cte *slot,
				   struct inv_error *err)
{
	if (cap_is_null(&slot->cap) || !cdt_is_final(slot)) {
		return CAIRN_OK;
	}
	if (slot->cap.type == CAP_CNODE) {
		uint64_t used = cnode_occupied(&slot->cap);
		if (used != 0) {
			return inv_fail(err, CAIRN_DELETE_FIRST, 0, used, 0);
		}
	}
	return object_decode_destroy(&slot->cap, err);
}

void cte_perform_delete(struct cte *slot)
{
	if (cap_is_null(&slot->cap)) {
		return;
	}
	bool final = cdt_is_final(slot);
	struct cap cap = slot->cap;

	/* Out of the tree first: destruction may delete other slots. */
	object_cap_gone(slot);
	cdt_remove(slot);
	if (final) {
		object_destroy(&cap);
	}
}

enum cairn_error cte_delete(struct cte *slot, struct inv_error *err)
{
	enum cairn_error e = cte_decode_delete(slot, err);

	if (e == CAIRN_OK) {
		cte_perform_delete(slot);
	}
	return e;
}

/*
 * One pass over slot's descendants: deleted (how many it deleted), or
 * stopped at a preemption point (*preempted) once it has deleted one.
 */
static unsigned revoke_pass(struct cte *slot, bool *preempted,
			    struct inv_error *err)
{
	struct cte *d = cdt_first_child(slot);
	unsigned deleted = 0;

	while (d != NULL && d->depth > slot->depth) {
		/* Deleting d leaves d->next in place (children move up). */
		struct cte *next = d->next;

		if (cte_delete(d, err) == CAIRN_OK) {
			deleted++;
			if (preempt_wanted()) {
				*preempted = true;
				return deleted;
			}
		}
		d = next;
	}
	return deleted;
}

enum cairn_error cte_revoke(struct cte *slot, struct inv_error *err)
{
	bool preempted = false;

	/*
	 * A pass can fail on a CNode whose contents later in the same pass
	 * are deleted, so repeat until the subtree is empty or a pass changes
	 * nothing; then err holds the last refusal. Each delete is bounded,
	 * and an interrupt waiting after one stops the revoke (INV_RESTART):
	 * what it deleted stays deleted, so the re-executed call goes on
	 * where this one stopped and always makes progress.
	 */
	while (cdt_has_children(slot)) {
		unsigned deleted = revoke_pass(slot, &preempted, err);

		if (preempted && cdt_has_children(slot)) {
			return INV_RESTART;
		}
		if (deleted == 0) {
			return err->code;
		}
	}
	return CAIRN_OK;
}
