/* Untyped.Retype: watermark, alignment, device memory and every error. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "cspace_fixture.h"
#include "host_arch.h"
#include "objects/cnode.h"
#include "objects/untyped.h"
#include "preempt.h"

#include <cairn/invocations.h>

static struct fixture f;

static int setup(void **state)
{
	(void)state;
	fixture_init(&f);
	return 0;
}

static enum cairn_error retype_from(unsigned ut_slot, uint64_t type,
				    uint64_t size_bits, uint64_t offset,
				    uint64_t count, struct inv_error *err)
{
	uint64_t a[] = {type, size_bits, ROOT_SLOT, 0, 0, offset, count};
	return fixture_invoke(&f, &f.slots[ut_slot], CAIRN_UNTYPED_RETYPE, a, 7,
			      err);
}

static enum cairn_error retype(uint64_t type, uint64_t size_bits,
			       uint64_t offset, uint64_t count,
			       struct inv_error *err)
{
	return retype_from(UT_SLOT, type, size_bits, offset, count, err);
}

static void ok(enum cairn_error e, const struct inv_error *err)
{
	fixture_ok(e, err);
}

static void expect_err(enum cairn_error got, const struct inv_error *err,
		       enum cairn_error want, uint64_t d0, uint64_t d1,
		       uint64_t d2)
{
	assert_int_equal(got, want);
	assert_int_equal(err->code, want);
	assert_int_equal(err->detail[0], d0);
	assert_int_equal(err->detail[1], d1);
	assert_int_equal(err->detail[2], d2);
}

static void test_watermark_and_alignment(void **state)
{
	struct inv_error err;
	(void)state;

	ok(retype(CAIRN_OBJ_ENDPOINT, 0, 10, 3, &err), &err);
	for (int i = 0; i < 3; i++) {
		struct cap *c = &f.slots[10 + i].cap;
		assert_int_equal(c->type, CAP_ENDPOINT);
		assert_int_equal(pa_addr(c->object), UT_BASE + 32 * i);
		assert_int_equal(c->rights, CAIRN_RIGHTS_ALL);
		assert_int_equal(f.slots[10 + i].depth, 1);
	}
	assert_int_equal(f.slots[UT_SLOT].cap.watermark, 96);
	/* A 4 KiB frame goes to the next 4 KiB boundary. */
	ok(retype(CAIRN_OBJ_FRAME_4K, 0, 20, 1, &err), &err);
	assert_int_equal(pa_addr(f.slots[20].cap.object), UT_BASE + 0x1000);
	assert_int_equal(f.slots[20].cap.size_bits, 12);
	assert_int_equal(f.slots[UT_SLOT].cap.watermark, 0x2000);
	/* A CNode of radix 4 is 1 KiB, aligned to 1 KiB. */
	ok(retype(CAIRN_OBJ_CNODE, 4, 21, 1, &err), &err);
	assert_int_equal(pa_addr(f.slots[21].cap.object), UT_BASE + 0x2000);
	assert_int_equal(f.slots[21].cap.size_bits, 4);
	assert_int_equal(f.slots[UT_SLOT].cap.watermark, 0x2400);
	/* A 2 MiB frame skips to 2 MiB. */
	ok(retype(CAIRN_OBJ_FRAME_2M, 0, 22, 1, &err), &err);
	assert_int_equal(pa_addr(f.slots[22].cap.object), UT_BASE + (2 << 20));
}

static void test_new_objects_are_zeroed(void **state)
{
	struct inv_error err;
	(void)state;

	uint8_t *mem = kmem_ptr(pa_init(UT_BASE));
	assert_int_equal(mem[5], 0xa5); /* the fixture's garbage */
	ok(retype(CAIRN_OBJ_FRAME_4K, 0, 10, 1, &err), &err);
	for (int i = 0; i < 4096; i++) {
		assert_int_equal(mem[i], 0);
	}
	assert_int_equal(mem[4096], 0xa5); /* nothing beyond it */
}

