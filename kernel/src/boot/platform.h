/*
 * The machine as the DTB describes it. platform_from_dtb() is the only code
 * that reads the DTB; everything after boot uses struct platform. It compiles
 * for the host too, so the unit tests feed it device trees built by dtc.
 *
 * Assumption: buses between the root and a device either have no `ranges`
 * translation or an identity one (`ranges;`), as on QEMU virt; reg values are
 * used as CPU physical addresses.
 */
#pragma once

#include "addr.h"
#include "boot/memmap.h"
#include "errors.h"

#define PLAT_MAX_CPUS	     8
#define PLAT_MAX_REDIST	     4
#define PLAT_MAX_PCI_WINDOWS 4
#define PLAT_MAX_IOMMU_MAP   8
#define PLAT_MAX_PCI_INTX    16
#define PLAT_GIC_SPI_BASE    32
#define PLAT_GIC_PPI_BASE    16

struct mmio_region {
	paddr_t base;
	uint64_t size;
};

enum psci_conduit {
	PSCI_CONDUIT_NONE,
	PSCI_CONDUIT_SMC,
	PSCI_CONDUIT_HVC,
};

enum pci_space {
	PCI_SPACE_IO = 1,
	PCI_SPACE_MEM32 = 2,
	PCI_SPACE_MEM64 = 3,
};

struct pci_window {
	enum pci_space space;
	bool prefetchable;
	uint64_t pci_addr;
	paddr_t cpu_addr;
	uint64_t size;
};

/* One iommu-map entry: RIDs [rid_base, rid_base + length) -> StreamIDs. */
struct iommu_map_entry {
	uint32_t rid_base;
	uint32_t iommu_phandle;
	uint32_t sid_base;
	uint32_t length;
};

/* One interrupt-map entry of the host bridge: INTx `pin` (1-4) of the
 * root-bus devices whose devfn << 8, masked, equals addr_hi -> a GIC SPI. */
struct pci_intx_entry {
	uint32_t addr_hi;
	uint32_t pin;
	uint32_t intid;
	bool edge;
};

struct platform {
	struct memmap ram;
	struct memmap reserved; /* /memreserve/ and /reserved-memory */

	bool has_uart;
	struct mmio_region uart;
	uint32_t uart_intid; /* 0 if the DTB names none */

	bool has_gic;
	struct mmio_region gicd;
	size_t redist_count;
	struct mmio_region gicr[PLAT_MAX_REDIST];
	bool has_its;
	struct mmio_region its;

	bool has_smmu;
	struct mmio_region smmu;
	uint32_t smmu_phandle;
	/* Its wired interrupts, by interrupt-names; 0 where the DTB names
	 * none. The kernel drains the event queue and global errors itself. */
	uint32_t smmu_eventq_intid, smmu_gerror_intid;
	bool smmu_dma_coherent; /* `dma-coherent`: its walks snoop the caches */

	bool has_pcie;
	struct mmio_region ecam;
	uint32_t bus_first, bus_last;
	size_t pci_window_count;
	struct pci_window pci_window[PLAT_MAX_PCI_WINDOWS];
	size_t iommu_map_count;
	struct iommu_map_entry iommu_map[PLAT_MAX_IOMMU_MAP];
	/* INTx routing (interrupt-map, interrupt-map-mask); none when the
	 * DTB has none or one the parser does not take (intx_problem says
	 * why: PCIe itself still works, devices are polled). */
	uint32_t intx_mask_hi, intx_mask_pin;
	size_t intx_count;
	struct pci_intx_entry intx[PLAT_MAX_PCI_INTX];
	const char *intx_problem;

	/* Generic timer PPIs as GIC INTIDs; 0 where the DTB names none. */
	bool has_timer;
	uint32_t timer_sec_phys, timer_phys, timer_virt, timer_hyp_phys,
	    timer_hyp_virt;

	enum psci_conduit psci;

	size_t cpu_count;
	uint64_t cpu_mpidr[PLAT_MAX_CPUS];

	const char *bootargs; /* points into the DTB; "" if absent */
};

/*
 * Fills *plat from the flattened device tree at fdt. On failure returns the
 * error and sets *what to a message naming the node or property at fault.
 */
enum k_error platform_from_dtb(const void *fdt, struct platform *plat,
			       const char **what);

/*
 * Free RAM: the DTB's RAM minus firmware reservations, the kernel image and
 * the DTB itself.
 */
enum k_error platform_free_ram(const struct platform *plat,
			       struct mem_range image, struct mem_range dtb,
			       struct memmap *free);

const char *psci_conduit_name(enum psci_conduit c);
const char *pci_space_name(enum pci_space s);

/* True if the space-separated bootargs contain the word. */
bool platform_has_bootarg(const struct platform *plat, const char *word);
