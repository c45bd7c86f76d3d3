/*
 * Stage-2 translation tables (VMSAv8-64, 4 KiB granule, 39-bit IPA, walks
 * from level 1). Native threads run at EL0 with HCR_EL2.TGE and DC set, so
 * stage 2 is their only translation; guests add their own stage 1.
 */
#include "arch.h"
#include "arch/pte.h"
#include "arch/sysreg.h"
#include "kmem.h"

#include <cairn/objects.h>

_Static_assert(S2_LEVEL_LAST == PTE_LEVEL_LAST, "one page level");

/* Stage-2 attribute and permission fields (the rest: arch/pte.h). */
#define PTE_MEMATTR_NORMAL_WB (0xfUL << 2)
#define PTE_MEMATTR_DEVICE    (0x1UL << 2) /* Device-nGnRE */
#define PTE_MEMATTR_NORMAL_NC (0x5UL << 2)
#define PTE_S2AP_R	      (1UL << 6)
#define PTE_S2AP_W	      (1UL << 7)

uint64_t arch_s2_level_span(int level)
{
	return 1ULL << pte_level_shift(level);
}

bool arch_s2_valid(s2_pte_t e)
{
	return (e & PTE_VALID) != 0;
}

bool arch_s2_is_table(s2_pte_t e, int level)
{
	return pte_is_table(e, level);
}

s2_pte_t *arch_s2_walk(paddr_t root, ipaddr_t ipa, int max_level, int *level)
{
	s2_pte_t *table = kmem_ptr(root);

	for (int l = S2_LEVEL_FIRST;; l++) {
		s2_pte_t *e = &table[pte_index(ipa_addr(ipa), l)];

		if (l == max_level || !pte_is_table(*e, l)) {
			*level = l;
			return e;
		}
		table = kmem_ptr(pa_init(pte_output(*e)));
	}
}

void arch_s2_set_table(s2_pte_t *e, paddr_t table)
{
	*e = pte_make_table(pa_addr(table));
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
	out->pa = pa_init(pte_output(*e));
	out->device = (*e & (0xfUL << 2)) == PTE_MEMATTR_DEVICE;
	out->uncached = (*e & (0xfUL << 2)) == PTE_MEMATTR_NORMAL_NC;
	out->rights = ((*e & PTE_S2AP_R) ? CAIRN_RIGHT_READ : 0) |
		      ((*e & PTE_S2AP_W) ? CAIRN_RIGHT_WRITE : 0) |
		      ((*e & PTE_XN) ? 0 : CAIRN_RIGHT_EXEC);
}

uint64_t arch_s2_output(s2_pte_t e)
{
	return pte_output(e);
}

void arch_s2_clear_entry(s2_pte_t *e)
{
	*e = 0;
	dsb(ishst); /* before any invalidation that follows */
}

void arch_s2_remove(s2_pte_t *e, int level, vmid_t vmid, ipaddr_t ipa)
{
	bool table = pte_is_table(*e, level);

	arch_s2_clear_entry(e);
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