static void test_out_of_memory_reports_what_is_left(void **state)
{
	struct inv_error err;
	(void)state;

	ok(retype(CAIRN_OBJ_FRAME_2M, 0, 10, 1, &err), &err);
	ok(retype(CAIRN_OBJ_ENDPOINT, 0, 11, 1, &err), &err);
	/* 4 MiB - 2 MiB - 32: no room for another 2 MiB frame. */
	expect_err(retype(CAIRN_OBJ_FRAME_2M, 0, 12, 1, &err), &err,
		   CAIRN_NOT_ENOUGH_MEMORY, 0, 0, 0);
	/* Three 1 MiB Untyped start at 3 MiB: 1 MiB is left for them. */
	expect_err(retype(CAIRN_OBJ_UNTYPED, 20, 12, 3, &err), &err,
		   CAIRN_NOT_ENOUGH_MEMORY, 0, 1 << 20, 0);
	expect_err(retype(CAIRN_OBJ_UNTYPED, 23, 12, 1, &err), &err,
		   CAIRN_NOT_ENOUGH_MEMORY, 0, 0, 0);
	assert_true(cap_is_null(&f.slots[12].cap));
	assert_int_equal(f.slots[UT_SLOT].cap.watermark, (2 << 20) + 32);
}

static void test_revoke_resets_the_watermark(void **state)
{
	struct inv_error err;
	(void)state;

	ok(retype(CAIRN_OBJ_FRAME_2M, 0, 10, 2, &err), &err);
	expect_err(retype(CAIRN_OBJ_ENDPOINT, 0, 12, 1, &err), &err,
		   CAIRN_NOT_ENOUGH_MEMORY, 0, 0, 0);
	uint8_t *mem = kmem_ptr(f.slots[10].cap.object);
	memset(mem, 0x5a, 64); /* the frame's user wrote to it */
	uint64_t rv[] = {UT_SLOT, 64};
	ok(fixture_invoke(&f, &f.root_holder, CAIRN_CNODE_REVOKE, rv, 2, &err),
	   &err);
	assert_true(cap_is_null(&f.slots[10].cap));
	assert_true(cap_is_null(&f.slots[11].cap));
	ok(retype(CAIRN_OBJ_ENDPOINT, 0, 12, 1, &err), &err);
	assert_int_equal(pa_addr(f.slots[12].cap.object), UT_BASE);
	for (int i = 0; i < 32; i++) {
		assert_int_equal(mem[i],
				 0); /* cleared again for the new object */
	}
}

/*
 * Long operations stop at preemption points with INV_RESTART, keeping their
 * progress; re-running the same invocation (as the re-executed system call
 * does) finishes the job with the same outcome as an uninterrupted run.
 */
static void test_retype_restarts_keep_progress(void **state)
{
	struct inv_error err;
	unsigned restarts = 0;
	enum cairn_error e;
	(void)state;

	uint8_t *mem = kmem_ptr(pa_init(UT_BASE));
	memset(mem, 0xa5, 2 << 20); /* dirty, as a revoked Untyped is */
	host_preempt_every = 3;
	while ((e = retype(CAIRN_OBJ_FRAME_2M, 0, 10, 1, &err)) ==
	       INV_RESTART) {
		/* Stopped before creating anything; the memory so far is
		 * cleared and recorded. */
		assert_true(cap_is_null(&f.slots[10].cap));
		assert_true(f.slots[UT_SLOT].cap.clean > 0);
		restarts++;
	}
	host_preempt_every = 0;
	ok(e, &err);
	/* 2 MiB in 64 KiB chunks, interrupted every third chunk. */
	assert_int_equal(restarts, (32 - 1) / 3);
	assert_int_equal(f.slots[10].cap.type, CAP_FRAME);
	for (size_t i = 0; i < (2 << 20); i += 4093) {
		assert_int_equal(mem[i], 0);
	}
	assert_int_equal(f.slots[UT_SLOT].cap.watermark, 2 << 20);
}

