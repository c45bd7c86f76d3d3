/*
 * Stage-2 control: VTCR_EL2 and TLB maintenance by VMID. Kept apart from
 * s2.c, whose table logic the host unit tests compile.
 */
#include "arch.h"
#include "arch/sysreg.h"

#define VTCR_RES1     (1UL << 31)
#define VTCR_T0SZ     (64 - S2_IPA_BITS)
#define VTCR_SL0_L1   (1UL << 6)
#define VTCR_IRGN0_WB (1UL << 8)
#define VTCR_ORGN0_WB (1UL << 10)
#define VTCR_SH0_IS   (3UL << 12)
#define VTCR_PS_SHIFT 16

void arch_s2_init(void)
{
	uint64_t parange = read_sysreg(id_aa64mmfr0_el1) & 0xf;
	uint64_t ps = parange > 5 ? 5 : parange;

	write_sysreg(vtcr_el2, VTCR_RES1 | VTCR_T0SZ | VTCR_SL0_L1 |
				   VTCR_IRGN0_WB | VTCR_ORGN0_WB | VTCR_SH0_IS |
				   (ps << VTCR_PS_SHIFT));
	isb();
}

/* TLBI by IPA acts on the VMID in VTTBR_EL2: borrow it for the flush. */
static uint64_t borrow_vmid(vmid_t vmid)
{
	uint64_t saved = read_sysreg(vttbr_el2);

	write_sysreg(vttbr_el2, (uint64_t)vmid_value(vmid) << 48);
	isb();
	return saved;
}

static void restore_vmid(uint64_t saved)
{
	write_sysreg(vttbr_el2, saved);
	isb();
}

void arch_s2_flush_ipa(vmid_t vmid, ipaddr_t ipa)
{
	uint64_t saved = borrow_vmid(vmid);

	dsb(ishst);
	__asm__ volatile("tlbi ipas2e1is, %0" ::"r"(ipa_addr(ipa) >> 12));
	dsb(ish);
	/* Stage-1+2 entries cached from this IPA go too. */
	__asm__ volatile("tlbi vmalle1is" ::: "memory");
	dsb(ish);
	restore_vmid(saved);
}

void arch_s2_flush_vmid(vmid_t vmid)
{
	uint64_t saved = borrow_vmid(vmid);

	dsb(ishst);
	__asm__ volatile("tlbi vmalls12e1is" ::: "memory");
	dsb(ish);
	restore_vmid(saved);
}

uint64_t arch_s2_vtcr(void)
{
	return read_sysreg(vtcr_el2);
}
