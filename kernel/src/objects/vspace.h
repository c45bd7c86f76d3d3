/*
 * VSpaces, PageTables and Frames: stage-2 address spaces and what maps into
 * them (Frame.Map and PageTable; Frame.MapIO is objects/iospace.c's). What
 * VSpaces and IOSpaces share, mapping records and removal included, is
 * objects/mapping.c's.
 */
#pragma once

#include "invocation.h"

/* Frame.Map, Unmap, GetAddress (and MapIO, UnmapIO: iospace.c). */
enum cairn_error frame_invoke(struct invocation *inv);

/* PageTable.Map, Unmap. */
enum cairn_error page_table_invoke(struct invocation *inv);
