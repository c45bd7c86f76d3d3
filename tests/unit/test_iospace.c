/* IOSpaces, IOPageTables and Frame.MapIO on the host, against the counting
 * SMMU of host_arch.c: every MapIO error, the leaf in each table format,
 * one mapping per Frame cap, UnmapIO and the removals that must invalidate
 * the SMMU (TLBI and a sync) while a stream is bound and only then,
 * BindIOSpace and its errors, an IOSpace destroyed under its streams, and
 * IOSpace.MapFrames: every refusal changing nothing, a run across two leaf
 * tables, and its copies' removal invalidating the SMMU; UnmapFrames: its
 * refusals, and one invalidation of the whole IOSpace for a run. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "arch.h"
#include "arch/smmu.h"
#include "cspace_fixture.h"
#include "host_arch.h"
#include "objects/mapping.h"
#include "objects/stream.h"
#include "vmid.h"

#include <cairn/invocations.h>

static struct fixture f;
static struct inv_error err;

enum { SIDC = 3, IOS = 10, IPT1 = 11, IPT2 = 12, FR = 13, VS = 14, PT = 15 };
enum { FR2 = 16, FR_RO = 17, BIG = 18, IOS2 = 19, S = 20, S2 = 21, C = 22 };

#define R    CAIRN_RIGHT_READ
#define W    CAIRN_RIGHT_WRITE
#define RW   (R | W)
#define IOVA 0x40201000ULL /* level-1 index 1, level-2 index 1, page 1 */

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

static enum cairn_error inv(uint64_t slot, uint64_t label, uint64_t *a,
			    size_t n)
{
	return fixture_invoke(&f, &f.slots[slot], label, a, n, &err);
}

static enum cairn_error map_io(uint64_t frame, uint64_t space, uint64_t iova,
			       uint64_t rights)
{
	uint64_t a[] = {space, iova, rights};
	return inv(frame, CAIRN_FRAME_MAP_IO, a, 3);
}

static enum cairn_error unmap_io(uint64_t frame)
{
	return inv(frame, CAIRN_FRAME_UNMAP_IO, NULL, 0);
}

static enum cairn_error table_map(uint64_t table, uint64_t space, uint64_t iova)
{
	uint64_t a[] = {space, iova};
	return inv(table, CAIRN_IO_PAGE_TABLE_MAP, a, 2);
}

static enum cairn_error bind_io(uint64_t stream, uint64_t space)
{
	uint64_t a[] = {space};
	return inv(stream, CAIRN_STREAM_BIND_IOSPACE, a, 1);
}

static enum cairn_error cnode2(uint64_t label, uint64_t slot)
{
	uint64_t a[] = {slot, 64};
	return inv(ROOT_SLOT, label, a, 2);
}

static enum cairn_error mint(uint64_t dest, uint64_t src, uint64_t rights)
{
	uint64_t a[] = {dest, 64, ROOT_SLOT, src, 64, rights, 0};
	return inv(ROOT_SLOT, CAIRN_CNODE_MINT, a, 7);
}

/* IOSpace.MapFrames from our CNode to our CNode. */
static enum cairn_error map_frames(uint64_t space, uint64_t dest, uint64_t src,
				   uint64_t count, uint64_t iova,
				   uint64_t rights)
{
	uint64_t a[] = {ROOT_SLOT, dest, ROOT_SLOT, src, count, iova, rights};
	return inv(space, CAIRN_IOSPACE_MAP_FRAMES, a, 7);
}

static enum cairn_error unmap_frames(uint64_t space, uint64_t first,
				     uint64_t count)
{
	uint64_t a[] = {ROOT_SLOT, first, count};
	return inv(space, CAIRN_IOSPACE_UNMAP_FRAMES, a, 3);
}

/* The error want, naming d0 (a macro: a failure names its line). */
#define expect(got, want, d0)                                                  \
	do {                                                                   \
		assert_int_equal((got), (want));                               \
		assert_int_equal(err.detail[0], (d0));                         \
	} while (0)

/* The entry translating iova at level in IOSpace slot `space`. */
static s2_pte_t entry(uint64_t space, uint64_t iova, int want)
{
	int level;
	s2_pte_t *e = arch_s2_walk(f.slots[space].cap.object, ipa_init(iova),
				   want, &level);
	return level == want ? *e : 0;
}

static vmid_t vmid_of(uint64_t space)
{
	return cap_vmid(&f.slots[space].cap);
}

