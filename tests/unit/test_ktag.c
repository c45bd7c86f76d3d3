/*
 * Debug object tags (objects/ktag.h) on the host: a reference kept past its
 * object's destruction fails its check naming the object, whatever the
 * memory became; destroyed objects are poisoned; the stage-2 walk finds a
 * leaf left pointing at a dead frame; the table itself (probing, removal,
 * filling up) keeps every lookup right.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <cmocka.h>

#include "arch.h"
#include "cspace_fixture.h"
#include "host_panic.h"
#include "objects/ktag.h"
#include "objects/mapping.h"

#include <cairn/invocations.h>

static struct fixture f;
static struct inv_error err;
static uint8_t tags[64 * 1024] __attribute__((aligned(16)));

enum { VS = 10, PT1 = 11, PT2 = 12, OBJ = 13, FR = 14 };

static void retype(uint64_t type, uint64_t bits, uint64_t slot)
{
	uint64_t a[] = {type, bits, ROOT_SLOT, 0, 0, slot, 1};
	fixture_ok(fixture_invoke(&f, &f.slots[UT_SLOT], CAIRN_UNTYPED_RETYPE,
				  a, 7, &err),
		   &err);
}

static void delete_slot(uint64_t slot)
{
	uint64_t a[] = {slot, 64};
	fixture_ok(fixture_invoke(&f, &f.slots[ROOT_SLOT], CAIRN_CNODE_DELETE,
				  a, 2, &err),
		   &err);
}

static int setup(void **state)
{
	(void)state;
	ktag_init(tags, sizeof(tags));
	fixture_init(&f);
	return 0;
}

/* Runs the check; true if it panicked (its message in host_panic_msg). */
static bool check_panics(const struct cap *c)
{
	jmp_buf j;

	host_panic_msg[0] = '\0';
	host_panic_catch = &j;
	if (setjmp(j) == 0) {
		KTAG_CHECK_CAP(c, "a stale cap");
		host_panic_catch = NULL;
		return false;
	}
	return true;
}

static void expect_in_msg(const char *text)
{
	if (strstr(host_panic_msg, text) == NULL) {
		fail_msg("'%s' not in the panic: %s", text, host_panic_msg);
	}
}

static void test_stale_reference_names_what_replaced_it(void **state)
{
	(void)state;
	char want[128];

	retype(CAIRN_OBJ_FRAME_4K, 0, OBJ);
	struct cap stale = f.slots[OBJ].cap; /* a copy the tree never sees */
	assert_int_not_equal(stale.tag, 0);
	assert_false(check_panics(&stale));
	delete_slot(OBJ);
	/* The frame is gone: its memory is poison until retyped. */
	const uint64_t *mem = kmem_ptr(stale.object);
	assert_true(mem[0] == KTAG_POISON && mem[511] == KTAG_POISON);
	assert_true(check_panics(&stale));
	snprintf(want, sizeof(want),
		 "a stale cap: Frame at 0x%lx generation %lu is gone, found no "
		 "object",
		 (unsigned long)pa_addr(stale.object),
		 (unsigned long)ktag_generation(stale.tag));
	expect_in_msg(want);

	/* The Untyped hands the same memory out again, as a CNode. */
	retype(CAIRN_OBJ_CNODE, 6, OBJ);
	assert_int_equal(pa_addr(f.slots[OBJ].cap.object),
			 pa_addr(stale.object));
	assert_true(check_panics(&stale));
	snprintf(want, sizeof(want), "found CNode generation %lu",
		 (unsigned long)ktag_generation(f.slots[OBJ].cap.tag));
	expect_in_msg(want);
	delete_slot(OBJ);
}

static void test_same_type_at_same_address_is_another_object(void **state)
{
	(void)state;
	retype(CAIRN_OBJ_NOTIFICATION, 0, OBJ);
	struct cap stale = f.slots[OBJ].cap;
	delete_slot(OBJ);
	retype(CAIRN_OBJ_NOTIFICATION, 0, OBJ);
	/* Same type, same address: only the generation tells them apart. */
	assert_int_equal(pa_addr(f.slots[OBJ].cap.object),
			 pa_addr(stale.object));
	assert_false(check_panics(&f.slots[OBJ].cap));
	assert_true(check_panics(&stale));
	expect_in_msg("Notification at");
	expect_in_msg("is gone, found Notification generation");
	delete_slot(OBJ);
}

static void test_retype_over_a_live_object_panics(void **state)
{
	(void)state;
	jmp_buf j;

	retype(CAIRN_OBJ_ENDPOINT, 0, OBJ);
	host_panic_catch = &j;
	if (setjmp(j) == 0) {
		ktag_create(f.slots[OBJ].cap.object, CAP_TCB);
		host_panic_catch = NULL;
		fail_msg("handing out a live Endpoint's memory went unnoticed");
	}
	expect_in_msg("Retype hands out");
	expect_in_msg("but Endpoint generation");
	delete_slot(OBJ);
}

