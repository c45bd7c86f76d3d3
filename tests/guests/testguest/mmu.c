/*
 * The guest's stage-1 translation: 4 KiB granule, 39-bit VA (walks start at
 * level 1), identity mapped in 2 MiB blocks: RAM Normal write-back,
 * devices (and the unbacked addresses the abort tests touch, which must be
 * mapped so the access reaches the bus and is not a translation fault)
 * Device-nGnRE. Entries are only ever added, never changed, so adding
 * mappings with the MMU on needs no break-before-make or TLB maintenance.
 */
#include "mmu.h"

#include "arch.h"
#include "guest.h"

#define ENTRIES	    512
#define L2_TABLES   16
#define VA_BITS	    39
#define DESC_TABLE  3ull
#define DESC_BLOCK  1ull
#define ATTR_IDX(n) ((uint64_t)(n) << 2)
#define SH_INNER    (3ull << 8)
#define AF	    (1ull << 10)
#define PXN	    (1ull << 53)
#define UXN	    (1ull << 54)
#define ADDR_MASK   0x0000fffffffff000ull
#define MAIR_DEVICE 0 /* head.S's MAIR_VALUE */
#define MAIR_NORMAL 1

uint64_t pt_l1[ENTRIES] __attribute__((aligned(4096)));
static uint64_t pt_l2[L2_TABLES][ENTRIES] __attribute__((aligned(4096)));
static unsigned l2_used;

void mmu_on(void);

static uint64_t *l2_for(uint64_t va)
{
	uint64_t *e = &pt_l1[(va >> 30) & (ENTRIES - 1)];
	if (*e & 1) {
		return (uint64_t *)(uintptr_t)(*e & ADDR_MASK);
	}
	if (l2_used == L2_TABLES) {
		return NULL;
	}
	uint64_t *t = pt_l2[l2_used++];
	*e = (uint64_t)(uintptr_t)t | DESC_TABLE;
	return t;
}

static uint64_t block_desc(uint64_t pa, enum mem_kind kind)
{
	if (kind == MEM_DEVICE) {
		return pa | DESC_BLOCK | ATTR_IDX(MAIR_DEVICE) | AF | PXN | UXN;
	}
	return pa | DESC_BLOCK | ATTR_IDX(MAIR_NORMAL) | SH_INNER | AF;
}

bool mmu_map(uint64_t base, uint64_t size, enum mem_kind kind)
{
	uint64_t start = base & ~(BLOCK_SIZE - 1);
	uint64_t end = (base + size + BLOCK_SIZE - 1) & ~(BLOCK_SIZE - 1);
	if (size == 0 || end > (1ull << VA_BITS) || end < start) {
		return false;
	}
	for (uint64_t va = start; va < end; va += BLOCK_SIZE) {
		uint64_t *l2 = l2_for(va);
		if (!l2) {
			return false;
		}
		uint64_t *e = &l2[(va >> 21) & (ENTRIES - 1)];
		if (!(*e & 1)) {
			*e = block_desc(va, kind);
		}
	}
	/* New entries visible to the table walker before any access uses
	 * them (no TLB holds an invalid entry). */
	dsb(ishst);
	isb();
	return true;
}

/*
 * With the MMU off every access went to memory: invalidate what the image
 * (page tables, stacks, data) and the DTB might still have in the caches,
 * so nothing stale shows through once they are on.
 */
void mmu_enable(uintptr_t dtb, uint64_t dtb_size)
{
	dcache_inval_range((uintptr_t)_start_image, (uintptr_t)__image_end);
	dcache_inval_range(dtb, dtb + dtb_size);
	mmu_on();
}

unsigned mmu_tables_used(void)
{
	return l2_used + 1;
}

unsigned mmu_tables_max(void)
{
	return L2_TABLES + 1;
}
