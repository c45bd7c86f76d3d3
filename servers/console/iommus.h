/*
 * What the IOMMU server reports to the console (ConsoleIO.iommu), and the
 * shell's `iommu` command; portable (no system calls), so host unit tests
 * drive it. The server reports each of its clients' devices when it has
 * set it up and whenever its mappings or faults change, and each DMA
 * fault as a line of text; the console keeps the latest state of every
 * device and the last IOMMUS_EVENTS fault lines. Only the client named
 * "iommu" (the name the live audit gives the caller) may report.
 */
#pragma once

#include <stdint.h>

#define IOMMUS_ROWS	64 /* 8 clients x 8 devices */
#define IOMMUS_EVENTS	16
#define IOMMUS_NAME	32
#define IOMMUS_TEXT	161 /* string<160> and its NUL */
#define IOMMUS_REPORTER "iommu"

/* ConsoleIO.iommu's `what`. */
enum iommus_what {
	IOMMUS_DEVICE = 1, /* v: see struct iommus_row, in its order */
	IOMMUS_FAULT = 2,  /* text: the fault's line */
};

/* ConsoleIO.iommu's answer. */
enum iommus_status {
	IOMMUS_OK = 0,
	IOMMUS_NOT_THE_SERVER = 1, /* the caller is not "iommu" */
	IOMMUS_MALFORMED = 2,	   /* nothing recorded */
};

/* One device of one client: v[0..5] of a IOMMUS_DEVICE report. */
struct iommus_row {
	char client[IOMMUS_NAME];
	uint32_t index;		       /* v[0] & 0xff: the client's device */
	uint32_t requested, effective; /* v[0] >> 8, >> 16: IOMMU_MODE_* */
	uint32_t devfn;		       /* v[1] & 0xffff; bit 16: present */
	int present;
	uint32_t sid;	   /* v[2]: 0xffffffff when none */
	uint64_t mappings; /* v[3] */
	uint64_t faults;   /* v[4] */
	uint32_t error;	   /* v[5]: IOMMU_ERR_*, 0 when set up */
};

struct iommus {
	struct iommus_row row[IOMMUS_ROWS];
	unsigned rows;
	char event[IOMMUS_EVENTS][IOMMUS_TEXT];
	unsigned events; /* ever reported; the last IOMMUS_EVENTS kept */
};

typedef void (*iommus_print_fn)(void *ctx, const char *s);

void iommus_init(struct iommus *t);

/* A report from `caller` (its name): recorded, or why not. */
enum iommus_status iommus_report(struct iommus *t, const char *caller,
				 uint32_t what, const char *client,
				 const uint64_t v[6], const char *text);

/* `iommu` (argc 1) or `iommu faults` (argc 2, checked by the shell). */
void iommus_command(const struct iommus *t, int argc, char **argv,
		    iommus_print_fn print, void *ctx);
