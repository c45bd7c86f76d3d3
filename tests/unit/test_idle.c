/*
 * Idle time per CPU (sched.c) and how AuditControl.Threads reports it: the
 * CPUs online as a bitmap in reply word 5, each CPU's idle ticks in words
 * 6.. (the console's `stats` prints them), a stretch still going counted
 * up to the reply's "now".
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "invocation.h"
#include "objects/audit.h"
#include "sched.h"

#include <cairn/invocations.h>

extern uint64_t host_counter; /* host_arch.c: arch_counter() is ++it */

static void threads(uint64_t *reply)
{
	uint64_t cursor = 0;
	struct invocation inv = {.label = CAIRN_AUDIT_THREADS,
				 .args = &cursor,
				 .nargs = 1,
				 .reply = reply};

	assert_int_equal(audit_invoke(&inv), CAIRN_OK);
	assert_int_equal(inv.reply_len, CAIRN_THREADS_HEADER_WORDS);
}

static void test_idle_stretches_add_up(void **state)
{
	uint64_t reply[CAIRN_MSG_MAX_WORDS];

	(void)state;
	sched_cpu_up(); /* the host is CPU 0 */
	host_counter = 1000;
	sched_idle_begin(); /* at 1001 */
	host_counter = 5000;
	sched_idle_end(); /* at 5001: 4000 ticks */
	assert_int_equal(sched_idle_ticks(0, 9999), 4000);
	sched_idle_begin(); /* at 5002, still idle when asked */
	threads(reply);
	assert_int_equal(reply[5], 1); /* CPU 0 only */
	assert_int_equal(reply[6], 4000 + reply[2] - 5002);
	for (unsigned i = 1; i < CAIRN_AUDIT_MAX_CPUS; i++) {
		assert_int_equal(reply[6 + i], 0);
	}
	sched_idle_end();
	host_counter = 100000; /* working now: the sum stands still */
	uint64_t sum = sched_idle_ticks(0, host_counter);
	assert_int_equal(sched_idle_ticks(0, host_counter + 5000), sum);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_idle_stretches_add_up),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
