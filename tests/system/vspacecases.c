/*
 * Adversarial VSpace sequences of the thread suite: mapping over a
 * mapping, unmapping and remapping, copies of Frame caps, revoking a frame
 * while it is mapped, and destroying a VSpace under its live mappings
 * (with a thread that ran in it). Whether an address is reachable is
 * always asked of a test thread with a fault endpoint, never of the root,
 * which has none. Every case maps its tables afresh at SPAN: the previous
 * case's went with its Untyped.
 */
#include "suite.h"

#include <libcairn/ipc.h>
#include <stdio.h>

#define SPAN	 0x7000000000UL /* a GiB of the root's VSpace no one uses */
#define SPAN2	 0x7040000000UL /* and the next one */
#define DATA_IPA 0x10040000UL	/* unmapped in vspace_with_root_code's */

static uint64_t copy_of(uint64_t src)
{
	uint64_t s = slot();

	cairn_cnode_copy(ROOT, s, DEPTH, ROOT, src, DEPTH, ALL);
	return s;
}

/* A level-2 and a level-3 table for the 2 MiB at ipa, in vs. */
static int tables_at(uint64_t vs, uint64_t ipa, uint64_t *l2, uint64_t *l3)
{
	int ok = 1;

	*l2 = make(CAIRN_OBJ_PAGE_TABLE, 0);
	*l3 = make(CAIRN_OBJ_PAGE_TABLE, 0);
	OK(cairn_page_table_map(*l2, vs, ipa));
	OK(cairn_page_table_map(*l3, vs, ipa));
	return ok;
}

static volatile uint64_t *at(uint64_t ipa)
{
	return (volatile uint64_t *)ipa;
}

/*
 * What a thread storing 42 at ipa meets: 1 a VM fault at ipa (the thread
 * is left waiting for its reply, for the teardown), 0 none (the store
 * landed), -1 anything else (printed).
 */
static int store_faults(uint64_t ipa)
{
	uint64_t fep = make(CAIRN_OBJ_ENDPOINT, 0);
	uint64_t rp = make(CAIRN_OBJ_REPLY, 0);
	uint64_t done = make(CAIRN_OBJ_ENDPOINT, 0);
	struct cairn_recv in;

	spawn(touch, ipa, done, fep);
	let_threads_run();
	cairn_nbrecv(fep, rp, &in);
	if (CAIRN_MSGINFO_LABEL(in.info) == CAIRN_FAULT_VM && in.mr[2] == ipa) {
		return 1;
	}
	cairn_nbrecv(done, 0, &in);
	if (CAIRN_MSGINFO_LABEL(in.info) == 1 && in.mr[0] == 7) {
		return 0;
	}
	printf("  a store at %#lx: neither a fault nor done (label %lu)\n", ipa,
	       CAIRN_MSGINFO_LABEL(in.info));
	return -1;
}

/* Mapping where an entry already is: refused, and the entry stays. */
static int test_map_over_existing_mapping(void)
{
	int ok = 1;
	uint64_t l2, l3;
	uint64_t a = make(CAIRN_OBJ_FRAME_4K, 0),
		 b = make(CAIRN_OBJ_FRAME_4K, 0);
	uint64_t big = make(CAIRN_OBJ_FRAME_2M, 0);
	uint64_t pt = make(CAIRN_OBJ_PAGE_TABLE, 0);
	const uint64_t block = SPAN + 0x200000;

	CHECK(tables_at(VSPACE, SPAN, &l2, &l3));
	OK(cairn_frame_map(a, VSPACE, SPAN, RW, 0));
	*at(SPAN) = 0xa1;
	ERR(cairn_frame_map(b, VSPACE, SPAN, RW, 0), CAIRN_DELETE_FIRST,
	    CAIRN_ARG_IPA);
	CHECK(*at(SPAN) == 0xa1);
	/* The refused cap is still free to map elsewhere. */
	OK(cairn_frame_map(b, VSPACE, SPAN + 0x1000, RW, 0));
	*at(SPAN + 0x1000) = 0xb2;
	CHECK(*at(SPAN) == 0xa1 && *at(SPAN + 0x1000) == 0xb2);
	/* A block over a level-3 table, a table over a table. */
	ERR(cairn_frame_map(big, VSPACE, SPAN, RW, 0), CAIRN_DELETE_FIRST,
	    CAIRN_ARG_IPA);
	ERR(cairn_page_table_map(pt, VSPACE, SPAN), CAIRN_DELETE_FIRST,
	    CAIRN_ARG_IPA);
	ERR(cairn_page_table_map(pt, VSPACE, SPAN + 0x1000), CAIRN_DELETE_FIRST,
	    CAIRN_ARG_IPA);
	/* A table or a page inside a block. */
	OK(cairn_frame_map(big, VSPACE, block, RW, 0));
	ERR(cairn_page_table_map(pt, VSPACE, block), CAIRN_DELETE_FIRST,
	    CAIRN_ARG_IPA);
	uint64_t c = make(CAIRN_OBJ_FRAME_4K, 0);
	ERR(cairn_frame_map(c, VSPACE, block + 0x5000, RW, 0),
	    CAIRN_DELETE_FIRST, CAIRN_ARG_IPA);
	*at(block + 0x5000) = 0xc3;
	CHECK(*at(block + 0x5000) == 0xc3 && *at(SPAN) == 0xa1);
	return ok;
}

