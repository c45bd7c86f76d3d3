/*
 * IOSpaces and IOPageTables (sync-pt): device-only address spaces that the
 * SMMU alone walks, for the streams bound to them (StreamID.BindIOSpace),
 * and what maps into them: Frame.MapIO, IOSpace.MapFrames (a run of
 * frames at once, for the IOMMU server's batches) and IOPageTable. The tables
 * take the format the SMMU walks (arch_smmu_info()->io_stage1); the mapping
 * records, removal and its coherence with the SMMU are objects/mapping.c's,
 * shared with VSpaces.
 */
#pragma once

#include "invocation.h"

/* Frame.MapIO and UnmapIO (frame_invoke hands them over). */
enum cairn_error frame_io_invoke(struct invocation *inv);

/* IOSpace.MapFrames: a run of Frame caps copied and mapped, all or none;
 * UnmapFrames: a run of such copies deleted, one SMMU invalidation. */
enum cairn_error iospace_invoke(struct invocation *inv);

/* IOPageTable.Map, Unmap. */
enum cairn_error io_page_table_invoke(struct invocation *inv);