static s2_pte_t *leaf_entry(uint64_t ipa)
{
	int level;
	s2_pte_t *e = arch_s2_walk(f.slots[VS].cap.object, ipa_init(ipa),
				   S2_LEVEL_LAST, &level);
	assert_int_equal(level, S2_LEVEL_LAST);
	return e;
}

static void map(uint64_t slot, uint64_t label, uint64_t ipa)
{
	uint64_t a[] = {VS, ipa, CAIRN_RIGHT_READ | CAIRN_RIGHT_WRITE, 0};
	fixture_ok(fixture_invoke(&f, &f.slots[slot], label, a,
				  label == CAIRN_FRAME_MAP ? 4 : 2, &err),
		   &err);
}

static void test_stage2_walk_finds_a_leaf_to_a_dead_frame(void **state)
{
	(void)state;
	jmp_buf j;

	retype(CAIRN_OBJ_VSPACE, 0, VS);
	retype(CAIRN_OBJ_PAGE_TABLE, 0, PT1);
	retype(CAIRN_OBJ_PAGE_TABLE, 0, PT2);
	retype(CAIRN_OBJ_FRAME_4K, 0, FR);
	retype(CAIRN_OBJ_FRAME_4K, 0, OBJ);
	map(PT1, CAIRN_PAGE_TABLE_MAP, 0);
	map(PT2, CAIRN_PAGE_TABLE_MAP, 0);
	map(FR, CAIRN_FRAME_MAP, 0x1000);
	map_check_refs(); /* all live */

	/* A leaf no cap records (as PageTable.Unmap once left them), to a
	 * frame that then dies: deleting its cap cannot find the leaf. */
	struct s2_leaf leaf = {.pa = f.slots[OBJ].cap.object,
			       .rights = CAIRN_RIGHT_READ};
	arch_s2_set_leaf(leaf_entry(0x5000), S2_LEVEL_LAST, &leaf);
	map_check_refs();
	delete_slot(OBJ);
	host_panic_catch = &j;
	if (setjmp(j) == 0) {
		map_check_refs();
		host_panic_catch = NULL;
		fail_msg("a leaf to a dead frame went unnoticed");
	}
	expect_in_msg("stage-2 leaf for IPA 0x5000 (level 3) of VSpace");
	expect_in_msg("no live Frame at");
	*leaf_entry(0x5000) = 0;
	map_check_refs();
}

/* Table mechanics against a model: random inserts and removals in a small
 * table (long probe runs, wrap-around), every address looked up after
 * each step; then filling it leaves new objects untracked, never wrong. */
static void test_table_matches_a_model(void **state)
{
	(void)state;
	enum { N = 200 };
	static uint64_t small[64 * 2]; /* 64 entries */
	uint64_t pa[N], tag[N];
	bool live[N] = {false};

	ktag_init(small, sizeof(small));
	assert_int_equal(ktag_capacity(), 64);
	srand(7);
	for (int i = 0; i < N; i++) {
		pa[i] = 0x40000000ULL + (uint64_t)i * 0x10;
	}
	for (int step = 0; step < 4000; step++) {
		int i = rand() % N;
		if (live[i]) {
			ktag_destroy(pa_init(pa[i]), tag[i], 16, true);
			live[i] = false;
		} else if (rand() % 3 != 0) {
			tag[i] = ktag_create(pa_init(pa[i]), CAP_REPLY);
			live[i] = tag[i] != 0;
		}
		for (int k = 0; k < N; k++) {
			uint64_t found = ktag_find(pa_init(pa[k]));
			if (live[k]) {
				assert_true(found == tag[k]);
			} else {
				assert_true(found == 0 ||
					    found == KTAG_UNKNOWN);
			}
		}
	}
	/* Fill it: past 7/8 new objects go untracked (tag 0), and a missing
	 * entry reads as unknown, so no check can fail wrongly. */
	uint64_t untracked = 0;
	for (int i = 0; i < N; i++) {
		if (!live[i]) {
			tag[i] = ktag_create(pa_init(pa[i]), CAP_REPLY);
			live[i] = true;
			untracked += tag[i] == 0;
		}
	}
	assert_true(untracked > 0);
	assert_true(ktag_find(pa_init(0x50000000)) == KTAG_UNKNOWN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_stale_reference_names_what_replaced_it,
				   setup),
	    cmocka_unit_test_setup(
		test_same_type_at_same_address_is_another_object, setup),
	    cmocka_unit_test_setup(test_retype_over_a_live_object_panics,
				   setup),
	    cmocka_unit_test_setup(
		test_stage2_walk_finds_a_leaf_to_a_dead_frame, setup),
	    cmocka_unit_test(test_table_matches_a_model),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
