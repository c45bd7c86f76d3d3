/*
 * GICv3 as the guest set it up from the DTB: the distributor's control
 * and identification, each CPU's redistributor, the SPI registers reading
 * back what was written, an SPI made pending through the distributor
 * being delivered, and the CPU interface's system registers.
 */
#include "arch.h"
#include "gic.h"
#include "tests.h"

#define ARCHREV(pidr2) (((pidr2) >> 4) & 0xf)
#define SPI_TIMEOUT_US 100000

static void gic_distributor(void)
{
	if (!check(plat.gicd.base, "no distributor in the DTB") ||
	    !check(gic.dist_ready, "distributor not set up: %s",
		   gic.dist_why)) {
		return;
	}
	uint32_t ctlr = mmio_read32(gicd(GICD_CTLR));
	uint32_t pidr2 = mmio_read32(gicd(GICD_PIDR2));
	note("GICD_CTLR 0x%x%s, GICD_TYPER 0x%x (%u interrupt IDs), "
	     "GICD_IIDR 0x%x, ArchRev %u",
	     ctlr, ctlr & GICD_CTLR_DS ? " (DS: one security state)" : "",
	     gic.typer, gic.lines, mmio_read32(gicd(GICD_IIDR)),
	     ARCHREV(pidr2));
	check((ctlr & (GICD_CTLR_ARE | GICD_CTLR_GRP1)) ==
		  (GICD_CTLR_ARE | GICD_CTLR_GRP1),
	      "GICD_CTLR 0x%x: ARE and EnableGrp1 not both set", ctlr);
	check(ARCHREV(pidr2) == 3 || ARCHREV(pidr2) == 4,
	      "GICD_PIDR2 0x%x: ArchRev %u, not GICv3/v4", pidr2,
	      ARCHREV(pidr2));
	check(gic.lines > 32, "GICD_TYPER 0x%x: no SPIs", gic.typer);
}

static void gic_redistributors(void)
{
	if (!need_gic()) {
		return;
	}
	if (ncpus > 1) {
		need_secondaries();
	}
	for (unsigned i = 0; i < ncpus; i++) {
		struct cpu *c = &cpus[i];
		if (!c->online) {
			continue;
		}
		unsigned frames;
		uintptr_t rd = gicr_find(c->mpidr, &frames);
		if (!check(rd && rd == c->gicr,
			   "cpu %u uses redistributor 0x%lx, GICR_TYPER says "
			   "0x%lx",
			   i, c->gicr, rd)) {
			continue;
		}
		uint32_t waker = mmio_read32(rd + GICR_WAKER);
		uint32_t pidr2 = mmio_read32(rd + GICR_PIDR2);
		note("cpu %u (MPIDR 0x%lx): redistributor 0x%lx (frame %u), "
		     "GICR_WAKER 0x%x, ArchRev %u",
		     i, c->mpidr, rd, frames - 1, waker, ARCHREV(pidr2));
		check(!(waker & (WAKER_SLEEP | WAKER_ASLEEP)),
		      "cpu %u: GICR_WAKER 0x%x: not awake", i, waker);
		check(ARCHREV(pidr2) == 3 || ARCHREV(pidr2) == 4,
		      "cpu %u: GICR_PIDR2 0x%x", i, pidr2);
		for (unsigned j = 0; j < i; j++) {
			check(cpus[j].gicr != rd,
			      "cpus %u and %u share a redistributor", j, i);
		}
	}
}

static bool bit(unsigned reg, unsigned intid)
{
	return (mmio_read32(gicd(reg + (intid / 32) * 4)) >> (intid % 32)) & 1;
}

static void set_bit(unsigned reg, unsigned intid)
{
	mmio_write32(gicd(reg + (intid / 32) * 4), 1u << (intid % 32));
}

static void spi_enable_pend_active(unsigned spi)
{
	set_bit(GICD_ISENABLER, spi);
	check(bit(GICD_ISENABLER, spi) && bit(GICD_ICENABLER, spi),
	      "SPI %u: enable not read back after ISENABLER", spi);
	set_bit(GICD_ICENABLER, spi);
	check(!bit(GICD_ISENABLER, spi),
	      "SPI %u still enabled after "
	      "ICENABLER",
	      spi);
	set_bit(GICD_ISPENDR, spi);
	check(bit(GICD_ISPENDR, spi), "SPI %u: ISPENDR did not make it pending",
	      spi);
	set_bit(GICD_ICPENDR, spi);
	check(!bit(GICD_ISPENDR, spi), "SPI %u still pending after ICPENDR",
	      spi);
	set_bit(GICD_ISACTIVER, spi);
	check(bit(GICD_ISACTIVER, spi),
	      "SPI %u: ISACTIVER did not make it "
	      "active",
	      spi);
	set_bit(GICD_ICACTIVER, spi);
	check(!bit(GICD_ISACTIVER, spi),
	      "SPI %u still active after "
	      "ICACTIVER",
	      spi);
}

/* The priority bits the distributor implements, from writing 0xff. */
static void spi_priority(unsigned spi)
{
	uintptr_t reg = gicd(GICD_IPRIORITYR + (spi & ~3u));
	unsigned shift = (spi % 4) * 8;
	uint32_t old = mmio_read32(reg);
	uint32_t keep = old & ~(0xffu << shift);
	mmio_write32(reg, keep | 0xffu << shift);
	uint32_t mask = (mmio_read32(reg) >> shift) & 0xff;
	check(mask >= 0xf0, "SPI %u: only priority bits 0x%x implemented", spi,
	      mask);
	mmio_write32(reg, keep | 0xa0u << shift);
	uint32_t got = mmio_read32(reg);
	check(((got >> shift) & 0xff) == (0xa0u & mask),
	      "SPI %u: IPRIORITYR reads 0x%x after writing 0xa0", spi,
	      (got >> shift) & 0xff);
	check((got & ~(0xffu << shift)) == keep,
	      "SPI %u: neighbours' priorities changed (0x%x -> 0x%x)", spi, old,
	      got);
	mmio_write32(reg, old);
}

