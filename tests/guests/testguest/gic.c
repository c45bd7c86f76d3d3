/*
 * GICv3 with affinity routing, every interrupt in Group 1, EOImode 0 (an
 * EOI both drops the priority and deactivates). All register accesses are
 * 32-bit except GICD_IROUTER, which is 64-bit, so an emulation of the
 * architecture is all a hypervisor needs to run this.
 */
#include "gic.h"

#include "arch.h"

#define RWP_TIMEOUT_US 1000000
#define GICR_CTLR_RWP  (1u << 3)
#define TYPER_VLPIS    (1u << 1)
#define TYPER_LAST     (1u << 4)
#define FRAME_V3       0x20000
#define FRAME_V4       0x40000

struct gic_state gic;

static bool wait_clear(uintptr_t reg, uint32_t bits)
{
	uint64_t end = now() + us_to_ticks(RWP_TIMEOUT_US);
	while (mmio_read32(reg) & bits) {
		if (now() > end) {
			return false;
		}
		cpu_relax();
	}
	return true;
}

uint64_t mpidr_to_irouter(uint64_t mpidr)
{
	return mpidr & MPIDR_AFF_MASK;
}

static void dist_reset_spis(void)
{
	uint64_t route = mpidr_to_irouter(cpus[0].mpidr);
	for (unsigned n = 32; n < gic.lines; n += 32) {
		unsigned r = (n / 32) * 4;
		mmio_write32(gicd(GICD_IGROUPR + r), ~0u);
		mmio_write32(gicd(GICD_ICENABLER + r), ~0u);
		mmio_write32(gicd(GICD_ICPENDR + r), ~0u);
		mmio_write32(gicd(GICD_ICACTIVER + r), ~0u);
	}
	for (unsigned n = 32; n < gic.lines; n += 4) {
		mmio_write32(gicd(GICD_IPRIORITYR + n),
			     PRIO_DEFAULT * 0x01010101u);
	}
	for (unsigned n = 32; n < gic.lines; n++) {
		mmio_write64(gicd(GICD_IROUTER + 8 * n), route);
	}
}

const char *gic_init_dist(void)
{
	gic.dist_ready = false;
	if (!plat.gicd.base) {
		return gic.dist_why = "no arm,gic-v3 node in the DTB";
	}
	mmio_write32(gicd(GICD_CTLR), 0);
	if (!wait_clear(gicd(GICD_CTLR), GICD_CTLR_RWP)) {
		return gic.dist_why = "GICD_CTLR.RWP stuck after disabling";
	}
	gic.typer = mmio_read32(gicd(GICD_TYPER));
	gic.lines = 32 * ((gic.typer & 0x1f) + 1);
	gic.lines = gic.lines > 1020 ? 1020 : gic.lines;
	dist_reset_spis();
	mmio_write32(gicd(GICD_CTLR), GICD_CTLR_ARE);
	if (!wait_clear(gicd(GICD_CTLR), GICD_CTLR_RWP)) {
		return gic.dist_why = "GICD_CTLR.RWP stuck after setting ARE";
	}
	mmio_write32(gicd(GICD_CTLR), GICD_CTLR_ARE | GICD_CTLR_GRP1);
	if (!wait_clear(gicd(GICD_CTLR), GICD_CTLR_RWP)) {
		return gic.dist_why = "GICD_CTLR.RWP stuck after enabling";
	}
	gic.dist_ready = true;
	return gic.dist_why = NULL;
}

/* Packs MPIDR's affinity as GICR_TYPER[63:32] holds it. */
static uint32_t typer_affinity(uint64_t mpidr)
{
	return (uint32_t)(field(mpidr, 32, 8) << 24 |
			  field(mpidr, 16, 8) << 16 | field(mpidr, 8, 8) << 8 |
			  field(mpidr, 0, 8));
}

/* The redistributor whose GICR_TYPER affinity is mpidr's; frames counts
 * the frames looked at. */
