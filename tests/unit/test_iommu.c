/*
 * The IOMMU server's portable logic: sync-pt request checking and IOVA
 * bookkeeping (servers/iommu/p2m.c) against counting kernel stubs, and
 * device matching, modes and fault lines (devices.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "devices.h"
#include "p2m.h"

#include <cairn/invocations.h>

/* ---- p2m against a fake kernel ---- */

#define PG   IOMMU_PAGE
#define BASE IOMMU_IOVA_FIRST /* the first page a client may map */
#define P(i) ((i) + 1)	      /* page i from BASE, as p2m numbers it */

static struct {
	unsigned maps, unmaps;
	uint32_t bad_slot; /* map of this slot: no frame cap there */
	uint32_t slot_at[IOMMU_IOVA_PAGES];
	uint8_t live[IOMMU_IOVA_PAGES];
} k;

static uint32_t fake_map(void *ctx, uint32_t slot, uint64_t iova,
			 uint32_t rights, uint32_t page, uint32_t pages,
			 uint32_t *mapped)
{
	(void)ctx;
	(void)rights;
	assert_int_equal(iova, IOMMU_IOVA_BASE + (uint64_t)page * PG);
	for (*mapped = 0; *mapped < pages; (*mapped)++) {
		uint32_t at = page + *mapped;
		assert_false(k.live[at]); /* never mapped over */
		if (slot + *mapped == k.bad_slot) {
			return IOMMU_ERR_CAP;
		}
		k.maps++;
		k.live[at] = 1;
		k.slot_at[at] = slot + *mapped;
	}
	return IOMMU_OK;
}

static uint32_t fake_unmap(void *ctx, uint32_t page, uint32_t pages)
{
	(void)ctx;
	for (uint32_t at = page; at < page + pages; at++) {
		assert_true(k.live[at]); /* never unmaps what is not there */
		k.unmaps++;
		k.live[at] = 0;
	}
	return IOMMU_OK;
}

static const struct p2m_ops ops = {fake_map, fake_unmap, NULL};
static struct p2m p;
static struct iommu_ring ring;

static int setup(void **state)
{
	(void)state;
	memset(&k, 0, sizeof(k));
	k.bad_slot = 0xffffffffU;
	memset(&ring, 0, sizeof(ring));
	p2m_init(&p, IOMMU_IOVA_PAGES);
	return 0;
}

/* Appends a record at the ring's producer index; returns the new one. */
static uint32_t put(uint32_t op, uint32_t first, uint64_t iova, uint32_t pages,
		    uint32_t rights)
{
	ring.rec[ring.prod % IOMMU_RING_RECORDS] =
	    (struct iommu_record){op, first, iova, pages, rights};
	return ++ring.prod;
}

static uint32_t submit(uint32_t prod, uint32_t *done, uint32_t *detail)
{
	return p2m_submit(&p, &ring, prod, &ops, done, detail);
}

static void test_map_and_unmap_a_batch(void **state)
{
	(void)state;
	uint32_t done, detail;

	put(IOMMU_OP_MAP, 10, BASE, 4, 3);
	uint32_t prod = put(IOMMU_OP_MAP, 20, BASE + 8 * PG, 1, 1);
	assert_int_equal(submit(prod, &done, &detail), IOMMU_OK);
	assert_int_equal(done, 2);
	assert_int_equal(k.maps, 5);
	assert_int_equal(p.mappings, 5);
	assert_int_equal(k.slot_at[P(3)], 13);
	assert_int_equal(k.slot_at[P(8)], 20);
	assert_true(p2m_is_mapped(&p, P(8)) && !p2m_is_mapped(&p, P(4)));
	prod = put(IOMMU_OP_UNMAP, 0, BASE + PG, 2, 0);
	assert_int_equal(submit(prod, &done, &detail), IOMMU_OK);
	assert_int_equal(k.unmaps, 2);
	assert_int_equal(p.mappings, 3);
	assert_true(p2m_is_mapped(&p, P(0)) && !p2m_is_mapped(&p, P(1)));
	assert_int_equal(p.cons, prod);
	p2m_clear(&p, &ops);
	assert_int_equal(p.mappings, 0);
	assert_int_equal(k.unmaps, 5);
}

