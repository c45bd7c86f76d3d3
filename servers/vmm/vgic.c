#include "vgic.h"

#include <string.h>

/* Distributor (GICD) offsets. */
#define GICD_CTLR	 0x0000
#define GICD_TYPER	 0x0004
#define GICD_IIDR	 0x0008
#define GICD_TYPER2	 0x000c
#define GICD_IGROUPR	 0x0080
#define GICD_ICACTIVER	 0x0380
#define GICD_BITS_END	 0x0400 /* IGROUPR..ICACTIVER: 0x80 bytes each */
#define GICD_IPRIORITYR	 0x0400
#define GICD_ITARGETSR	 0x0800
#define GICD_ICFGR	 0x0c00
#define GICD_ICFGR_END	 0x0d00
#define GICD_SGI_BYTES	 0x0f10 /* CPENDSGIR, SPENDSGIR: bytes, RAZ/WI */
#define GICD_SGI_END	 0x0f30
#define GICD_IROUTER	 0x6000
#define GICD_IROUTER_END 0x7fe0
#define GIC_PIDR2	 0xffe8

/* GICD_CTLR with a single security state. */
#define CTLR_ENABLE_G0 (1u << 0)
#define CTLR_ENABLE_G1 (1u << 1)
#define CTLR_ARE       (1u << 4)
#define CTLR_DS	       (1u << 6)

#define TYPER_IDBITS_10 (9u << 19) /* INTIDs below 1024: no LPIs */
#define TYPER_NO1N	(1u << 25)

/* ProductID 'C' (Cairn), Arm's JEP106 code as implementer (as KVM does);
 * matches none of the IIDRs Linux applies errata workarounds to. */
#define VGIC_IIDR 0x4300043bu
/* ArchRev 3 (GICv3), JEP106 identity code bits as Arm's. */
#define VGIC_PIDR2 0x3bu

/* IROUTER: Aff3 [39:32], Aff2..Aff0 [23:0]; IRM is RES0 with No1N. */
#define IROUTER_MASK 0xff00ffffffull

/* Redistributor RD_base and SGI_base offsets. */
#define GICR_IIDR	0x0004
#define GICR_TYPER	0x0008
#define GICR_WAKER	0x0014
#define GICR_PROPBASER	0x0070
#define GICR_PENDBASER	0x0078
#define GICR_SGI_BASE	0x10000
#define GICR_IPRIORITYR 0x0400
#define GICR_IPRIO_END	0x0420
#define GICR_ICFGR0	0x0c00
#define GICR_ICFGR1	0x0c04
#define WAKER_SLEEP	(1u << 1)
#define WAKER_CHILDREN	(1u << 2)
#define TYPER_LAST	(1u << 4)
#define ICFGR_SGIS_EDGE 0xaaaaaaaau

/* The per-interrupt one-bit registers, in GICD/GICR SGI_base order, each
 * 0x80 bytes apart from 0x80. */
enum bitreg {
	BR_GROUP,
	BR_SET_ENABLE,
	BR_CLEAR_ENABLE,
	BR_SET_PENDING,
	BR_CLEAR_PENDING,
	BR_SET_ACTIVE,
	BR_CLEAR_ACTIVE,
};

static struct vgic_irq *irq_of(struct vgic *v, unsigned vcpu, uint32_t intid)
{
	if (intid < VGIC_NR_PRIVATE) {
		return vcpu < v->nr_vcpus ? &v->cpu[vcpu].priv[intid] : NULL;
	}
	if (intid - VGIC_SPI_BASE < v->nr_spis) {
		return &v->spi[intid - VGIC_SPI_BASE];
	}
	return NULL;
}

/* Where intid goes: vcpu itself for a private one, the route for an SPI;
 * -1 for an SPI routed to an affinity no vCPU has. */
static int target_of(const struct vgic *v, unsigned vcpu, uint32_t intid)
{
	if (intid < VGIC_NR_PRIVATE) {
		return (int)vcpu;
	}
	return vmm_mpidr_vcpu(v->irouter[intid - VGIC_SPI_BASE], v->nr_vcpus);
}

