/*
 * EL2 stage-1 translation: 4K granule, 48-bit VA, a fixed pool of tables in
 * BSS. Changes are two-phase: count the tables a mapping needs (may fail),
 * then write entries (cannot fail). Only invalid entries are ever written,
 * so no live entry changes and no break-before-make sequence is needed.
 */
#include "arch.h"
#include "arch/pte.h"
#include "arch/sysreg.h"
#include "assert.h"

#include <string.h>

extern char __rodata_end[], __bss_end[];

#define PT_POOL	    32
#define VA_BITS	    48
#define LEVEL_FIRST 0

/* Stage-1 attribute and permission fields (the rest: arch/pte.h). */
#define PTE_ATTR(i) ((uint64_t)(i) << 2)
#define PTE_AP_RO   (1UL << 7)
#define PTE_AP_RES1 (1UL << 6) /* AP[1] is RES1 in the EL2 regime */

/* MAIR_EL2 slots. */
#define MAIR_DEVICE_NGNRE 0
#define MAIR_NORMAL_WB	  1
#define MAIR_VALUE                                                             \
	((0x04UL << (8 * MAIR_DEVICE_NGNRE)) | (0xffUL << (8 * MAIR_NORMAL_WB)))

typedef uint64_t pte_t;

static pte_t pt_pool[PT_POOL][PTE_ENTRIES] __attribute__((aligned(4096)));
static size_t pt_used;
static pte_t *pt_root;

static pte_t *pte_table(pte_t e)
{
	return (pte_t *)(uintptr_t)pte_output(e);
}

static pte_t *pt_alloc(void)
{
	ASSERT(pt_used < PT_POOL); /* guaranteed by the prepare phase */
	pte_t *t = pt_pool[pt_used++];
	memset(t, 0, sizeof(pt_pool[0]));
	return t;
}

static uint64_t attr_bits(enum mmu_attr attr)
{
	const uint64_t normal = PTE_ATTR(MAIR_NORMAL_WB) | PTE_SH_INNER;

	switch (attr) {
	case MMU_CODE:
		return normal | PTE_AP_RO;
	case MMU_RODATA:
		return normal | PTE_AP_RO | PTE_XN;
	case MMU_DATA:
		return normal | PTE_XN;
	case MMU_DEVICE:
		break;
	}
	return PTE_ATTR(MAIR_DEVICE_NGNRE) | PTE_XN;
}

/* A leaf may stand at this level for [va, next) mapped to pa. */
static bool leaf_fits(int level, uint64_t va, uint64_t next, uint64_t pa)
{
	uint64_t size = 1UL << pte_level_shift(level);

	return level >= 1 && next - va == size && IS_ALIGNED(va, size) &&
	       IS_ALIGNED(pa, size);
}

static uint64_t span_end(int level, uint64_t va, uint64_t end)
{
	uint64_t size = 1UL << pte_level_shift(level);
	uint64_t next = ALIGN_DOWN(va, size) + size;

	return next < end ? next : end;
}

/* Prepare: tables a mapping of [va, end) would allocate below table. */
static size_t tables_needed(const pte_t *table, int level, uint64_t va,
			    uint64_t end, uint64_t pa)
{
	size_t n = 0;

	while (va < end) {
		uint64_t next = span_end(level, va, end);
		pte_t e = table ? table[pte_index(va, level)] : 0;

		if (pte_is_table(e, level)) {
			n += tables_needed(pte_table(e), level + 1, va, next,
					   pa);
		} else if (!(e & PTE_VALID) &&
			   !leaf_fits(level, va, next, pa)) {
			n += 1 + tables_needed(NULL, level + 1, va, next, pa);
		}
		pa += next - va;
		va = next;
	}
	return n;
}