static int setup(void **state)
{
	(void)state;
	fixture_init(&f);
	struct cap sidc = {.type = CAP_SID_CONTROL, .rights = CAIRN_RIGHTS_ALL};
	cdt_insert_root(&f.slots[SIDC], &sidc);
	host_smmu.enabled = true;
	host_smmu.io_bindable = true;
	host_smmu.io_stage1 = false;
	retype(CAIRN_OBJ_FRAME_2M, BIG); /* first: it takes half the Untyped */
	retype(CAIRN_OBJ_IOSPACE, IOS);
	retype(CAIRN_OBJ_IOSPACE, IOS2);
	retype(CAIRN_OBJ_IO_PAGE_TABLE, IPT1);
	retype(CAIRN_OBJ_IO_PAGE_TABLE, IPT2);
	retype(CAIRN_OBJ_FRAME_4K, FR);
	retype(CAIRN_OBJ_FRAME_4K, FR2);
	retype(CAIRN_OBJ_VSPACE, VS);
	retype(CAIRN_OBJ_PAGE_TABLE, PT);
	ok(mint(FR_RO, FR2, R));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (uint64_t s = S; s <= S2; s++) {
		ok(cnode2(CAIRN_CNODE_DELETE, s));
	}
	ok(cnode2(CAIRN_CNODE_REVOKE, UT_SLOT));
	for (unsigned sid = 0; sid < SMMU_STREAMS_MAX; sid++) {
		assert_int_equal(host_smmu_ste_vmid[sid], 0);
		assert_false(host_smmu_ste_io[sid]);
	}
	stream_check_refs();
	map_check_refs();
	host_smmu.io_stage1 = false;
	return 0;
}

/* The two tables down to IOVA's page. */
static void tables(void)
{
	ok(table_map(IPT1, IOS, IOVA));
	ok(table_map(IPT2, IOS, IOVA));
}

