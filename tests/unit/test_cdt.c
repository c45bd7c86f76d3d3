/* The derivation tree through CNode invocations: deep trees, revoke, delete. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cap/cdt.h"
#include "cspace_fixture.h"
#include "objects/cnode.h"
#include "objects/untyped.h"

#include <cairn/invocations.h>

static struct fixture f;
static struct inv_error err;

#define EP 10 /* an endpoint retyped in setup */

static enum cairn_error inv(struct cte *cn, uint64_t label, const uint64_t *a,
			    size_t n)
{
	return fixture_invoke(&f, cn, label, a, n, &err);
}

static struct cte *rootcn(void)
{
	return &f.slots[ROOT_SLOT];
}

static enum cairn_error copy(uint64_t dest, uint64_t src, uint64_t rights)
{
	uint64_t a[] = {dest, 64, ROOT_SLOT, src, 64, rights};
	return inv(rootcn(), CAIRN_CNODE_COPY, a, 6);
}

static enum cairn_error mint(uint64_t dest, uint64_t src, uint64_t rights,
			     uint64_t badge)
{
	uint64_t a[] = {dest, 64, ROOT_SLOT, src, 64, rights, badge};
	return inv(rootcn(), CAIRN_CNODE_MINT, a, 7);
}

static enum cairn_error move(uint64_t dest, uint64_t src)
{
	uint64_t a[] = {dest, 64, ROOT_SLOT, src, 64};
	return inv(rootcn(), CAIRN_CNODE_MOVE, a, 5);
}

static enum cairn_error del(uint64_t slot)
{
	uint64_t a[] = {slot, 64};
	return inv(rootcn(), CAIRN_CNODE_DELETE, a, 2);
}

static enum cairn_error revoke(uint64_t slot)
{
	uint64_t a[] = {slot, 64};
	return inv(rootcn(), CAIRN_CNODE_REVOKE, a, 2);
}

static enum cairn_error retype_from(uint64_t ut, uint64_t type, uint64_t bits,
				    uint64_t slot)
{
	uint64_t a[] = {type, bits, ROOT_SLOT, 0, 0, slot, 1};
	return fixture_invoke(&f, &f.slots[ut], CAIRN_UNTYPED_RETYPE, a, 7,
			      &err);
}

static void ok(enum cairn_error e)
{
	fixture_ok(e, &err);
}

static bool empty(uint64_t slot)
{
	return cap_is_null(&f.slots[slot].cap);
}

/* Walks the whole list from the untyped: links mutual, depths sane. */
static size_t check_tree(void)
{
	const struct cte *c = &f.slots[UT_SLOT];
	size_t n = 0;

	while (c->prev != NULL) {
		c = c->prev;
	}
	for (; c != NULL; c = c->next, n++) {
		assert_false(cap_is_null(&c->cap));
		if (c->next != NULL) {
			assert_ptr_equal(c->next->prev, c);
			assert_true(c->next->depth <= c->depth + 1);
		}
	}
	return n;
}

static int setup(void **state)
{
	(void)state;
	fixture_init(&f);
	ok(retype_from(UT_SLOT, CAIRN_OBJ_ENDPOINT, 0, EP));
	return 0;
}

static void test_deep_chain_revoke(void **state)
{
	(void)state;
	for (uint64_t s = 11; s <= 40; s++) {
		ok(copy(s, s - 1, CAIRN_RIGHTS_ALL));
	}
	ok(copy(50, EP, CAIRN_RIGHTS_ALL));
	ok(copy(51, 11, CAIRN_RIGHTS_ALL));
	assert_int_equal(f.slots[40].depth, 31);
	assert_int_equal(check_tree(), 1 + 31 + 2);

	ok(revoke(20));
	for (uint64_t s = 21; s <= 40; s++) {
		assert_true(empty(s));
	}
	for (uint64_t s = EP; s <= 20; s++) {
		assert_false(empty(s));
	}
	assert_false(empty(50));
	assert_false(empty(51));
	assert_false(cdt_has_children(&f.slots[20]));
	assert_int_equal(check_tree(), 1 + 11 + 2);

	ok(revoke(EP));
	for (uint64_t s = 11; s <= 51; s++) {
		assert_true(empty(s));
	}
	assert_false(empty(EP));
	assert_true(cdt_is_final(&f.slots[EP]));
	assert_int_equal(check_tree(), 2);
}

