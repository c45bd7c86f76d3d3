/* The runner, the bootargs options and the end of a run. */
#include "suite.h"

#include "arch.h"

struct options opt = {.hidden = HIDDEN_EXPECT, .suite = true, .fuzz_wfi = true};

static const char *current;
static unsigned failures, passed, failed, skipped;
static bool skipped_now;
static char first_failure[360];
static volatile unsigned finishing;

static bool word_is(const char *w, size_t n, const char *key, const char **val,
		    size_t *vlen)
{
	size_t k = strlen(key);
	if (n < k + 1 || strncmp(w, key, k) || w[k] != '=') {
		return false;
	}
	*val = w + k + 1;
	*vlen = n - k - 1;
	return true;
}

static void option_error(const char *w, size_t n)
{
	size_t len = strlen(opt.errors);
	format(opt.errors + len, sizeof(opt.errors) - len, "%s'%.*s'",
	       len ? ", " : "", (int)n, w);
}

/* fuzz=SEED,COUNT */
static bool parse_fuzz(const char *v, size_t n)
{
	const char *comma = memchr(v, ',', n);
	if (!comma) {
		return false;
	}
	opt.fuzz =
	    parse_u64(v, (size_t)(comma - v), &opt.fuzz_seed) &&
	    parse_u64(comma + 1, n - (size_t)(comma - v) - 1, &opt.fuzz_count);
	return opt.fuzz;
}

static bool parse_bool(const char *v, size_t n, bool *out)
{
	if (n != 1 || (v[0] != '0' && v[0] != '1')) {
		return false;
	}
	*out = v[0] == '1';
	return true;
}

static bool parse_hidden(const char *v, size_t n)
{
	if (n == 1 && v[0] == '1') {
		opt.hidden = HIDDEN_EXPECT;
	} else if (n == 1 && v[0] == '0') {
		opt.hidden = HIDDEN_SHOWN;
	} else if (n == 4 && !strncmp(v, "skip", 4)) {
		opt.hidden = HIDDEN_SKIP;
	} else {
		return false;
	}
	return true;
}

static bool parse_word(const char *w, size_t n)
{
	const char *v;
	size_t vn;
	if (word_is(w, n, "expect-hidden-features", &v, &vn)) {
		return parse_hidden(v, vn);
	}
	if (word_is(w, n, "fuzz", &v, &vn)) {
		return parse_fuzz(v, vn);
	}
	if (word_is(w, n, "suite", &v, &vn)) {
		return parse_bool(v, vn, &opt.suite);
	}
	if (word_is(w, n, "fuzz-wfi", &v, &vn)) {
		return parse_bool(v, vn, &opt.fuzz_wfi);
	}
	if (word_is(w, n, "only", &v, &vn)) {
		opt.only = v;
		opt.only_len = vn;
		return true;
	}
	if (word_is(w, n, "skip", &v, &vn)) {
		opt.skip = v;
		opt.skip_len = vn;
		return true;
	}
	if (word_is(w, n, "bench", &v, &vn)) {
		return parse_u64(v, vn, &opt.bench_rounds) && opt.bench_rounds;
	}
	if (word_is(w, n, "unbacked", &v, &vn)) {
		return parse_u64(v, vn, &opt.unbacked);
	}
	return false;
}

void options_parse(const char *bootargs)
{
	const char *s = bootargs ? bootargs : "";
	while (*s) {
		while (*s == ' ') {
			s++;
		}
		size_t n = 0;
		while (s[n] && s[n] != ' ') {
			n++;
		}
		if (n && !parse_word(s, n)) {
			option_error(s, n);
		}
		s += n;
	}
}

/* Whether name starts with one of the comma-separated prefixes. */
static bool listed(const char *name, const char *list, size_t len)
{
	while (len) {
		const char *comma = memchr(list, ',', len);
		size_t n = comma ? (size_t)(comma - list) : len;
		if (n && !strncmp(name, list, n)) {
			return true;
		}
		list += comma ? n + 1 : n;
		len -= comma ? n + 1 : n;
	}
	return false;
}

static bool selected(const char *name)
{
	if (opt.only && !listed(name, opt.only, opt.only_len)) {
		return false;
	}
	return !(opt.skip && listed(name, opt.skip, opt.skip_len));
}

bool check(bool ok, const char *fmt, ...)
{
	if (ok) {
		return true;
	}
	if (!failures++) {
		va_list ap;
		va_start(ap, fmt);
		vformat(first_failure, sizeof(first_failure), fmt, ap);
		va_end(ap);
	}
	return false;
}

void skip(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vformat(first_failure, sizeof(first_failure), fmt, ap);
	va_end(ap);
	skipped_now = true;
}

void note(const char *fmt, ...)
{
	char line[200];
	va_list ap;
	va_start(ap, fmt);
	vformat(line, sizeof(line), fmt, ap);
	va_end(ap);
	print("  %s: %s\n", current ? current : "testguest", line);
}

static void report(const char *name)
{
	if (failures) {
		failed++;
		print("FAIL %s: %s%s\n", name, first_failure,
		      failures > 1 ? " (and more)" : "");
	} else if (skipped_now) {
		skipped++;
		print("SKIP %s: %s\n", name, first_failure);
	} else {
		passed++;
		print("PASS %s\n", name);
	}
}

/* Fails the running test with what exceptions_guard recovered from, if
 * report; clears the record. */
static void check_recovered(bool report)
{
	for (unsigned i = 0; i < ncpus; i++) {
		struct fault *f = &cpus[i].recovered;
		if (f->count && report) {
			check(false,
			      "cpu %u: %u unexpected exceptions, skipped; the "
			      "first: ESR 0x%lx (EC 0x%lx) at ELR 0x%lx (link "
			      "address 0x%lx), FAR 0x%lx",
			      i, f->count, f->esr, f->esr >> 26, f->elr,
			      f->elr - (uintptr_t)_start_image + LINK_BASE,
			      f->far);
		}
		f->count = 0;
	}
}

void run_tests(const struct test *tests, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (!selected(tests[i].name)) {
			skipped++;
			print("SKIP %s: not selected by only=/skip=\n",
			      tests[i].name);
			continue;
		}
		current = tests[i].name;
		failures = 0;
		skipped_now = false;
		first_failure[0] = '\0';
		check_recovered(false);
		exceptions_guard(true);
		tests[i].run();
		exceptions_guard(false);
		check_recovered(true);
		report(current);
		current = NULL;
	}
}

void suite_finish(void)
{
	print("testguest: %u passed, %u failed, %u skipped\n", passed, failed,
	      skipped);
	system_off();
}

/* The end after an unexpected exception or a broken invariant, from any
 * CPU: the first to get here reports; the others wait for power-off. */
void suite_fatal(const char *why)
{
	if (__atomic_exchange_n(&finishing, 1, __ATOMIC_ACQ_REL)) {
		for (;;) {
			wfe();
		}
	}
	if (current) {
		check(false, "%s", why);
		report(current);
	} else {
		failed++;
		print("FAIL testguest: %s\n", why);
	}
	suite_finish();
}