static bool wants_delivery(const struct vgic *v, const struct vgic_irq *irq)
{
	if (!(v->ctlr & CTLR_ENABLE_G1) || !irq->enabled) {
		return false;
	}
	return irq->pending || (!irq->edge && irq->line && !irq->injected);
}

/* Hands intid to the kernel if it is now deliverable. The pending latch
 * moves to the kernel with it; a level line still high is remembered, so
 * that it is not injected again until it falls or the guest EOIs it. */
static void update(struct vgic *v, unsigned vcpu, uint32_t intid)
{
	struct vgic_irq *irq = irq_of(v, vcpu, intid);
	int target;

	if (irq == NULL || !wants_delivery(v, irq)) {
		return;
	}
	target = target_of(v, vcpu, intid);
	if (target < 0) {
		return; /* held until IROUTER names a vCPU */
	}
	if (!v->inject(v->ctx, (unsigned)target, intid, irq->priority)) {
		return; /* still pending here: vgic_kick() retries */
	}
	irq->pending = false;
	irq->handed = true;
	if (!irq->edge && irq->line) {
		irq->injected = true;
	}
}

void vgic_kick(struct vgic *v, unsigned vcpu)
{
	if (vcpu >= v->nr_vcpus) {
		return;
	}
	for (uint32_t i = 0; i < VGIC_NR_PRIVATE; i++) {
		update(v, vcpu, i);
	}
	for (uint32_t i = 0; i < v->nr_spis; i++) {
		if (target_of(v, 0, VGIC_SPI_BASE + i) == (int)vcpu) {
			update(v, vcpu, VGIC_SPI_BASE + i);
		}
	}
}

static void kick_all(struct vgic *v)
{
	for (unsigned c = 0; c < v->nr_vcpus; c++) {
		vgic_kick(v, c);
	}
}

static void reset_irq(struct vgic_irq *irq, bool edge)
{
	memset(irq, 0, sizeof(*irq));
	irq->priority = VGIC_PRIORITY_RESET;
	irq->edge = edge;
}

int vgic_init(struct vgic *v, const struct vgic_config *cfg)
{
	if (cfg->nr_vcpus == 0 || cfg->nr_vcpus > VMM_MAX_VCPUS ||
	    cfg->nr_spis == 0 || cfg->nr_spis % 32 != 0 ||
	    cfg->nr_spis > VGIC_MAX_SPIS || cfg->inject == NULL) {
		return -1;
	}
	memset(v, 0, sizeof(*v));
	v->nr_vcpus = cfg->nr_vcpus;
	v->nr_spis = cfg->nr_spis;
	v->inject = cfg->inject;
	v->query = cfg->query;
	v->ctx = cfg->ctx;
	for (unsigned c = 0; c < v->nr_vcpus; c++) {
		v->cpu[c].asleep = true;
		for (uint32_t i = 0; i < VGIC_NR_PRIVATE; i++) {
			/* SGIs are always edge; PPIs start level. */
			reset_irq(&v->cpu[c].priv[i], i < 16);
		}
	}
	for (unsigned i = 0; i < v->nr_spis; i++) {
		reset_irq(&v->spi[i], false);
	}
	return 0;
}

uint64_t vgic_redist_size(const struct vgic *v)
{
	return v->nr_vcpus * VGIC_REDIST_STRIDE;
}

/* --- Interrupt inputs ---------------------------------------------------- */

static void set_line(struct vgic *v, unsigned vcpu, uint32_t intid, bool level)
{
	struct vgic_irq *irq = irq_of(v, vcpu, intid);

	if (irq == NULL) {
		return;
	}
	bool rising = level && !irq->line;
	irq->line = level;
	if (!level) {
		irq->injected = false;
		return;
	}
	if (rising && irq->edge) {
		irq->pending = true;
	}
	update(v, vcpu, intid);
}

void vgic_set_level(struct vgic *v, uint32_t intid, bool level)
{
	if (intid >= VGIC_SPI_BASE) {
		set_line(v, 0, intid, level);
	}
}

