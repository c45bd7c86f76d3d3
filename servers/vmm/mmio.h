/*
 * Emulated MMIO for a guest domain: one decoded access and a table of device
 * ranges. Portable (no system calls), so host unit tests drive it directly.
 *
 * The VMM's exit loop turns a CAIRN_FAULT_VM_DATA_ABORT into a struct
 * mmio_access and calls mmio_dispatch(). The device sees only the offset into
 * its range and the access; it fills in a read's value or refuses the access
 * (a width or alignment its registers do not support). Sign extension and
 * which register gets a load's result stay with the caller, which knows the
 * ESR. Anything other than MMIO_HANDLED means the caller injects an external
 * abort into the guest; bus->unhandled counts them so that the caller can log
 * the first one only and a looping guest cannot flood the console.
 *
 * One struct mmio_bus per domain, owned by the caller: there is no global
 * state, so several domains (and later several vCPU threads, with a lock the
 * caller holds) share this code.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define MMIO_MAX_RANGES 16

struct mmio_access {
	uint64_t ipa;	/* the guest physical address accessed */
	uint8_t size;	/* bytes: 1, 2, 4 or 8 */
	bool write;	/* a store */
	uint64_t value; /* a store's value (zero-extended), or a load's result
			   filled in by the device (the caller sign-extends) */
};

/* A device's register handler: offset is from the start of its range. It
 * returns false to refuse the access (the caller then injects an abort); a
 * read it accepts writes a->value, which starts at 0. */
typedef bool (*mmio_handler_fn)(void *opaque, uint64_t offset,
				struct mmio_access *a);

struct mmio_range {
	uint64_t base, size;
	mmio_handler_fn handler;
	void *opaque;
};

struct mmio_bus {
	struct mmio_range range[MMIO_MAX_RANGES];
	unsigned count;
	uint64_t unhandled; /* accesses answered MMIO_UNHANDLED/REFUSED */
};

enum mmio_result {
	MMIO_HANDLED = 0,
	MMIO_UNHANDLED = 1, /* no device there, or the access crosses its end */
	MMIO_REFUSED = 2,   /* the device refused it (width or alignment) */
};

void mmio_bus_init(struct mmio_bus *bus);

/* Adds a device at [base, base + size). -1 (and nothing added) when the
 * table is full, the size is 0, the range wraps or it overlaps another. */
int mmio_bus_add(struct mmio_bus *bus, uint64_t base, uint64_t size,
		 mmio_handler_fn handler, void *opaque);

/* Hands the access to the device it falls in. A store's value is cut to its
 * size first and a load's result is cut to its size after. */
enum mmio_result mmio_dispatch(struct mmio_bus *bus, struct mmio_access *a);

/* For handlers: a 1/2/4/8-byte access aligned to its own size. */
static inline bool mmio_aligned(uint64_t offset, unsigned size)
{
	return (size == 1 || size == 2 || size == 4 || size == 8) &&
	       (offset & (size - 1)) == 0;
}

/* All ones in the low size bytes. */
static inline uint64_t mmio_mask(unsigned size)
{
	return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}
