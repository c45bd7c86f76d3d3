/* VSpaces, PageTables and Frames on the host: mapping, and revoke of
 * objects with live mappings (entries cleared, TLB flushed, VMID freed). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "arch.h"
#include "cspace_fixture.h"
#include "host_arch.h"
#include "objects/cnode.h"
#include "objects/untyped.h"
#include "objects/vspace.h"
#include "vmid.h"

#include <cairn/invocations.h>

static struct fixture f;
static struct inv_error err;

enum { VS = 10, PT1 = 11, PT2 = 12, FR = 13, FR_COPY = 14 };

static void ok(enum cairn_error e)
{
	fixture_ok(e, &err);
}

static void retype(uint64_t type, uint64_t slot)
{
	uint64_t a[] = {type, 0, ROOT_SLOT, 0, 0, slot, 1};
	ok(fixture_invoke(&f, &f.slots[UT_SLOT], CAIRN_UNTYPED_RETYPE, a, 7,
			  &err));
}

static enum cairn_error map_frame(uint64_t slot, uint64_t ipa)
{
	uint64_t a[] = {VS, ipa, CAIRN_RIGHT_READ | CAIRN_RIGHT_WRITE, 0};
	return fixture_invoke(&f, &f.slots[slot], CAIRN_FRAME_MAP, a, 4, &err);
}

static enum cairn_error map_table(uint64_t slot, uint64_t ipa)
{
	uint64_t a[] = {VS, ipa};
	return fixture_invoke(&f, &f.slots[slot], CAIRN_PAGE_TABLE_MAP, a, 2,
			      &err);
}

/* The leaf at ipa, or 0 if nothing is mapped there. */
static uint64_t mapped_pa(uint64_t ipa)
{
	int level;
	s2_pte_t *e = arch_s2_walk(f.slots[VS].cap.object, ipa_init(ipa),
				   S2_LEVEL_LAST, &level);
	return level == S2_LEVEL_LAST && arch_s2_valid(*e) ? arch_s2_output(*e)
							   : 0;
}

static unsigned vmids_free_at_start;

static int setup(void **state)
{
	(void)state;
	fixture_init(&f);
	vmids_free_at_start = vmid_available();
	retype(CAIRN_OBJ_VSPACE, VS);
	retype(CAIRN_OBJ_PAGE_TABLE, PT1);
	retype(CAIRN_OBJ_PAGE_TABLE, PT2);
	retype(CAIRN_OBJ_FRAME_4K, FR);
	return 0;
}

static void test_map_needs_tables_in_order(void **state)
{
	(void)state;
	assert_int_equal(vmid_available(), vmids_free_at_start - 1);
	assert_int_equal(map_frame(FR, 0x1000), CAIRN_FAILED_LOOKUP);
	assert_int_equal(err.detail[0], CAIRN_LOOKUP_MISSING_CAP);
	assert_int_equal(err.detail[1], 2); /* the level-2 table is missing */
	ok(map_table(PT1, 0));
	assert_int_equal(map_frame(FR, 0x1000), CAIRN_FAILED_LOOKUP);
	assert_int_equal(err.detail[1], 3);
	ok(map_table(PT2, 0));
	ok(map_frame(FR, 0x1000));
	assert_int_equal(mapped_pa(0x1000), pa_addr(f.slots[FR].cap.object));
	/* One mapping per cap; occupied entries; alignment; range. */
	assert_int_equal(map_frame(FR, 0x3000), CAIRN_ILLEGAL_OPERATION);
	retype(CAIRN_OBJ_FRAME_4K, 20);
	assert_int_equal(map_frame(20, 0x1000), CAIRN_DELETE_FIRST);
	assert_int_equal(map_frame(20, 0x1008), CAIRN_ALIGNMENT_ERROR);
	assert_int_equal(map_frame(20, 1ULL << 39), CAIRN_RANGE_ERROR);
}