static void test_map_io_errors(void **state)
{
	(void)state;
	/* Anything but an IOSpace; an unaligned or too high IOVA. */
	expect(map_io(FR, VS, IOVA, RW), CAIRN_INVALID_CAPABILITY,
	       CAIRN_ARG_IOSPACE);
	expect(map_io(FR, IPT1, IOVA, RW), CAIRN_INVALID_CAPABILITY,
	       CAIRN_ARG_IOSPACE);
	assert_int_equal(map_io(FR, 200, IOVA, RW), CAIRN_FAILED_LOOKUP);
	assert_int_equal(err.detail[3], CAIRN_ARG_IOSPACE);
	expect(map_io(FR, IOS, IOVA + 8, RW), CAIRN_ALIGNMENT_ERROR,
	       CAIRN_ARG_IOVA);
	expect(map_io(BIG, IOS, IOVA, RW), CAIRN_ALIGNMENT_ERROR,
	       CAIRN_ARG_IOVA);
	expect(map_io(FR, IOS, 1ULL << CAIRN_IPA_BITS, RW), CAIRN_RANGE_ERROR,
	       CAIRN_ARG_IOVA);
	assert_int_equal(err.detail[2], (1ULL << CAIRN_IPA_BITS) - 0x1000);
	uint64_t two[] = {IOS, IOVA};
	assert_int_equal(inv(FR, CAIRN_FRAME_MAP_IO, two, 2),
			 CAIRN_TRUNCATED_MESSAGE);
	/* Rights: READ and WRITE only, some, and none the cap lacks. */
	expect(map_io(FR, IOS, IOVA, 0), CAIRN_INVALID_ARGUMENT,
	       CAIRN_ARG_RIGHTS);
	expect(map_io(FR, IOS, IOVA, R | CAIRN_RIGHT_EXEC),
	       CAIRN_INVALID_ARGUMENT, CAIRN_ARG_RIGHTS);
	expect(map_io(FR_RO, IOS, IOVA, RW), CAIRN_ILLEGAL_OPERATION,
	       CAIRN_ARG_RIGHTS);
	assert_int_equal(err.detail[1], W);
	/* No table yet: level 2's is missing, named as Frame.Map does. */
	expect(map_io(FR, IOS, IOVA, RW), CAIRN_FAILED_LOOKUP,
	       CAIRN_LOOKUP_MISSING_CAP);
	assert_int_equal(err.detail[1], 2);
	assert_int_equal(err.detail[3], CAIRN_ARG_IOVA);
	ok(table_map(IPT1, IOS, IOVA));
	expect(map_io(FR, IOS, IOVA, RW), CAIRN_FAILED_LOOKUP,
	       CAIRN_LOOKUP_MISSING_CAP);
	assert_int_equal(err.detail[1], 3);
	ok(table_map(IPT2, IOS, IOVA));
	ok(map_io(FR, IOS, IOVA, RW));
	/* The slot is taken; the cap is mapped; a 2 MiB frame over the
	 * table's span is refused too. */
	expect(map_io(FR2, IOS, IOVA, R), CAIRN_DELETE_FIRST, CAIRN_ARG_IOVA);
	assert_int_equal(err.detail[1], IOVA);
	expect(map_io(FR, IOS, IOVA + 0x1000, RW), CAIRN_ILLEGAL_OPERATION,
	       CAIRN_ARG_INVOKED);
	expect(map_io(BIG, IOS, IOVA & ~0x1fffffULL, RW), CAIRN_DELETE_FIRST,
	       CAIRN_ARG_IOVA);
	/* One mapping per Frame cap: mapped in an IOSpace, not in a VSpace
	 * too; a copy can be. */
	uint64_t m[] = {VS, 0, RW, 0};
	expect(inv(FR, CAIRN_FRAME_MAP, m, 4), CAIRN_ILLEGAL_OPERATION,
	       CAIRN_ARG_INVOKED);
	ok(mint(C, FR, CAIRN_RIGHTS_ALL));
	assert_int_equal(f.slots[C].cap.mapping, 0);
	ok(map_io(C, IOS, IOVA + 0x1000, R));
	/* IOPageTable: only into an IOSpace; PageTable only into a VSpace;
	 * every table on the way exists already. */
	uint64_t pt[] = {IOS, 0};
	expect(inv(PT, CAIRN_PAGE_TABLE_MAP, pt, 2), CAIRN_INVALID_CAPABILITY,
	       CAIRN_ARG_VSPACE);
	ok(cnode2(CAIRN_CNODE_DELETE, C));
	retype(CAIRN_OBJ_IO_PAGE_TABLE, C);
	expect(table_map(C, VS, 0), CAIRN_INVALID_CAPABILITY,
	       CAIRN_ARG_IOSPACE);
	expect(table_map(C, IOS, IOVA), CAIRN_DELETE_FIRST, CAIRN_ARG_IOVA);
	/* An unmapped IOPageTable cannot be copied; a mapped one only by
	 * its last cap unmapped. */
	expect(mint(S, C, CAIRN_RIGHTS_ALL), CAIRN_ILLEGAL_OPERATION,
	       CAIRN_ARG_SRC_INDEX);
	ok(mint(S, IPT2, CAIRN_RIGHTS_ALL));
	assert_int_equal(inv(IPT2, CAIRN_IO_PAGE_TABLE_UNMAP, NULL, 0),
			 CAIRN_REVOKE_FIRST);
}

static void test_leaves_in_each_format(void **state)
{
	(void)state;
	tables();
	/* Stage-2 format: S2AP read (6) and write (7), never executable. */
	ok(map_io(FR, IOS, IOVA, RW));
	s2_pte_t e = entry(IOS, IOVA, S2_LEVEL_LAST);
	assert_int_equal(arch_s2_output(e), pa_addr(f.slots[FR].cap.object));
	assert_int_equal(e & (3ULL << 6), 3ULL << 6);
	assert_true(e & (1ULL << 54));
	ok(map_io(FR_RO, IOS, IOVA + 0x1000, R));
	assert_int_equal(entry(IOS, IOVA + 0x1000, 3) & (3ULL << 6), 1ULL << 6);
	ok(unmap_io(FR));
	ok(unmap_io(FR_RO));
	assert_int_equal(entry(IOS, IOVA, 3), 0);
	/* Write-only is expressible at stage 2... */
	ok(map_io(FR, IOS, IOVA, W));
	assert_int_equal(entry(IOS, IOVA, 3) & (3ULL << 6), 2ULL << 6);
	ok(unmap_io(FR));
	/* ...not at stage 1, whose read-only is AP[2]. */
	host_smmu.io_stage1 = true;
	expect(map_io(FR, IOS, IOVA, W), CAIRN_NOT_SUPPORTED, CAIRN_ARG_RIGHTS);
	ok(map_io(FR_RO, IOS, IOVA, R));
	e = entry(IOS, IOVA, S2_LEVEL_LAST);
	assert_int_equal(e,
			 smmu_s1_pte(f.slots[FR2].cap.object, 3, false, false));
	assert_true(e & (1ULL << 7));
	ok(map_io(FR, IOS, IOVA + 0x1000, RW));
	assert_false(entry(IOS, IOVA + 0x1000, 3) & (1ULL << 7));
	/* A 2 MiB frame is a level-2 block. */
	ok(map_io(BIG, IOS, 0x40400000, RW));
	assert_int_equal(entry(IOS, 0x40400000, 2) & 3, 1);
}

