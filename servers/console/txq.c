#include "txq.h"

void txq_init(struct txq *q)
{
	q->head = 0;
	q->count = 0;
}

size_t txq_room(const struct txq *q)
{
	return TXQ_BYTES - q->count;
}

bool txq_empty(const struct txq *q)
{
	return q->count == 0;
}

bool txq_put(struct txq *q, char c)
{
	if (q->count == TXQ_BYTES) {
		return false;
	}
	q->buf[(q->head + q->count) % TXQ_BYTES] = c;
	q->count++;
	return true;
}

size_t txq_pump(struct txq *q, const struct txq_device *dev)
{
	size_t sent = 0;

	while (q->count > 0 && dev->ready(dev->ctx)) {
		dev->send(dev->ctx, q->buf[q->head]);
		q->head = (q->head + 1) % TXQ_BYTES;
		q->count--;
		sent++;
	}
	return sent;
}
