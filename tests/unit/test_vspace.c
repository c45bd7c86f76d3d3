/* VSpaces, PageTables and Frames on the host: mapping, revoke of objects
 * with live mappings (entries cleared, TLB flushed, VMID freed), and
 * adversarial sequences: mapping over a mapping, unmap and remap, copies
 * of Frame and PageTable caps, revoke while mapped, and a VSpace deleted
 * under its live mappings. */
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
/* Slots of the adversarial tests: a second VSpace and its tables, more
 * frames and tables, a child Untyped. */
enum { VS2 = 30, VS2_PT1 = 31, VS2_PT2 = 32, A = 40, B = 41, C = 42 };
enum { CHILD_UT = 50, CHILD_OBJ = 51 };

#define RW (CAIRN_RIGHT_READ | CAIRN_RIGHT_WRITE)

static void ok(enum cairn_error e)
{
	fixture_ok(e, &err);
}

static void retype_from(uint64_t ut, uint64_t type, uint64_t bits,
			uint64_t slot)
{
	uint64_t a[] = {type, bits, ROOT_SLOT, 0, 0, slot, 1};
	ok(fixture_invoke(&f, &f.slots[ut], CAIRN_UNTYPED_RETYPE, a, 7, &err));
}

static void retype(uint64_t type, uint64_t slot)
{
	retype_from(UT_SLOT, type, 0, slot);
}

static enum cairn_error map_frame_in(uint64_t slot, uint64_t vs, uint64_t ipa,
				     uint64_t rights)
{
	uint64_t a[] = {vs, ipa, rights, 0};
	return fixture_invoke(&f, &f.slots[slot], CAIRN_FRAME_MAP, a, 4, &err);
}

static enum cairn_error map_frame(uint64_t slot, uint64_t ipa)
{
	return map_frame_in(slot, VS, ipa, RW);
}

static enum cairn_error map_table_in(uint64_t slot, uint64_t vs, uint64_t ipa)
{
	uint64_t a[] = {vs, ipa};
	return fixture_invoke(&f, &f.slots[slot], CAIRN_PAGE_TABLE_MAP, a, 2,
			      &err);
}

static enum cairn_error map_table(uint64_t slot, uint64_t ipa)
{
	return map_table_in(slot, VS, ipa);
}

static enum cairn_error unmap_frame(uint64_t slot)
{
	return fixture_invoke(&f, &f.slots[slot], CAIRN_FRAME_UNMAP, NULL, 0,
			      &err);
}

static enum cairn_error unmap_table(uint64_t slot)
{
	return fixture_invoke(&f, &f.slots[slot], CAIRN_PAGE_TABLE_UNMAP, NULL,
			      0, &err);
}

static enum cairn_error cnode(uint64_t label, uint64_t *a, size_t n)
{
	return fixture_invoke(&f, &f.slots[ROOT_SLOT], label, a, n, &err);
}

static enum cairn_error copy(uint64_t dest, uint64_t src)
{
	uint64_t a[] = {dest, 64, ROOT_SLOT, src, 64, CAIRN_RIGHTS_ALL};
	return cnode(CAIRN_CNODE_COPY, a, 6);
}

static enum cairn_error delete (uint64_t slot) {
	uint64_t a[] = {slot, 64}; return cnode(CAIRN_CNODE_DELETE, a, 2);
}

static enum cairn_error revoke(uint64_t slot)
{
	uint64_t a[] = {slot, 64};
	return cnode(CAIRN_CNODE_REVOKE, a, 2);
}

/* The entry for ipa at level in the VSpace of slot vs (its level in
 * *got), or NULL if the walk stops above level. */
static s2_pte_t *entry_in(uint64_t vs, uint64_t ipa, int level)
{
	int got;
	s2_pte_t *e =
	    arch_s2_walk(f.slots[vs].cap.object, ipa_init(ipa), level, &got);
	return got == level ? e : NULL;
}

/* The page mapped at ipa in vs, or 0 if nothing is mapped there. */
static uint64_t mapped_pa_in(uint64_t vs, uint64_t ipa)
{
	s2_pte_t *e = entry_in(vs, ipa, S2_LEVEL_LAST);
	return e != NULL && arch_s2_valid(*e) ? arch_s2_output(*e) : 0;
}

static uint64_t mapped_pa(uint64_t ipa)
{
	return mapped_pa_in(VS, ipa);
}

static uint64_t pa_of(uint64_t slot)
{
	return pa_addr(f.slots[slot].cap.object);
}

