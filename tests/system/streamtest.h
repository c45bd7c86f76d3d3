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

extern const struct case_table dma_cases; /* dmacases.c */
