/*
 * GICv3: the distributor (affinity routing, group 1), the boot CPU's
 * redistributor and the system-register CPU interface with split priority
 * drop and deactivation (EOImode 1): the kernel drops priority at once and
 * deactivates when the interrupt is serviced, so a user-level handler's
 * line stays quiet until it Acks. SPIs route to the boot CPU.
 */
#include "arch.h"
#include "arch/sysreg.h"
#include "panic.h"

#define GICD_CTLR	  0x0000
#define GICD_CTLR_RWP	  (1U << 31)
#define GICD_CTLR_ARE	  (1U << 4)
#define GICD_CTLR_GRP1	  (1U << 1)
#define GICR_TYPER	  0x0008
#define GICR_WAKER	  0x0014
#define GICR_WAKER_SLEEP  (1U << 1)
#define GICR_WAKER_ASLEEP (1U << 2)
#define GICR_SGI_BASE	  0x10000
#define GICR_IGROUPR0	  (GICR_SGI_BASE + 0x0080)
#define GICR_ISENABLER0	  (GICR_SGI_BASE + 0x0100)
#define GICR_IPRIORITYR	  (GICR_SGI_BASE + 0x0400)
#define GICR_STRIDE	  0x20000
#define GICR_TYPER_LAST	  (1UL << 4)
#define GICR_ICENABLER0	  (GICR_SGI_BASE + 0x0180)
#define GICR_ICFGR1	  (GICR_SGI_BASE + 0x0c04)
#define GICD_TYPER	  0x0004
#define GICD_IGROUPR	  0x0080
#define GICD_ISENABLER	  0x0100
#define GICD_ICENABLER	  0x0180
#define GICD_IPRIORITYR	  0x0400
#define GICD_ICFGR	  0x0c00
#define GICD_IROUTER	  0x6000

#define ICC_PMR_EL1	 "S3_0_C4_C6_0"
#define ICC_IAR1_EL1	 "S3_0_C12_C12_0"
#define ICC_EOIR1_EL1	 "S3_0_C12_C12_1"
#define ICC_BPR1_EL1	 "S3_0_C12_C12_3"
#define ICC_CTLR_EL1	 "S3_0_C12_C12_4"
#define ICC_DIR_EL1	 "S3_0_C12_C11_1"
#define ICC_CTLR_EOIMODE (1U << 1)
#define PRIORITY_DEFAULT 0x80
#define ICC_IGRPEN1_EL1	 "S3_0_C12_C12_7"
#define ICC_SRE_EL2	 "S3_4_C12_C9_5"

static volatile uint8_t *gicd, *gicr;

static uint32_t rd32(volatile uint8_t *base, uint32_t off)
{
	return *(volatile uint32_t *)(base + off);
}

static void wr32(volatile uint8_t *base, uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)(base + off) = v;
}

/* This CPU's redistributor: the frame whose TYPER affinity is our MPIDR. */
static volatile uint8_t *find_redist(const struct platform *p)
{
	uint64_t mpidr = arch_mpidr();
	uint64_t aff = ((mpidr >> 32) & 0xff) << 24 | (mpidr & 0xffffff);

	for (size_t r = 0; r < p->redist_count; r++) {
		volatile uint8_t *base =
		    (volatile uint8_t *)pa_addr(p->gicr[r].base);
		volatile uint8_t *end = base + p->gicr[r].size;
		for (; base < end; base += GICR_STRIDE) {
			uint64_t typer =
			    *(volatile uint64_t *)(base + GICR_TYPER);
			if ((typer >> 32) == aff) {
				return base;
			}
			if (typer & GICR_TYPER_LAST) {
				break;
			}
		}
	}
	return NULL;
}