/* The number of valid entries in the table object of slot. */
static unsigned table_entries(uint64_t slot)
{
	const s2_pte_t *e = kmem_ptr(f.slots[slot].cap.object);
	unsigned n = 0;

	for (unsigned i = 0; i < 512; i++) {
		n += arch_s2_valid(e[i]);
	}
	return n;
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

/* ---- adversarial sequences ---- */

/* VS with both tables at 0 and FR at 0x1000. */
static void map_fr(void)
{
	ok(map_table(PT1, 0));
	ok(map_table(PT2, 0));
	ok(map_frame(FR, 0x1000));
}

/* A second VSpace with tables for its first 2 MiB. */
static void second_vspace(void)
{
	retype(CAIRN_OBJ_VSPACE, VS2);
	retype(CAIRN_OBJ_PAGE_TABLE, VS2_PT1);
	retype(CAIRN_OBJ_PAGE_TABLE, VS2_PT2);
	ok(map_table_in(VS2_PT1, VS2, 0));
	ok(map_table_in(VS2_PT2, VS2, 0));
}

static void test_map_over_existing_mapping(void **state)
{
	(void)state;
	map_fr();
	retype(CAIRN_OBJ_FRAME_4K, A);
	retype(CAIRN_OBJ_PAGE_TABLE, C);
	retype(CAIRN_OBJ_FRAME_2M, B); /* the Untyped's last 2 MiB */
	unsigned ipa_flushes = host_flush_ipa_count;
	unsigned vmid_flushes = host_flush_vmid_count;

	/* A page over a page. */
	assert_int_equal(map_frame(A, 0x1000), CAIRN_DELETE_FIRST);
	assert_int_equal(err.detail[0], CAIRN_ARG_IPA);
	assert_int_equal(err.detail[1], 0x1000);
	assert_int_equal(f.slots[A].cap.mapping, 0);
	/* A block over a table, a table over a table. */
	assert_int_equal(map_frame(B, 0), CAIRN_DELETE_FIRST);
	assert_int_equal(map_table(C, 0), CAIRN_DELETE_FIRST);
	assert_int_equal(map_table(C, 0x1000), CAIRN_DELETE_FIRST);
	/* A table or a page inside a block. */
	ok(map_frame(B, 0x200000));
	assert_int_equal(map_table(C, 0x200000), CAIRN_DELETE_FIRST);
	assert_int_equal(map_frame(A, 0x203000), CAIRN_DELETE_FIRST);
	s2_pte_t *block = entry_in(VS, 0x200000, S2_LEVEL_LAST - 1);
	assert_non_null(block);
	assert_int_equal(arch_s2_output(*block), pa_of(B));
	/* The refusals changed nothing. */
	assert_int_equal(mapped_pa(0x1000), pa_of(FR));
	assert_int_equal(table_entries(PT2), 1);
	assert_int_equal(table_entries(C), 0);
	assert_int_equal(f.slots[C].cap.mapping, 0);
	assert_int_equal(host_flush_ipa_count, ipa_flushes);
	assert_int_equal(host_flush_vmid_count, vmid_flushes);
	/* The refused page maps where nothing is. */
	ok(map_frame(A, 0x2000));
	assert_int_equal(mapped_pa(0x2000), pa_of(A));
}

static void test_unmap_then_remap(void **state)
{
	(void)state;
	map_fr();
	retype(CAIRN_OBJ_FRAME_4K, A);
	unsigned flushes = host_flush_ipa_count;

	ok(unmap_frame(FR));
	assert_int_equal(mapped_pa(0x1000), 0);
	assert_int_equal(host_flush_ipa_count, flushes + 1);
	assert_int_equal(f.slots[FR].cap.mapping, 0);
	ok(map_frame(A, 0x1000));  /* the IPA is free again */
	ok(map_frame(FR, 0x2000)); /* and so is the cap */
	assert_int_equal(mapped_pa(0x1000), pa_of(A));
	assert_int_equal(mapped_pa(0x2000), pa_of(FR));
	/* Unmapping FR again takes only its own entry. */
	ok(unmap_frame(FR));
	assert_int_equal(mapped_pa(0x1000), pa_of(A));
	assert_int_equal(mapped_pa(0x2000), 0);
	assert_int_equal(host_flush_ipa_count, flushes + 2);
	ok(unmap_frame(FR)); /* not mapped: nothing to remove or flush */
	assert_int_equal(host_flush_ipa_count, flushes + 2);
}

/* A frame cap whose entry went with its table records a mapping that is
 * no longer there: its Unmap must not take what is there now. */
static void test_a_stale_frame_cap_removes_nothing(void **state)
{
	(void)state;
	map_fr();
	retype(CAIRN_OBJ_FRAME_4K, A);
	ok(unmap_table(PT2)); /* FR's entry goes with the table */
	ok(map_table(PT2, 0));
	ok(map_frame(A, 0x1000));
	assert_int_not_equal(f.slots[FR].cap.mapping, 0); /* stale */
	unsigned flushes = host_flush_ipa_count;
	ok(unmap_frame(FR));
	assert_int_equal(mapped_pa(0x1000), pa_of(A));
	assert_int_equal(host_flush_ipa_count, flushes);
	ok(delete (FR));
	assert_int_equal(mapped_pa(0x1000), pa_of(A));
}

static void test_frame_copies_map_independently(void **state)
{
	(void)state;
	map_fr();
	second_vspace();
	ok(copy(FR_COPY, FR));
	assert_int_equal(f.slots[FR_COPY].cap.mapping, 0); /* starts unmapped */
	ok(map_frame_in(FR_COPY, VS2, 0x5000, RW));
	assert_int_equal(mapped_pa_in(VS2, 0x5000), pa_of(FR));
	assert_int_equal(map_frame_in(FR_COPY, VS2, 0x6000, RW),
			 CAIRN_ILLEGAL_OPERATION);
	/* A read-only copy maps read-only, whatever the Map asks for. */
	uint64_t mint[] = {A, 64, ROOT_SLOT, FR, 64, CAIRN_RIGHT_READ, 0};
	ok(cnode(CAIRN_CNODE_MINT, mint, 7));
	ok(map_frame(A, 0x3000));
	struct s2_leaf leaf;
	arch_s2_leaf(entry_in(VS, 0x3000, S2_LEVEL_LAST), &leaf);
	assert_int_equal(leaf.rights, CAIRN_RIGHT_READ);
	/* Unmapping the copy leaves the original, deleting the original
	 * leaves the copies. */
	ok(unmap_frame(FR_COPY));
	assert_int_equal(mapped_pa_in(VS2, 0x5000), 0);
	assert_int_equal(mapped_pa(0x1000), pa_of(FR));
	ok(map_frame_in(FR_COPY, VS2, 0x5000, RW));
	uint64_t frame = pa_of(FR);
	ok(delete (FR));
	assert_int_equal(mapped_pa(0x1000), 0);
	assert_int_equal(mapped_pa_in(VS2, 0x5000), frame);
	assert_int_equal(mapped_pa(0x3000), frame);
}

static void test_page_table_copy_cannot_map_twice(void **state)
{
	(void)state;
	second_vspace();
	/* Unmapped, a table cannot be copied: both copies could map it. */
	assert_int_equal(copy(A, PT2), CAIRN_ILLEGAL_OPERATION);
	assert_int_equal(err.detail[0], CAIRN_ARG_SRC_INDEX);
	map_fr();
	ok(copy(A, PT2));
	assert_int_equal(f.slots[A].cap.mapping, f.slots[PT2].cap.mapping);
	ok(unmap_table(VS2_PT2)); /* room for a table in VS2 */
	assert_int_equal(map_table_in(A, VS2, 0), CAIRN_ILLEGAL_OPERATION);
	assert_int_equal(map_table_in(PT2, VS2, 0), CAIRN_ILLEGAL_OPERATION);
	assert_int_equal(unmap_table(A), CAIRN_REVOKE_FIRST);
	/* The original goes, the copy keeps the table (and FR) mapped. */
	ok(delete (PT2));
	assert_int_equal(mapped_pa(0x1000), pa_of(FR));
	/* The last copy ends the mapping and empties the table. */
	ok(unmap_table(A));
	assert_null(entry_in(VS, 0x1000, S2_LEVEL_LAST));
	assert_int_equal(table_entries(A), 0);
	ok(map_table_in(A, VS2, 0));
	assert_int_equal(mapped_pa_in(VS2, 0x1000), 0);
}

static void test_revoking_a_child_untyped_unmaps_its_frames(void **state)
{
	(void)state;
	map_fr();
	retype_from(UT_SLOT, CAIRN_OBJ_UNTYPED, 16, CHILD_UT);
	retype_from(CHILD_UT, CAIRN_OBJ_FRAME_4K, 0, CHILD_OBJ);
	ok(map_frame(CHILD_OBJ, 0x2000));
	assert_int_equal(mapped_pa(0x2000), pa_of(CHILD_OBJ));
	unsigned flushes = host_flush_ipa_count, vmids = vmid_available();

	ok(revoke(CHILD_UT));
	assert_true(cap_is_null(&f.slots[CHILD_OBJ].cap));
	assert_int_equal(mapped_pa(0x2000), 0);
	assert_int_equal(host_flush_ipa_count, flushes + 1);
	/* Nothing else moved: FR, the tables, the VSpace. */
	assert_int_equal(mapped_pa(0x1000), pa_of(FR));
	assert_int_equal(vmid_available(), vmids);
}

static void test_vspace_deleted_under_live_mappings(void **state)
{
	(void)state;
	map_fr();
	unsigned vmids = vmid_available();
	unsigned ipa_flushes = host_flush_ipa_count;
	unsigned vmid_flushes = host_flush_vmid_count;

	ok(delete (VS));
	assert_int_equal(vmid_available(), vmids + 1);
	assert_int_equal(host_flush_vmid_count, vmid_flushes + 1);
	/* The caps still record the dead VSpace: a table maps again only
	 * after an Unmap. The Unmaps remove nothing (the VMID is free). */
	retype(CAIRN_OBJ_VSPACE, VS2);
	assert_int_equal(map_table_in(PT1, VS2, 0), CAIRN_ILLEGAL_OPERATION);
	ok(unmap_frame(FR));
	ok(unmap_table(PT2));
	ok(unmap_table(PT1));
	assert_int_equal(host_flush_ipa_count, ipa_flushes);
	assert_int_equal(table_entries(PT2), 0);
	assert_int_equal(table_entries(PT1), 0);
	/* In another VSpace the tables reach nothing of the old one. */
	ok(map_table_in(PT1, VS2, 0));
	ok(map_table_in(PT2, VS2, 0));
	assert_int_equal(mapped_pa_in(VS2, 0x1000), 0);
	ok(map_frame_in(FR, VS2, 0x1000, RW));
	assert_int_equal(mapped_pa_in(VS2, 0x1000), pa_of(FR));
}

/*
 * A VSpace deleted and a new one made at the same address with the same
 * VMID is another VSpace: a Frame cap's record of a mapping in the old one
 * must not reach the new one, where a copy of the frame is mapped at the
 * same IPA (vmid_generation).
 */
static void test_a_record_never_reaches_a_later_vspace(void **state)
{
	(void)state;
	retype_from(UT_SLOT, CAIRN_OBJ_UNTYPED, 12, CHILD_UT);
	retype_from(CHILD_UT, CAIRN_OBJ_VSPACE, 0, VS2);
	uint64_t old_pa = pa_of(VS2);
	vmid_t old_vmid = cap_vmid(&f.slots[VS2].cap);
	ok(map_table_in(PT1, VS2, 0));
	ok(map_table_in(PT2, VS2, 0));
	ok(map_frame_in(FR, VS2, 0x1000, RW));
	ok(delete (VS2));
	retype_from(CHILD_UT, CAIRN_OBJ_VSPACE, 0, VS2);
	/* The same address and VMID, as the test intends. */
	assert_int_equal(pa_of(VS2), old_pa);
	assert_int_equal(vmid_value(cap_vmid(&f.slots[VS2].cap)),
			 vmid_value(old_vmid));
	ok(unmap_table(PT2));
	ok(unmap_table(PT1));
	ok(map_table_in(PT1, VS2, 0));
	ok(map_table_in(PT2, VS2, 0));
	ok(copy(FR_COPY, FR));
	ok(map_frame_in(FR_COPY, VS2, 0x1000, RW));
	/* FR still records 0x1000 in the dead VSpace: its Unmap must leave
	 * the copy's mapping in the new one alone. */
	ok(unmap_frame(FR));
	assert_int_equal(mapped_pa_in(VS2, 0x1000), pa_of(FR));
	ok(unmap_frame(FR_COPY));
	assert_int_equal(mapped_pa_in(VS2, 0x1000), 0);
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
	    cmocka_unit_test_setup(test_map_over_existing_mapping, setup),
	    cmocka_unit_test_setup(test_unmap_then_remap, setup),
	    cmocka_unit_test_setup(test_a_stale_frame_cap_removes_nothing,
				   setup),
	    cmocka_unit_test_setup(test_frame_copies_map_independently, setup),
	    cmocka_unit_test_setup(test_page_table_copy_cannot_map_twice,
				   setup),
	    cmocka_unit_test_setup(
		test_revoking_a_child_untyped_unmaps_its_frames, setup),
	    cmocka_unit_test_setup(test_a_record_never_reaches_a_later_vspace,
				   setup),
	    cmocka_unit_test_setup(test_vspace_deleted_under_live_mappings,
				   setup),
	};
	return cmocka_run_group_tests_name("vspace", tests, NULL, NULL);
}
