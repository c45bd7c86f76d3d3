#include "cases.h"

#include "common.h"

#include <libcairn/audit.h>
#include <stdio.h>
#include <string.h>

static uint64_t first_base; /* where the first case's Untyped starts */

/* 1 if r failed (and says so, with what was being done). */
static int failed(struct cairn_result r, const char *what)
{
	if (r.error == CAIRN_OK) {
		return 0;
	}
	printf("  %s: %s [%lu %lu %lu]\n", what, cairn_error_name(r.error),
	       r.detail[0], r.detail[1], r.detail[2]);
	return 1;
}

static struct cairn_result retype(uint64_t ut, uint64_t type, uint64_t bits,
				  uint64_t dest)
{
	return cairn_untyped_retype(ut, type, bits, ROOT, 0, 0, dest, 1);
}

/*
 * A fresh Untyped for one case in slot ut, which make() then uses. Returns
 * -1 if there is none, 0 if it is there but not where the first case's
 * was (something of an earlier case is left in the boot Untyped), 1 if ok.
 */
static int case_setup(uint64_t ut)
{
	if (failed(retype(boot_ut(), CAIRN_OBJ_UNTYPED, CASE_UT_BITS, ut),
		   "setup: retype of the case Untyped")) {
		return -1;
	}
	use_untyped(ut);
	/* Where it starts: a frame from its first page, deleted at once so
	 * the Untyped is childless again for the case. */
	uint64_t probe = slot();
	if (failed(retype(ut, CAIRN_OBJ_FRAME_4K, 0, probe),
		   "setup: a frame from the case Untyped")) {
		return 0;
	}
	struct cairn_result r = cairn_frame_get_address(probe);
	int ok = !failed(r, "setup: the frame's address");
	ok &= !failed(cairn_cnode_delete(ROOT, probe, DEPTH),
		      "setup: deleting the frame");
	if (first_base == 0) {
		first_base = r.detail[0];
	}
	if (r.detail[0] != first_base) {
		printf("  setup: the case Untyped starts at %#lx, the first "
		       "case's at %#lx: the boot Untyped still has children\n",
		       r.detail[0], first_base);
		ok = 0;
	}
	return ok;
}

static void note_thread(const struct cairn_thread_entry *t, void *ctx)
{
	(void)ctx;
	if (strcmp(t->name, "root") != 0) {
		printf("  teardown: thread '%s' (state %lu) outlived the "
		       "revoke\n",
		       t->name, t->state);
	}
}

/*
 * After a case: revoke and delete its Untyped (if made), check nothing of
 * it is left, and clear and give back every slot from mark on.
 */
static int case_teardown(uint64_t ut, int made, uint64_t mark)
{
	int ok = 1;

	use_untyped(boot_ut());
	/* The case may have left the root below the test threads. */
	ok &= !failed(cairn_tcb_set_priority(SELF, SELF, 255),
		      "teardown: the root's priority");
	if (made) {
		ok &= !failed(cairn_cnode_revoke(ROOT, ut, DEPTH),
			      "teardown: revoke of the case Untyped");
		/* Childless now: it retypes whole. */
		uint64_t probe = slot();
		ok &=
		    !failed(retype(ut, CAIRN_OBJ_UNTYPED, CASE_UT_BITS, probe),
			    "teardown: the case Untyped after the revoke");
		ok &= !failed(cairn_cnode_delete(ROOT, probe, DEPTH),
			      "teardown: deleting the probe");
		ok &= !failed(cairn_cnode_delete(ROOT, ut, DEPTH),
			      "teardown: deleting the case Untyped");
	}
	long n =
	    cairn_audit_threads(CAIRN_SLOT_AUDIT_CONTROL, note_thread, NULL);
	if (n != 1) {
		printf("  teardown: %ld threads live, want the root alone\n",
		       n);
		ok = 0;
	}
	/* Caps the revoke does not reach: copies of boot caps, IRQ
	 * handlers, caps of earlier failures. */
	for (uint64_t s = mark; s < slots_mark(); s++) {
		ok &= !failed(cairn_cnode_delete(ROOT, s, DEPTH),
			      "teardown: deleting a leftover cap");
	}
	slots_release(mark);
	return ok;
}

static int run_one(const struct case_suite *s, const struct test_case *c)
{
	uint64_t mark = slots_mark();
	uint64_t ut = slot();

	if (s->before != NULL) {
		s->before();
	}
	int setup = case_setup(ut);
	int ok = setup == 1 && c->run() != 0;
	if (s->after != NULL) {
		ok = s->after() && ok;
	}
	ok = case_teardown(ut, setup >= 0, mark) && ok;
	printf("%s %s\n", ok ? "PASS" : "FAIL", c->id);
	return ok;
}

int cases_run(const struct case_suite *s)
{
	int passed = 0, failures = 0;

	for (size_t t = 0; t < s->table_count; t++) {
		for (size_t i = 0; i < s->tables[t]->count; i++) {
			const struct test_case *c = &s->tables[t]->cases[i];
			printf("CASE %s %s\n", c->id, c->purpose);
		}
	}
	for (size_t t = 0; t < s->table_count; t++) {
		for (size_t i = 0; i < s->tables[t]->count; i++) {
			if (run_one(s, &s->tables[t]->cases[i])) {
				passed++;
			} else {
				failures++;
			}
		}
	}
	printf("%s: %d passed, %d failed\n", s->name, passed, failures);
	return failures;
}
