/*
 * How a system ends (shutdown.c): the machine powers off only when no
 * thread is left that could run, with the first non-zero status a thread
 * ended with (a fault counts as SHUTDOWN_STATUS_FAULT); a non-zero status
 * leaves through semihosting, 0 through PSCI; statuses outside 1..255
 * never read as 0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "host_arch.h"
#include "objects/tcb.h"
#include "shutdown.h"

static struct tcb a, b, c;

static void test_exit_codes_never_read_as_zero(void **state)
{
	(void)state;
	assert_int_equal(shutdown_exit_code(0), 0);
	assert_int_equal(shutdown_exit_code(1), 1);
	assert_int_equal(shutdown_exit_code(255), 255);
	assert_int_equal(shutdown_exit_code(256), 255);
	assert_int_equal(shutdown_exit_code(-1), 255);
	assert_int_equal(shutdown_exit_code(512), 255);
}

/* Ends thread t as the kernel does; true if the machine ended. */
static bool end_thread(struct tcb *t, long status, bool fault)
{
	jmp_buf j;

	t->state = THREAD_INACTIVE;
	host_exit_catch = &j;
	if (setjmp(j) != 0) {
		return true;
	}
	shutdown_thread_ended(t, status, fault);
	host_exit_catch = NULL;
	return false;
}

static void test_last_thread_ends_the_machine_with_first_failure(void **state)
{
	(void)state;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&c, 0, sizeof(c));
	tcb_register(&a);
	tcb_register(&b);
	tcb_register(&c);
	a.state = THREAD_RUNNABLE;
	b.state = THREAD_BLOCKED_RECV; /* a server waiting: it could run */
	c.state = THREAD_INACTIVE;     /* never started */
	host_exit_status = -1;
	host_psci_offs = 0;

	assert_false(end_thread(&a, 0, false));
	assert_int_equal(host_exit_status, -1);
	b.state = THREAD_RUNNABLE;
	assert_true(end_thread(&b, 0, false));
	/* b was the last that could run: every thread exited 0 -> PSCI. */
	assert_int_equal(host_exit_status, -1);
	assert_int_equal(host_psci_offs, 1);

	/* A second system in the same list: a fault, then an exit of 7. */
	a.state = THREAD_RUNNABLE;
	b.state = THREAD_RUNNABLE;
	host_psci_offs = 0;
	assert_false(end_thread(&a, 7, false));
	assert_true(end_thread(&b, 0, true));
	assert_int_equal(host_exit_status, 7); /* the first failure wins */
	assert_int_equal(host_psci_offs, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_exit_codes_never_read_as_zero),
	    cmocka_unit_test(
		test_last_thread_ends_the_machine_with_first_failure),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
