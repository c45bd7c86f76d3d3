/*
 * In-system suite for the capability core, run as the root task: every
 * Untyped and CNode invocation, their error paths, and the system calls that
 * exist. Each case runs in an Untyped of its own (cases.h): a CASE line per
 * case, one PASS/FAIL line per case, then "N passed, N failed"; finally an
 * unknown system call, whose fault line the boot test checks.
 */
#include "cases.h"
#include "common.h"

#include <libcairn/syscall.h>
#include <stdio.h>

static const struct cairn_bootinfo *bi;
static uint64_t dev_ut; /* a device Untyped, or 0 */

/* The case's own Untyped, which make() also uses. */
#define ram_ut case_ut()

static int check(const char *what, int ok, int line)
{
	if (!ok) {
		printf("  check failed: %s (line %d)\n", what, line);
	}
	return ok;
}

#define CHECK(cond) ok &= check(#cond, (cond), __LINE__)

static int is_err(struct cairn_result r, long err, uint64_t d0, uint64_t d1,
		  uint64_t d2, int line)
{
	if (r.error == err && r.detail[0] == d0 && r.detail[1] == d1 &&
	    r.detail[2] == d2) {
		return 1;
	}
	printf("  line %d: got %s (%ld) [%lu %lu %lu], want %s (%ld) [%lu %lu "
	       "%lu]\n",
	       line, cairn_error_name(r.error), r.error, r.detail[0],
	       r.detail[1], r.detail[2], cairn_error_name(err), err, d0, d1,
	       d2);
	return 0;
}

#define OK(r)		      ok &= is_err((r), CAIRN_OK, 0, 0, 0, __LINE__)
#define ERR(r, e, d0, d1, d2) ok &= is_err((r), (e), (d0), (d1), (d2), __LINE__)

/* A slot is occupied iff copying from it gets past the source lookup. */
static int occupied(uint64_t s)
{
	uint64_t probe = slot();
	struct cairn_result r =
	    cairn_cnode_copy(ROOT, probe, DEPTH, ROOT, s, DEPTH, ALL);
	if (r.error == CAIRN_OK) {
		cairn_cnode_delete(ROOT, probe, DEPTH);
		return 1;
	}
	return r.error == CAIRN_ILLEGAL_OPERATION; /* an Untyped */
}

static int test_bootinfo(void)
{
	int ok = 1;
	CHECK(bi->magic == CAIRN_BOOTINFO_MAGIC);
	CHECK(bi->cnode_radix == CAIRN_ROOT_CNODE_RADIX);
	CHECK(bi->image_first == CAIRN_SLOT_FIRST_IMAGE && bi->image_count > 0);
	CHECK(bi->untyped_first == bi->image_first + bi->image_count);
	CHECK(bi->untyped_count > 0);
	CHECK(bi->free_first == bi->untyped_first + bi->untyped_count);
	CHECK(bi->free_end == 1UL << CAIRN_ROOT_CNODE_RADIX);
	CHECK(boot_ut() != 0);
	CHECK(occupied(CAIRN_SLOT_TCB) && occupied(CAIRN_SLOT_VSPACE));
	CHECK(occupied(CAIRN_SLOT_IRQ_CONTROL));
	CHECK(occupied(CAIRN_SLOT_SID_CONTROL));
	CHECK(occupied(CAIRN_SLOT_AUDIT_CONTROL));
	return ok;
}

static int test_retype_and_watermark(void)
{
	int ok = 1;
	uint64_t s = slot();
	slot();
	slot();
	OK(cairn_untyped_retype(ram_ut, CAIRN_OBJ_ENDPOINT, 0, ROOT, 0, 0, s,
				3));
	CHECK(occupied(s) && occupied(s + 1) && occupied(s + 2));
	uint64_t f = slot();
	OK(cairn_untyped_retype(ram_ut, CAIRN_OBJ_FRAME_4K, 0, ROOT, 0, 0, f,
				1));
	CHECK(occupied(f));
	return ok;
}