static void test_revoke_restarts_keep_progress(void **state)
{
	struct inv_error err;
	unsigned restarts = 0;
	enum cairn_error e;
	(void)state;

	ok(retype(CAIRN_OBJ_ENDPOINT, 0, 10, 100, &err), &err);
	uint64_t rv[] = {UT_SLOT, 64};
	host_preempt_every = 7;
	while ((e = fixture_invoke(&f, &f.root_holder, CAIRN_CNODE_REVOKE, rv,
				   2, &err)) == INV_RESTART) {
		assert_true(cdt_has_children(&f.slots[UT_SLOT]));
		restarts++;
	}
	host_preempt_every = 0;
	ok(e, &err);
	assert_int_equal(restarts, 100 / 7);
	for (unsigned i = 10; i < 110; i++) {
		assert_true(cap_is_null(&f.slots[i].cap));
	}
	assert_false(cdt_has_children(&f.slots[UT_SLOT]));
}

static void test_device_untyped(void **state)
{
	struct inv_error err;
	(void)state;

	struct cap dev = fixture_untyped(UT_BASE, 16, true);
	cdt_insert_root(&f.slots[30], &dev);
	expect_err(retype_from(30, CAIRN_OBJ_CNODE, 4, 40, 1, &err), &err,
		   CAIRN_INVALID_ARGUMENT, CAIRN_ARG_TYPE, 0, 0);
	expect_err(retype_from(30, CAIRN_OBJ_ENDPOINT, 0, 40, 1, &err), &err,
		   CAIRN_INVALID_ARGUMENT, CAIRN_ARG_TYPE, 0, 0);
	ok(retype_from(30, CAIRN_OBJ_FRAME_4K, 0, 40, 2, &err), &err);
	assert_true(f.slots[41].cap.device);
	/* Device memory is never written by the kernel. */
	assert_int_equal(((uint8_t *)kmem_ptr(pa_init(UT_BASE)))[0], 0xa5);
	ok(retype_from(30, CAIRN_OBJ_UNTYPED, 12, 42, 1, &err), &err);
	assert_true(f.slots[42].cap.device);
	assert_int_equal(f.slots[42].cap.type, CAP_UNTYPED);
}