void arch_gic_init(const struct platform *p, uint32_t ppi)
{
	gicd = (volatile uint8_t *)pa_addr(p->gicd.base);
	gicr = find_redist(p);
	if (gicr == NULL) {
		panic("gic: no redistributor for MPIDR 0x%lx", arch_mpidr());
	}
	wr32(gicd, GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_GRP1);
	while (rd32(gicd, GICD_CTLR) & GICD_CTLR_RWP) {
	}
	wr32(gicr, GICR_WAKER, rd32(gicr, GICR_WAKER) & ~GICR_WAKER_SLEEP);
	while (rd32(gicr, GICR_WAKER) & GICR_WAKER_ASLEEP) {
	}
	/* Every SGI and PPI in group 1 at the default priority. */
	wr32(gicr, GICR_IGROUPR0, 0xffffffff);
	for (uint32_t i = 0; i < 32; i++) {
		gicr[GICR_IPRIORITYR + i] = PRIORITY_DEFAULT;
	}
	wr32(gicr, GICR_ISENABLER0, 1U << ppi);

	sysreg_write(ICC_SRE_EL2, 0xf); /* SRE, DFB, DIB, Enable (EL1 use) */
	isb();
	sysreg_write(ICC_PMR_EL1, 0xff);
	sysreg_write(ICC_BPR1_EL1, 0);
	sysreg_write(ICC_CTLR_EL1, ICC_CTLR_EOIMODE);
	sysreg_write(ICC_IGRPEN1_EL1, 1);
	isb();
}

uint32_t arch_gic_irq_limit(void)
{
	uint32_t lines = ((rd32(gicd, GICD_TYPER) & 0x1f) + 1) * 32;

	return lines > 1020 ? 1020 : lines;
}

void arch_gic_configure(uint32_t intid, bool edge)
{
	uint32_t shift = (intid % 16) * 2 + 1; /* Int_config bit of the pair */

	if (intid < 32) {
		uint32_t cfg = rd32(gicr, GICR_ICFGR1);
		cfg = edge ? cfg | (1U << shift) : cfg & ~(1U << shift);
		wr32(gicr, GICR_ICFGR1, cfg);
		return;
	}
	uint32_t reg = GICD_IGROUPR + (intid / 32) * 4;
	wr32(gicd, reg, rd32(gicd, reg) | (1U << (intid % 32)));
	gicd[GICD_IPRIORITYR + intid] = PRIORITY_DEFAULT;
	reg = GICD_ICFGR + (intid / 16) * 4;
	uint32_t cfg = rd32(gicd, reg);
	wr32(gicd, reg, edge ? cfg | (1U << shift) : cfg & ~(1U << shift));
	/* Route to the boot CPU (affinity routing, not 1-of-N). */
	uint64_t mpidr = arch_mpidr();
	*(volatile uint64_t *)(gicd + GICD_IROUTER + intid * 8) =
	    (mpidr & 0xffffff) | (((mpidr >> 32) & 0xff) << 32);
}

void arch_gic_set_enabled(uint32_t intid, bool on)
{
	if (intid < 32) {
		wr32(gicr, on ? GICR_ISENABLER0 : GICR_ICENABLER0, 1U << intid);
	} else {
		wr32(gicd,
		     (on ? GICD_ISENABLER : GICD_ICENABLER) + (intid / 32) * 4,
		     1U << (intid % 32));
	}
	dsb(sy);
}

bool arch_gic_enabled(uint32_t intid)
{
	uint32_t bits = intid < 32
			    ? rd32(gicr, GICR_ISENABLER0)
			    : rd32(gicd, GICD_ISENABLER + (intid / 32) * 4);

	return (bits >> (intid % 32)) & 1;
}

void arch_gic_deactivate(uint32_t intid)
{
	sysreg_write(ICC_DIR_EL1, intid);
	isb();
}

void arch_wait_for_interrupt(void)
{
	/* A pending interrupt wakes WFI even with PSTATE.I set. */
	dsb(sy);
	wfi();
}

uint32_t arch_gic_ack(void)
{
	uint32_t intid = (uint32_t)sysreg_read(ICC_IAR1_EL1) & 0xffffff;

	dsb(sy);
	return intid;
}

/* With EOImode 1 this only drops the running priority. */
void arch_gic_eoi(uint32_t intid)
{
	sysreg_write(ICC_EOIR1_EL1, intid);
	isb();
}

void arch_timer_arm_at(uint64_t when)
{
	write_sysreg(cnthp_cval_el2, when);
	write_sysreg(cnthp_ctl_el2, 1); /* enabled, not masked */
	isb();
}