/* Each bad record: refused with its error and field, nothing mapped. */
static void test_bad_records(void **state)
{
	(void)state;
	static const struct {
		struct iommu_record r;
		uint32_t error, field;
	} cases[] = {
	    {{7, 1, BASE, 1, 3}, IOMMU_ERR_RECORD, IOMMU_FIELD_OP},
	    {{IOMMU_OP_MAP, 1, BASE, 0, 3},
	     IOMMU_ERR_RECORD,
	     IOMMU_FIELD_PAGES},
	    {{IOMMU_OP_MAP, 1, BASE, IOMMU_IOVA_PAGES + 1, 3},
	     IOMMU_ERR_RANGE,
	     IOMMU_FIELD_PAGES},
	    {{IOMMU_OP_MAP, 1, BASE + 8, 1, 3},
	     IOMMU_ERR_ALIGN,
	     IOMMU_FIELD_IOVA},
	    {{IOMMU_OP_MAP, 1, BASE - PG, 1, 3},
	     IOMMU_ERR_RANGE,
	     IOMMU_FIELD_IOVA},
	    {{IOMMU_OP_MAP, 1, IOMMU_IOVA_BASE + IOMMU_IOVA_PAGES * PG, 1, 3},
	     IOMMU_ERR_RANGE,
	     IOMMU_FIELD_IOVA},
	    /* runs past the end of the range */
	    {{IOMMU_OP_MAP, 1, BASE + (IOMMU_IOVA_PAGES - 2) * PG, 2, 3},
	     IOMMU_ERR_RANGE,
	     IOMMU_FIELD_IOVA},
	    /* wraps around 2^64 */
	    {{IOMMU_OP_MAP, 1, UINT64_MAX & ~(PG - 1), 2, 3},
	     IOMMU_ERR_RANGE,
	     IOMMU_FIELD_IOVA},
	    {{IOMMU_OP_MAP, 1, BASE, 1, 0},
	     IOMMU_ERR_RECORD,
	     IOMMU_FIELD_RIGHTS},
	    {{IOMMU_OP_MAP, 1, BASE, 1, 8},
	     IOMMU_ERR_RECORD,
	     IOMMU_FIELD_RIGHTS},
	    {{IOMMU_OP_MAP, 0, BASE, 1, 3}, IOMMU_ERR_CAP, IOMMU_FIELD_FIRST},
	    {{IOMMU_OP_MAP, UINT32_MAX, BASE, 2, 3},
	     IOMMU_ERR_CAP,
	     IOMMU_FIELD_FIRST},
	    {{IOMMU_OP_UNMAP, 0, BASE, 1, 0},
	     IOMMU_ERR_NOT_MAPPED,
	     IOMMU_FIELD_IOVA},
	};
	uint32_t done, detail;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ring.rec[ring.prod % IOMMU_RING_RECORDS] = cases[i].r;
		uint32_t prod = ++ring.prod;
		assert_int_equal(submit(prod, &done, &detail), cases[i].error);
		assert_int_equal(done, 0);
		assert_int_equal(detail, cases[i].field);
		assert_int_equal(p.cons, prod); /* taken, not retried */
	}
	assert_int_equal(k.maps + k.unmaps, 0);
	assert_int_equal(p.mappings, 0);
}