static void test_unmap_io_and_no_flush_unbound(void **state)
{
	(void)state;
	unsigned page = host_smmu_io_flush_page_count;
	unsigned all = host_smmu_io_flush_all_count;
	unsigned cpu = host_flush_ipa_count + host_flush_vmid_count;

	tables();
	ok(map_io(FR, IOS, IOVA, RW));
	/* Unmap ends a VSpace mapping only: this one stays. */
	ok(inv(FR, CAIRN_FRAME_UNMAP, NULL, 0));
	assert_int_not_equal(entry(IOS, IOVA, 3), 0);
	ok(unmap_io(FR));
	assert_int_equal(entry(IOS, IOVA, 3), 0);
	assert_int_equal(f.slots[FR].cap.mapping, 0);
	ok(unmap_io(FR)); /* nothing mapped: nothing to do */
	/* UnmapIO leaves a VSpace mapping alone. */
	uint64_t t[] = {VS, 0};
	uint64_t m[] = {VS, 0, RW, 0};
	ok(inv(PT, CAIRN_PAGE_TABLE_MAP, t, 2));
	ok(mint(C, PT, CAIRN_RIGHTS_ALL));
	retype(CAIRN_OBJ_PAGE_TABLE, S2);
	ok(inv(S2, CAIRN_PAGE_TABLE_MAP, t, 2));
	ok(inv(FR, CAIRN_FRAME_MAP, m, 4));
	ok(unmap_io(FR));
	assert_int_not_equal(f.slots[FR].cap.mapping, 0);
	ok(inv(FR, CAIRN_FRAME_UNMAP, NULL, 0));
	cpu = host_flush_ipa_count + host_flush_vmid_count - 1;
	/* Nothing bound: no SMMU invalidation; and no CPU one for an
	 * IOSpace, which no CPU walks. */
	ok(map_io(FR, IOS, IOVA, RW));
	ok(cnode2(CAIRN_CNODE_DELETE, FR));
	ok(inv(IPT2, CAIRN_IO_PAGE_TABLE_UNMAP, NULL, 0));
	assert_int_equal(host_smmu_io_flush_page_count, page);
	assert_int_equal(host_smmu_io_flush_all_count, all);
	assert_int_equal(host_flush_ipa_count + host_flush_vmid_count, cpu + 1);
}

static void test_removals_invalidate_the_smmu(void **state)
{
	(void)state;
	unsigned page = host_smmu_io_flush_page_count;
	unsigned all = host_smmu_io_flush_all_count;
	unsigned syncs = host_smmu_syncs;
	unsigned s2 = host_smmu_flush_ipa_count + host_smmu_flush_vmid_count;
	uint64_t a[] = {8, ROOT_SLOT, S, 64};

	tables();
	ok(inv(SIDC, CAIRN_SID_CONTROL_GET, a, 4));
	ok(bind_io(S, IOS));
	assert_true(host_smmu_ste_io[8]);
	assert_int_equal(host_smmu_ste_vmid[8], vmid_value(vmid_of(IOS)));
	assert_int_equal(vmid_streams(vmid_of(IOS)), 1);
	/* New entries need nothing; UnmapIO a page flush and a sync. */
	ok(map_io(FR, IOS, IOVA, RW));
	assert_int_equal(host_smmu_io_flush_page_count, page);
	ok(unmap_io(FR));
	assert_int_equal(host_smmu_io_flush_page_count, page + 1);
	assert_int_equal(host_smmu_syncs, syncs + 1);
	/* Revoking a frame cap whose copy holds the mapping. */
	ok(mint(C, FR, CAIRN_RIGHTS_ALL));
	ok(map_io(C, IOS, IOVA, RW));
	ok(cnode2(CAIRN_CNODE_REVOKE, FR));
	assert_true(cap_is_null(&f.slots[C].cap));
	assert_int_equal(entry(IOS, IOVA, 3), 0);
	assert_int_equal(host_smmu_io_flush_page_count, page + 2);
	assert_int_equal(host_smmu_syncs, syncs + 2);
	/* Deleting the mapped cap itself. */
	ok(map_io(FR, IOS, IOVA, RW));
	ok(cnode2(CAIRN_CNODE_DELETE, FR));
	assert_int_equal(host_smmu_io_flush_page_count, page + 3);
	/* A table: the whole IOSpace. */
	ok(inv(IPT2, CAIRN_IO_PAGE_TABLE_UNMAP, NULL, 0));
	assert_int_equal(host_smmu_io_flush_all_count, all + 1);
	assert_int_equal(host_smmu_syncs, syncs + 4);
	/* Never the stage-2 commands of a VSpace. */
	assert_int_equal(host_smmu_flush_ipa_count + host_smmu_flush_vmid_count,
			 s2);
	/* Another IOSpace's removals do not touch the SMMU. */
	ok(table_map(IPT2, IOS2, IOVA));
	ok(inv(IPT2, CAIRN_IO_PAGE_TABLE_UNMAP, NULL, 0));
	assert_int_equal(host_smmu_io_flush_all_count, all + 1);
	stream_check_refs();
	map_check_refs();
}

