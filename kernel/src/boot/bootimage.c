#include "boot/bootimage.h"

#include <string.h>

#define FAIL(err, msg)                                                         \
	do {                                                                   \
		*what = (msg);                                                 \
		return (err);                                                  \
	} while (0)

enum k_error bootimage_parse(const void *image, uint64_t image_size,
			     uint64_t table_offset, struct boot_modules *out,
			     const char **what)
{
	const uint8_t *base = image;
	const struct bootimage_table *t;

	out->count = 0;
	*what = "";
	if (table_offset > image_size ||
	    image_size - table_offset < sizeof(*t)) {
		FAIL(K_ERR_NOT_FOUND, "no module table after the kernel");
	}
	t = (const void *)(base + table_offset);
	if (memcmp(t->magic, BOOTIMAGE_MAGIC, sizeof(t->magic)) != 0) {
		FAIL(K_ERR_NOT_FOUND, "no module table after the kernel");
	}
	if (t->version != BOOTIMAGE_VERSION) {
		FAIL(K_ERR_NOT_SUPPORTED, "module table version mismatch");
	}
	if (t->count > BOOTIMAGE_MAX_MODULES) {
		FAIL(K_ERR_RANGE, "more modules than BOOTIMAGE_MAX_MODULES");
	}
	uint64_t entries_end = table_offset + sizeof(*t) +
			       t->count * sizeof(struct bootimage_entry);
	if (entries_end > image_size) {
		FAIL(K_ERR_RANGE, "module table runs past the image");
	}
	const struct bootimage_entry *e = (const void *)(t + 1);
	for (uint32_t i = 0; i < t->count; i++, e++) {
		if (memchr(e->name, '\0', sizeof(e->name)) == NULL ||
		    e->name[0] == '\0') {
			FAIL(K_ERR_INVALID_ARGUMENT, "module name empty or "
						     "unterminated");
		}
		if (e->offset < entries_end || e->offset > image_size ||
		    e->size > image_size - e->offset) {
			FAIL(K_ERR_RANGE, "module lies outside the image");
		}
		out->module[i] = (struct boot_module){
		    .name = e->name,
		    .data = base + e->offset,
		    .offset = e->offset,
		    .size = e->size,
		};
	}
	out->count = t->count;
	return K_OK;
}

const struct boot_module *bootimage_find(const struct boot_modules *mods,
					 const char *name)
{
	for (size_t i = 0; i < mods->count; i++) {
		if (strcmp(mods->module[i].name, name) == 0) {
			return &mods->module[i];
		}
	}
	return NULL;
}