static void test_overlap_and_partial_batches(void **state)
{
	(void)state;
	uint32_t done, detail;

	put(IOMMU_OP_MAP, 1, BASE + 4 * PG, 2, 3);
	put(IOMMU_OP_MAP, 5, BASE + 10 * PG, 1, 3);
	put(IOMMU_OP_MAP, 9, BASE + 5 * PG, 3, 3); /* over page 5 */
	uint32_t prod = put(IOMMU_OP_MAP, 12, BASE + 20 * PG, 1, 3);
	assert_int_equal(submit(prod, &done, &detail), IOMMU_ERR_OVERLAP);
	/* The first two done, the third refused whole, the fourth dropped. */
	assert_int_equal(done, 2);
	assert_int_equal(detail, 2 << 8 | IOMMU_FIELD_IOVA);
	assert_int_equal(p.mappings, 3);
	assert_false(p2m_is_mapped(&p, P(6)) || p2m_is_mapped(&p, P(20)));
	/* An unmap over a hole refuses the whole record. */
	prod = put(IOMMU_OP_UNMAP, 0, BASE + 4 * PG, 4, 0);
	assert_int_equal(submit(prod, &done, &detail), IOMMU_ERR_NOT_MAPPED);
	assert_int_equal(p.mappings, 3);
	assert_int_equal(k.unmaps, 0);
}

/* A revoked or wrong cap part way: the record's pages before it are
 * undone, so it is all or nothing. */
static void test_bad_cap_undoes_the_record(void **state)
{
	(void)state;
	uint32_t done, detail;

	k.bad_slot = 33;
	uint32_t prod = put(IOMMU_OP_MAP, 30, BASE, 5, 3);
	assert_int_equal(submit(prod, &done, &detail), IOMMU_ERR_CAP);
	assert_int_equal(done, 0);
	assert_int_equal(detail, IOMMU_FIELD_FIRST);
	assert_int_equal(k.maps, 3);
	assert_int_equal(k.unmaps, 3);
	assert_int_equal(p.mappings, 0);
	for (unsigned i = 0; i < 5; i++) {
		assert_false(k.live[P(i)]);
	}
}

/* Indices the client cannot have: behind, or past a full ring; a batch
 * longer than IOMMU_BATCH_MAX. Nothing is taken. */
static void test_lying_indices_and_oversized_batches(void **state)
{
	(void)state;
	uint32_t done, detail;

	p.cons = 100;
	assert_int_equal(submit(99, &done, &detail), IOMMU_ERR_RING);
	assert_int_equal(detail, IOMMU_FIELD_PROD);
	assert_int_equal(submit(100 + IOMMU_RING_RECORDS + 1, &done, &detail),
			 IOMMU_ERR_RING);
	assert_int_equal(submit(100 + IOMMU_BATCH_MAX + 1, &done, &detail),
			 IOMMU_ERR_BATCH);
	assert_int_equal(p.cons, 100);
	assert_int_equal(submit(100, &done, &detail), IOMMU_OK); /* empty */
	assert_int_equal(done, 0);
	assert_int_equal(k.maps, 0);
}

/* Indices wrap at 2^32 and the ring at its size, like any other. */
/* A client's window is its own: past its 64 pages is out of range, even
 * inside the largest window; its last page is in. */
static void test_a_small_window(void **state)
{
	(void)state;
	uint32_t done, detail;

	p2m_init(&p, 64);
	uint32_t prod = put(IOMMU_OP_MAP, 1, IOMMU_IOVA_BASE + 64 * PG, 1, 3);
	assert_int_equal(submit(prod, &done, &detail), IOMMU_ERR_RANGE);
	prod = put(IOMMU_OP_MAP, 1, BASE + 62 * PG, 2, 3);
	assert_int_equal(submit(prod, &done, &detail), IOMMU_ERR_RANGE);
	prod = put(IOMMU_OP_MAP, 1, BASE, 64, 3); /* pages 1-64: one too many */
	assert_int_equal(submit(prod, &done, &detail), IOMMU_ERR_RANGE);
	prod = put(IOMMU_OP_MAP, 1, BASE + 62 * PG, 1, 3);
	assert_int_equal(submit(prod, &done, &detail), IOMMU_OK);
	assert_true(p2m_is_mapped(&p, 63) && !p2m_is_mapped(&p, 64));
	assert_int_equal(k.maps, 1);
	p2m_clear(&p, &ops);
	assert_int_equal(k.unmaps, 1);
}

