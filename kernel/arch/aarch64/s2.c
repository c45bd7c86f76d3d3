/*
 * Stage-2 translation tables (VMSAv8-64, 4 KiB granule, 39-bit IPA, walks
 * from level 1). Native threads run at EL0 with HCR_EL2.TGE and DC set, so
 * stage 2 is their only translation; guests add their own stage 1.
 */
#include "arch.h"
#include "arch/sysreg.h"
#include "kmem.h"

#include <cairn/objects.h>

#define PTE_VALID	      (1UL << 0)
#define PTE_TABLE	      (1UL << 1) /* table at levels 1-2, page at level 3 */
#define PTE_MEMATTR_NORMAL_WB (0xfUL << 2)
#define PTE_MEMATTR_DEVICE    (0x1UL << 2) /* Device-nGnRE */
#define PTE_MEMATTR_NORMAL_NC (0x5UL << 2)
#define PTE_S2AP_R	      (1UL << 6)
#define PTE_S2AP_W	      (1UL << 7)
#define PTE_SH_INNER	      (3UL << 8)
#define PTE_AF		      (1UL << 10)
#define PTE_XN		      (1UL << 54)
#define PTE_ADDR	      0x0000fffffffff000UL

static unsigned level_shift(int level)
{
	return 12 + 9 * (unsigned)(S2_LEVEL_LAST - level);
}

bool arch_s2_valid(s2_pte_t e)
{
	return (e & PTE_VALID) != 0;
}

s2_pte_t *arch_s2_walk(paddr_t root, ipaddr_t ipa, int max_level, int *level)
{
	s2_pte_t *table = kmem_ptr(root);

	for (int l = S2_LEVEL_FIRST;; l++) {
		s2_pte_t *e = &table[(ipa_addr(ipa) >> level_shift(l)) & 511];

		if (l == max_level ||
		    (*e & (PTE_VALID | PTE_TABLE)) != (PTE_VALID | PTE_TABLE)) {
			*level = l;
			return e;
		}
		table = kmem_ptr(pa_init(*e & PTE_ADDR));
	}
}

void arch_s2_set_table(s2_pte_t *e, paddr_t table)
{
	*e = pa_addr(table) | PTE_TABLE | PTE_VALID;
	dsb(ishst);
}

void arch_s2_set_leaf(s2_pte_t *e, int level, const struct s2_leaf *leaf)
{
	uint64_t v = pa_addr(leaf->pa) | PTE_AF | PTE_VALID;

	v |= leaf->device     ? PTE_MEMATTR_DEVICE
	     : leaf->uncached ? PTE_MEMATTR_NORMAL_NC | PTE_SH_INNER
			      : PTE_MEMATTR_NORMAL_WB | PTE_SH_INNER;
	v |= (leaf->rights & CAIRN_RIGHT_READ) ? PTE_S2AP_R : 0;
	v |= (leaf->rights & CAIRN_RIGHT_WRITE) ? PTE_S2AP_W : 0;
	v |= (leaf->rights & CAIRN_RIGHT_EXEC) && !leaf->device ? 0 : PTE_XN;
	v |= level == S2_LEVEL_LAST ? PTE_TABLE : 0;
	*e = v;
	dsb(ishst);
}

void arch_s2_leaf(const s2_pte_t *e, struct s2_leaf *out)
{
	out->pa = pa_init(*e & PTE_ADDR);
	out->device = (*e & (0xfUL << 2)) == PTE_MEMATTR_DEVICE;
	out->uncached = (*e & (0xfUL << 2)) == PTE_MEMATTR_NORMAL_NC;
	out->rights = ((*e & PTE_S2AP_R) ? CAIRN_RIGHT_READ : 0) |
		      ((*e & PTE_S2AP_W) ? CAIRN_RIGHT_WRITE : 0) |
		      ((*e & PTE_XN) ? 0 : CAIRN_RIGHT_EXEC);
}

uint64_t arch_s2_output(s2_pte_t e)
{
	return e & PTE_ADDR;
}

void arch_s2_remove(s2_pte_t *e, int level, uint16_t vmid, ipaddr_t ipa)
{
	bool table = level < S2_LEVEL_LAST && (*e & PTE_TABLE) != 0;

	*e = 0;
	dsb(ishst);
	if (table) {
		arch_s2_flush_vmid(vmid); /* anything below may be cached */
	} else {
		arch_s2_flush_ipa(vmid, ipa);
	}
}

void arch_s2_clear_table(paddr_t table)
{
	s2_pte_t *e = kmem_ptr(table);

	for (unsigned i = 0; i < (1U << (CAIRN_PAGE_TABLE_BITS - 3)); i++) {
		e[i] = 0;
	}
	dsb(ishst);
}