static void test_revoke_unmaps_derived_mappings(void **state)
{
	(void)state;
	ok(map_table(PT1, 0));
	ok(map_table(PT2, 0));
	ok(map_frame(FR, 0x1000));
	uint64_t c[] = {FR_COPY, 64, ROOT_SLOT, FR, 64, CAIRN_RIGHTS_ALL};
	ok(fixture_invoke(&f, &f.slots[ROOT_SLOT], CAIRN_CNODE_COPY, c, 6,
			  &err));
	ok(map_frame(FR_COPY, 0x2000));
	assert_int_equal(mapped_pa(0x2000), mapped_pa(0x1000));

	unsigned flushes = host_flush_ipa_count;
	uint64_t rv[] = {FR, 64};
	ok(fixture_invoke(&f, &f.slots[ROOT_SLOT], CAIRN_CNODE_REVOKE, rv, 2,
			  &err));
	assert_true(cap_is_null(&f.slots[FR_COPY].cap));
	assert_int_equal(mapped_pa(0x2000), 0);
	assert_int_equal(host_flush_ipa_count, flushes + 1);
	/* Revoke leaves the cap itself, and its mapping. */
	assert_int_not_equal(mapped_pa(0x1000), 0);

	/* Deleting it unmaps too. */
	uint64_t del[] = {FR, 64};
	ok(fixture_invoke(&f, &f.slots[ROOT_SLOT], CAIRN_CNODE_DELETE, del, 2,
			  &err));
	assert_int_equal(mapped_pa(0x1000), 0);
	assert_int_equal(host_flush_ipa_count, flushes + 2);
}

static void test_a_moved_frame_keeps_its_mapping(void **state)
{
	(void)state;
	ok(map_table(PT1, 0));
	ok(map_table(PT2, 0));
	ok(map_frame(FR, 0x1000));
	uint64_t mv[] = {FR_COPY, 64, ROOT_SLOT, FR, 64};
	ok(fixture_invoke(&f, &f.slots[ROOT_SLOT], CAIRN_CNODE_MOVE, mv, 5,
			  &err));
	assert_true(cap_is_null(&f.slots[FR].cap));
	assert_int_not_equal(mapped_pa(0x1000), 0);
	/* Still mapped, so it cannot map twice; deleting it unmaps. */
	assert_int_equal(map_frame(FR_COPY, 0x2000), CAIRN_ILLEGAL_OPERATION);
	uint64_t del[] = {FR_COPY, 64};
	ok(fixture_invoke(&f, &f.slots[ROOT_SLOT], CAIRN_CNODE_DELETE, del, 2,
			  &err));
	assert_int_equal(mapped_pa(0x1000), 0);
}

static void test_unmapping_a_table_flushes_the_vmid(void **state)
{
	(void)state;
	ok(map_table(PT1, 0));
	ok(map_table(PT2, 0));
	ok(map_frame(FR, 0x1000));
	unsigned flushes = host_flush_vmid_count;
	ok(fixture_invoke(&f, &f.slots[PT2], CAIRN_PAGE_TABLE_UNMAP, NULL, 0,
			  &err));
	assert_int_equal(host_flush_vmid_count, flushes + 1);
	int level;
	arch_s2_walk(f.slots[VS].cap.object, ipa_init(0x1000), S2_LEVEL_LAST,
		     &level);
	assert_int_equal(level, 2); /* the walk now ends above the leaf */
	/* The frame's record is stale: unmapping it touches nothing. */
	ok(fixture_invoke(&f, &f.slots[FR], CAIRN_FRAME_UNMAP, NULL, 0, &err));
	assert_int_equal(host_flush_vmid_count, flushes + 1);
}

static void test_revoking_the_untyped_frees_the_vmid(void **state)
{
	(void)state;
	ok(map_table(PT1, 0));
	ok(map_table(PT2, 0));
	ok(map_frame(FR, 0x1000));
	uint64_t rv[] = {UT_SLOT, 64};
	ok(fixture_invoke(&f, &f.slots[ROOT_SLOT], CAIRN_CNODE_REVOKE, rv, 2,
			  &err));
	for (uint64_t s = VS; s <= FR; s++) {
		assert_true(cap_is_null(&f.slots[s].cap));
	}
	assert_int_equal(vmid_available(), vmids_free_at_start);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_map_needs_tables_in_order, setup),
	    cmocka_unit_test_setup(test_revoke_unmaps_derived_mappings, setup),
	    cmocka_unit_test_setup(test_a_moved_frame_keeps_its_mapping, setup),
	    cmocka_unit_test_setup(test_unmapping_a_table_flushes_the_vmid,
				   setup),
	    cmocka_unit_test_setup(test_revoking_the_untyped_frees_the_vmid,
				   setup),
	};
	return cmocka_run_group_tests_name("vspace", tests, NULL, NULL);
}
