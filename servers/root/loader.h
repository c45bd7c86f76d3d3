/* The root task's spec loader: read the spec, then build exactly it. */
#pragma once

#include "spec_format.h"

#include <cairn/bootinfo.h>
#include <stddef.h>

struct spec {
	const struct spec_header *h;
	const struct spec_object *objects;
	const struct spec_cap *caps;
	const struct spec_fill *fills;
	const struct spec_thread *threads;
	const uint32_t *programs;
	const char *strings;
	size_t strings_size;
};

/* What building took, for the summary line. */
struct build_stats {
	unsigned long objects, caps, bytes, pages_copied, threads;
};

/* Prints "root: error: ..." (printf format). */
void loader_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Checks every count, index and name; 0 or -1 after loader_error. */
int spec_parse(const void *blob, size_t size, struct spec *s);
const char *spec_name(const struct spec *s, uint32_t off);

/*
 * Creates every object, fills and maps every frame, places every cap and
 * starts every thread, using slots from bi->free_first on. 0 or -1 after
 * loader_error (the system is then incomplete; the root task stops).
 */
int build_system(const struct cairn_bootinfo *bi, const struct spec *s,
		 struct build_stats *st);

/* Deletes every capability the root task holds, its CNode's last. */
void drop_authority(const struct cairn_bootinfo *bi);
