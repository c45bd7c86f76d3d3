/*
 * The console's transmit queue: bytes waiting for room in the UART's FIFO.
 * Portable (the device is reached through callbacks), so host unit tests
 * drive it. The console fills it and pumps it whenever it can; the UART's
 * transmit interrupt pumps it again while anything waits.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define TXQ_BYTES 8192

struct txq {
	char buf[TXQ_BYTES];
	size_t head; /* next byte to send */
	size_t count;
};

/* The device: ready() says whether it takes a byte now; send() gives one. */
struct txq_device {
	bool (*ready)(void *ctx);
	void (*send)(void *ctx, char c);
	void *ctx;
};

void txq_init(struct txq *q);
size_t txq_room(const struct txq *q);
bool txq_empty(const struct txq *q);

/* Queues c; false (nothing queued) if the queue is full. */
bool txq_put(struct txq *q, char c);

/* Sends while bytes wait and the device is ready; returns how many. */
size_t txq_pump(struct txq *q, const struct txq_device *dev);
