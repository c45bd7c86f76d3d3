/* VMIDs tag stage-2 TLB entries: one per live VSpace, and one per live
 * IOSpace (whose TLB entries in the SMMU it tags: as the VMID, or its
 * number as the ASID when IOSpaces are stage-1 tables). */
#pragma once

#include "addr.h"

#define VMID_COUNT 256 /* 8-bit VMIDs; 0 is never handed out */

/* A free VMID, its TLB entries flushed, now owned by the VSpace (or, io,
 * the IOSpace) at root; 0 if none is free. */
vmid_t vmid_alloc(paddr_t root, bool io);
void vmid_free(vmid_t vmid);
unsigned vmid_available(void);

/* The VSpace or IOSpace root that owns vmid, or 0. */
paddr_t vmid_owner(vmid_t vmid);
/* Its owner is an IOSpace: no CPU walks its tables. */
bool vmid_is_io(vmid_t vmid);

/*
 * Which VSpace instance owns vmid: a number no later VSpace gets again (0
 * while free). A mapping record is live only while its VMID's generation is
 * the one it recorded: a VSpace made later at the same address with the
 * same VMID is another VSpace, which the record must never reach.
 */
uint64_t vmid_generation(vmid_t vmid);

/*
 * SMMU streams whose STE points at this VMID's VSpace (share-pt): every
 * removal of a stage-2 entry invalidates their TLB too (vspace.c,
 * s2_remove). objects/stream.c counts each binding in and out; a VMID is
 * handed out and freed with none.
 */
unsigned vmid_streams(vmid_t vmid);
void vmid_stream_bound(vmid_t vmid);
void vmid_stream_unbound(vmid_t vmid);
/* Streams bound, all VMIDs together. */
unsigned vmid_streams_total(void);
