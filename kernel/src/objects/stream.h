/*
 * SMMU streams for user level: SIDControl hands out one StreamID cap per
 * StreamID, each obtainable once (as IRQControl does IRQHandlers); a
 * StreamID binds its stream to a VSpace, so the device's DMA walks that
 * VSpace's own stage-2 tables (share-pt), or to an IOSpace, whose tables
 * only the SMMU walks (sync-pt), and routes the stream's faults to a
 * notification with a bounded queue of records to read.
 *
 * A StreamID cap names no memory: its object field is the StreamID. The
 * binding belongs to the cap that made it (cap.binding), as a mapping
 * belongs to its Frame cap: deleting or revoking that cap ends it.
 */
#pragma once

#include "boot/platform.h"
#include "invocation.h"

#include <cairn/invocations.h>

/* The machine, for SIDControl.PCIe (it must outlive the kernel's boot). */
void stream_init(const struct platform *p);

/* SIDControl.Get, Info, PCIe; StreamID.BindVSpace, BindIOSpace, Unbind,
 * SetFaultNotification, GetFaults. */
enum cairn_error sid_control_invoke(struct invocation *inv);
enum cairn_error stream_invoke(struct invocation *inv);

/* A StreamID cap is leaving its slot (final or not): the binding it made,
 * if it is still the stream's, ends (the stream aborts again). */
void stream_cap_gone(struct cte *slot);

/* The last cap to stream sid is gone: it is unbound, its fault route and
 * queued faults dropped, and SIDControl can hand it out again. */
void stream_destroy(uint32_t sid);

/* A derived (copied, minted, granted) StreamID cap: made no binding. */
void stream_derive(struct cap *out);

/* The VSpace or IOSpace that owns vmid is being destroyed: every stream
 * bound to it aborts again first (before its VMID and tables are given
 * back). */
void stream_space_destroyed(vmid_t vmid);

/* The SMMU reported a fault of stream sid (smmu.c, from its event queue):
 * queued for the stream's fault route, or counted if nobody claimed it. */
void stream_fault(uint32_t sid, const uint64_t fault[CAIRN_STREAM_FAULT_WORDS]);

/* The SMMU's event queue is drained: the burst of fault lines ends (the
 * faults it did not print are summed up in one line). */
void stream_faults_drained(void);

/* Streams bound to vmid, counted from the streams themselves (the check of
 * vmid_streams, which the stage-2 code trusts). */
unsigned stream_count_bound(vmid_t vmid);

/* Debug builds: every fault route names a live notification, every bound
 * stream a live VSpace, and vmid_streams agrees (part of kref_check). */
void stream_check_refs(void);