static void test_delete_in_the_middle_reparents(void **state)
{
	(void)state;
	ok(copy(11, EP, CAIRN_RIGHTS_ALL));
	ok(copy(12, 11, CAIRN_RIGHTS_ALL));
	ok(copy(13, 12, CAIRN_RIGHTS_ALL));
	ok(del(11));
	assert_true(empty(11));
	assert_int_equal(f.slots[12].depth, f.slots[EP].depth + 1);
	assert_int_equal(f.slots[13].depth, f.slots[EP].depth + 2);
	check_tree();
	/* Still descendants of EP: revoke reaches them. */
	ok(revoke(EP));
	assert_true(empty(12) && empty(13));
	/* Deleting an empty slot succeeds and changes nothing. */
	ok(del(12));
}

static void test_final_capability(void **state)
{
	(void)state;
	assert_true(cdt_is_final(&f.slots[EP]));
	ok(copy(11, EP, CAIRN_RIGHTS_ALL));
	assert_false(cdt_is_final(&f.slots[EP]));
	assert_false(cdt_is_final(&f.slots[11]));
	ok(del(EP));
	assert_true(cdt_is_final(&f.slots[11]));
	/* An object made after it is a different object. */
	ok(retype_from(UT_SLOT, CAIRN_OBJ_ENDPOINT, 0, 12));
	assert_true(cdt_is_final(&f.slots[11]));
	assert_true(cdt_is_final(&f.slots[12]));
}

static void test_mint_rights_and_badges(void **state)
{
	(void)state;
	ok(mint(11, EP, CAIRN_RIGHT_READ | CAIRN_RIGHT_WRITE, 7));
	assert_int_equal(f.slots[11].cap.rights,
			 CAIRN_RIGHT_READ | CAIRN_RIGHT_WRITE);
	assert_int_equal(f.slots[11].cap.badge, 7);
	assert_int_equal(f.slots[EP].cap.badge, 0);
	/* Rights only shrink; the badge is inherited by copies. */
	ok(copy(12, 11, CAIRN_RIGHTS_ALL));
	assert_int_equal(f.slots[12].cap.rights,
			 CAIRN_RIGHT_READ | CAIRN_RIGHT_WRITE);
	assert_int_equal(f.slots[12].cap.badge, 7);
	ok(copy(13, 12, CAIRN_RIGHT_READ));
	assert_int_equal(f.slots[13].cap.rights, CAIRN_RIGHT_READ);
	ok(mint(14, 11, CAIRN_RIGHTS_ALL, 7)); /* same badge: fine */
	/* A badge cannot be changed once set. */
	assert_int_equal(mint(15, 11, CAIRN_RIGHTS_ALL, 8),
			 CAIRN_ILLEGAL_OPERATION);
	assert_int_equal(err.detail[0], CAIRN_ARG_BADGE);
	assert_int_equal(err.detail[1], 7);
	assert_int_equal(copy(15, EP, 1U << 5), CAIRN_INVALID_ARGUMENT);
	assert_int_equal(err.detail[0], CAIRN_ARG_RIGHTS);
	assert_int_equal(copy(15, EP, 1ULL << 40), CAIRN_INVALID_ARGUMENT);
	/* Frames carry no badge. */
	ok(retype_from(UT_SLOT, CAIRN_OBJ_FRAME_4K, 0, 20));
	assert_int_equal(mint(21, 20, CAIRN_RIGHTS_ALL, 1),
			 CAIRN_INVALID_ARGUMENT);
	assert_int_equal(err.detail[0], CAIRN_ARG_BADGE);
	assert_true(empty(15) && empty(21));
}