void vgic_set_ppi_level(struct vgic *v, unsigned vcpu, uint32_t intid,
			bool level)
{
	if (intid >= 16 && intid < VGIC_NR_PRIVATE) {
		set_line(v, vcpu, intid, level);
	}
}

static void raise_private(struct vgic *v, unsigned vcpu, uint32_t intid)
{
	struct vgic_irq *irq = irq_of(v, vcpu, intid);

	if (irq != NULL) {
		irq->pending = true;
		update(v, vcpu, intid);
	}
}

void vgic_raise_ppi(struct vgic *v, unsigned vcpu, uint32_t intid)
{
	if (intid >= 16 && intid < VGIC_NR_PRIVATE) {
		raise_private(v, vcpu, intid);
	}
}

void vgic_raise_sgi(struct vgic *v, unsigned vcpu, uint32_t intid)
{
	if (intid < 16) {
		raise_private(v, vcpu, intid);
	}
}

void vgic_eoi(struct vgic *v, unsigned vcpu, uint32_t intid)
{
	struct vgic_irq *irq = irq_of(v, vcpu, intid);

	if (irq != NULL && !irq->edge) {
		irq->injected = false;
		update(v, vcpu, intid);
	}
}

/* ICC_SGI1R_EL1 fields. */
#define SGI1R_TARGETS(x) ((x)&0xffff)
#define SGI1R_AFF1(x)	 (((x) >> 16) & 0xff)
#define SGI1R_INTID(x)	 (((x) >> 24) & 0xf)
#define SGI1R_AFF2(x)	 (((x) >> 32) & 0xff)
#define SGI1R_IRM	 (1ull << 40)
#define SGI1R_RS(x)	 (((x) >> 44) & 0xf)
#define SGI1R_AFF3(x)	 (((x) >> 48) & 0xff)

void vgic_decode_sgi1r(const struct vgic *v, unsigned sender, uint64_t value,
		       struct vgic_sgi *out)
{
	out->intid = (uint32_t)SGI1R_INTID(value);
	out->targets = 0;
	if (value & SGI1R_IRM) {
		for (unsigned c = 0; c < v->nr_vcpus; c++) {
			if (c != sender) {
				out->targets |= 1u << c;
			}
		}
		return;
	}
	uint64_t upper = SGI1R_AFF3(value) << 32 | SGI1R_AFF2(value) << 16 |
			 SGI1R_AFF1(value) << 8;
	for (unsigned bit = 0; bit < 16; bit++) {
		if (!(SGI1R_TARGETS(value) & (1u << bit))) {
			continue;
		}
		uint64_t aff0 = SGI1R_RS(value) * 16 + bit;
		int c = vmm_mpidr_vcpu(upper | aff0, v->nr_vcpus);
		if (c >= 0) {
			out->targets |= 1u << c;
		}
	}
}

void vgic_write_sgi1r(struct vgic *v, unsigned sender, uint64_t value)
{
	struct vgic_sgi sgi;

	vgic_decode_sgi1r(v, sender, value, &sgi);
	for (unsigned c = 0; c < v->nr_vcpus; c++) {
		if (sgi.targets & (1u << c)) {
			vgic_raise_sgi(v, c, sgi.intid);
		}
	}
}

/* --- Registers shared by the distributor and SGI_base --------------------- */

/* What the kernel holds of an interrupt handed to it: asked only until it
 * reports the interrupt gone, so a register read costs a query per
 * interrupt still in flight, not one per bit. */
static unsigned kernel_state(struct vgic *v, unsigned vcpu, uint32_t intid,
			     struct vgic_irq *irq)
{
	int target = target_of(v, vcpu, intid);
	unsigned state;

	/* The virtual timer's PPI is the kernel's to deliver (the model never
	 * hands it over), so its state is always asked for. */
	bool kernels = intid == VGIC_VTIMER_INTID;
	if (v->query == NULL || !(irq->handed || kernels) || target < 0) {
		return 0;
	}
	state = v->query(v->ctx, (unsigned)target, intid);
	if (!(state & (VGIC_QUERY_PENDING | VGIC_QUERY_ACTIVE))) {
		irq->handed = false;
	}
	return state;
}

