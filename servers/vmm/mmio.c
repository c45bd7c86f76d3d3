#include "mmio.h"

#include <string.h>

void mmio_bus_init(struct mmio_bus *bus)
{
	memset(bus, 0, sizeof(*bus));
}

/* [a, a + as) and [b, b + bs) share a byte; neither wraps. */
static bool overlaps(uint64_t a, uint64_t as, uint64_t b, uint64_t bs)
{
	return a < b + bs && b < a + as;
}

int mmio_bus_add(struct mmio_bus *bus, uint64_t base, uint64_t size,
		 mmio_handler_fn handler, void *opaque)
{
	if (bus->count == MMIO_MAX_RANGES || size == 0 || handler == NULL) {
		return -1;
	}
	if (size > UINT64_MAX - base) { /* wraps, or ends at 2^64 */
		return -1;
	}
	for (unsigned i = 0; i < bus->count; i++) {
		const struct mmio_range *r = &bus->range[i];
		if (overlaps(base, size, r->base, r->size)) {
			return -1;
		}
	}
	bus->range[bus->count++] = (struct mmio_range){
	    .base = base, .size = size, .handler = handler, .opaque = opaque};
	return 0;
}

static const struct mmio_range *find(const struct mmio_bus *bus, uint64_t ipa)
{
	for (unsigned i = 0; i < bus->count; i++) {
		const struct mmio_range *r = &bus->range[i];
		if (ipa >= r->base && ipa - r->base < r->size) {
			return r;
		}
	}
	return NULL;
}

enum mmio_result mmio_dispatch(struct mmio_bus *bus, struct mmio_access *a)
{
	const struct mmio_range *r = find(bus, a->ipa);
	uint64_t offset;

	if (r == NULL || a->size == 0 || a->size > 8) {
		bus->unhandled++;
		return MMIO_UNHANDLED;
	}
	offset = a->ipa - r->base;
	/* An access hanging over the device's end is no device's. */
	if (r->size - offset < a->size) {
		bus->unhandled++;
		return MMIO_UNHANDLED;
	}
	if (a->write) {
		a->value &= mmio_mask(a->size);
	} else {
		a->value = 0;
	}
	if (!r->handler(r->opaque, offset, a)) {
		bus->unhandled++;
		return MMIO_REFUSED;
	}
	if (!a->write) {
		a->value &= mmio_mask(a->size);
	}
	return MMIO_HANDLED;
}
