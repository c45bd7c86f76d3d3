/*
 * A small system for capability tests: a root CNode (radix 8, guard making
 * it resolve 64-bit cptrs) at the arena's start, and an Untyped of
 * 2^UT_BITS bytes in slot UT_SLOT. Slot ROOT_SLOT holds a copy of the root
 * CNode cap, so it can be named as a destination root.
 */
#pragma once

#include "cap/cap.h"
#include "cap/cdt.h"
#include "host_kmem.h"
#include "invocation.h"

#include <string.h>

#define ROOT_RADIX 8
#define ROOT_SLOT  1
#define UT_SLOT	   2
#define UT_BITS	   22
#define UT_BASE	   (HOST_RAM_BASE + (4ULL << 20))

struct fixture {
	struct cte root_holder; /* outside any CNode, like a TCB's root */
	struct cap root;	/* the CSpace root cap invocations resolve in */
	struct cte *slots;
};

static inline struct cap fixture_untyped(uint64_t base, unsigned bits,
					 bool device)
{
	return (struct cap){.type = CAP_UNTYPED,
			    .size_bits = (uint8_t)bits,
			    .device = device,
			    .rights = CAIRN_RIGHTS_ALL,
			    .object = pa_init(base)};
}

static inline void fixture_init(struct fixture *f)
{
	memset(host_ram, 0xa5, sizeof(host_ram));
	struct cap root = {.type = CAP_CNODE,
			   .size_bits = ROOT_RADIX,
			   .guard_bits = 64 - ROOT_RADIX,
			   .guard = 0,
			   .rights = CAIRN_RIGHTS_ALL,
			   .object = pa_init(HOST_RAM_BASE)};
	memset(host_ram, 0, (1U << ROOT_RADIX) * sizeof(struct cte));
	memset(&f->root_holder, 0, sizeof(f->root_holder));
	cdt_insert_root(&f->root_holder, &root);
	f->root = root;
	f->slots = cnode_slots(&root);
	cdt_insert_child(&f->root_holder, &f->slots[ROOT_SLOT], &root);
	struct cap ut = fixture_untyped(UT_BASE, UT_BITS, false);
	cdt_insert_root(&f->slots[UT_SLOT], &ut);
}

/* Fails the test with the error and its details unless e is CAIRN_OK. */
static inline void fixture_ok(enum cairn_error e, const struct inv_error *err)
{
	if (e != CAIRN_OK) {
		fail_msg("error %d (detail %lu %lu %lu)", e,
			 (unsigned long)err->detail[0],
			 (unsigned long)err->detail[1],
			 (unsigned long)err->detail[2]);
	}
}

/*
 * Runs an invocation on the cap in slot as a thread whose CSpace root is
 * f->root would, through the kernel's dispatch table; reply words (if any)
 * land in reply, which may be NULL when none are expected.
 */
static inline enum cairn_error
fixture_invoke_reply(struct fixture *f, struct cte *slot, uint64_t label,
		     const uint64_t *a, size_t n, uint64_t *reply,
		     struct inv_error *err)
{
	uint64_t scratch[CAIRN_MSG_MAX_WORDS];
	struct invocation inv = {
	    .slot = slot,
	    .label = label,
	    .args = a,
	    .nargs = n,
	    .cspace = &f->root,
	    .reply = reply != NULL ? reply : scratch,
	};
	enum cairn_error e = invoke(&inv);

	*err = inv.err;
	return e;
}

#define fixture_invoke(f, slot, label, a, n, err)                              \
	fixture_invoke_reply((f), (slot), (label), (a), (n), NULL, (err))