static void test_argument_errors(void **state)
{
	struct inv_error err;
	(void)state;

	uint64_t a[] = {CAIRN_OBJ_ENDPOINT, 0, ROOT_SLOT, 0, 0, 10};
	expect_err(fixture_invoke(&f, &f.slots[UT_SLOT], CAIRN_UNTYPED_RETYPE,
				  a, 6, &err),
		   &err, CAIRN_TRUNCATED_MESSAGE, 0, 7, 0);
	expect_err(fixture_invoke(&f, &f.slots[UT_SLOT], 99, a, 6, &err), &err,
		   CAIRN_ILLEGAL_OPERATION, CAIRN_ARG_LABEL, 99, 0);
	expect_err(retype(0, 0, 10, 1, &err), &err, CAIRN_INVALID_ARGUMENT,
		   CAIRN_ARG_TYPE, 0, 0);
	expect_err(retype(CAIRN_OBJ_TYPE_COUNT, 0, 10, 1, &err), &err,
		   CAIRN_INVALID_ARGUMENT, CAIRN_ARG_TYPE, 0, 0);
	expect_err(retype(CAIRN_OBJ_CNODE, 0, 10, 1, &err), &err,
		   CAIRN_RANGE_ERROR, CAIRN_ARG_SIZE_BITS, 1, 20);
	expect_err(retype(CAIRN_OBJ_CNODE, 21, 10, 1, &err), &err,
		   CAIRN_RANGE_ERROR, CAIRN_ARG_SIZE_BITS, 1, 20);
	expect_err(retype(CAIRN_OBJ_UNTYPED, 3, 10, 1, &err), &err,
		   CAIRN_RANGE_ERROR, CAIRN_ARG_SIZE_BITS, 4, 47);
	expect_err(retype(CAIRN_OBJ_ENDPOINT, 0, 256, 1, &err), &err,
		   CAIRN_RANGE_ERROR, CAIRN_ARG_DEST_OFFSET, 1, 255);
	/* Slot 0 is never a destination: cptr 0 means "none". */
	expect_err(retype(CAIRN_OBJ_ENDPOINT, 0, 0, 1, &err), &err,
		   CAIRN_RANGE_ERROR, CAIRN_ARG_DEST_OFFSET, 1, 255);
	expect_err(retype(CAIRN_OBJ_ENDPOINT, 0, 250, 7, &err), &err,
		   CAIRN_RANGE_ERROR, CAIRN_ARG_COUNT, 1, 6);
	expect_err(retype(CAIRN_OBJ_ENDPOINT, 0, 10, 0, &err), &err,
		   CAIRN_RANGE_ERROR, CAIRN_ARG_COUNT, 1, 246);
	/* The untyped itself sits in slot 2: occupied destination. */
	expect_err(retype(CAIRN_OBJ_ENDPOINT, 0, 1, 3, &err), &err,
		   CAIRN_DELETE_FIRST, CAIRN_ARG_DEST_OFFSET, 1, 0);
	/* A destination root that is not a CNode. */
	uint64_t b[] = {CAIRN_OBJ_ENDPOINT, 0, UT_SLOT, 0, 0, 10, 1};
	expect_err(fixture_invoke(&f, &f.slots[UT_SLOT], CAIRN_UNTYPED_RETYPE,
				  b, 7, &err),
		   &err, CAIRN_INVALID_CAPABILITY, CAIRN_ARG_DEST_ROOT, 0, 0);
	/* An empty destination root slot. */
	b[2] = 77;
	expect_err(fixture_invoke(&f, &f.slots[UT_SLOT], CAIRN_UNTYPED_RETYPE,
				  b, 7, &err),
		   &err, CAIRN_FAILED_LOOKUP, CAIRN_LOOKUP_MISSING_CAP, 0, 64);
	/* Nothing was created by any of these. */
	assert_int_equal(f.slots[UT_SLOT].cap.watermark, 0);
	assert_false(cdt_has_children(&f.slots[UT_SLOT]));
}

static void test_retype_into_a_nested_cnode(void **state)
{
	struct inv_error err;
	(void)state;

	ok(retype(CAIRN_OBJ_CNODE, 4, 10, 1, &err), &err);
	/* dest_root = the root CNode, index 10 at depth 64: the new CNode. */
	uint64_t a[] = {CAIRN_OBJ_NOTIFICATION, 0, ROOT_SLOT, 10, 64, 3, 2};
	ok(fixture_invoke(&f, &f.slots[UT_SLOT], CAIRN_UNTYPED_RETYPE, a, 7,
			  &err),
	   &err);
	struct cte *inner = cnode_slots(&f.slots[10].cap);
	assert_int_equal(inner[3].cap.type, CAP_NOTIFICATION);
	assert_int_equal(inner[4].cap.type, CAP_NOTIFICATION);
	/* Index 11 names an empty slot, not a CNode. */
	a[3] = 11;
	expect_err(fixture_invoke(&f, &f.slots[UT_SLOT], CAIRN_UNTYPED_RETYPE,
				  a, 7, &err),
		   &err, CAIRN_INVALID_CAPABILITY, CAIRN_ARG_DEST_INDEX, 0, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_watermark_and_alignment, setup),
	    cmocka_unit_test_setup(test_new_objects_are_zeroed, setup),
	    cmocka_unit_test_setup(test_out_of_memory_reports_what_is_left,
				   setup),
	    cmocka_unit_test_setup(test_revoke_resets_the_watermark, setup),
	    cmocka_unit_test_setup(test_retype_restarts_keep_progress, setup),
	    cmocka_unit_test_setup(test_revoke_restarts_keep_progress, setup),
	    cmocka_unit_test_setup(test_device_untyped, setup),
	    cmocka_unit_test_setup(test_argument_errors, setup),
	    cmocka_unit_test_setup(test_retype_into_a_nested_cnode, setup),
	};
	return cmocka_run_group_tests_name("untyped", tests, NULL, NULL);
}