/* Unmap, then map another frame at the same IPA: only the new one is
 * there (the TLB forgot the old), and the old one maps elsewhere intact. */
static int test_unmap_then_remap(void)
{
	int ok = 1;
	uint64_t l2, l3;
	uint64_t f1 = make(CAIRN_OBJ_FRAME_4K, 0);
	uint64_t f2 = make(CAIRN_OBJ_FRAME_4K, 0);

	CHECK(tables_at(VSPACE, SPAN, &l2, &l3));
	OK(cairn_frame_map(f1, VSPACE, SPAN, RW, 0));
	*at(SPAN) = 0x1111;
	CHECK(*at(SPAN) == 0x1111);
	OK(cairn_frame_unmap(f1));
	CHECK(store_faults(SPAN) == 1);
	OK(cairn_frame_map(f2, VSPACE, SPAN, RW, 0));
	CHECK(*at(SPAN) == 0); /* f2 is new: zeroed */
	*at(SPAN) = 0x2222;
	OK(cairn_frame_map(f1, VSPACE, SPAN + 0x1000, RW, 0));
	CHECK(*at(SPAN + 0x1000) == 0x1111);
	/* Unmapping f1 again leaves f2 where it is. */
	OK(cairn_frame_unmap(f1));
	OK(cairn_frame_unmap(f1)); /* not mapped: nothing to do */
	CHECK(*at(SPAN) == 0x2222);
	CHECK(store_faults(SPAN + 0x1000) == 1);
	return ok;
}

/* Each copy of a Frame cap maps once, on its own, with its own rights. */
static int test_frame_copy_maps_independently(void)
{
	int ok = 1;
	uint64_t l2, l3;
	uint64_t f = make(CAIRN_OBJ_FRAME_4K, 0);

	CHECK(tables_at(VSPACE, SPAN, &l2, &l3));
	OK(cairn_frame_map(f, VSPACE, SPAN, RW, 0));
	uint64_t c = copy_of(f);
	/* The copy starts unmapped: it maps, once. */
	OK(cairn_frame_map(c, VSPACE, SPAN + 0x1000, RW, 0));
	ERR(cairn_frame_map(c, VSPACE, SPAN + 0x2000, RW, 0),
	    CAIRN_ILLEGAL_OPERATION, CAIRN_ARG_INVOKED);
	*at(SPAN) = 0x77;
	CHECK(*at(SPAN + 0x1000) == 0x77); /* one frame, two places */
	/* A read-only copy maps read-only, whatever the Map asks for. */
	uint64_t ro = mint(f, CAIRN_RIGHT_READ, 0);
	OK(cairn_frame_map(ro, VSPACE, SPAN + 0x2000, RW, 0));
	CHECK(*at(SPAN + 0x2000) == 0x77);
	CHECK(store_faults(SPAN + 0x2000) == 1);
	CHECK(*at(SPAN) == 0x77);
	/* Unmapping the copy leaves the original's mapping, and back. */
	OK(cairn_frame_unmap(c));
	CHECK(store_faults(SPAN + 0x1000) == 1);
	CHECK(*at(SPAN) == 0x77);
	OK(cairn_frame_map(c, VSPACE, SPAN + 0x1000, RW, 0));
	OK(cairn_cnode_delete(ROOT, f, DEPTH));
	CHECK(store_faults(SPAN) == 1);
	CHECK(*at(SPAN + 0x1000) == 0x77 && *at(SPAN + 0x2000) == 0x77);
	CHECK(store_faults(SPAN + 0x1000) == 0);
	CHECK(*at(SPAN + 0x2000) == 42); /* the store went to the frame */
	return ok;
}

