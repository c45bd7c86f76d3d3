/*
 * Physical memory maps: a bounded, sorted set of disjoint [base, end) ranges.
 * Used at boot to turn the DTB's RAM ranges into the free RAM the kernel may
 * hand out, minus the image, the DTB and firmware reservations.
 */
#pragma once

#include "addr.h"
#include "errors.h"

#define MEMMAP_MAX_RANGES 32

struct mem_range {
	paddr_t base;
	paddr_t end; /* exclusive */
};

struct memmap {
	size_t count;
	struct mem_range range[MEMMAP_MAX_RANGES];
};

void memmap_init(struct memmap *map);

/* Adds [base, base + size), merging with neighbours it touches or overlaps. */
enum k_error memmap_add(struct memmap *map, paddr_t base, uint64_t size);

/* Removes [base, base + size) from every range it overlaps. */
enum k_error memmap_remove(struct memmap *map, paddr_t base, uint64_t size);

uint64_t memmap_total(const struct memmap *map);

/* True if [base, base + size) lies entirely inside one range of the map. */
bool memmap_contains(const struct memmap *map, paddr_t base, uint64_t size);
