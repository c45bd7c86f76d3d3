/* PASS/FAIL lines and the closing summary the boot tests read. */
#pragma once

#include <stdio.h>

static int suite_passed, suite_failed;

static inline void suite_report(const char *name, int ok)
{
	printf("%s %s\n", ok ? "PASS" : "FAIL", name);
	if (ok) {
		suite_passed++;
	} else {
		suite_failed++;
	}
}

static inline int suite_summary(const char *suite)
{
	printf("%s: %d passed, %d failed\n", suite, suite_passed, suite_failed);
	return suite_failed != 0;
}

/* The words the client writes into the dataport and the checker expects. */
static inline unsigned long trio_pattern(unsigned long i)
{
	return i * 0x9e3779b97f4a7c15UL ^ 0x5a5a5a5a5a5a5a5aUL;
}
