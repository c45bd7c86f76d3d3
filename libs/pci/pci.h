/*
 * PCI on the root bus of an ECAM host bridge, as the IOMMU server and the
 * in-system DMA cases use it: enumeration, BAR sizing and placement, and
 * StreamIDs through the DTB's iommu-map (SIDControl.PCIe gives it).
 * Portable and system-call-free: configuration space is reached through
 * struct pci_cfg, which the target points at the mapped ECAM and the host
 * unit tests (tests/unit/test_pci.c) at a fake bus.
 */
#pragma once

#include <stdint.h>

#define PCI_DEVFNS	256 /* functions on one bus: 32 devices x 8 */
#define PCI_BARS	6
#define PCI_NO_SID	0xffffffffU
#define PCI_VENDOR_NONE 0xffffU /* what an absent function reads */

/* Configuration registers (byte offsets) and bits used here. */
#define PCI_ID		 0x00 /* device << 16 | vendor */
#define PCI_COMMAND	 0x04
#define PCI_HEADER	 0x0c /* header type in bits 23:16 */
#define PCI_BAR0	 0x10
#define PCI_INTERRUPT	 0x3c /* line in bits 7:0, pin in 15:8 */
#define PCI_CMD_MEMORY	 0x2
#define PCI_CMD_MASTER	 0x4
#define PCI_BAR_IO	 0x1
#define PCI_BAR_64	 0x4
#define PCI_BAR_PREFETCH 0x8

/* devfn = device << 3 | function; a requester ID is bus << 8 | devfn. */
#define PCI_DEVFN(dev, fn) ((dev) << 3 | (fn))

struct pci_cfg {
	uint32_t (*read)(void *ctx, unsigned devfn, unsigned off);
	void (*write)(void *ctx, unsigned devfn, unsigned off, uint32_t v);
	void *ctx;
};

struct pci_function {
	uint16_t devfn;
	uint16_t vendor, device;
};

/* Every function present on the bus, in devfn order (functions 1-7 only
 * of multi-function devices); returns how many (at most max stored). */
unsigned pci_scan(const struct pci_cfg *cfg, struct pci_function *out,
		  unsigned max);

/* One iommu-map entry: requester IDs rid_base.. map to StreamIDs sid_base..
 * (length of them); smmu 0: another IOMMU's (ignored). Laid out as
 * struct cairn_pcie_info's map entries. */
struct pci_map_entry {
	uint64_t rid_base, sid_base, length, smmu;
};

/* The StreamID of requester ID rid through the map, or PCI_NO_SID. */
uint32_t pci_sid_of(const struct pci_map_entry *map, unsigned n, uint32_t rid);

struct pci_bar {
	uint8_t index;	  /* BAR register number, 0-5 */
	uint8_t is64;	  /* takes index and index + 1 */
	uint8_t prefetch; /* prefetchable */
	uint64_t size;	  /* a power of two, at least 16 */
	uint64_t offset;  /* where pci_bar_assign placed it in the region */
};

/* The function's memory BARs, sized (each register written all-ones and
 * restored); I/O BARs and unimplemented ones are skipped. Returns how
 * many, or -1 for a BAR whose size reads as no power of two. */
int pci_bar_probe(const struct pci_cfg *cfg, unsigned devfn,
		  struct pci_bar bars[PCI_BARS]);

/* Places the BARs in a region of region_size bytes whose PCI address is
 * region_align aligned: each naturally aligned, largest first, none
 * overlapping. 0, or -1 if they do not fit (the offsets mean nothing
 * then). */
int pci_bar_assign(struct pci_bar *bars, unsigned n, uint64_t region_size,
		   uint64_t region_align);

/* Writes each BAR's address (region_pci + offset) and turns memory
 * decoding and bus mastering on. */
void pci_bar_program(const struct pci_cfg *cfg, unsigned devfn,
		     const struct pci_bar *bars, unsigned n,
		     uint64_t region_pci);

/* The INTx pin the function raises (1 = INTA .. 4 = INTD), or 0 if none
 * (or a value no pin has). */
unsigned pci_interrupt_pin(const struct pci_cfg *cfg, unsigned devfn);

/* Configuration space through a mapped ECAM: bus points at the bus's 1 MiB
 * (function devfn's 4 KiB at bus + devfn * 4 KiB). */
struct pci_cfg pci_ecam(volatile void *bus);