static void test_bind_io_and_its_errors(void **state)
{
	(void)state;
	uint64_t a[] = {8, ROOT_SLOT, S, 64};
	uint64_t vs[] = {IOS};

	ok(inv(SIDC, CAIRN_SID_CONTROL_GET, a, 4));
	expect(bind_io(S, VS), CAIRN_INVALID_CAPABILITY, CAIRN_ARG_IOSPACE);
	expect(bind_io(S, FR), CAIRN_INVALID_CAPABILITY, CAIRN_ARG_IOSPACE);
	expect(inv(S, CAIRN_STREAM_BIND_VSPACE, vs, 1),
	       CAIRN_INVALID_CAPABILITY, CAIRN_ARG_VSPACE);
	assert_int_equal(inv(S, CAIRN_STREAM_BIND_IOSPACE, NULL, 0),
			 CAIRN_TRUNCATED_MESSAGE);
	host_smmu.io_bindable = false;
	expect(bind_io(S, IOS), CAIRN_NOT_SUPPORTED, CAIRN_ARG_IOSPACE);
	host_smmu.io_bindable = true;
	/* Rights as BindVSpace's: BIND once, REBIND to change. */
	ok(mint(S2, S, CAIRN_STREAM_RIGHT_BIND));
	ok(bind_io(S2, IOS));
	expect(bind_io(S2, IOS2), CAIRN_ILLEGAL_OPERATION, CAIRN_ARG_INVOKED);
	assert_int_equal(err.detail[1], CAIRN_STREAM_RIGHT_REBIND);
	unsigned unbinds = host_smmu_io_unbinds;
	ok(bind_io(S, IOS2)); /* through abort */
	assert_int_equal(host_smmu_io_unbinds, unbinds + 1);
	assert_int_equal(host_smmu_ste_vmid[8], vmid_value(vmid_of(IOS2)));
	/* From an IOSpace to a VSpace and back, each ended its own way. */
	uint64_t v[] = {VS};
	ok(inv(S, CAIRN_STREAM_BIND_VSPACE, v, 1));
	assert_false(host_smmu_ste_io[8]);
	ok(bind_io(S, IOS));
	ok(inv(S, CAIRN_STREAM_UNBIND, NULL, 0));
	assert_int_equal(host_smmu_ste_vmid[8], 0);
	assert_int_equal(vmid_streams(vmid_of(IOS)), 0);
}

