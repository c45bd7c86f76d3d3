/* The protocol's names (iommu_proto.h), for the server, its clients and
 * the console's `iommu` command; no system calls. */
#include "iommu_proto.h"

#include <stddef.h>

const char *iommu_mode_name(uint32_t mode)
{
	static const char *const names[] = {"disabled", "share-pt", "sync-pt",
					    "enabled"};

	return mode < 4 ? names[mode] : "unknown";
}

const char *iommu_error_name(uint32_t error)
{
	static const char *const names[] = {"ok",
					    "no such device",
					    "not present",
					    "setup failed",
					    "wrong mode",
					    "sync-pt unavailable",
					    "bad ring index",
					    "bad batch size",
					    "bad record",
					    "IOVA out of range",
					    "IOVA unaligned",
					    "overlaps a mapping",
					    "not mapped",
					    "not a frame cap",
					    "kernel refused",
					    "unknown client"};

	return error < sizeof(names) / sizeof(names[0]) ? names[error]
							: "unknown error";
}
