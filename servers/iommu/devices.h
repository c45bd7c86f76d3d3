/*
 * The IOMMU server's clients and their devices: matching what the
 * manifest listed against what enumeration found, the mode each client
 * runs in, and the fault reports. Portable and system-call-free (host
 * unit tests: tests/unit/test_iommu.c); main.c does the system calls.
 */
#pragma once

#include "iommu_info.h"
#include "iommu_proto.h"
#include "pci.h"

#include <stddef.h>
#include <stdint.h>

struct iommu_device {
	const struct iommu_info_device *info;
	uint32_t error; /* IOMMU_OK once set up, else why not */
	uint16_t devfn;
	uint16_t vendor, id;
	uint32_t sid;
	uint64_t bar_size; /* BAR 0's */
	uint32_t pin;	   /* its INTx pin (1 = INTA), 0 if none */
	uint32_t intid;	   /* where the host bridge routes it, once claimed
			      into the client (0: not claimed: polled) */
	uint64_t faults;
};

struct iommu_client {
	const struct iommu_info_client *info;
	uint32_t effective; /* IOMMU_MODE_* it runs in */
	unsigned devices;
	struct iommu_device dev[IOMMU_MAX_DEVICES];
	uint64_t faults;
	uint32_t mappings; /* sync-pt: pages mapped now */
};

/* The clients of an info page, nothing matched yet; how many, or -1 if
 * the page is not one (magic, version, counts). */
int iommu_clients_init(struct iommu_client *c, const struct iommu_info *info);

/*
 * Each client's devices against the functions on the bus: a PCI address
 * names the function there, vendor:device IDs the first present one that
 * no earlier entry (of any client, in manifest order) took. A device not
 * found gets IOMMU_ERR_NOT_PRESENT; the rest are left IOMMU_OK with their
 * devfn and IDs.
 */
void iommu_match(struct iommu_client *c, unsigned n,
		 const struct pci_function *fns, unsigned nfns);

/* The mode a client runs in: enabled and share-pt become sync-pt where
 * the SMMU cannot share; *fallback says share-pt was asked for then. */
uint32_t iommu_effective(uint32_t requested, int can_share, int *fallback);

/* "00:02.0" (always 8 bytes with its NUL). */
void iommu_bdf(char out[8], uint16_t devfn);

/* What the kernel's fault kind is called. */
const char *iommu_fault_kind(unsigned kind);

/*
 * One console line for one fault record (CAIRN_STREAM_FAULT_WORDS words):
 * client, device, StreamID, direction, address and kind; counts it on the
 * device and the client. Returns the line's length.
 */
int iommu_fault_line(char *buf, size_t size, struct iommu_client *c,
		     struct iommu_device *d, const uint64_t *record);