static void test_iospace_destroyed_under_its_streams(void **state)
{
	(void)state;
	uint64_t a[] = {8, ROOT_SLOT, S, 64};
	uint64_t b[] = {9, ROOT_SLOT, S2, 64};

	tables();
	ok(map_io(FR, IOS, IOVA, RW));
	ok(inv(SIDC, CAIRN_SID_CONTROL_GET, a, 4));
	ok(inv(SIDC, CAIRN_SID_CONTROL_GET, b, 4));
	ok(bind_io(S, IOS));
	ok(bind_io(S2, IOS));
	vmid_t vmid = vmid_of(IOS);
	assert_true(vmid_is_io(vmid));
	unsigned free_before = vmid_available();
	unsigned unbinds = host_smmu_io_unbinds;
	ok(cnode2(CAIRN_CNODE_DELETE, IOS));
	/* Both abort before the VMID and the root table go back. */
	assert_int_equal(host_smmu_io_unbinds, unbinds + 2);
	assert_int_equal(host_smmu_ste_vmid[8], 0);
	assert_int_equal(host_smmu_ste_vmid[9], 0);
	assert_int_equal(vmid_streams(vmid), 0);
	assert_int_equal(vmid_available(), free_before + 1);
	stream_check_refs();
	map_check_refs();
	/* The frame's record is stale: unmapping it reaches nothing. */
	ok(unmap_io(FR));
	assert_int_equal(f.slots[FR].cap.mapping, 0);
	/* Its table maps elsewhere once unmapped (emptied). */
	ok(inv(IPT2, CAIRN_IO_PAGE_TABLE_UNMAP, NULL, 0));
	ok(inv(IPT1, CAIRN_IO_PAGE_TABLE_UNMAP, NULL, 0));
	ok(table_map(IPT1, IOS2, IOVA));
	/* IOSpaces draw on the VMIDs VSpaces use. */
	free_before = vmid_available();
	retype(CAIRN_OBJ_IOSPACE, IOS);
	assert_int_equal(vmid_available(), free_before - 1);
	assert_true(vmid_is_io(vmid_of(IOS)));
}

enum { RUN = 40, COPIES = 50, IPT3 = 60 };
#define EDGE (IOVA + 0x1fd000) /* 3 pages: 2 in IPT2's span, 1 in the next */

static void test_map_frames_refusals_change_nothing(void **state)
{
	(void)state;
	for (uint64_t i = 0; i < 3; i++) {
		retype(CAIRN_OBJ_FRAME_4K, RUN + i);
	}
	expect(map_frames(IOS, COPIES, RUN, 0, IOVA, RW), CAIRN_RANGE_ERROR,
	       CAIRN_ARG_COUNT);
	expect(map_frames(IOS, COPIES, RUN, CAIRN_IOSPACE_MAP_FRAMES_MAX + 1,
			  IOVA, RW),
	       CAIRN_RANGE_ERROR, CAIRN_ARG_COUNT);
	expect(map_frames(IOS, COPIES, RUN, 3, IOVA + 8, RW),
	       CAIRN_ALIGNMENT_ERROR, CAIRN_ARG_IOVA);
	expect(map_frames(IOS, COPIES, RUN, 3,
			  (1ULL << CAIRN_IPA_BITS) - 0x2000, RW),
	       CAIRN_RANGE_ERROR, CAIRN_ARG_IOVA);
	expect(map_frames(IOS, COPIES, RUN, 3, IOVA, R | CAIRN_RIGHT_EXEC),
	       CAIRN_INVALID_ARGUMENT, CAIRN_ARG_RIGHTS);
	/* Slot runs: in a CNode, from slot 1, inside it. */
	uint64_t a[] = {IOS, COPIES, ROOT_SLOT, RUN, 3, IOVA, RW};
	expect(inv(IOS, CAIRN_IOSPACE_MAP_FRAMES, a, 7),
	       CAIRN_INVALID_CAPABILITY, CAIRN_ARG_DEST_ROOT);
	expect(inv(IOS, CAIRN_IOSPACE_MAP_FRAMES, a, 6),
	       CAIRN_TRUNCATED_MESSAGE, 0);
	expect(map_frames(IOS, 0, RUN, 3, IOVA, RW), CAIRN_RANGE_ERROR,
	       CAIRN_ARG_DEST_INDEX);
	expect(map_frames(IOS, (1U << ROOT_RADIX) - 2, RUN, 3, IOVA, RW),
	       CAIRN_RANGE_ERROR, CAIRN_ARG_DEST_INDEX);
	assert_int_equal(err.detail[2], (1U << ROOT_RADIX) - 3);
	expect(map_frames(IOS, COPIES, (1U << ROOT_RADIX) - 1, 3, IOVA, RW),
	       CAIRN_RANGE_ERROR, CAIRN_ARG_SRC_INDEX);
	/* Each entry: a 4 KiB Frame cap (not an IOSpace, not an empty slot,
	 * not a 2 MiB frame) granting the rights, an empty slot for its
	 * copy, its tables, a free entry. Entry 3 refused: no entry made. */
	tables();
	expect(map_frames(IOS, COPIES, RUN, 4, IOVA, RW),
	       CAIRN_INVALID_CAPABILITY, CAIRN_ARG_SRC_INDEX);
	assert_int_equal(err.detail[1], RUN + 3);
	expect(map_frames(IOS, COPIES, IOS, 1, IOVA, RW),
	       CAIRN_INVALID_CAPABILITY, CAIRN_ARG_SRC_INDEX);
	expect(map_frames(IOS, COPIES, BIG, 1, IOVA, RW),
	       CAIRN_INVALID_CAPABILITY, CAIRN_ARG_SRC_INDEX);
	expect(map_frames(IOS, COPIES, FR_RO, 1, IOVA, RW),
	       CAIRN_ILLEGAL_OPERATION, CAIRN_ARG_RIGHTS);
	ok(mint(COPIES + 2, FR, CAIRN_RIGHTS_ALL));
	expect(map_frames(IOS, COPIES, RUN, 3, IOVA, RW), CAIRN_DELETE_FIRST,
	       CAIRN_ARG_DEST_INDEX);
	assert_int_equal(err.detail[1], COPIES + 2);
	ok(map_io(COPIES + 2, IOS, IOVA + 0x2000, RW));
	expect(map_frames(IOS, COPIES - 1, RUN, 3, IOVA, RW),
	       CAIRN_DELETE_FIRST, CAIRN_ARG_IOVA);
	assert_int_equal(err.detail[1], IOVA + 0x2000);
	/* Across into a leaf table not there: the third entry's lookup. */
	expect(map_frames(IOS, 70, RUN, 3, EDGE, RW), CAIRN_FAILED_LOOKUP,
	       CAIRN_LOOKUP_MISSING_CAP);
	assert_int_equal(err.detail[1], 3);
	assert_int_equal(err.detail[3], CAIRN_ARG_IOVA);
	for (uint64_t i = 0; i < 3; i++) {
		assert_true(cap_is_null(&f.slots[COPIES - 1 + i].cap));
		assert_true(cap_is_null(&f.slots[70 + i].cap));
		assert_int_equal(entry(IOS, EDGE + i * 0x1000, 3), 0);
		assert_false(cdt_has_children(&f.slots[RUN + i]));
	}
	assert_int_equal(entry(IOS, IOVA, 3), 0);
	/* Nothing but MapFrames. */
	expect(inv(IOS, CAIRN_FRAME_MAP, NULL, 0), CAIRN_ILLEGAL_OPERATION,
	       CAIRN_ARG_LABEL);
}