static bool bit_read(struct vgic *v, unsigned vcpu, uint32_t intid,
		     enum bitreg r)
{
	struct vgic_irq *irq = irq_of(v, vcpu, intid);
	unsigned kernel = 0;

	if (irq == NULL) {
		return false;
	}
	if (r >= BR_SET_PENDING) {
		kernel = kernel_state(v, vcpu, intid, irq);
	}
	switch (r) {
	case BR_GROUP:
		return true; /* every interrupt is group 1 */
	case BR_SET_ENABLE:
	case BR_CLEAR_ENABLE:
		return irq->enabled;
	case BR_SET_PENDING:
	case BR_CLEAR_PENDING:
		return irq->pending || (!irq->edge && irq->line) ||
		       (kernel & VGIC_QUERY_PENDING);
	case BR_SET_ACTIVE:
	case BR_CLEAR_ACTIVE:
		return irq->active || (kernel & VGIC_QUERY_ACTIVE);
	}
	return false;
}

static void bit_write(struct vgic *v, unsigned vcpu, uint32_t intid,
		      enum bitreg r)
{
	struct vgic_irq *irq = irq_of(v, vcpu, intid);

	if (irq == NULL) {
		return;
	}
	switch (r) {
	case BR_GROUP:
		break; /* group 1 only: WI */
	case BR_SET_ENABLE:
		irq->enabled = true;
		update(v, vcpu, intid);
		break;
	case BR_CLEAR_ENABLE:
		irq->enabled = false;
		break;
	case BR_SET_PENDING:
		irq->pending = true;
		update(v, vcpu, intid);
		break;
	case BR_CLEAR_PENDING:
		irq->pending = false;
		break;
	case BR_SET_ACTIVE:
		irq->active = true;
		break;
	case BR_CLEAR_ACTIVE:
		irq->active = false;
		break;
	}
}

/* A 32-bit one-bit-per-interrupt register for INTIDs first..first+31. */
static void bits_access(struct vgic *v, unsigned vcpu, uint32_t first,
			enum bitreg r, struct mmio_access *a)
{
	for (uint32_t i = 0; i < 32; i++) {
		if (!a->write) {
			a->value |= (uint64_t)bit_read(v, vcpu, first + i, r)
				    << i;
		} else if (a->value & (1ull << i)) {
			bit_write(v, vcpu, first + i, r);
		}
	}
}

/* IPRIORITYR bytes for INTIDs first..first+size-1. */
static void priority_access(struct vgic *v, unsigned vcpu, uint32_t first,
			    struct mmio_access *a)
{
	for (uint32_t i = 0; i < a->size; i++) {
		struct vgic_irq *irq = irq_of(v, vcpu, first + i);
		if (irq == NULL) {
			continue;
		}
		if (a->write) {
			irq->priority = (uint8_t)(a->value >> (8 * i));
		} else {
			a->value |= (uint64_t)irq->priority << (8 * i);
		}
	}
}

/* ICFGR for INTIDs first..first+15: bit 2k+1 is edge, bit 2k RES0. */
static void config_access(struct vgic *v, unsigned vcpu, uint32_t first,
			  struct mmio_access *a)
{
	for (uint32_t k = 0; k < 16; k++) {
		struct vgic_irq *irq = irq_of(v, vcpu, first + k);
		if (irq == NULL) {
			continue;
		}
		if (!a->write) {
			a->value |= (uint64_t)irq->edge << (2 * k + 1);
			continue;
		}
		bool edge = (a->value >> (2 * k + 1)) & 1;
		if (edge != irq->edge) {
			irq->edge = edge;
			irq->injected = false;
			update(v, vcpu, first + k);
		}
	}
}

/* A 64-bit register reached whole or by either 32-bit half. */
static uint64_t reg64_get(uint64_t reg, uint64_t offset, unsigned size)
{
	return size == 8 ? reg : (reg >> (8 * (offset & 4))) & 0xffffffffu;
}