static void test_indices_wrap(void **state)
{
	(void)state;
	uint32_t done, detail;

	p.cons = ring.prod = UINT32_MAX - 1;
	put(IOMMU_OP_MAP, 1, BASE, 1, 3);
	put(IOMMU_OP_MAP, 2, BASE + PG, 1, 3);
	uint32_t prod = put(IOMMU_OP_MAP, 3, BASE + 2 * PG, 1, 3);
	assert_int_equal(prod, 1);
	assert_int_equal(submit(prod, &done, &detail), IOMMU_OK);
	assert_int_equal(done, 3);
	assert_int_equal(k.slot_at[P(2)], 3);
}

/* ---- devices ---- */

static struct iommu_info info;

static void client(unsigned i, const char *name, uint32_t mode)
{
	snprintf(info.client[i].name, sizeof(info.client[i].name), "%s", name);
	info.client[i].mode = mode;
	info.client[i].badge = i + 1;
}

static void device(unsigned i, uint32_t kind, uint32_t value)
{
	info.client[i].dev[info.client[i].devices++] =
	    (struct iommu_info_device){.kind = kind, .value = value};
}

static int setup_info(void **state)
{
	(void)state;
	memset(&info, 0, sizeof(info));
	memcpy(info.magic, IOMMU_INFO_MAGIC, 8);
	info.version = IOMMU_INFO_VERSION;
	return 0;
}

static void test_matching_by_address_and_ids(void **state)
{
	(void)state;
	struct iommu_client c[3];
	const struct pci_function fns[] = {{0x00, 0x1b36, 0x0008},
					   {0x10, 0x1234, 0x11e8},
					   {0x18, 0x1234, 0x11e8},
					   {0x20, 0x1af4, 0x1000}};

	info.clients = 3;
	client(0, "left", IOMMU_MODE_SHARE_PT);
	device(0, IOMMU_DEV_IDS, 0x11e81234);
	client(1, "right", IOMMU_MODE_SYNC_PT);
	device(1, IOMMU_DEV_BDF, 0x10); /* 00:02.0: left's IDs skip it */
	device(1, IOMMU_DEV_BDF, 0x28); /* 00:05.0: nothing there */
	client(2, "third", IOMMU_MODE_ENABLED);
	device(2, IOMMU_DEV_IDS, 0x11e81234); /* both edus taken */
	assert_int_equal(iommu_clients_init(c, &info), 3);
	iommu_match(c, 3, fns, 4);
	assert_int_equal(c[0].dev[0].error, IOMMU_OK);
	assert_int_equal(c[0].dev[0].devfn, 0x18);
	assert_int_equal(c[1].dev[0].devfn, 0x10);
	assert_int_equal(c[1].dev[1].error, IOMMU_ERR_NOT_PRESENT);
	assert_int_equal(c[2].dev[0].error, IOMMU_ERR_NOT_PRESENT);
}

static void test_bad_info_pages_refused(void **state)
{
	(void)state;
	struct iommu_client c[IOMMU_MAX_CLIENTS];

	info.clients = IOMMU_MAX_CLIENTS + 1;
	assert_int_equal(iommu_clients_init(c, &info), -1);
	info.clients = 1;
	client(0, "x", 4); /* no such mode */
	assert_int_equal(iommu_clients_init(c, &info), -1);
	client(0, "x", IOMMU_MODE_SHARE_PT);
	info.client[0].devices = IOMMU_MAX_DEVICES + 1;
	assert_int_equal(iommu_clients_init(c, &info), -1);
	info.client[0].devices = 0;
	memset(info.client[0].name, 'a', sizeof(info.client[0].name));
	assert_int_equal(iommu_clients_init(c, &info), -1); /* no NUL */
	client(0, "x", IOMMU_MODE_SHARE_PT);
	info.magic[0] = 'X';
	assert_int_equal(iommu_clients_init(c, &info), -1);
}

