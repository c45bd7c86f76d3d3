/*
 * The root task: builds the system the image's spec describes (see
 * tools/lib/cairn/spec.py), reports it in one line, deletes every
 * capability it holds and exits. The components, all at lower priorities,
 * start running only then.
 */
#include "loader.h"

#include <libcairn/start.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void loader_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	printf("root: error: ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
}

static const struct cairn_boot_module *
spec_module(const struct cairn_bootinfo *bi)
{
	for (unsigned long i = 0; i < bi->module_count; i++) {
		if (strcmp(bi->module[i].name, "spec") == 0) {
			return &bi->module[i];
		}
	}
	return NULL;
}

int main(void)
{
	const struct cairn_bootinfo *bi = cairn_bootinfo;
	struct build_stats st = {0};
	struct spec s;

	if (bi == NULL || bi->magic != CAIRN_BOOTINFO_MAGIC) {
		printf("root: no BootInfo from the kernel\n");
		return 1;
	}
	const struct cairn_boot_module *m = spec_module(bi);
	if (m == NULL) {
		printf("root: no system spec in the image: nothing to build "
		       "(%lu MiB RAM in %lu untyped caps)\n",
		       bi->ram_bytes >> 20, bi->untyped_count);
		drop_authority(bi);
		return 0;
	}
	printf("root: building the system from its spec (%lu bytes)\n",
	       m->size);
	if (spec_parse((const void *)m->ipa, m->size, &s) != 0 ||
	    build_system(bi, &s, &st) != 0) {
		printf("root: the system is incomplete; stopping\n");
		return 1;
	}
	printf("root: system built: %lu objects, %lu capabilities, %lu KiB, "
	       "%lu pages copied; starting %lu components\n",
	       st.objects, st.caps, st.bytes >> 10, st.pages_copied,
	       st.threads);
	drop_authority(bi);
	printf("root: deleted all of its capabilities; exiting\n");
	return 0;
}