static void test_map_frames_maps_copies(void **state)
{
	(void)state;
	unsigned page = host_smmu_io_flush_page_count;

	for (uint64_t i = 0; i < 3; i++) {
		retype(CAIRN_OBJ_FRAME_4K, RUN + i);
	}
	retype(CAIRN_OBJ_IO_PAGE_TABLE, IPT3);
	tables();
	ok(table_map(IPT3, IOS, EDGE + 0x2000));
	ok(map_frames(IOS, COPIES, RUN, 3, EDGE, R));
	for (uint64_t i = 0; i < 3; i++) {
		struct cte *copy = &f.slots[COPIES + i];
		s2_pte_t e = entry(IOS, EDGE + i * 0x1000, 3);
		assert_int_equal(copy->cap.type, CAP_FRAME);
		assert_true(cap_same_object(&copy->cap, &f.slots[RUN + i].cap));
		assert_int_equal(arch_s2_output(e), pa_addr(copy->cap.object));
		assert_int_equal(e & (3ULL << 6), 1ULL << 6); /* read only */
		assert_int_not_equal(copy->cap.mapping, 0);
		assert_int_equal(f.slots[RUN + i].cap.mapping, 0);
	}
	/* The copies are children: the owner's Revoke of its cap unmaps the
	 * device's view, invalidating the SMMU while a stream is bound. */
	uint64_t sidc[] = {7, ROOT_SLOT, S, 64};
	ok(inv(SIDC, CAIRN_SID_CONTROL_GET, sidc, 4));
	ok(bind_io(S, IOS));
	ok(cnode2(CAIRN_CNODE_REVOKE, RUN + 1));
	assert_true(cap_is_null(&f.slots[COPIES + 1].cap));
	assert_int_equal(entry(IOS, EDGE + 0x1000, 3), 0);
	assert_int_equal(host_smmu_io_flush_page_count, page + 1);
	assert_int_not_equal(entry(IOS, EDGE, 3), 0);
	ok(cnode2(CAIRN_CNODE_DELETE, COPIES));
	assert_int_equal(entry(IOS, EDGE, 3), 0);
	assert_int_equal(host_smmu_io_flush_page_count, page + 2);
}