uintptr_t gicr_find(uint64_t mpidr, unsigned *frames)
{
	uint32_t want = typer_affinity(mpidr);
	*frames = 0;
	for (unsigned i = 0; i < plat.ngicr; i++) {
		uint64_t off = 0;
		while (off < plat.gicr[i].size) {
			uintptr_t rd = (uintptr_t)(plat.gicr[i].base + off);
			uint32_t lo = mmio_read32(rd + GICR_TYPER);
			uint32_t hi = mmio_read32(rd + GICR_TYPER + 4);
			(*frames)++;
			if (hi == want) {
				return rd;
			}
			if (lo & TYPER_LAST) {
				break;
			}
			off += plat.gicr_stride	  ? plat.gicr_stride
			       : lo & TYPER_VLPIS ? FRAME_V4
						  : FRAME_V3;
		}
	}
	return 0;
}

/* How much of redistributor region i holds frames, up to GICR_TYPER.Last
 * (the DTB may describe more: QEMU's covers 123 CPUs' frames). */
uint64_t gicr_region_used(unsigned i)
{
	uint64_t off = 0;
	while (off < plat.gicr[i].size) {
		uintptr_t rd = (uintptr_t)(plat.gicr[i].base + off);
		uint32_t lo = mmio_read32(rd + GICR_TYPER);
		off += plat.gicr_stride	  ? plat.gicr_stride
		       : lo & TYPER_VLPIS ? FRAME_V4
					  : FRAME_V3;
		if (lo & TYPER_LAST) {
			break;
		}
	}
	return off < plat.gicr[i].size ? off : plat.gicr[i].size;
}

static const char *redist_init(struct cpu *c)
{
	uintptr_t rd = c->gicr;
	mmio_write32(rd + GICR_WAKER,
		     mmio_read32(rd + GICR_WAKER) & ~WAKER_SLEEP);
	if (!wait_clear(rd + GICR_WAKER, WAKER_ASLEEP)) {
		return "GICR_WAKER.ChildrenAsleep stays set";
	}
	mmio_write32(rd + GICR_IGROUPR0, ~0u);
	mmio_write32(rd + GICR_ICENABLER0, ~0u);
	if (!wait_clear(rd + GICR_CTLR, GICR_CTLR_RWP)) {
		return "GICR_CTLR.RWP stuck";
	}
	mmio_write32(rd + GICR_ICPENDR0, ~0u);
	mmio_write32(rd + GICR_ICACTIVER0, ~0u);
	for (unsigned n = 0; n < 32; n += 4) {
		mmio_write32(rd + GICR_IPRIORITYR + n,
			     PRIO_PRIVATE * 0x01010101u);
	}
	uint32_t enable = 0xffff; /* the SGIs */
	if (plat.vtimer_intid >= 16 && plat.vtimer_intid < 32) {
		enable |= 1u << plat.vtimer_intid;
	}
	mmio_write32(rd + GICR_ISENABLER0, enable);
	return NULL;
}

static const char *cpu_interface_init(void)
{
	write_sysreg(ICC_SRE_EL1, read_sysreg(ICC_SRE_EL1) | 1);
	isb();
	if (!(read_sysreg(ICC_SRE_EL1) & 1)) {
		return "ICC_SRE_EL1.SRE stays 0: no system-register interface";
	}
	write_sysreg(ICC_PMR_EL1, PMR_UNMASKED);
	write_sysreg(ICC_BPR1_EL1, 0);
	write_sysreg(ICC_CTLR_EL1, 0);
	write_sysreg(ICC_IGRPEN1_EL1, 1);
	isb();
	return NULL;
}