static int test_retype_errors(void)
{
	int ok = 1;
	uint64_t s = slot();
	uint64_t w[6] = {CAIRN_OBJ_ENDPOINT, 0, ROOT, 0, 0, s};
	ERR(cairn_invoke(ram_ut, CAIRN_UNTYPED_RETYPE, w, 6),
	    CAIRN_TRUNCATED_MESSAGE, 0, 7, 0);
	ERR(cairn_untyped_retype(ram_ut, 0, 0, ROOT, 0, 0, s, 1),
	    CAIRN_INVALID_ARGUMENT, CAIRN_ARG_TYPE, 0, 0);
	ERR(cairn_untyped_retype(ram_ut, CAIRN_OBJ_CNODE, 0, ROOT, 0, 0, s, 1),
	    CAIRN_RANGE_ERROR, CAIRN_ARG_SIZE_BITS, 1, 20);
	const uint64_t slots = 1UL << CAIRN_ROOT_CNODE_RADIX;
	ERR(cairn_untyped_retype(ram_ut, CAIRN_OBJ_ENDPOINT, 0, ROOT, 0, 0,
				 slots, 1),
	    CAIRN_RANGE_ERROR, CAIRN_ARG_DEST_OFFSET, 1, slots - 1);
	ERR(cairn_untyped_retype(ram_ut, CAIRN_OBJ_ENDPOINT, 0, ROOT, 0, 0,
				 slots - 6, 7),
	    CAIRN_RANGE_ERROR, CAIRN_ARG_COUNT, 1, 6);
	ERR(cairn_untyped_retype(ram_ut, CAIRN_OBJ_ENDPOINT, 0, ROOT, 0, 0,
				 CAIRN_SLOT_TCB, 1),
	    CAIRN_DELETE_FIRST, CAIRN_ARG_DEST_OFFSET, CAIRN_SLOT_TCB, 0);
	/* The case's Untyped is still childless: all of it is available. */
	ERR(cairn_untyped_retype(ram_ut, CAIRN_OBJ_UNTYPED, 47, ROOT, 0, 0, s,
				 1),
	    CAIRN_NOT_ENOUGH_MEMORY, 0, 1UL << CASE_UT_BITS, 0);
	ERR(cairn_untyped_retype(ram_ut, CAIRN_OBJ_ENDPOINT, 0, CAIRN_SLOT_TCB,
				 0, 0, s, 1),
	    CAIRN_INVALID_CAPABILITY, CAIRN_ARG_DEST_ROOT, 0, 0);
	if (dev_ut != 0) {
		ERR(cairn_untyped_retype(dev_ut, CAIRN_OBJ_ENDPOINT, 0, ROOT, 0,
					 0, s, 1),
		    CAIRN_INVALID_ARGUMENT, CAIRN_ARG_TYPE, 0, 0);
		uint64_t d = slot();
		OK(cairn_untyped_retype(dev_ut, CAIRN_OBJ_FRAME_4K, 0, ROOT, 0,
					0, d, 1));
	}
	CHECK(!occupied(s));
	return ok;
}

static int test_cnode_copy_mint_move_mutate(void)
{
	int ok = 1;
	uint64_t ep = slot(), a = slot(), b = slot(), c = slot(), d = slot();
	OK(cairn_untyped_retype(ram_ut, CAIRN_OBJ_ENDPOINT, 0, ROOT, 0, 0, ep,
				1));
	OK(cairn_cnode_mint(ROOT, a, DEPTH, ROOT, ep, DEPTH, CAIRN_RIGHT_WRITE,
			    42));
	OK(cairn_cnode_copy(ROOT, b, DEPTH, ROOT, a, DEPTH, ALL));
	ERR(cairn_cnode_mint(ROOT, c, DEPTH, ROOT, a, DEPTH, ALL, 43),
	    CAIRN_ILLEGAL_OPERATION, CAIRN_ARG_BADGE, 42, 0);
	ERR(cairn_cnode_copy(ROOT, c, DEPTH, ROOT, a, DEPTH, 1UL << 9),
	    CAIRN_INVALID_ARGUMENT, CAIRN_ARG_RIGHTS, 0, CAIRN_RIGHTS_ALL);
	ERR(cairn_cnode_copy(ROOT, b, DEPTH, ROOT, a, DEPTH, ALL),
	    CAIRN_DELETE_FIRST, CAIRN_ARG_DEST_INDEX, b, 0);
	ERR(cairn_cnode_copy(ROOT, c, DEPTH, ROOT, slot(), DEPTH, ALL),
	    CAIRN_FAILED_LOOKUP, CAIRN_LOOKUP_MISSING_CAP, 0, DEPTH);
	ERR(cairn_cnode_copy(ROOT, c, DEPTH, ROOT, ram_ut, DEPTH, ALL),
	    CAIRN_ILLEGAL_OPERATION, CAIRN_ARG_SRC_INDEX, 0, 0);
	ERR(cairn_cnode_copy(ROOT, c, DEPTH, ep, a, DEPTH, ALL),
	    CAIRN_INVALID_CAPABILITY, CAIRN_ARG_SRC_ROOT, 0, 0);
	OK(cairn_cnode_move(ROOT, c, DEPTH, ROOT, b, DEPTH));
	CHECK(!occupied(b) && occupied(c));
	OK(cairn_cnode_mutate(ROOT, d, DEPTH, ROOT, ep, DEPTH, 7));
	CHECK(!occupied(ep) && occupied(d));
	/* d is still the parent of a and c: revoke takes both. */
	OK(cairn_cnode_revoke(ROOT, d, DEPTH));
	CHECK(!occupied(a) && !occupied(c) && occupied(d));
	OK(cairn_cnode_delete(ROOT, d, DEPTH));
	CHECK(!occupied(d));
	OK(cairn_cnode_delete(ROOT, d, DEPTH)); /* empty: still fine */
	return ok;
}

