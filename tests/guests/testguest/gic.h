/* GICv3 distributor, redistributors and CPU interface (gic.c). */
#ifndef TESTGUEST_GIC_H
#define TESTGUEST_GIC_H

#include "dtb.h"
#include "guest.h"

#define GICD_CTLR	0x0000
#define GICD_TYPER	0x0004
#define GICD_IIDR	0x0008
#define GICD_IGROUPR	0x0080
#define GICD_ISENABLER	0x0100
#define GICD_ICENABLER	0x0180
#define GICD_ISPENDR	0x0200
#define GICD_ICPENDR	0x0280
#define GICD_ISACTIVER	0x0300
#define GICD_ICACTIVER	0x0380
#define GICD_IPRIORITYR 0x0400
#define GICD_ICFGR	0x0c00
#define GICD_IROUTER	0x6000
#define GICD_PIDR2	0xffe8

#define GICD_CTLR_GRP1	(1u << 1)
#define GICD_CTLR_ARE	(1u << 4)
#define GICD_CTLR_DS	(1u << 6)
#define GICD_CTLR_RWP	(1u << 31)
#define GICD_TYPER_NO1N (1u << 25)
#define IROUTER_IRM	(1ull << 31)

#define GICR_CTLR	0x0000
#define GICR_TYPER	0x0008
#define GICR_WAKER	0x0014
#define GICR_PIDR2	0xffe8
#define GICR_SGI	0x10000
#define GICR_IGROUPR0	(GICR_SGI + 0x0080)
#define GICR_ISENABLER0 (GICR_SGI + 0x0100)
#define GICR_ICENABLER0 (GICR_SGI + 0x0180)
#define GICR_ISPENDR0	(GICR_SGI + 0x0200)
#define GICR_ICPENDR0	(GICR_SGI + 0x0280)
#define GICR_ISACTIVER0 (GICR_SGI + 0x0300)
#define GICR_ICACTIVER0 (GICR_SGI + 0x0380)
#define GICR_IPRIORITYR (GICR_SGI + 0x0400)
#define GICR_ICFGR1	(GICR_SGI + 0x0c04)

#define WAKER_SLEEP  (1u << 1)
#define WAKER_ASLEEP (1u << 2)
#define PRIO_DEFAULT 0xa0 /* SPIs */
#define PRIO_PRIVATE 0x80 /* SGIs, PPIs */
#define PMR_UNMASKED 0xf0

struct gic_state {
	bool dist_ready;
	const char *dist_why;
	unsigned lines; /* interrupt IDs the distributor implements */
	uint32_t typer;
};
extern struct gic_state gic;

const char *gic_init_dist(void);
const char *gic_init_cpu(struct cpu *c);
uintptr_t gicr_find(uint64_t mpidr, unsigned *frames);
uint64_t gicr_region_used(unsigned i);
bool gicr_ppi_pending(struct cpu *c, unsigned intid);
bool gicr_ppi_active(struct cpu *c, unsigned intid);
/* ICC_SGI1R_EL1's value for SGI intid to the CPU mpidr. */
uint64_t gic_sgi1r(uint64_t mpidr, unsigned intid);
void gic_send_sgi(uint64_t mpidr, unsigned intid);
void gic_send_sgi_others(unsigned intid);
void gic_irq(struct cpu *c);
/* One of this CPU's PPIs back to how gic_init_cpu set it: Group 1,
 * default priority, level, inactive, enabled. */
void gic_ppi_reset(struct cpu *c, unsigned intid);
uint64_t mpidr_to_irouter(uint64_t mpidr);

static inline uintptr_t gicd(unsigned off)
{
	return (uintptr_t)plat.gicd.base + off;
}

#endif