static void test_move_keeps_the_tree_position(void **state)
{
	(void)state;
	ok(copy(11, EP, CAIRN_RIGHTS_ALL));
	ok(copy(12, 11, CAIRN_RIGHTS_ALL));
	ok(move(30, 11));
	assert_true(empty(11));
	assert_int_equal(f.slots[30].depth, f.slots[EP].depth + 1);
	check_tree();
	ok(revoke(30));
	assert_true(empty(12));
	assert_false(empty(EP));
	assert_int_equal(move(30, EP), CAIRN_DELETE_FIRST);
	assert_int_equal(err.detail[0], CAIRN_ARG_DEST_INDEX);
	assert_int_equal(move(31, 11), CAIRN_FAILED_LOOKUP);
	assert_int_equal(err.detail[0], CAIRN_LOOKUP_MISSING_CAP);
	assert_int_equal(move(31, 300), CAIRN_FAILED_LOOKUP);
	/* Untyped caps move but never copy: the watermark is per cap. */
	assert_int_equal(copy(31, UT_SLOT, CAIRN_RIGHTS_ALL),
			 CAIRN_ILLEGAL_OPERATION);
	ok(move(31, UT_SLOT));
	ok(retype_from(31, CAIRN_OBJ_ENDPOINT, 0, 32));
	assert_int_equal(pa_addr(f.slots[32].cap.object), UT_BASE + 32);
}

static void test_truncated_and_unknown(void **state)
{
	(void)state;
	uint64_t a[] = {11, 64, ROOT_SLOT, EP, 64};
	assert_int_equal(inv(rootcn(), CAIRN_CNODE_COPY, a, 5),
			 CAIRN_TRUNCATED_MESSAGE);
	assert_int_equal(err.detail[1], 6);
	assert_int_equal(inv(rootcn(), CAIRN_CNODE_MINT, a, 5),
			 CAIRN_TRUNCATED_MESSAGE);
	assert_int_equal(err.detail[1], 7);
	assert_int_equal(inv(rootcn(), CAIRN_CNODE_DELETE, a, 1),
			 CAIRN_TRUNCATED_MESSAGE);
	assert_int_equal(inv(rootcn(), 999, a, 5), CAIRN_ILLEGAL_OPERATION);
	assert_int_equal(err.detail[0], CAIRN_ARG_LABEL);
	/* A source root that is not a CNode. */
	uint64_t b[] = {11, 64, EP, 0, 64, CAIRN_RIGHTS_ALL};
	assert_int_equal(inv(rootcn(), CAIRN_CNODE_COPY, b, 6),
			 CAIRN_INVALID_CAPABILITY);
	assert_int_equal(err.detail[0], CAIRN_ARG_SRC_ROOT);
}

static void test_cnode_contents_and_revoke(void **state)
{
	(void)state;
	ok(retype_from(UT_SLOT, CAIRN_OBJ_CNODE, 4, 20));
	struct cte *a_cn = &f.slots[20];
	/* Slot 0 of any CNode stays empty: cptr 0 never names a cap. */
	uint64_t z[] = {0, 4, ROOT_SLOT, EP, 64, CAIRN_RIGHTS_ALL};
	assert_int_equal(inv(a_cn, CAIRN_CNODE_COPY, z, 6),
			 CAIRN_FAILED_LOOKUP);
	assert_int_equal(err.detail[0], CAIRN_LOOKUP_NULL_SLOT);
	assert_true(cap_is_null(&cnode_slots(&a_cn->cap)[0].cap));
	/* Copy the endpoint into slot 1 of the new CNode (depth 4). */
	uint64_t c[] = {1, 4, ROOT_SLOT, EP, 64, CAIRN_RIGHTS_ALL};
	ok(inv(a_cn, CAIRN_CNODE_COPY, c, 6));
	assert_int_equal(cnode_slots(&a_cn->cap)[1].cap.type, CAP_ENDPOINT);
	/* The last cap to a CNode that holds caps is not deleted. */
	assert_int_equal(del(20), CAIRN_DELETE_FIRST);
	assert_int_equal(err.detail[1], 1);
	assert_false(empty(20));
	/* Revoking the Untyped takes the copy out first, then the CNode. */
	ok(revoke(UT_SLOT));
	assert_true(empty(20) && empty(EP));
	assert_false(cdt_has_children(&f.slots[UT_SLOT]));
	assert_int_equal(check_tree(), 1);
}