/* Revoking a frame cap deletes its copies, and with them their mappings. */
static int test_revoke_frame_while_mapped(void)
{
	int ok = 1;
	uint64_t l2, l3;
	uint64_t f = make(CAIRN_OBJ_FRAME_4K, 0);
	uint64_t c = copy_of(f);

	CHECK(tables_at(VSPACE, SPAN, &l2, &l3));
	OK(cairn_frame_map(c, VSPACE, SPAN, RW, 0));
	uint64_t cc = copy_of(c); /* a copy of the copy */
	OK(cairn_frame_map(cc, VSPACE, SPAN + 0x1000, RW, 0));
	CHECK(store_faults(SPAN) == 0);
	CHECK(*at(SPAN + 0x1000) == 42);
	OK(cairn_cnode_revoke(ROOT, f, DEPTH));
	ERR(cairn_frame_unmap(c), CAIRN_FAILED_LOOKUP,
	    CAIRN_LOOKUP_MISSING_CAP);
	ERR(cairn_frame_unmap(cc), CAIRN_FAILED_LOOKUP,
	    CAIRN_LOOKUP_MISSING_CAP);
	CHECK(store_faults(SPAN) == 1);
	CHECK(store_faults(SPAN + 0x1000) == 1);
	/* The revoked cap itself stays, unmapped, with the frame's data. */
	OK(cairn_frame_map(f, VSPACE, SPAN + 0x2000, RW, 0));
	CHECK(*at(SPAN + 0x2000) == 42);
	return ok;
}

/* Revoking the Untyped of a mapped frame unmaps it; the memory comes back
 * zeroed, so nothing of the old frame is reachable through a new one. */
static int test_revoke_untyped_while_mapped(void)
{
	int ok = 1;
	uint64_t l2, l3;
	uint64_t ut = make(CAIRN_OBJ_UNTYPED, 12), f = slot();

	CHECK(tables_at(VSPACE, SPAN, &l2, &l3));
	OK(cairn_untyped_retype(ut, CAIRN_OBJ_FRAME_4K, 0, ROOT, 0, 0, f, 1));
	OK(cairn_frame_map(f, VSPACE, SPAN, RW, 0));
	CHECK(store_faults(SPAN) == 0);
	CHECK(*at(SPAN) == 42);
	OK(cairn_cnode_revoke(ROOT, ut, DEPTH));
	CHECK(store_faults(SPAN) == 1);
	OK(cairn_untyped_retype(ut, CAIRN_OBJ_FRAME_4K, 0, ROOT, 0, 0, f, 1));
	OK(cairn_frame_map(f, VSPACE, SPAN + 0x1000, RW, 0));
	CHECK(*at(SPAN + 0x1000) == 0);
	return ok;
}

/* In a VSpace of its own: stores 42 at ipa, reports on done, then waits
 * for ever. */
static void store_and_report(uint64_t ipa, uint64_t done)
{
	struct cairn_msg out = {.info = CAIRN_MSGINFO(1, 1), .mr = {7}};
	struct cairn_recv in;

	*(volatile uint64_t *)ipa = 42;
	cairn_send(done, &out);
	for (;;) {
		cairn_recv(done, 0, &in);
	}
}

/* A thread running store_and_report(DATA_IPA, done) in vs, faults to fep. */
static uint64_t storer_in(uint64_t vs, uint64_t ipc, uint64_t done,
			  uint64_t fep, const char *name)
{
	uint64_t t =
	    thread_in(vs, ipc, store_and_report, DATA_IPA, done, PRIO, name);

	/* It has not run yet (the root outranks it): give it a handler. */
	cairn_tcb_configure(t, ROOT, vs, ipc, 0x10000000, fep);
	return t;
}

/*
 * A VSpace destroyed under its mappings, after a thread ran in it: the
 * thread cannot run again, the frame's cap unmaps cleanly, and a new
 * VSpace (with the VMID freed, the lowest) reaches nothing the old one
 * mapped, whatever the TLB cached, until the frame is mapped there.
 */