static uint64_t reg64_put(uint64_t reg, uint64_t offset, unsigned size,
			  uint64_t value)
{
	if (size == 8) {
		return value;
	}
	unsigned shift = 8 * (offset & 4);
	return (reg & ~(0xffffffffull << shift)) | (value & 0xffffffffu)
						       << shift;
}

/* --- Distributor ---------------------------------------------------------- */

/* A read-only register: reads give value, writes are ignored. */
static void read_only(struct mmio_access *a, uint64_t value)
{
	if (!a->write) {
		a->value = value;
	}
}

static bool in(uint64_t offset, uint64_t start, uint64_t end)
{
	return offset >= start && offset < end;
}

static bool dist_width_ok(uint64_t offset, unsigned size)
{
	if (!mmio_aligned(offset, size)) {
		return false;
	}
	switch (size) {
	case 4:
		return true;
	case 8:
		return in(offset, GICD_IROUTER, GICD_IROUTER_END);
	case 1:
		return in(offset, GICD_IPRIORITYR, GICD_ICFGR) ||
		       in(offset, GICD_SGI_BYTES, GICD_SGI_END);
	default:
		return false;
	}
}

static uint32_t dist_typer(const struct vgic *v)
{
	/* ITLinesNumber N: INTIDs up to 32 * (N + 1) - 1. */
	return (v->nr_spis / 32) | TYPER_IDBITS_10 | TYPER_NO1N;
}

static void dist_ctlr(struct vgic *v, struct mmio_access *a)
{
	if (!a->write) {
		a->value = v->ctlr | CTLR_ARE | CTLR_DS;
		return;
	}
	bool was = v->ctlr & CTLR_ENABLE_G1;
	v->ctlr = (uint32_t)a->value & (CTLR_ENABLE_G0 | CTLR_ENABLE_G1);
	if (!was && (v->ctlr & CTLR_ENABLE_G1)) {
		kick_all(v); /* what was latched while off goes now */
	}
}

static void dist_irouter(struct vgic *v, uint64_t offset, struct mmio_access *a)
{
	uint32_t intid = (uint32_t)((offset - GICD_IROUTER) / 8);
	uint32_t spi = intid - VGIC_SPI_BASE;

	if (intid < VGIC_SPI_BASE || spi >= v->nr_spis) {
		return; /* RAZ/WI */
	}
	if (!a->write) {
		a->value = reg64_get(v->irouter[spi], offset, a->size);
		return;
	}
	v->irouter[spi] =
	    reg64_put(v->irouter[spi], offset, a->size, a->value) &
	    IROUTER_MASK;
	update(v, 0, intid); /* pending, and now routed to a vCPU */
}

/* The distributor's per-SPI banks; INTIDs 0..31 live in the
 * redistributors with affinity routing, so their words here are RAZ/WI. */
static void dist_banks(struct vgic *v, uint64_t offset, struct mmio_access *a)
{
	if (in(offset, GICD_IGROUPR, GICD_BITS_END)) {
		uint64_t rel = offset - GICD_IGROUPR;
		uint32_t first = (uint32_t)(rel % 0x80) * 8;
		if (first >= VGIC_SPI_BASE) {
			bits_access(v, 0, first, (enum bitreg)(rel / 0x80), a);
		}
	} else if (in(offset, GICD_IPRIORITYR, GICD_ITARGETSR)) {
		uint32_t first = (uint32_t)(offset - GICD_IPRIORITYR);
		if (first >= VGIC_SPI_BASE) {
			priority_access(v, 0, first, a);
		}
	} else if (in(offset, GICD_ICFGR, GICD_ICFGR_END)) {
		uint32_t first = (uint32_t)(offset - GICD_ICFGR) * 4;
		if (first >= VGIC_SPI_BASE) {
			config_access(v, 0, first, a);
		}
	} else if (in(offset, GICD_IROUTER, GICD_IROUTER_END)) {
		dist_irouter(v, offset, a);
	}
}