/* This CPU's redistributor and CPU interface; run on the CPU itself. */
const char *gic_init_cpu(struct cpu *c)
{
	unsigned frames;
	if (!plat.ngicr) {
		return "no redistributor region in the DTB";
	}
	c->gicr = gicr_find(c->mpidr, &frames);
	if (!c->gicr) {
		return "no redistributor's GICR_TYPER matches this CPU's MPIDR";
	}
	const char *why = redist_init(c);
	return why ? why : cpu_interface_init();
}

void gic_ppi_reset(struct cpu *c, unsigned intid)
{
	uintptr_t rd = c->gicr;
	uint32_t bit = 1u << intid;
	if (!rd || intid < 16 || intid >= 32) {
		return;
	}
	mmio_write32(rd + GICR_ICENABLER0, bit);
	mmio_write32(rd + GICR_ICACTIVER0, bit);
	mmio_write32(rd + GICR_IGROUPR0, mmio_read32(rd + GICR_IGROUPR0) | bit);
	uintptr_t pri = rd + GICR_IPRIORITYR + (intid & ~3u);
	unsigned shift = (intid % 4) * 8;
	mmio_write32(pri, (mmio_read32(pri) & ~(0xffu << shift)) |
			      PRIO_PRIVATE << shift);
	uintptr_t cfg = rd + GICR_ICFGR1;
	mmio_write32(cfg, mmio_read32(cfg) & ~(2u << ((intid - 16) * 2)));
	mmio_write32(rd + GICR_ISENABLER0, bit);
}

bool gicr_ppi_pending(struct cpu *c, unsigned intid)
{
	return (mmio_read32(c->gicr + GICR_ISPENDR0) >> intid) & 1;
}

bool gicr_ppi_active(struct cpu *c, unsigned intid)
{
	return (mmio_read32(c->gicr + GICR_ISACTIVER0) >> intid) & 1;
}

uint64_t gic_sgi1r(uint64_t mpidr, unsigned intid)
{
	uint64_t aff0 = field(mpidr, 0, 8);
	return field(mpidr, 32, 8) << 48 | field(mpidr, 16, 8) << 32 |
	       field(mpidr, 8, 8) << 16 | (uint64_t)(intid & 15) << 24 |
	       (aff0 >> 4) << 44 | 1ull << (aff0 & 15);
}

void gic_send_sgi(uint64_t mpidr, unsigned intid)
{
	/* Memory written before the SGI is visible to its handler. */
	dsb(ishst);
	write_sysreg(ICC_SGI1R_EL1, gic_sgi1r(mpidr, intid));
	isb();
}

void gic_send_sgi_others(unsigned intid)
{
	dsb(ishst);
	write_sysreg(ICC_SGI1R_EL1, 1ull << 40 | (uint64_t)(intid & 15) << 24);
	isb();
}

/* An interrupt nobody expects is disabled once taken, so a level-triggered
 * one left asserted (by the fuzzer, say) cannot storm. */
static void disable_unexpected(struct cpu *c, unsigned intid)
{
	if (intid < 32 && c->gicr) {
		mmio_write32(c->gicr + GICR_ICENABLER0, 1u << intid);
	} else if (intid >= 32 && plat.gicd.base) {
		mmio_write32(gicd(GICD_ICENABLER + (intid / 32) * 4),
			     1u << (intid % 32));
	}
}

void gic_irq(struct cpu *c)
{
	uint64_t iar = read_sysreg(ICC_IAR1_EL1);
	unsigned intid = (unsigned)(iar & 0xffffff);
	if (intid >= INTID_SPURIOUS && intid < 1024) {
		c->spurious++;
		return;
	}
	if (intid == plat.vtimer_intid) {
		timer_irq(c);
	} else if (intid < 16) {
		c->sgi_count[intid]++;
	} else if (intid >= 32 && intid < 1020) {
		c->spi_count++;
		c->last_spi = intid;
		disable_unexpected(c, intid);
	} else {
		c->other_irqs++;
		disable_unexpected(c, intid);
	}
	write_sysreg(ICC_EOIR1_EL1, iar);
	isb();
}
