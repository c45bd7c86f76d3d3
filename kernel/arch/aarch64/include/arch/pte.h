/*
 * The VMSAv8-64 descriptor codec (4 KiB granule) that both of the kernel's
 * translation regimes share: the EL2 stage 1 the kernel runs in (mmu.c)
 * and the stage 2 every VSpace is (s2.c). Only the attribute and
 * permission fields differ between the two; each file keeps those.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define PTE_ENTRIES    512 /* per 4 KiB table */
#define PTE_LEVEL_LAST 3   /* the page level */

#define PTE_VALID    (1UL << 0)
#define PTE_TABLE    (1UL << 1) /* a table above the last level, a page at it */
#define PTE_SH_INNER (3UL << 8)
#define PTE_AF	     (1UL << 10)
#define PTE_XN	     (1UL << 54)
#define PTE_ADDR     0x0000fffffffff000UL

/* The address bits below an entry at `level` (12 at the page level). */
static inline unsigned pte_level_shift(int level)
{
	return 12 + 9 * (unsigned)(PTE_LEVEL_LAST - level);
}

/* The index of the entry translating addr in a table at `level`. */
static inline unsigned pte_index(uint64_t addr, int level)
{
	return (unsigned)(addr >> pte_level_shift(level)) & (PTE_ENTRIES - 1);
}

/* A valid entry pointing at a next-level table. */
static inline bool pte_is_table(uint64_t e, int level)
{
	return level < PTE_LEVEL_LAST &&
	       (e & (PTE_VALID | PTE_TABLE)) == (PTE_VALID | PTE_TABLE);
}

static inline uint64_t pte_output(uint64_t e)
{
	return e & PTE_ADDR;
}

static inline uint64_t pte_make_table(uint64_t table_pa)
{
	return table_pa | PTE_TABLE | PTE_VALID;
}