bool vgic_dist_mmio(void *vgic, uint64_t offset, struct mmio_access *a)
{
	struct vgic *v = vgic;

	if (!dist_width_ok(offset, a->size)) {
		return false;
	}
	switch (offset) {
	case GICD_CTLR:
		dist_ctlr(v, a);
		return true;
	case GICD_TYPER:
		read_only(a, dist_typer(v));
		return true;
	case GICD_IIDR:
		read_only(a, VGIC_IIDR);
		return true;
	case GIC_PIDR2:
		read_only(a, VGIC_PIDR2);
		return true;
	case GICD_TYPER2:
		return true; /* RAZ */
	default:
		dist_banks(v, offset, a);
		return true;
	}
}

/* --- Redistributors ------------------------------------------------------- */

static bool rd_width_ok(uint64_t offset, unsigned size)
{
	if (!mmio_aligned(offset, size)) {
		return false;
	}
	switch (size) {
	case 4:
		return true;
	case 8:
		return offset == GICR_TYPER || offset == GICR_PROPBASER ||
		       offset == GICR_PENDBASER;
	case 1:
		return in(offset, GICR_SGI_BASE + GICR_IPRIORITYR,
			  GICR_SGI_BASE + GICR_IPRIO_END);
	default:
		return false;
	}
}

static uint64_t rd_typer(const struct vgic *v, unsigned vcpu)
{
	uint64_t mpidr = vmm_vcpu_mpidr(vcpu);
	uint64_t aff = (mpidr & 0xffffff) | ((mpidr >> 32) & 0xff) << 24;
	uint64_t typer = aff << 32 | (uint64_t)vcpu << 8;

	if (vcpu == v->nr_vcpus - 1) {
		typer |= TYPER_LAST;
	}
	return typer;
}

/* RD_base: the control frame. */
static void rd_base(struct vgic *v, unsigned vcpu, uint64_t offset,
		    struct mmio_access *a)
{
	struct vgic_cpu *cpu = &v->cpu[vcpu];

	if (offset == GICR_WAKER) {
		if (a->write) {
			/* The children fall asleep and wake at once. */
			cpu->asleep = (a->value & WAKER_SLEEP) != 0;
		} else {
			a->value =
			    cpu->asleep ? WAKER_SLEEP | WAKER_CHILDREN : 0;
		}
	} else if (offset == GICR_TYPER || offset == GICR_TYPER + 4) {
		read_only(a, reg64_get(rd_typer(v, vcpu), offset, a->size));
	} else if (offset == GICR_IIDR) {
		read_only(a, VGIC_IIDR);
	} else if (offset == GIC_PIDR2) {
		read_only(a, VGIC_PIDR2);
	}
	/* Everything else (CTLR, STATUSR, PROPBASER, ...) is RAZ/WI. */
}

/* SGI_base: the SGIs' and PPIs' banks (only their first words exist). */
static void rd_sgi_base(struct vgic *v, unsigned vcpu, uint64_t offset,
			struct mmio_access *a)
{
	if (in(offset, GICD_IGROUPR, GICD_BITS_END)) {
		uint64_t rel = offset - GICD_IGROUPR;
		if (rel % 0x80 == 0) {
			bits_access(v, vcpu, 0, (enum bitreg)(rel / 0x80), a);
		}
	} else if (in(offset, GICR_IPRIORITYR, GICR_IPRIO_END)) {
		priority_access(v, vcpu, (uint32_t)(offset - GICR_IPRIORITYR),
				a);
	} else if (offset == GICR_ICFGR0) {
		read_only(a, ICFGR_SGIS_EDGE);
	} else if (offset == GICR_ICFGR1) {
		config_access(v, vcpu, 16, a);
	}
}

bool vgic_redist_mmio(void *vgic, uint64_t offset, struct mmio_access *a)
{
	struct vgic *v = vgic;
	uint64_t vcpu = offset / VGIC_REDIST_STRIDE;
	uint64_t frame = offset % VGIC_REDIST_STRIDE;

	if (vcpu >= v->nr_vcpus || !rd_width_ok(frame, a->size)) {
		return false;
	}
	if (frame < GICR_SGI_BASE) {
		rd_base(v, (unsigned)vcpu, frame, a);
	} else {
		rd_sgi_base(v, (unsigned)vcpu, frame - GICR_SGI_BASE, a);
	}
	return true;
}
