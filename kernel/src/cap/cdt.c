#include "cap/cdt.h"

#include "assert.h"

#include <string.h>

static void link_after(struct cte *pos, struct cte *slot)
{
	slot->prev = pos;
	slot->next = pos->next;
	if (pos->next != NULL) {
		pos->next->prev = slot;
	}
	pos->next = slot;
}

void cdt_check(const struct cte *slot)
{
#ifdef CAIRN_DEBUG
	ASSERT(!cap_is_null(&slot->cap));
	ASSERT(slot->prev == NULL || slot->prev->next == slot);
	ASSERT(slot->next == NULL || slot->next->prev == slot);
	/* A node is at most one level deeper than the one before it. */
	ASSERT(slot->next == NULL || slot->next->depth <= slot->depth + 1);
#else
	(void)slot;
#endif
}

void cdt_insert_root(struct cte *slot, const struct cap *cap)
{
	ASSERT(cap_is_null(&slot->cap));
	slot->cap = *cap;
	slot->prev = NULL;
	slot->next = NULL;
	slot->depth = 0;
}

void cdt_insert_child(struct cte *parent, struct cte *slot,
		      const struct cap *cap)
{
	ASSERT(cap_is_null(&slot->cap) && !cap_is_null(&parent->cap));
	slot->cap = *cap;
	slot->depth = parent->depth + 1;
	link_after(parent, slot);
	cdt_check(parent);
	cdt_check(slot);
}

void cdt_move(struct cte *src, struct cte *dst, const struct cap *cap)
{
	ASSERT(cap_is_null(&dst->cap) && !cap_is_null(&src->cap));
	dst->cap = *cap;
	dst->depth = src->depth;
	dst->prev = src->prev;
	dst->next = src->next;
	if (dst->prev != NULL) {
		dst->prev->next = dst;
	}
	if (dst->next != NULL) {
		dst->next->prev = dst;
	}
	memset(src, 0, sizeof(*src));
	cdt_check(dst);
}

void cdt_remove(struct cte *slot)
{
	/* Children (and their subtrees) are re-parented to slot's parent. */
	for (struct cte *d = slot->next; d != NULL && d->depth > slot->depth;
	     d = d->next) {
		d->depth--;
	}
	if (slot->prev != NULL) {
		slot->prev->next = slot->next;
	}
	if (slot->next != NULL) {
		slot->next->prev = slot->prev;
	}
	if (slot->prev != NULL) {
		cdt_check(slot->prev);
	}
	memset(slot, 0, sizeof(*slot));
}

bool cdt_has_children(const struct cte *slot)
{
	return cdt_first_child(slot) != NULL;
}

struct cte *cdt_first_child(const struct cte *slot)
{
	struct cte *n = slot->next;

	return n != NULL && n->depth > slot->depth ? n : NULL;
}

bool cdt_is_final(const struct cte *slot)
{
	/* All caps to one object are contiguous in the list: see cap.h. */
	return !(slot->prev != NULL &&
		 cap_same_object(&slot->prev->cap, &slot->cap)) &&
	       !(slot->next != NULL &&
		 cap_same_object(&slot->next->cap, &slot->cap));
}
