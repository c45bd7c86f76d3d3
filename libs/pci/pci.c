/* PCI enumeration, BARs and StreamIDs (pci.h); no system calls. */
#include "pci.h"

#include <stddef.h>

static uint32_t rd(const struct pci_cfg *cfg, unsigned devfn, unsigned off)
{
	return cfg->read(cfg->ctx, devfn, off);
}

static void wr(const struct pci_cfg *cfg, unsigned devfn, unsigned off,
	       uint32_t v)
{
	cfg->write(cfg->ctx, devfn, off, v);
}

unsigned pci_scan(const struct pci_cfg *cfg, struct pci_function *out,
		  unsigned max)
{
	unsigned found = 0;

	for (unsigned dev = 0; dev < 32; dev++) {
		for (unsigned fn = 0; fn < 8; fn++) {
			unsigned devfn = PCI_DEVFN(dev, fn);
			uint32_t id = rd(cfg, devfn, PCI_ID);
			if ((id & 0xffffU) == PCI_VENDOR_NONE) {
				if (fn == 0) {
					break; /* no device: no functions */
				}
				continue;
			}
			if (found < max) {
				out[found] = (struct pci_function){
				    .devfn = (uint16_t)devfn,
				    .vendor = (uint16_t)id,
				    .device = (uint16_t)(id >> 16)};
			}
			found++;
			/* Functions 1-7 exist only on a multi-function
			 * device (header type bit 7 of function 0). */
			if (fn == 0 &&
			    !(rd(cfg, devfn, PCI_HEADER) & 0x800000U)) {
				break;
			}
		}
	}
	return found;
}

uint32_t pci_sid_of(const struct pci_map_entry *map, unsigned n, uint32_t rid)
{
	for (unsigned i = 0; i < n; i++) {
		if (map[i].smmu && rid >= map[i].rid_base &&
		    rid - map[i].rid_base < map[i].length) {
			return (uint32_t)(map[i].sid_base +
					  (rid - map[i].rid_base));
		}
	}
	return PCI_NO_SID;
}

/* Size of the BAR at register i (and i + 1 if 64-bit): all-ones written,
 * read back, restored. 0 for an unimplemented BAR. */
static uint64_t bar_size(const struct pci_cfg *cfg, unsigned devfn, unsigned i,
			 int is64)
{
	unsigned off = PCI_BAR0 + 4 * i;
	uint32_t lo = rd(cfg, devfn, off), hi = 0;

	wr(cfg, devfn, off, 0xffffffffU);
	uint64_t mask = rd(cfg, devfn, off) & ~0xfU;
	wr(cfg, devfn, off, lo);
	if (is64) {
		hi = rd(cfg, devfn, off + 4);
		wr(cfg, devfn, off + 4, 0xffffffffU);
		mask |= (uint64_t)rd(cfg, devfn, off + 4) << 32;
		wr(cfg, devfn, off + 4, hi);
	} else if (mask != 0) {
		mask |= 0xffffffff00000000UL;
	}
	return mask == 0 ? 0 : ~mask + 1;
}

int pci_bar_probe(const struct pci_cfg *cfg, unsigned devfn,
		  struct pci_bar bars[PCI_BARS])
{
	int n = 0;

	/* Decoding off while the BARs hold all-ones. */
	uint32_t cmd = rd(cfg, devfn, PCI_COMMAND);
	wr(cfg, devfn, PCI_COMMAND, cmd & ~(uint32_t)PCI_CMD_MEMORY);
	for (unsigned i = 0; i < PCI_BARS; i++) {
		uint32_t v = rd(cfg, devfn, PCI_BAR0 + 4 * i);
		int is64 = !(v & PCI_BAR_IO) && (v & 0x6) == PCI_BAR_64 &&
			   i + 1 < PCI_BARS;
		uint64_t size =
		    (v & PCI_BAR_IO) ? 0 : bar_size(cfg, devfn, i, is64);
		if (size != 0 && (size & (size - 1)) != 0) {
			n = -1;
			break;
		}
		if (size != 0) {
			bars[n++] = (struct pci_bar){
			    .index = (uint8_t)i,
			    .is64 = (uint8_t)is64,
			    .prefetch = (v & PCI_BAR_PREFETCH) != 0,
			    .size = size};
		}
		i += is64;
	}
	wr(cfg, devfn, PCI_COMMAND, cmd);
	return n;
}

int pci_bar_assign(struct pci_bar *bars, unsigned n, uint64_t region_size,
		   uint64_t region_align)
{
	uint64_t at = 0;
	uint8_t done[PCI_BARS] = {0};

	/* Largest first: each then starts aligned where the last ended. */
	for (unsigned k = 0; k < n; k++) {
		unsigned big = n;
		for (unsigned i = 0; i < n; i++) {
			if (!done[i] &&
			    (big == n || bars[i].size > bars[big].size)) {
				big = i;
			}
		}
		uint64_t size = bars[big].size;
		if (size > region_align || size > region_size - at) {
			return -1;
		}
		bars[big].offset = at;
		done[big] = 1;
		at += size;
	}
	return 0;
}

void pci_bar_program(const struct pci_cfg *cfg, unsigned devfn,
		     const struct pci_bar *bars, unsigned n,
		     uint64_t region_pci)
{
	for (unsigned i = 0; i < n; i++) {
		uint64_t addr = region_pci + bars[i].offset;
		wr(cfg, devfn, PCI_BAR0 + 4 * bars[i].index, (uint32_t)addr);
		if (bars[i].is64) {
			wr(cfg, devfn, PCI_BAR0 + 4 * bars[i].index + 4,
			   (uint32_t)(addr >> 32));
		}
	}
	uint32_t cmd = rd(cfg, devfn, PCI_COMMAND);
	wr(cfg, devfn, PCI_COMMAND, cmd | PCI_CMD_MEMORY | PCI_CMD_MASTER);
}

static uint32_t ecam_read(void *ctx, unsigned devfn, unsigned off)
{
	return *(volatile uint32_t *)((uintptr_t)ctx + (devfn << 12) + off);
}

static void ecam_write(void *ctx, unsigned devfn, unsigned off, uint32_t v)
{
	*(volatile uint32_t *)((uintptr_t)ctx + (devfn << 12) + off) = v;
}

struct pci_cfg pci_ecam(volatile void *bus)
{
	return (struct pci_cfg){ecam_read, ecam_write, (void *)(uintptr_t)bus};
}

unsigned pci_interrupt_pin(const struct pci_cfg *cfg, unsigned devfn)
{
	unsigned pin = (rd(cfg, devfn, PCI_INTERRUPT) >> 8) & 0xff;

	return pin <= 4 ? pin : 0;
}
