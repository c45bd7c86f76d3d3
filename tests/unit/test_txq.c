/* The console's transmit queue (servers/console/txq.c) against a fake
 * UART that takes only as many bytes as it has room for. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "txq.h"

static struct txq q;
static char sent[3 * TXQ_BYTES];
static size_t nsent, fifo_room;

static bool fake_ready(void *ctx)
{
	(void)ctx;
	return fifo_room > 0;
}

static void fake_send(void *ctx, char c)
{
	(void)ctx;
	assert_true(fifo_room > 0);
	fifo_room--;
	sent[nsent++] = c;
}

static const struct txq_device dev = {fake_ready, fake_send, NULL};

static int setup(void **state)
{
	(void)state;
	txq_init(&q);
	nsent = 0;
	fifo_room = 0;
	return 0;
}

static void put_all(const char *s)
{
	for (; *s != '\0'; s++) {
		assert_true(txq_put(&q, *s));
	}
}

static void pump_sends_only_what_the_device_takes(void **state)
{
	(void)state;
	put_all("hello, world\n");
	fifo_room = 5;
	assert_int_equal(txq_pump(&q, &dev), 5);
	assert_memory_equal(sent, "hello", 5);
	assert_false(txq_empty(&q));
	assert_int_equal(txq_pump(&q, &dev), 0); /* FIFO full: nothing */
	fifo_room = 100;
	assert_int_equal(txq_pump(&q, &dev), 8);
	assert_memory_equal(sent, "hello, world\n", 13);
	assert_true(txq_empty(&q));
}

static void full_queue_refuses_and_order_survives_the_wrap(void **state)
{
	(void)state;
	size_t i;

	for (i = 0; i < TXQ_BYTES; i++) {
		assert_true(txq_put(&q, (char)('a' + i % 26)));
	}
	assert_int_equal(txq_room(&q), 0);
	assert_false(txq_put(&q, 'x'));
	fifo_room = TXQ_BYTES / 2;
	txq_pump(&q, &dev);
	for (i = 0; i < TXQ_BYTES / 2; i++) {
		assert_true(txq_put(&q, (char)('a' + (i + TXQ_BYTES) % 26)));
	}
	fifo_room = 2 * TXQ_BYTES;
	assert_int_equal(txq_pump(&q, &dev), TXQ_BYTES);
	assert_int_equal(nsent, TXQ_BYTES + TXQ_BYTES / 2);
	for (i = 0; i < nsent; i++) {
		assert_int_equal(sent[i], (char)('a' + i % 26));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(pump_sends_only_what_the_device_takes,
				   setup),
	    cmocka_unit_test_setup(
		full_queue_refuses_and_order_survives_the_wrap, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
