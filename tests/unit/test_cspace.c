/* CSpace lookup: guards, radix levels, depths and each failure kind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cap/cspace.h"
#include "cspace_fixture.h"
#include "objects/cnode.h"
#include "objects/untyped.h"

#include <cairn/invocations.h>

static struct fixture f;
static struct cte *inner; /* CNode radix 6 in root slot 3, guard 0b10 */

#define INNER_SLOT  3
#define INNER_GUARD 2 /* 0b10, 2 bits */

static void ok(enum cairn_error e)
{
	assert_int_equal(e, CAIRN_OK);
}

/* Bits: root level 56 (guard 48 + radix 8), inner 8 (guard 2 + radix 6). */
static uint64_t inner_cptr(uint64_t guard, uint64_t index)
{
	return ((uint64_t)INNER_SLOT << 8) | (guard << 6) | index;
}

/* A cptr naming root slot `slot` in f.root, whose level takes 56 bits. */
#define C(slot) ((uint64_t)(slot) << 8)

static int setup(void **state)
{
	struct inv_error err;
	(void)state;

	/* Build with the fixture's one-level CSpace: plain slot cptrs. */
	fixture_init(&f);
	uint64_t a[] = {CAIRN_OBJ_CNODE, 6, ROOT_SLOT, 0, 0, 10, 1};
	ok(fixture_invoke(&f, &f.slots[UT_SLOT], CAIRN_UNTYPED_RETYPE, a, 7,
			  &err));
	/* Mutate it into slot 3 with a 2-bit guard 0b10. */
	uint64_t m[] = {INNER_SLOT, 64, ROOT_SLOT,
			10,	    64, CAIRN_GUARD_WORD(INNER_GUARD, 2)};
	ok(fixture_invoke(&f, &f.slots[ROOT_SLOT], CAIRN_CNODE_MUTATE, m, 6,
			  &err));
	assert_true(cap_is_null(&f.slots[10].cap));
	inner = cnode_slots(&f.slots[INNER_SLOT].cap);
	/* An endpoint in inner slot 5, through a nested destination. */
	uint64_t e[] = {CAIRN_OBJ_ENDPOINT, 0, ROOT_SLOT, INNER_SLOT, 64, 5, 1};
	ok(fixture_invoke(&f, &f.slots[UT_SLOT], CAIRN_UNTYPED_RETYPE, e, 7,
			  &err));
	/* Then look up through a root that leaves 8 bits for the inner level.
	 */
	f.root.guard_bits = 48;
	return 0;
}

static void test_guarded_two_level_lookup(void **state)
{
	struct cte *slot;
	struct inv_error err;
	(void)state;

	assert_int_equal(f.slots[INNER_SLOT].cap.guard_bits, 2);
	assert_int_equal(f.slots[INNER_SLOT].cap.guard, INNER_GUARD);
	ok(cspace_lookup_cap(&f.root, inner_cptr(INNER_GUARD, 5), &slot, &err));
	assert_ptr_equal(slot, &inner[5]);
	assert_int_equal(slot->cap.type, CAP_ENDPOINT);
	/* The same slot with an explicit full depth. */
	ok(cspace_lookup_slot(&f.root, inner_cptr(INNER_GUARD, 5), 64, &slot,
			      &err));
	assert_ptr_equal(slot, &inner[5]);
	/* Depth 56 stops at the root level: the slot holding the CNode. */
	ok(cspace_lookup_slot(&f.root, INNER_SLOT, 56, &slot, &err));
	assert_ptr_equal(slot, &f.slots[INNER_SLOT]);
}

static void expect_fail(uint64_t cptr, unsigned depth, bool exact,
			enum cairn_lookup_failure kind, unsigned bits_left,
			unsigned reached)
{
	struct cte *slot = NULL;
	struct inv_error err;
	enum cairn_error e =
	    exact ? cspace_lookup_slot(&f.root, cptr, depth, &slot, &err)
		  : cspace_lookup_cap(&f.root, cptr, &slot, &err);

	assert_int_equal(e, CAIRN_FAILED_LOOKUP);
	assert_int_equal(err.detail[0], kind);
	assert_int_equal(err.detail[1], bits_left);
	assert_int_equal(err.detail[2], reached);
	assert_null(slot);
}

static void test_failures_say_where(void **state)
{
	(void)state;
	/* Wrong inner guard 0b11: fails with 8 bits left, 56 consumed. */
	expect_fail(inner_cptr(3, 5), 64, false, CAIRN_LOOKUP_GUARD_MISMATCH, 8,
		    56);
	/* A non-zero bit in the root's 48-bit guard. */
	expect_fail((1ULL << 63) | 5, 64, false, CAIRN_LOOKUP_GUARD_MISMATCH,
		    64, 0);
	/* An empty inner slot. */
	expect_fail(inner_cptr(INNER_GUARD, 6), 64, false,
		    CAIRN_LOOKUP_MISSING_CAP, 0, 64);
	/* 60 bits: the inner level needs 8, only 4 remain. */
	expect_fail(inner_cptr(INNER_GUARD, 5) >> 4, 60, true,
		    CAIRN_LOOKUP_DEPTH_MISMATCH, 4, 56);
	/* 50 bits cannot cover even the root level. */
	expect_fail(0, 50, true, CAIRN_LOOKUP_DEPTH_MISMATCH, 50, 0);
	expect_fail(0, 0, true, CAIRN_LOOKUP_DEPTH_MISMATCH, 0, 0);
	expect_fail(0, 65, true, CAIRN_LOOKUP_DEPTH_MISMATCH, 65, 0);
}

static void test_exact_depth_vs_stop_at_leaf(void **state)
{
	struct cte *slot;
	struct inv_error err;
	(void)state;

	/*
	 * The Untyped is a leaf: a 64-bit cap lookup stops there with the 8
	 * bits of a second level unused, as seL4's does.
	 */
	uint64_t cptr = C(UT_SLOT);
	ok(cspace_lookup_cap(&f.root, cptr, &slot, &err));
	assert_ptr_equal(slot, &f.slots[UT_SLOT]);
	/* An exact lookup of the same bits must consume all 64. */
	expect_fail(cptr, 64, true, CAIRN_LOOKUP_DEPTH_MISMATCH, 8, 56);
}

static void test_invalid_root(void **state)
{
	struct cte *slot;
	struct inv_error err;
	(void)state;

	assert_int_equal(
	    cspace_lookup_cap(&f.slots[UT_SLOT].cap, 0, &slot, &err),
	    CAIRN_FAILED_LOOKUP);
	assert_int_equal(err.detail[0], CAIRN_LOOKUP_INVALID_ROOT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_guarded_two_level_lookup, setup),
	    cmocka_unit_test_setup(test_failures_say_where, setup),
	    cmocka_unit_test_setup(test_exact_depth_vs_stop_at_leaf, setup),
	    cmocka_unit_test_setup(test_invalid_root, setup),
	};
	return cmocka_run_group_tests_name("cspace", tests, NULL, NULL);
}
