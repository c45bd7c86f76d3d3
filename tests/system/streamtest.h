/*
 * What streamtest's cases share (streamtest.c: SIDControl and StreamID
 * caps; dmacases.c: DMA by QEMU's edu device through the SMMU): checks that
 * print what went wrong, and what SIDControl.Info said at start.
 */
#pragma once

#include "cases.h"
#include "common.h"

#include <libcairn/start.h>
#include <stdint.h>

#define SIDC CAIRN_SLOT_SID_CONTROL

int st_check(const char *what, int ok, int line);
/* r is error err with detail[0] d0 (and detail[1] d1 unless ANY). */
int st_is_err(struct cairn_result r, long err, uint64_t d0, uint64_t d1,
	      int line);
#define ANY ~0UL

#define CHECK(cond)	   ok &= st_check(#cond, (cond), __LINE__)
#define OK(r)		   ok &= st_is_err((r), CAIRN_OK, 0, ANY, __LINE__)
#define ERR(r, e, d0)	   ok &= st_is_err((r), (e), (d0), ANY, __LINE__)
#define ERR2(r, e, d0, d1) ok &= st_is_err((r), (e), (d0), (d1), __LINE__)

/* SIDControl.Info at start; whether BindVSpace can work here. */
extern uint64_t smmu_info[CAIRN_SID_INFO_WORDS];
#define CAN_SHARE ((smmu_info[0] & CAIRN_SMMU_CAN_SHARE) != 0)

/* Milliseconds of the system counter since boot. */
uint64_t now_ms(void);

/* What IOSpaces are on this SMMU: bindable, and in stage-1 format. */
#define CAN_BIND_IO ((smmu_info[0] & CAIRN_SMMU_IOSPACES) != 0)
#define IO_STAGE1   ((smmu_info[0] & CAIRN_SMMU_IO_STAGE1) != 0)

/* QEMU's edu device and its stream (dmacases.c). */
#define PAGES_IPA 0x80400000UL /* pages of the cases, one table */
#define IOVA(i)	  (PAGES_IPA + (i)*0x1000UL)
#define PAGE	  0x1000UL

struct edu {
	volatile uint8_t *bar;
	uint32_t sid;
	uint64_t stream; /* its StreamID cap */
	uint64_t faults; /* a notification, its fault route */
	int stage2;	 /* its faults arise at stage 2 (else 1) */
};

/* The edu device, its BAR mapped, its StreamID claimed (aborting). */
int edu_open(struct edu *e);
/* One transfer of a page, to RAM (at iova) or from it; 0 if the device
 * never finished (whether the SMMU let it through is seen in memory). */
int dma(struct edu *e, uint64_t iova, int to_ram);
/* Brings page `from` into the device and writes it out to page `to`. */
int copy_through(struct edu *e, uint64_t from, uint64_t to);
void fill(uint64_t va, uint64_t seed);
int holds(uint64_t va, uint64_t seed);
/* A fresh page mapped at IOVA(i) in the root's VSpace, filled. */
uint64_t page(unsigned i, uint64_t seed);
/* Waits (bounded) for the fault route, then takes the first fault: its
 * kind and direction must be these, at iova (and its stage e->stage2). */
int fault_seen(struct edu *e, unsigned kind, int read, uint64_t iova);
/* No fault recorded for the stream (an aborting one records none). */
int no_faults(struct edu *e);

extern const struct case_table dma_cases; /* dmacases.c */
extern const struct case_table io_cases;  /* iocases.c */
