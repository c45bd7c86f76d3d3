/* The IOMMU server's reports and the `iommu` command (iommus.h). */
#include "iommus.h"

#include "iommu_proto.h"

#include <stdio.h>
#include <string.h>

void iommus_init(struct iommus *t)
{
	memset(t, 0, sizeof(*t));
}

static struct iommus_row *row_for(struct iommus *t, const char *client,
				  uint32_t index)
{
	for (unsigned i = 0; i < t->rows; i++) {
		if (t->row[i].index == index &&
		    strcmp(t->row[i].client, client) == 0) {
			return &t->row[i];
		}
	}
	if (t->rows == IOMMUS_ROWS) {
		return NULL;
	}
	struct iommus_row *r = &t->row[t->rows++];
	snprintf(r->client, sizeof(r->client), "%s", client);
	r->index = index;
	return r;
}

static enum iommus_status device_report(struct iommus *t, const char *client,
					const uint64_t v[6])
{
	uint32_t requested = (uint32_t)(v[0] >> 8) & 0xff;
	uint32_t effective = (uint32_t)(v[0] >> 16) & 0xff;

	if (client[0] == '\0' || strlen(client) >= IOMMUS_NAME ||
	    (v[0] & 0xff) >= 8 || requested > 3 || effective > 2 ||
	    (v[1] & 0xffff) > 0xff) {
		return IOMMUS_MALFORMED;
	}
	struct iommus_row *r = row_for(t, client, (uint32_t)v[0] & 0xff);
	if (r == NULL) {
		return IOMMUS_MALFORMED;
	}
	r->requested = requested;
	r->effective = effective;
	r->devfn = (uint32_t)v[1] & 0xffff;
	r->present = (v[1] >> 16) & 1;
	r->sid = (uint32_t)v[2];
	r->mappings = v[3];
	r->faults = v[4];
	r->error = (uint32_t)v[5];
	return IOMMUS_OK;
}

enum iommus_status iommus_report(struct iommus *t, const char *caller,
				 uint32_t what, const char *client,
				 const uint64_t v[6], const char *text)
{
	if (caller == NULL || strcmp(caller, IOMMUS_REPORTER) != 0) {
		return IOMMUS_NOT_THE_SERVER;
	}
	if (what == IOMMUS_DEVICE) {
		return device_report(t, client, v);
	}
	if (what != IOMMUS_FAULT || text[0] == '\0') {
		return IOMMUS_MALFORMED;
	}
	snprintf(t->event[t->events % IOMMUS_EVENTS], IOMMUS_TEXT, "%s", text);
	t->events++;
	return IOMMUS_OK;
}

static void table(const struct iommus *t, iommus_print_fn print, void *ctx)
{
	char line[160], dev[16], sid[16];

	if (t->rows == 0) {
		print(ctx, "iommu: no reports (no IOMMU server, or it has no "
			   "clients)\n");
		return;
	}
	print(ctx, "CLIENT           REQUESTED  EFFECTIVE  DEVICE   SID    "
		   "MAPPINGS  FAULTS  STATE\n");
	for (unsigned i = 0; i < t->rows; i++) {
		const struct iommus_row *r = &t->row[i];
		snprintf(dev, sizeof(dev), r->present ? "00:%02x.%x" : "-",
			 (r->devfn >> 3) & 0x1f, r->devfn & 7);
		snprintf(sid, sizeof(sid), r->sid == 0xffffffffU ? "-" : "%#x",
			 r->sid);
		snprintf(line, sizeof(line),
			 "%-16s %-10s %-10s %-8s %-6s %-9lu %-7lu %s\n",
			 r->client, iommu_mode_name(r->requested),
			 iommu_mode_name(r->effective), dev, sid,
			 (unsigned long)r->mappings, (unsigned long)r->faults,
			 iommu_error_name(r->error));
		print(ctx, line);
	}
}

static void faults(const struct iommus *t, iommus_print_fn print, void *ctx)
{
	char line[IOMMUS_TEXT + 32];
	unsigned first =
	    t->events > IOMMUS_EVENTS ? t->events - IOMMUS_EVENTS : 0;

	if (t->events == 0) {
		print(ctx, "iommu: no DMA faults\n");
		return;
	}
	for (unsigned i = first; i < t->events; i++) {
		snprintf(line, sizeof(line), "%s\n",
			 t->event[i % IOMMUS_EVENTS]);
		print(ctx, line);
	}
	snprintf(line, sizeof(line),
		 "iommu: %u DMA fault%s reported, the "
		 "last %u shown\n",
		 t->events, t->events == 1 ? "" : "s", t->events - first);
	print(ctx, line);
}

void iommus_command(const struct iommus *t, int argc, char **argv,
		    iommus_print_fn print, void *ctx)
{
	(void)argv; /* the shell checked that argv[1] is "faults" */
	if (argc == 1) {
		table(t, print, ctx);
	} else {
		faults(t, print, ctx);
	}
}
