/*
 * A client's output ring: the memory a ConsoleIO connection shares (one
 * 4 KiB page, the console's window + badge * size on its side). The client
 * only advances head, the console only tail; each reads the other's index
 * with acquire and publishes its own with release, so the bytes between
 * them are complete when seen. The console trusts nothing here: an index
 * out of range is clamped and reported, never followed.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct console_ring {
	uint32_t head;	  /* next byte the client writes, < capacity */
	uint32_t tail;	  /* next byte the console takes, < capacity */
	uint32_t dropped; /* bytes the client could not fit, ever */
	uint32_t reserved;
	char data[];
};

/* Bytes of data a ring of `bytes` shared bytes holds (one stays free). */
static inline size_t ring_capacity(size_t bytes)
{
	return bytes - sizeof(struct console_ring);
}

static inline size_t ring_used(uint32_t head, uint32_t tail, size_t cap)
{
	return head >= tail ? head - tail : cap - tail + head;
}

/*
 * Client: appends s[0..n) if it all fits, so a line is never cut short;
 * false (nothing written) if not.
 */
static inline bool ring_put(struct console_ring *r, size_t bytes, const char *s,
			    size_t n)
{
	size_t cap = ring_capacity(bytes);
	uint32_t head = r->head;
	uint32_t tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);

	if (head >= cap || tail >= cap ||
	    n > cap - 1 - ring_used(head, tail, cap)) {
		return false;
	}
	for (size_t i = 0; i < n; i++) {
		r->data[head] = s[i];
		head = head + 1 == cap ? 0 : head + 1;
	}
	__atomic_store_n(&r->head, head, __ATOMIC_RELEASE);
	return true;
}

/* Client: n bytes given up on, for the console to report. */
static inline void ring_count_drop(struct console_ring *r, size_t n)
{
	__atomic_fetch_add(&r->dropped, (uint32_t)n, __ATOMIC_RELAXED);
}

/* Console: the bytes waiting now, or -1 if an index is out of range. */
static inline long ring_pending(struct console_ring *r, size_t bytes)
{
	size_t cap = ring_capacity(bytes);
	uint32_t head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
	uint32_t tail = r->tail;

	if (head >= cap || tail >= cap) {
		return -1;
	}
	return (long)ring_used(head, tail, cap);
}

/*
 * Console: takes up to max bytes into out. Returns the count, or -1 if an
 * index is out of range (the ring is then left alone).
 */
static inline long ring_take(struct console_ring *r, size_t bytes, char *out,
			     size_t max)
{
	size_t cap = ring_capacity(bytes);
	long avail = ring_pending(r, bytes);
	uint32_t tail = r->tail;
	size_t n = 0;

	if (avail < 0) {
		return -1;
	}
	while ((long)n < avail && n < max) {
		out[n++] = r->data[tail];
		tail = tail + 1 == cap ? 0 : tail + 1;
	}
	__atomic_store_n(&r->tail, tail, __ATOMIC_RELEASE);
	return (long)n;
}