static int test_nested_cnode_and_revoke(void)
{
	int ok = 1;
	uint64_t ut = slot(), cn = slot(), ep = slot();
	/* A private 64 KiB Untyped, so revoking it touches nothing else. */
	OK(cairn_untyped_retype(ram_ut, CAIRN_OBJ_UNTYPED, 16, ROOT, 0, 0, ut,
				1));
	OK(cairn_untyped_retype(ut, CAIRN_OBJ_CNODE, 4, ROOT, 0, 0, cn, 1));
	OK(cairn_untyped_retype(ut, CAIRN_OBJ_NOTIFICATION, 0, ROOT, cn, DEPTH,
				3, 2));
	OK(cairn_untyped_retype(ut, CAIRN_OBJ_ENDPOINT, 0, ROOT, 0, 0, ep, 1));
	/* Guards: 60 bits plus radix 4 cannot fit 64; a guard wider than
	 * its bits is malformed. */
	uint64_t g = slot();
	ERR(cairn_cnode_mint(ROOT, g, DEPTH, ROOT, cn, DEPTH, ALL,
			     CAIRN_GUARD_WORD(0, 61)),
	    CAIRN_RANGE_ERROR, CAIRN_ARG_BADGE, 0, 60);
	ERR(cairn_cnode_mint(ROOT, g, DEPTH, ROOT, cn, DEPTH, ALL,
			     CAIRN_GUARD_WORD(4, 2)),
	    CAIRN_INVALID_ARGUMENT, CAIRN_ARG_BADGE, 0, 0);
	/* Copy the endpoint into slot 9 of the nested CNode (depth 4). */
	OK(cairn_cnode_copy(cn, 9, 4, ROOT, ep, DEPTH, ALL));
	ERR(cairn_cnode_copy(cn, 9, 4, ROOT, ep, DEPTH, ALL),
	    CAIRN_DELETE_FIRST, CAIRN_ARG_DEST_INDEX, 9, 0);
	ERR(cairn_cnode_delete(ROOT, cn, DEPTH), CAIRN_DELETE_FIRST, 0, 3, 0);
	ERR(cairn_cnode_delete(cn, 0, 5), CAIRN_FAILED_LOOKUP,
	    CAIRN_LOOKUP_DEPTH_MISMATCH, 1, 4);
	OK(cairn_cnode_revoke(ROOT, ut, DEPTH));
	CHECK(!occupied(cn) && !occupied(ep) && occupied(ut));
	/* With no children the whole Untyped is free again. */
	OK(cairn_untyped_retype(ut, CAIRN_OBJ_UNTYPED, 16, ROOT, 0, 0, cn, 1));
	return ok;
}

