/*
 * The capability derivation tree. Invariant (checked by cdt_check in debug
 * builds): following `next`, a slot's descendants are exactly the slots
 * directly after it with a greater depth; `prev`/`next` are mutual; empty
 * slots are not linked.
 */
#pragma once

#include "cap/cap.h"

/* Places cap in the empty slot as a tree root (boot-time Untyped). */
void cdt_insert_root(struct cte *slot, const struct cap *cap);

/* Places cap in the empty slot as the newest child of parent. */
void cdt_insert_child(struct cte *parent, struct cte *slot,
		      const struct cap *cap);

/* Moves src's cap (replaced by cap) and tree position to the empty dst. */
void cdt_move(struct cte *src, struct cte *dst, const struct cap *cap);

/* Takes slot out of the tree and empties it; its children move up a level. */
void cdt_remove(struct cte *slot);

bool cdt_has_children(const struct cte *slot);

/* The first child of slot, or NULL. */
struct cte *cdt_first_child(const struct cte *slot);

/* No other slot in the tree holds a cap to slot's object. */
bool cdt_is_final(const struct cte *slot);

/* Debug check of the invariant around slot. */
void cdt_check(const struct cte *slot);