static void test_unmap_frames(void **state)
{
	(void)state;
	unsigned page = host_smmu_io_flush_page_count;
	unsigned all = host_smmu_io_flush_all_count;

	for (uint64_t i = 0; i < 4; i++) {
		retype(CAIRN_OBJ_FRAME_4K, RUN + i);
	}
	tables();
	ok(map_frames(IOS, COPIES, RUN, 4, IOVA, RW));
	/* Refused, nothing deleted: a bad count or range; a slot holding
	 * anything but a Frame mapped in this IOSpace (a frame mapped
	 * nowhere, one mapped in another IOSpace). */
	expect(unmap_frames(IOS, COPIES, 0), CAIRN_RANGE_ERROR,
	       CAIRN_ARG_COUNT);
	expect(unmap_frames(IOS, COPIES, CAIRN_IOSPACE_MAP_FRAMES_MAX + 1),
	       CAIRN_RANGE_ERROR, CAIRN_ARG_COUNT);
	expect(unmap_frames(IOS, 0, 1), CAIRN_RANGE_ERROR,
	       CAIRN_ARG_DEST_INDEX);
	uint64_t a[] = {IOS, COPIES, 1};
	expect(inv(IOS, CAIRN_IOSPACE_UNMAP_FRAMES, a, 3),
	       CAIRN_INVALID_CAPABILITY, CAIRN_ARG_DEST_ROOT);
	ok(mint(COPIES + 4, IOS2, CAIRN_RIGHTS_ALL));
	expect(unmap_frames(IOS, COPIES, 5), CAIRN_INVALID_CAPABILITY,
	       CAIRN_ARG_DEST_INDEX);
	assert_int_equal(err.detail[1], COPIES + 4);
	ok(cnode2(CAIRN_CNODE_DELETE, COPIES + 4));
	expect(unmap_frames(IOS, RUN, 1), CAIRN_INVALID_CAPABILITY,
	       CAIRN_ARG_DEST_INDEX);
	assert_int_equal(err.detail[1], RUN);
	expect(unmap_frames(IOS2, COPIES, 1), CAIRN_INVALID_CAPABILITY,
	       CAIRN_ARG_DEST_INDEX);
	ok(unmap_frames(IOS, COPIES + 4, 3)); /* empty slots: nothing */
	for (uint64_t i = 0; i < 4; i++) {
		assert_false(cap_is_null(&f.slots[COPIES + i].cap));
		assert_int_not_equal(entry(IOS, IOVA + i * 0x1000, 3), 0);
	}
	/* Unbound: no invalidation. One copy deleted already is skipped. */
	ok(cnode2(CAIRN_CNODE_DELETE, COPIES + 1));
	ok(unmap_frames(IOS, COPIES, 2));
	assert_int_equal(host_smmu_io_flush_all_count, all);
	/* Bound: the whole IOSpace once for the run, no page by page. */
	uint64_t sidc[] = {7, ROOT_SLOT, S, 64};
	ok(inv(SIDC, CAIRN_SID_CONTROL_GET, sidc, 4));
	ok(bind_io(S, IOS));
	ok(unmap_frames(IOS, COPIES + 2, 2));
	assert_int_equal(host_smmu_io_flush_all_count, all + 1);
	assert_int_equal(host_smmu_io_flush_page_count, page);
	for (uint64_t i = 0; i < 4; i++) {
		assert_true(cap_is_null(&f.slots[COPIES + i].cap));
		assert_int_equal(entry(IOS, IOVA + i * 0x1000, 3), 0);
		assert_false(cdt_has_children(&f.slots[RUN + i]));
	}
	assert_false(map_batch_open());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_map_io_errors, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_leaves_in_each_format, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_unmap_io_and_no_flush_unbound,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_removals_invalidate_the_smmu,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bind_io_and_its_errors, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(
		test_iospace_destroyed_under_its_streams, setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_map_frames_refusals_change_nothing, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_map_frames_maps_copies, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_unmap_frames, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