static int test_invocation_errors(void)
{
	int ok = 1;
	uint64_t ep = slot();
	OK(cairn_untyped_retype(ram_ut, CAIRN_OBJ_ENDPOINT, 0, ROOT, 0, 0, ep,
				1));
	ERR(cairn_invoke(slot(), CAIRN_CNODE_DELETE, NULL, 0),
	    CAIRN_FAILED_LOOKUP, CAIRN_LOOKUP_MISSING_CAP, 0, 64);
	ERR(cairn_invoke(1UL << 63, CAIRN_CNODE_DELETE, NULL, 0),
	    CAIRN_FAILED_LOOKUP, CAIRN_LOOKUP_GUARD_MISMATCH, 64, 0);
	ERR(cairn_invoke(CAIRN_SLOT_VSPACE, 1, NULL, 0),
	    CAIRN_ILLEGAL_OPERATION, CAIRN_ARG_INVOKED, CAIRN_OBJ_VSPACE, 0);
	ERR(cairn_invoke(ram_ut, 77, NULL, 0), CAIRN_ILLEGAL_OPERATION,
	    CAIRN_ARG_LABEL, 77, 0);
	ERR(cairn_invoke(ROOT, 77, NULL, 0), CAIRN_ILLEGAL_OPERATION,
	    CAIRN_ARG_LABEL, 77, 0);
	uint64_t one[1] = {ep};
	ERR(cairn_invoke(ROOT, CAIRN_CNODE_DELETE, one, 1),
	    CAIRN_TRUNCATED_MESSAGE, 0, 2, 0);
	return ok;
}

/* Registers x9-x17 and x19-x28 hold n * 0x101 across a yield. */
#define YIELD_REGS                                                             \
	".irp n,9,10,11,12,13,14,15,16,17,19,20,21,22,23,24,25,26,27,28\n"

static int test_yield(void)
{
	int ok = 1;

	for (int i = 0; i < 2; i++) {
		register uint64_t x8 __asm__("x8") = CAIRN_SYS_YIELD;
		register uint64_t bad __asm__("x2");

		__asm__ volatile(YIELD_REGS "mov x\\n, #(\\n * 0x101)\n.endr\n"
					    "svc #0\n"
					    "mov x2, #0\n" YIELD_REGS
					    "mov x1, #(\\n * 0x101)\n"
					    "cmp x\\n, x1\n"
					    "cinc x2, x2, ne\n.endr\n"
				 : "=r"(bad), "+r"(x8)
				 :
				 : "x0", "x1", "x3", "x4", "x5", "x6", "x7",
				   "x9", "x10", "x11", "x12", "x13", "x14",
				   "x15", "x16", "x17", "x19", "x20", "x21",
				   "x22", "x23", "x24", "x25", "x26", "x27",
				   "x28", "cc", "memory");
		CHECK(bad == 0);
	}
	return ok;
}

static void find_device_untyped(void)
{
	for (uint64_t i = 0; i < bi->untyped_count; i++) {
		const struct cairn_untyped_desc *u = &bi->untyped[i];
		if (u->device && u->size_bits >= 12 && dev_ut == 0) {
			dev_ut = bi->untyped_first + i;
		}
	}
}

static const struct test_case cases[] = {
    {"bootinfo", "BootInfo's layout and the root's fixed slots", test_bootinfo},
    {"retype_and_watermark",
     "Retype makes several objects at once and more after them",
     test_retype_and_watermark},
    {"retype_errors", "every Retype error, with its details",
     test_retype_errors},
    {"cnode_copy_mint_move_mutate",
     "Copy, Mint, Move, Mutate, Revoke and Delete and their errors",
     test_cnode_copy_mint_move_mutate},
    {"nested_cnode_and_revoke",
     "a CNode inside a CNode, guards, and revoke of a private Untyped",
     test_nested_cnode_and_revoke},
    {"invocation_errors",
     "lookups that fail, wrong object types, unknown labels",
     test_invocation_errors},
    {"yield", "a yield returns with the caller's registers intact", test_yield},
};

int main(void)
{
	static const struct case_table table = CASE_TABLE(cases);
	static const struct case_table *const tables[] = {&table};
	const struct case_suite suite = {"captest", tables, 1, NULL, NULL};

	bi = cairn_bootinfo;
	common_init(bi);
	find_device_untyped();
	cases_run(&suite);
	/* Last: an unknown system call suspends this thread with a log line. */
	register uint64_t x8 __asm__("x8") = 99;
	__asm__ volatile("svc #0" ::"r"(x8) : "memory");
	printf("FAIL still running after an unknown system call\n");
	return 1;
}
