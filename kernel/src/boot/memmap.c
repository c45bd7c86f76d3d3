#include "boot/memmap.h"

#include "assert.h"

/*
 * Invariant: ranges are sorted by base, non-empty, and neither overlap nor
 * touch (touching ranges are merged). Every operation either completes or
 * leaves the map unchanged.
 */
static void memmap_check(const struct memmap *map)
{
	for (size_t i = 0; i < map->count; i++) {
		ASSERT(pa_addr(map->range[i].base) <
		       pa_addr(map->range[i].end));
		if (i > 0) {
			ASSERT(pa_addr(map->range[i - 1].end) <
			       pa_addr(map->range[i].base));
		}
	}
	(void)map;
}

void memmap_init(struct memmap *map)
{
	map->count = 0;
}

static enum k_error range_end(paddr_t base, uint64_t size, uint64_t *end)
{
	if (size == 0) {
		return K_ERR_INVALID_ARGUMENT;
	}
	if (pa_addr(base) + size < pa_addr(base)) {
		return K_ERR_RANGE;
	}
	*end = pa_addr(base) + size;
	return K_OK;
}

static void remove_slots(struct memmap *map, size_t at, size_t n)
{
	for (size_t i = at; i + n < map->count; i++) {
		map->range[i] = map->range[i + n];
	}
	map->count -= n;
}

static void insert_slot(struct memmap *map, size_t at, struct mem_range r)
{
	for (size_t i = map->count; i > at; i--) {
		map->range[i] = map->range[i - 1];
	}
	map->range[at] = r;
	map->count++;
}

enum k_error memmap_add(struct memmap *map, paddr_t base, uint64_t size)
{
	uint64_t lo = pa_addr(base);
	uint64_t hi;
	enum k_error err = range_end(base, size, &hi);

	if (err != K_OK) {
		return err;
	}
	/* First range that ends at or after lo: it may touch or overlap. */
	size_t first = 0;
	while (first < map->count && pa_addr(map->range[first].end) < lo) {
		first++;
	}
	/* Ranges [first, last) touch or overlap [lo, hi) and fold into it. */
	size_t last = first;
	while (last < map->count && pa_addr(map->range[last].base) <= hi) {
		if (pa_addr(map->range[last].base) < lo) {
			lo = pa_addr(map->range[last].base);
		}
		if (pa_addr(map->range[last].end) > hi) {
			hi = pa_addr(map->range[last].end);
		}
		last++;
	}
	if (first == last && map->count == MEMMAP_MAX_RANGES) {
		return K_ERR_NO_MEMORY;
	}
	struct mem_range merged = {pa_init(lo), pa_init(hi)};
	if (first == last) {
		insert_slot(map, first, merged);
	} else {
		map->range[first] = merged;
		remove_slots(map, first + 1, last - first - 1);
	}
	memmap_check(map);
	return K_OK;
}

enum k_error memmap_remove(struct memmap *map, paddr_t base, uint64_t size)
{
	uint64_t lo = pa_addr(base);
	uint64_t hi;
	enum k_error err = range_end(base, size, &hi);

	if (err != K_OK) {
		return err;
	}
	/* Prepare: a hole strictly inside one range needs one more slot. */
	for (size_t i = 0; i < map->count; i++) {
		if (pa_addr(map->range[i].base) < lo &&
		    pa_addr(map->range[i].end) > hi &&
		    map->count == MEMMAP_MAX_RANGES) {
			return K_ERR_NO_MEMORY;
		}
	}
	/* Commit: cannot fail from here on. */
	size_t i = 0;
	while (i < map->count) {
		struct mem_range *r = &map->range[i];
		uint64_t rlo = pa_addr(r->base);
		uint64_t rhi = pa_addr(r->end);

		if (rhi <= lo || rlo >= hi) {
			i++;
		} else if (rlo >= lo && rhi <= hi) {
			remove_slots(map, i, 1);
		} else if (rlo < lo && rhi > hi) {
			r->end = pa_init(lo);
			insert_slot(
			    map, i + 1,
			    (struct mem_range){pa_init(hi), pa_init(rhi)});
			i += 2;
		} else if (rlo < lo) {
			r->end = pa_init(lo);
			i++;
		} else {
			r->base = pa_init(hi);
			i++;
		}
	}
	memmap_check(map);
	return K_OK;
}

uint64_t memmap_total(const struct memmap *map)
{
	uint64_t total = 0;

	for (size_t i = 0; i < map->count; i++) {
		total +=
		    pa_addr(map->range[i].end) - pa_addr(map->range[i].base);
	}
	return total;
}

bool memmap_contains(const struct memmap *map, paddr_t base, uint64_t size)
{
	uint64_t hi;

	if (range_end(base, size, &hi) != K_OK) {
		return false;
	}
	for (size_t i = 0; i < map->count; i++) {
		if (pa_addr(map->range[i].base) <= pa_addr(base) &&
		    hi <= pa_addr(map->range[i].end)) {
			return true;
		}
	}
	return false;
}
