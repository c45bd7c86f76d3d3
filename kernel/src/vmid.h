/* VMIDs tag stage-2 TLB entries: one per live VSpace. */
#pragma once

#include <stdint.h>

#define VMID_COUNT 256 /* 8-bit VMIDs; 0 is never handed out */

/* A free VMID with its TLB entries flushed, or 0 if none is left. */
uint16_t vmid_alloc(void);
void vmid_free(uint16_t vmid);