/* Commit: cannot fail once tables_needed() fitted in the pool. */
static void map_level(pte_t *table, int level, uint64_t va, uint64_t end,
		      uint64_t pa, uint64_t attrs)
{
	while (va < end) {
		uint64_t next = span_end(level, va, end);
		pte_t *e = &table[pte_index(va, level)];

		if (pte_is_table(*e, level)) {
			map_level(pte_table(*e), level + 1, va, next, pa,
				  attrs);
		} else if (*e & PTE_VALID) {
			/* Already mapped: fill-only, leave it. */
		} else if (leaf_fits(level, va, next, pa)) {
			*e = pa | attrs | PTE_AF | PTE_AP_RES1 | PTE_VALID |
			     (level == PTE_LEVEL_LAST ? PTE_TABLE : 0);
		} else {
			pte_t *sub = pt_alloc();
			map_level(sub, level + 1, va, next, pa, attrs);
			*e = pte_make_table((uint64_t)(uintptr_t)sub);
		}
		pa += next - va;
		va = next;
	}
}

enum k_error arch_mmu_map(vaddr_t va, paddr_t pa, uint64_t size,
			  enum mmu_attr attr)
{
	uint64_t start = ALIGN_DOWN(va_addr(va), KiB(4));
	uint64_t end = ALIGN_UP(va_addr(va) + size, KiB(4));
	uint64_t phys = ALIGN_DOWN(pa_addr(pa), KiB(4));

	if (size == 0 || end <= start || end > (1UL << VA_BITS) ||
	    va_addr(va) - start != pa_addr(pa) - phys) {
		return K_ERR_INVALID_ARGUMENT;
	}
	size_t need = tables_needed(pt_root, LEVEL_FIRST, start, end, phys) +
		      (pt_root == NULL ? 1 : 0);
	if (need > PT_POOL - pt_used) {
		return K_ERR_NO_MEMORY;
	}
	if (pt_root == NULL) {
		pt_root = pt_alloc();
	}
	map_level(pt_root, LEVEL_FIRST, start, end, phys, attr_bits(attr));
	dsb(ishst);
	isb();
	return K_OK;
}

static void dcache_op_range(const void *p, size_t size, bool invalidate)
{
	uint64_t line = 4UL << ((read_sysreg(ctr_el0) >> 16) & 0xf);
	uintptr_t a = ALIGN_DOWN((uintptr_t)p, line);

	for (; a < (uintptr_t)p + size; a += line) {
		if (invalidate) {
			__asm__ volatile("dc ivac, %0" ::"r"(a) : "memory");
		} else {
			__asm__ volatile("dc cvac, %0" ::"r"(a) : "memory");
		}
	}
	dsb(sy);
}

void arch_dcache_clean_kernel_data(void)
{
	dcache_op_range(__rodata_end, (size_t)(__bss_end - __rodata_end),
			false);
}

void arch_mmu_enable(bool boot_cpu)
{
	uint64_t parange = read_sysreg(id_aa64mmfr0_el1) & 0xf;
	uint64_t ps = parange > 5 ? 5 : parange; /* 48-bit VA: PS <= 48 bits */

	/*
	 * The boot CPU wrote BSS and the tables with the MMU off, straight to
	 * memory: drop any stale lines over them before the cacheable view
	 * takes over. Secondaries must not: the invalidate is broadcast and
	 * would discard the boot CPU's live data.
	 */
	if (boot_cpu) {
		dcache_op_range(__rodata_end,
				(size_t)(__bss_end - __rodata_end), true);
	}

	write_sysreg(mair_el2, MAIR_VALUE);
	write_sysreg(tcr_el2, TCR_EL2_RES1 | TCR_T0SZ(VA_BITS) |
				  TCR_IRGN0_WBWA | TCR_ORGN0_WBWA |
				  TCR_SH0_INNER | TCR_TG0_4K |
				  (ps << TCR_EL2_PS_SHIFT));
	write_sysreg(ttbr0_el2, (uint64_t)(uintptr_t)pt_root);
	isb();
	__asm__ volatile("tlbi alle2" ::: "memory");
	dsb(ish);
	isb();
	write_sysreg(sctlr_el2, SCTLR_EL2_RES1 | SCTLR_EL2_M | SCTLR_EL2_C |
				    SCTLR_EL2_I | SCTLR_EL2_SA | SCTLR_EL2_WXN);
	isb();
}

void arch_mmu_usage(size_t *used, size_t *total)
{
	*used = pt_used;
	*total = PT_POOL;
}
