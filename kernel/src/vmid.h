/* VMIDs tag stage-2 TLB entries: one per live VSpace. */
#pragma once

#include "addr.h"

#define VMID_COUNT 256 /* 8-bit VMIDs; 0 is never handed out */

/* A free VMID, its TLB entries flushed, now owned by the VSpace at root. */
vmid_t vmid_alloc(paddr_t root);
void vmid_free(vmid_t vmid);
unsigned vmid_available(void);

/* The VSpace root that owns vmid, or 0: a mapping record is live only if
 * its VMID still belongs to the VSpace it names. */
paddr_t vmid_owner(vmid_t vmid);

/*
 * SMMU streams whose STE points at this VMID's VSpace (share-pt). Every
 * removal of a stage-2 entry must invalidate their TLBs too; no stream can
 * be bound yet, so this is 0 until the SMMU arrives.
 */
unsigned vmid_streams(vmid_t vmid);