static void test_modes(void **state)
{
	(void)state;
	int fb;

	assert_int_equal(iommu_effective(IOMMU_MODE_SHARE_PT, 1, &fb),
			 IOMMU_MODE_SHARE_PT);
	assert_false(fb);
	assert_int_equal(iommu_effective(IOMMU_MODE_SHARE_PT, 0, &fb),
			 IOMMU_MODE_SYNC_PT);
	assert_true(fb); /* the one warning */
	assert_int_equal(iommu_effective(IOMMU_MODE_ENABLED, 1, &fb),
			 IOMMU_MODE_SHARE_PT);
	assert_int_equal(iommu_effective(IOMMU_MODE_ENABLED, 0, &fb),
			 IOMMU_MODE_SYNC_PT);
	assert_false(fb); /* enabled asked for either */
	assert_int_equal(iommu_effective(IOMMU_MODE_SYNC_PT, 1, &fb),
			 IOMMU_MODE_SYNC_PT);
	assert_int_equal(iommu_effective(IOMMU_MODE_DISABLED, 1, &fb),
			 IOMMU_MODE_DISABLED);
}

static void test_fault_lines_and_counts(void **state)
{
	(void)state;
	struct iommu_client c[1];
	char line[160];
	const uint64_t write[3] = {CAIRN_SMMU_EVT_TRANSLATION |
				       CAIRN_STREAM_FAULT_STAGE2,
				   0x7f00000000UL, 0};
	const uint64_t read[3] = {CAIRN_SMMU_EVT_PERMISSION |
				      CAIRN_STREAM_FAULT_READ,
				  0x40200000UL, 0};

	info.clients = 1;
	client(0, "left", IOMMU_MODE_SHARE_PT);
	device(0, IOMMU_DEV_BDF, 0x10);
	assert_int_equal(iommu_clients_init(c, &info), 1);
	c[0].dev[0].devfn = 0x10;
	c[0].dev[0].sid = 0x10;
	iommu_fault_line(line, sizeof(line), &c[0], &c[0].dev[0], write);
	assert_string_equal(line, "DMA fault: left, device 00:02.0 (sid 0x10): "
				  "write at 0x7f00000000: translation fault "
				  "(event 0x10)");
	iommu_fault_line(line, sizeof(line), &c[0], &c[0].dev[0], read);
	assert_string_equal(line, "DMA fault: left, device 00:02.0 (sid 0x10): "
				  "read at 0x40200000: permission fault "
				  "(event 0x13)");
	assert_int_equal(c[0].dev[0].faults, 2);
	assert_int_equal(c[0].faults, 2);
	assert_string_equal(iommu_error_name(IOMMU_ERR_OVERLAP),
			    "overlaps a mapping");
	assert_string_equal(iommu_error_name(999), "unknown error");
	assert_string_equal(iommu_mode_name(IOMMU_MODE_ENABLED), "enabled");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_map_and_unmap_a_batch, setup),
	    cmocka_unit_test_setup(test_bad_records, setup),
	    cmocka_unit_test_setup(test_overlap_and_partial_batches, setup),
	    cmocka_unit_test_setup(test_bad_cap_undoes_the_record, setup),
	    cmocka_unit_test_setup(test_lying_indices_and_oversized_batches,
				   setup),
	    cmocka_unit_test_setup(test_indices_wrap, setup),
	    cmocka_unit_test_setup(test_a_small_window, setup),
	    cmocka_unit_test_setup(test_matching_by_address_and_ids,
				   setup_info),
	    cmocka_unit_test_setup(test_bad_info_pages_refused, setup_info),
	    cmocka_unit_test_setup(test_modes, setup_info),
	    cmocka_unit_test_setup(test_fault_lines_and_counts, setup_info),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