static void test_revoke_stops_on_foreign_nested_cnode(void **state)
{
	(void)state;
	/* A second Untyped U2, unrelated to the first. */
	struct cap u2 =
	    fixture_untyped(HOST_RAM_BASE + (12ULL << 20), 20, false);
	cdt_insert_root(&f.slots[3], &u2);
	ok(retype_from(3, CAIRN_OBJ_CNODE, 4, 40));    /* Y, from U2 */
	ok(retype_from(3, CAIRN_OBJ_ENDPOINT, 0, 41)); /* E2, from U2 */
	uint64_t c[] = {1, 4, ROOT_SLOT, 41, 64, CAIRN_RIGHTS_ALL};
	ok(inv(&f.slots[40], CAIRN_CNODE_COPY, c, 6));	  /* E2 into Y */
	ok(retype_from(UT_SLOT, CAIRN_OBJ_CNODE, 4, 20)); /* X, from U */
	struct cap x = f.slots[20].cap;
	uint64_t m[] = {1, 4, ROOT_SLOT, 40, 64};
	ok(inv(&f.slots[20], CAIRN_CNODE_MOVE, m, 5)); /* Y's only cap into X */
	assert_true(empty(40));

	/* X holds Y, which nothing under U can empty: revoke(U) stops. */
	assert_int_equal(revoke(UT_SLOT), CAIRN_DELETE_FIRST);
	assert_int_equal(err.detail[1], 1);
	assert_false(empty(20));
	assert_true(empty(EP)); /* what could go, went */
	/* Revoking U2 empties and deletes Y; then U's revoke completes. */
	ok(revoke(3));
	assert_true(cap_is_null(&cnode_slots(&x)[1].cap));
	ok(revoke(UT_SLOT));
	assert_true(empty(20));
	check_tree();
}

/* A failed lookup names the argument: Copy's source and destination apart. */
static void test_failed_lookup_names_the_argument(void **state)
{
	(void)state;
	/* The source slot is empty. */
	assert_int_equal(copy(30, 31, CAIRN_RIGHTS_ALL), CAIRN_FAILED_LOOKUP);
	assert_int_equal(err.detail[0], CAIRN_LOOKUP_MISSING_CAP);
	assert_int_equal(err.detail[3], CAIRN_ARG_SRC_INDEX);
	/* The destination names slot 0 (never usable). */
	assert_int_equal(copy(0, EP, CAIRN_RIGHTS_ALL), CAIRN_FAILED_LOOKUP);
	assert_int_equal(err.detail[0], CAIRN_LOOKUP_NULL_SLOT);
	assert_int_equal(err.detail[3], CAIRN_ARG_DEST_INDEX);
	/* The source root names an empty slot. */
	uint64_t a[] = {30, 64, 33, EP, 64, CAIRN_RIGHTS_ALL};
	assert_int_equal(inv(rootcn(), CAIRN_CNODE_COPY, a, 6),
			 CAIRN_FAILED_LOOKUP);
	assert_int_equal(err.detail[3], CAIRN_ARG_SRC_ROOT);
	/* The source's depth ends inside a level. */
	uint64_t b[] = {30, 64, ROOT_SLOT, EP, 60, CAIRN_RIGHTS_ALL};
	assert_int_equal(inv(rootcn(), CAIRN_CNODE_COPY, b, 6),
			 CAIRN_FAILED_LOOKUP);
	assert_int_equal(err.detail[0], CAIRN_LOOKUP_DEPTH_MISMATCH);
	assert_int_equal(err.detail[3], CAIRN_ARG_SRC_INDEX);
	/* Errors other than lookups leave the word 0. */
	assert_int_equal(copy(30, EP, 1ULL << 40), CAIRN_INVALID_ARGUMENT);
	assert_int_equal(err.detail[3], 0);
	assert_true(empty(30));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_deep_chain_revoke, setup),
	    cmocka_unit_test_setup(test_delete_in_the_middle_reparents, setup),
	    cmocka_unit_test_setup(test_final_capability, setup),
	    cmocka_unit_test_setup(test_mint_rights_and_badges, setup),
	    cmocka_unit_test_setup(test_move_keeps_the_tree_position, setup),
	    cmocka_unit_test_setup(test_truncated_and_unknown, setup),
	    cmocka_unit_test_setup(test_cnode_contents_and_revoke, setup),
	    cmocka_unit_test_setup(test_failed_lookup_names_the_argument,
				   setup),
	    cmocka_unit_test_setup(test_revoke_stops_on_foreign_nested_cnode,
				   setup),
	};
	return cmocka_run_group_tests_name("cdt", tests, NULL, NULL);
}