static int test_vspace_deleted_under_running_thread(void)
{
	int ok = 1;
	uint64_t l2, l3, ipc, ipc2;
	uint64_t fep = make(CAIRN_OBJ_ENDPOINT, 0),
		 rp = make(CAIRN_OBJ_REPLY, 0);
	uint64_t done = make(CAIRN_OBJ_ENDPOINT, 0),
		 done2 = make(CAIRN_OBJ_ENDPOINT, 0);
	uint64_t f = make(CAIRN_OBJ_FRAME_4K, 0);
	struct cairn_recv in;

	CHECK(tables_at(VSPACE, SPAN, &l2, &l3));
	OK(cairn_frame_map(copy_of(f), VSPACE, SPAN, RW, 0)); /* to watch f */
	uint64_t vs = vspace_with_root_code(&ipc);
	CHECK(vs != 0);
	OK(cairn_frame_map(f, vs, DATA_IPA, RW, 0));
	uint64_t t = storer_in(vs, ipc, done, fep, "old-vspace");
	let_threads_run();
	cairn_nbrecv(done, 0, &in);
	CHECK(CAIRN_MSGINFO_LABEL(in.info) == 1 && *at(SPAN) == 42);
	*at(SPAN) = 0;

	/* The revoke takes the thread's copy (it stops), the delete the
	 * last cap: the VSpace goes with every mapping in place. */
	OK(cairn_cnode_revoke(ROOT, vs, DEPTH));
	OK(cairn_cnode_delete(ROOT, vs, DEPTH));
	ERR(cairn_tcb_resume(t), CAIRN_ILLEGAL_OPERATION, CAIRN_ARG_VSPACE);
	OK(cairn_frame_unmap(f)); /* its VSpace is gone: nothing to do */
	CHECK(*at(SPAN) == 0);	  /* and the root's view of f stays */

	uint64_t vs2 = vspace_with_root_code(&ipc2);
	CHECK(vs2 != 0);
	storer_in(vs2, ipc2, done2, fep, "new-vspace");
	let_threads_run();
	cairn_nbrecv(fep, rp, &in);
	CHECK(CAIRN_MSGINFO_LABEL(in.info) == CAIRN_FAULT_VM);
	CHECK(in.mr[2] == DATA_IPA);
	CHECK(*at(SPAN) == 0);
	/* Mapped there, f takes the resumed store. */
	OK(cairn_frame_map(f, vs2, DATA_IPA, RW, 0));
	struct cairn_msg resume = {0};
	cairn_send(rp, &resume);
	let_threads_run();
	cairn_nbrecv(done2, 0, &in);
	CHECK(CAIRN_MSGINFO_LABEL(in.info) == 1 && *at(SPAN) == 42);
	return ok;
}

/*
 * The tables of a destroyed VSpace still record their place, so they map
 * again only after an Unmap, which empties them: hung in the root's
 * VSpace they reach nothing the old one mapped. The frame maps there too.
 */
static int test_vspace_deleted_tables_map_again_empty(void)
{
	int ok = 1;
	uint64_t vs = make(CAIRN_OBJ_VSPACE, 0), l2, l3, r2, r3;
	uint64_t f = make(CAIRN_OBJ_FRAME_4K, 0);

	CHECK(tables_at(vs, SPAN, &l2, &l3));
	OK(cairn_frame_map(f, vs, SPAN + 0x3000, RW, 0));
	CHECK(tables_at(VSPACE, SPAN, &r2, &r3));
	OK(cairn_frame_map(copy_of(f), VSPACE, SPAN, RW, 0));
	*at(SPAN) = 0x5a;
	OK(cairn_cnode_delete(ROOT, vs, DEPTH));

	ERR(cairn_page_table_map(l2, VSPACE, SPAN2), CAIRN_ILLEGAL_OPERATION,
	    CAIRN_ARG_INVOKED);
	ERR(cairn_page_table_map(l3, VSPACE, SPAN2), CAIRN_ILLEGAL_OPERATION,
	    CAIRN_ARG_INVOKED);
	OK(cairn_frame_unmap(f));
	OK(cairn_page_table_unmap(l3));
	OK(cairn_page_table_unmap(l2));
	OK(cairn_page_table_map(l2, VSPACE, SPAN2));
	OK(cairn_page_table_map(l3, VSPACE, SPAN2));
	CHECK(store_faults(SPAN2 + 0x3000) == 1);
	CHECK(*at(SPAN) == 0x5a);
	OK(cairn_frame_map(f, VSPACE, SPAN2 + 0x4000, RW, 0));
	CHECK(*at(SPAN2 + 0x4000) == 0x5a);
	return ok;
}

static const struct test_case cases[] = {
    {"map_over_existing_mapping",
     "a frame, block or table mapped over an entry: DELETE_FIRST, it stays",
     test_map_over_existing_mapping},
    {"unmap_then_remap",
     "after an unmap the IPA reaches only the frame mapped there next",
     test_unmap_then_remap},
    {"frame_copy_maps_independently",
     "each Frame cap copy maps once, with its own rights and lifetime",
     test_frame_copy_maps_independently},
    {"revoke_frame_while_mapped",
     "revoking a frame cap unmaps its mapped copies: touching them faults",
     test_revoke_frame_while_mapped},
    {"revoke_untyped_while_mapped",
     "revoking a mapped frame's Untyped unmaps it; the memory returns zeroed",
     test_revoke_untyped_while_mapped},
    {"vspace_deleted_under_running_thread",
     "a VSpace destroyed after a thread ran in it: a new one reaches nothing",
     test_vspace_deleted_under_running_thread},
    {"vspace_deleted_tables_map_again_empty",
     "a destroyed VSpace's tables map again only emptied; its frame maps",
     test_vspace_deleted_tables_map_again_empty},
};

const struct case_table vspace_cases = CASE_TABLE(cases);