static void spi_config(unsigned spi)
{
	uintptr_t reg = gicd(GICD_ICFGR + (spi / 16) * 4);
	uint32_t edge = 2u << ((spi % 16) * 2);
	uint32_t old = mmio_read32(reg);
	mmio_write32(reg, old | edge);
	check(mmio_read32(reg) & edge, "SPI %u: ICFGR does not read back edge",
	      spi);
	mmio_write32(reg, old & ~edge);
	check(!(mmio_read32(reg) & edge),
	      "SPI %u: ICFGR does not read back level", spi);
	mmio_write32(reg, old);
}

static void spi_route(unsigned spi)
{
	uintptr_t reg = gicd(GICD_IROUTER + 8 * spi);
	uint64_t old = mmio_read64(reg);
	uint64_t to = mpidr_to_irouter(cpus[ncpus - 1].mpidr);
	mmio_write64(reg, to);
	uint64_t got = mmio_read64(reg);
	check(got == to, "SPI %u: IROUTER reads 0x%lx after writing 0x%lx", spi,
	      got, to);
	mmio_write64(reg, IROUTER_IRM);
	got = mmio_read64(reg);
	bool no1n = gic.typer & GICD_TYPER_NO1N;
	check(no1n || (got & IROUTER_IRM),
	      "SPI %u: IROUTER.IRM not kept though GICD_TYPER.No1N is 0", spi);
	mmio_write64(reg, old);
}

static void gic_spi_registers(void)
{
	if (!need_gic()) {
		return;
	}
	unsigned spis[] = {40, gic.lines - 1};
	for (unsigned i = 0; i < ARRAY_SIZE(spis); i++) {
		unsigned spi = spis[i];
		if (spi < 32 || spi >= gic.lines) {
			continue;
		}
		spi_enable_pend_active(spi);
		spi_priority(spi);
		spi_config(spi);
		spi_route(spi);
	}
	note("SPIs 40 and %u: ISENABLER/ICENABLER, ISPENDR/ICPENDR, "
	     "ISACTIVER/ICACTIVER, IPRIORITYR, ICFGR, IROUTER",
	     gic.lines - 1);
}

static void gic_spi_delivery(void)
{
	if (!need_gic()) {
		return;
	}
	unsigned spi = 41;
	struct cpu *c = &cpus[0];
	unsigned before = c->spi_count;
	mmio_write64(gicd(GICD_IROUTER + 8 * spi), mpidr_to_irouter(c->mpidr));
	set_bit(GICD_ISENABLER, spi);
	set_bit(GICD_ISPENDR, spi);
	uint64_t end = now() + us_to_ticks(SPI_TIMEOUT_US);
	while (c->spi_count == before && now() < end) {
		cpu_relax();
	}
	set_bit(GICD_ICENABLER, spi);
	set_bit(GICD_ICPENDR, spi);
	check(c->spi_count != before,
	      "SPI %u made pending with GICD_ISPENDR was not taken", spi);
	check(c->spi_count == before || c->last_spi == spi,
	      "took SPI %u, not %u", c->last_spi, spi);
}

static void gic_sysregs(void)
{
	if (!need_gic()) {
		return;
	}
	uint64_t sre = read_sysreg(ICC_SRE_EL1);
	uint64_t ctlr = read_sysreg(ICC_CTLR_EL1);
	note("ICC_SRE_EL1 0x%lx, ICC_CTLR_EL1 0x%lx (%lu priority bits, "
	     "%s-bit INTIDs), ICC_RPR_EL1 0x%lx",
	     sre, ctlr, field(ctlr, 8, 3) + 1, field(ctlr, 11, 3) ? "24" : "16",
	     read_sysreg(ICC_RPR_EL1));
	check(sre & 1, "ICC_SRE_EL1.SRE is 0");
	check(!(ctlr & 2), "ICC_CTLR_EL1.EOImode is 1, set up as 0");
	static const uint64_t pmrs[] = {0x80, 0xa0, PMR_UNMASKED};
	for (unsigned i = 0; i < ARRAY_SIZE(pmrs); i++) {
		write_sysreg(ICC_PMR_EL1, pmrs[i]);
		isb();
		uint64_t got = read_sysreg(ICC_PMR_EL1);
		check(got == pmrs[i], "ICC_PMR_EL1 reads 0x%lx after 0x%lx",
		      got, pmrs[i]);
	}
	write_sysreg(ICC_IGRPEN1_EL1, 0);
	isb();
	uint64_t off = read_sysreg(ICC_IGRPEN1_EL1);
	write_sysreg(ICC_IGRPEN1_EL1, 1);
	isb();
	uint64_t on = read_sysreg(ICC_IGRPEN1_EL1);
	check(!(off & 1) && (on & 1),
	      "ICC_IGRPEN1_EL1 reads 0x%lx after 0, 0x%lx after 1", off, on);
	check(read_sysreg(ICC_RPR_EL1) == 0xff,
	      "ICC_RPR_EL1 0x%lx with nothing active, not 0xff (idle)",
	      read_sysreg(ICC_RPR_EL1));
}

const struct test gic_tests[] = {
    {"gic.distributor", gic_distributor},
    {"gic.redistributors", gic_redistributors},
    {"gic.spi_registers", gic_spi_registers},
    {"gic.spi_delivery", gic_spi_delivery},
    {"gic.sysregs", gic_sysregs},
};
const unsigned gic_tests_count = ARRAY_SIZE(gic_tests);
