/*
 * The case runner of the in-system suites (captest, threadtest): every case
 * has an id and a one-line purpose, and runs in an Untyped of its own.
 *
 * At start the runner prints "CASE <id> <purpose>" for every case of the
 * suite, so a boot test can check that each listed case printed its PASS
 * line. Then, for each case:
 *
 *   1. it retypes a fresh Untyped of 2^CASE_UT_BITS bytes from boot_ut(),
 *      and make() retypes from it (case_ut());
 *   2. runs the case;
 *   3. revokes the case's Untyped (every object the case made goes, with
 *      its mappings; its threads are destroyed whatever state they are in),
 *      checks the revoke succeeded and left the Untyped childless, deletes
 *      it, checks that no thread but the root is left, deletes whatever the
 *      case left in its slots (copies of boot caps, IRQ handlers) and gives
 *      the slots back.
 *
 * A case passes only if it and its teardown do ("PASS <id>", else
 * "FAIL <id>"). The boot Untyped is left childless after every case, so
 * each case's Untyped lands at the same address as the first one's: the
 * runner checks that too, and so every case reuses the memory of the one
 * before it.
 */
#pragma once

#include <stddef.h>

#define CASE_UT_BITS 24 /* 16 MiB per case */

struct test_case {
	const char *id;	     /* one word: the name on its PASS/FAIL line */
	const char *purpose; /* one line */
	int (*run)(void);    /* nonzero: passed */
};

struct case_table {
	const struct test_case *cases;
	size_t count;
};

#define CASE_TABLE(t)                                                          \
	{                                                                      \
		(t), sizeof(t) / sizeof((t)[0])                                \
	}

struct case_suite {
	const char *name; /* the summary line's "<name>: N passed, N failed" */
	const struct case_table *const *tables;
	size_t table_count;
	void (*before)(void); /* before each case, or NULL */
	int (*after)(void);   /* after each case, before teardown: 0 fails
				 it; or NULL */
};

/* Lists, then runs every case; prints the summary. Returns the failures. */
int cases_run(const struct case_suite *s);
