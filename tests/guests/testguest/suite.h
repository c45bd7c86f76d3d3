/*
 * The test runner: one "PASS name", "FAIL name: why" or "SKIP name: why"
 * line per test and a closing "testguest: N passed, N failed, N skipped".
 */
#ifndef TESTGUEST_SUITE_H
#define TESTGUEST_SUITE_H

#include "guest.h"

struct test {
	const char *name;
	void (*run)(void);
};

enum hidden_mode { HIDDEN_EXPECT, HIDDEN_SHOWN, HIDDEN_SKIP };

/* Options from /chosen/bootargs (README.md lists them). */
struct options {
	enum hidden_mode hidden;
	bool fuzz, fuzz_wfi;
	uint64_t fuzz_seed, fuzz_count;
	bool suite;
	uint64_t bench_rounds;	 /* bench=ROUNDS; 0: no benchmark */
	const char *only, *skip; /* comma lists of name prefixes */
	size_t only_len, skip_len;
	uint64_t unbacked;
	char errors[160]; /* options not understood */
};
extern struct options opt;

void options_parse(const char *bootargs);
/* Records a failure of the running test unless ok; returns ok. */
bool check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* An indented line of detail for the running test. */
void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void run_tests(const struct test *tests, unsigned n);
void suite_finish(void) __attribute__((noreturn));
void suite_fatal(const char *why) __attribute__((noreturn));

#endif
