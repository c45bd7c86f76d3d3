/*
 * The GICv3 virtual CPU interface, owned by the kernel: a guest reads and
 * EOIs its interrupts through the hardware's virtual interface (no exit),
 * and the kernel fills the list registers from each VCPU's queue of
 * pending virtual interrupts (VCPU.InjectIRQ, the guest's virtual timer).
 * A VCPU's list registers, active priorities and VMCR are switched with
 * its EL1 state (vcpu.c); when the queue holds more than the list
 * registers take, the underflow maintenance interrupt asks for a refill.
 */
#include "arch.h"
#include "arch/cpu.h"
#include "arch/sysreg.h"
#include "assert.h"
#include "objects/vcpu.h"

#define ICH_AP0R0_EL2 "S3_4_C12_C8_0"
#define ICH_AP1R0_EL2 "S3_4_C12_C9_0"
#define ICH_HCR_EL2   "S3_4_C12_C11_0"
#define ICH_VTR_EL2   "S3_4_C12_C11_1"
#define ICH_MISR_EL2  "S3_4_C12_C11_2"
#define ICH_EISR_EL2  "S3_4_C12_C11_3"
#define ICH_ELRSR_EL2 "S3_4_C12_C11_5"
#define ICH_VMCR_EL2  "S3_4_C12_C11_7"

#define ICH_HCR_EN   (1UL << 0)
#define ICH_HCR_UIE  (1UL << 1) /* maintenance when the LRs run (almost) dry */
#define ICH_MISR_EOI (1UL << 0)

#define LR_STATE_PENDING (1UL << 62)
#define LR_STATE_MASK	 (3UL << 62)
#define LR_GROUP1	 (1UL << 60)
#define LR_EOI		 (1UL << 41) /* maintenance when the guest EOIs it */
#define LR_PRIORITY(p)	 ((uint64_t)(p) << 48)
#define LR_INTID(lr)	 ((uint32_t)((lr)&0xffffffff))

#define VTIMER_INTID	  27 /* the guest's virtual timer, a PPI by architecture */
#define MAINTENANCE_INTID 25

struct gic_state {
	uint64_t lr[VGIC_MAX_LRS];
	uint64_t hcr, vmcr, ap0r0, ap1r0;
	uint32_t queued;
	uint64_t queue[VGIC_QUEUE]; /* LR values not yet in an LR */
	/* INTIDs EOIed that the VMM asked to hear of (CAIRN_VIRQ_EOI_EXIT),
	 * not yet told: a bit each. */
	uint64_t eoi_exit[CAIRN_VIRQ_LIMIT / 64 + 1];
	/* Bit w set iff eoi_exit[w] is not 0: every entry into a guest asks,
	 * so one word answers. */
	uint64_t eoi_exit_words;
};

_Static_assert(sizeof(struct gic_state) <= sizeof(((struct vcpu *)0)->gic),
	       "the vGIC state fits a VCPU's gic words");

static unsigned nr_lrs;	      /* 0: no virtual CPU interface */
static unsigned ap_shift;     /* an active-priority bit's priority shift */
static uint32_t vtimer_intid; /* the EL1 virtual timer's PPI (the DTB's) */

static struct gic_state *gic_of(struct vcpu *v)
{
	return (struct gic_state *)v->gic;
}

static uint64_t read_lr(unsigned n)
{
	switch (n) {
	case 0:
		return sysreg_read("S3_4_C12_C12_0");
	case 1:
		return sysreg_read("S3_4_C12_C12_1");
	case 2:
		return sysreg_read("S3_4_C12_C12_2");
	case 3:
		return sysreg_read("S3_4_C12_C12_3");
	case 4:
		return sysreg_read("S3_4_C12_C12_4");
	case 5:
		return sysreg_read("S3_4_C12_C12_5");
	case 6:
		return sysreg_read("S3_4_C12_C12_6");
	case 7:
		return sysreg_read("S3_4_C12_C12_7");
	case 8:
		return sysreg_read("S3_4_C12_C13_0");
	case 9:
		return sysreg_read("S3_4_C12_C13_1");
	case 10:
		return sysreg_read("S3_4_C12_C13_2");
	case 11:
		return sysreg_read("S3_4_C12_C13_3");
	case 12:
		return sysreg_read("S3_4_C12_C13_4");
	case 13:
		return sysreg_read("S3_4_C12_C13_5");
	case 14:
		return sysreg_read("S3_4_C12_C13_6");
	default:
		return sysreg_read("S3_4_C12_C13_7");
	}
}

static void write_lr(unsigned n, uint64_t v)
{
	switch (n) {
	case 0:
		sysreg_write("S3_4_C12_C12_0", v);
		break;
	case 1:
		sysreg_write("S3_4_C12_C12_1", v);
		break;
	case 2:
		sysreg_write("S3_4_C12_C12_2", v);
		break;
	case 3:
		sysreg_write("S3_4_C12_C12_3", v);
		break;
	case 4:
		sysreg_write("S3_4_C12_C12_4", v);
		break;
	case 5:
		sysreg_write("S3_4_C12_C12_5", v);
		break;
	case 6:
		sysreg_write("S3_4_C12_C12_6", v);
		break;
	case 7:
		sysreg_write("S3_4_C12_C12_7", v);
		break;
	case 8:
		sysreg_write("S3_4_C12_C13_0", v);
		break;
	case 9:
		sysreg_write("S3_4_C12_C13_1", v);
		break;
	case 10:
		sysreg_write("S3_4_C12_C13_2", v);
		break;
	case 11:
		sysreg_write("S3_4_C12_C13_3", v);
		break;
	case 12:
		sysreg_write("S3_4_C12_C13_4", v);
		break;
	case 13:
		sysreg_write("S3_4_C12_C13_5", v);
		break;
	case 14:
		sysreg_write("S3_4_C12_C13_6", v);
		break;
	default:
		sysreg_write("S3_4_C12_C13_7", v);
		break;
	}
}

bool arch_vgic_interface_off(void)
{
	return sysreg_read(ICH_HCR_EL2) == 0;
}

void arch_vgic_init(uint32_t vtimer_ppi)
{
	vtimer_intid = vtimer_ppi;
	uint64_t vtr = sysreg_read(ICH_VTR_EL2);

	nr_lrs = (unsigned)(vtr & 0x1f) + 1;
	/* PREbits + 1 bits of preemption: AP bit n is group priority
	 * n << (8 - those bits). */
	ap_shift = 8 - ((unsigned)((vtr >> 26) & 7) + 1);
	if (nr_lrs > VGIC_MAX_LRS) {
		nr_lrs = VGIC_MAX_LRS;
	}
	sysreg_write(ICH_HCR_EL2, 0);
	if (nr_lrs == 0) {
		return;
	}
	arch_gic_configure(MAINTENANCE_INTID, false);
	arch_gic_set_enabled(MAINTENANCE_INTID, true);
}

void arch_irq_for_natives(uint32_t intid)
{
	if (intid == vtimer_intid) {
		arch_el1_for_natives();
	}
}

uint32_t arch_vgic_maintenance_intid(void)
{
	return MAINTENANCE_INTID;
}

void arch_vgic_reset(struct vcpu *v)
{
	struct gic_state *g = gic_of(v);

	for (unsigned i = 0; i < VGIC_MAX_LRS; i++) {
		g->lr[i] = 0;
	}
	/* VMCR: VENG1 (group 1 enabled is the guest's choice: off), VPMR 0
	 * (masks everything until the guest sets its priority mask). */
	g->hcr = ICH_HCR_EN;
	g->vmcr = 0;
	g->ap0r0 = g->ap1r0 = 0;
	g->queued = 0;
	for (unsigned w = 0; w < CAIRN_VIRQ_LIMIT / 64 + 1; w++) {
		g->eoi_exit[w] = 0;
	}
	g->eoi_exit_words = 0;
}

/* The LRs this VCPU's interrupts may take: those the hardware marks empty
 * (ICH_ELRSR_EL2) while it is loaded. */
static bool place(struct gic_state *g, uint64_t lr)
{
	uint64_t empty = sysreg_read(ICH_ELRSR_EL2);

	for (unsigned n = 0; n < nr_lrs; n++) {
		if (empty & (1UL << n)) {
			write_lr(n, lr);
			g->lr[n] = lr;
			return true;
		}
	}
	return false;
}

/* Loaded: as many queued interrupts as fit, and UIE while some wait. */
static void refill(struct gic_state *g)
{
	uint32_t left = 0;

	for (uint32_t i = 0; i < g->queued; i++) {
		if (!place(g, g->queue[i])) {
			g->queue[left++] = g->queue[i];
		}
	}
	g->queued = left;
	g->hcr = ICH_HCR_EN | (left != 0 ? ICH_HCR_UIE : 0);
	sysreg_write(ICH_HCR_EL2, g->hcr);
}

void arch_vgic_load(struct vcpu *v)
{
	struct gic_state *g = gic_of(v);
	struct cpu *c = this_cpu();

	if (nr_lrs == 0) {
		return;
	}
	/* While a guest's timer is loaded its PPI is the guest's, enabled
	 * whatever the native handler (if any) left it at. */
	c->native_vtimer_enabled = arch_gic_enabled(vtimer_intid);
	arch_gic_set_enabled(vtimer_intid, true);
	sysreg_write(ICH_VMCR_EL2, g->vmcr);
	sysreg_write(ICH_AP0R0_EL2, g->ap0r0);
	sysreg_write(ICH_AP1R0_EL2, g->ap1r0);
	for (unsigned n = 0; n < nr_lrs; n++) {
		write_lr(n, g->lr[n]);
	}
	isb();
	refill(g);
}

void arch_vgic_save(struct vcpu *v)
{
	struct gic_state *g = gic_of(v);

	if (nr_lrs == 0) {
		return;
	}
	g->vmcr = sysreg_read(ICH_VMCR_EL2);
	g->ap0r0 = sysreg_read(ICH_AP0R0_EL2);
	g->ap1r0 = sysreg_read(ICH_AP1R0_EL2);
	for (unsigned n = 0; n < nr_lrs; n++) {
		g->lr[n] = read_lr(n);
		write_lr(n, 0);
	}
	/* Native threads run with the virtual interface off, and the
	 * virtual timer's PPI as their handler set it. */
	sysreg_write(ICH_HCR_EL2, 0);
	isb();
	arch_gic_set_enabled(vtimer_intid, this_cpu()->native_vtimer_enabled);
}

/* Already pending in an LR or the queue: an edge seen twice is one. */
static bool already_pending(const struct gic_state *g, uint32_t intid)
{
	for (unsigned n = 0; n < nr_lrs; n++) {
		if ((g->lr[n] & LR_STATE_MASK) != 0 &&
		    LR_INTID(g->lr[n]) == intid) {
			return true;
		}
	}
	for (uint32_t i = 0; i < g->queued; i++) {
		if (LR_INTID(g->queue[i]) == intid) {
			return true;
		}
	}
	return false;
}

uint64_t arch_vgic_irq_state(struct vcpu *v, uint32_t intid)
{
	struct gic_state *g = gic_of(v);
	bool live = this_cpu()->el1_owner == v;
	uint64_t state = 0;

	for (unsigned n = 0; n < nr_lrs; n++) {
		uint64_t lr = live ? read_lr(n) : g->lr[n];
		if ((lr & LR_STATE_MASK) != 0 && LR_INTID(lr) == intid) {
			/* LR state: 01 pending, 10 active, 11 both. */
			state |= (lr >> 62) & 3;
		}
	}
	for (uint32_t i = 0; i < g->queued; i++) {
		if (LR_INTID(g->queue[i]) == intid) {
			state |= CAIRN_VIRQ_PENDING;
		}
	}
	return state;
}

/*
 * What ends a WFI: an interrupt the virtual CPU interface would signal
 * (pending, its group enabled, above the priority mask and the running
 * priority), as the architecture has it; PSTATE's masks do not count. A
 * pending interrupt the guest has masked at its GIC must not end every
 * WFI, or a guest waiting so would spin.
 */
static bool signalable(uint64_t lr, uint64_t vmcr, uint64_t active)
{
	unsigned prio = (unsigned)(lr >> 48) & 0xff;
	unsigned pmr = (unsigned)(vmcr >> 24) & 0xff;
	uint64_t grp_enable = (lr & LR_GROUP1) ? (vmcr >> 1) : vmcr;

	if (!(lr & LR_STATE_PENDING) || !(grp_enable & 1) || prio >= pmr) {
		return false;
	}
	/* Running priority: the highest active, the lowest set bit. */
	return active == 0 ||
	       (prio >> ap_shift) < (unsigned)__builtin_ctzll(active);
}

bool arch_vgic_has_pending(struct vcpu *v)
{
	struct gic_state *g = gic_of(v);
	bool live = this_cpu()->el1_owner == v;
	uint64_t vmcr = live ? sysreg_read(ICH_VMCR_EL2) : g->vmcr;
	uint64_t active =
	    live ? sysreg_read(ICH_AP0R0_EL2) | sysreg_read(ICH_AP1R0_EL2)
		 : g->ap0r0 | g->ap1r0;

	for (unsigned n = 0; n < nr_lrs; n++) {
		if (signalable(live ? read_lr(n) : g->lr[n], vmcr, active)) {
			return true;
		}
	}
	for (unsigned i = 0; i < g->queued; i++) {
		if (signalable(g->queue[i], vmcr, active)) {
			return true;
		}
	}
	return false;
}

bool arch_vgic_can_inject(struct vcpu *v)
{
	return nr_lrs != 0 && gic_of(v)->queued < VGIC_QUEUE;
}

static void inject(struct vcpu *v, uint32_t intid, uint8_t priority,
		   bool group1, bool eoi)
{
	struct gic_state *g = gic_of(v);
	uint64_t lr = LR_STATE_PENDING | (group1 ? LR_GROUP1 : 0) |
		      LR_PRIORITY(priority) | (eoi ? LR_EOI : 0) | intid;

	if (this_cpu()->el1_owner == v) {
		/* The hardware's LRs are the live copy: mine may be stale. */
		for (unsigned n = 0; n < nr_lrs; n++) {
			g->lr[n] = read_lr(n);
		}
	}
	if (already_pending(g, intid)) {
		return;
	}
	ASSERT(g->queued < VGIC_QUEUE); /* arch_vgic_can_inject said so */
	g->queue[g->queued++] = lr;
	if (this_cpu()->el1_owner == v) {
		refill(g);
	}
}

void arch_vgic_inject(struct vcpu *v, uint32_t intid, uint8_t priority,
		      bool group1, bool eoi_exit)
{
	inject(v, intid, priority, group1, eoi_exit);
}

static inline bool eoi_exits_empty(const struct gic_state *g)
{
	for (unsigned w = 0; w < CAIRN_VIRQ_LIMIT / 64 + 1; w++) {
		if (g->eoi_exit[w] != 0) {
			return false;
		}
	}
	return true;
}

bool arch_vgic_eoi_exits_pending(struct vcpu *v)
{
	const struct gic_state *g = gic_of(v);

	ASSERT((g->eoi_exit_words != 0) == !eoi_exits_empty(g));
	return g->eoi_exit_words != 0;
}

unsigned arch_vgic_take_eoi_exits(struct vcpu *v, uint64_t *out, unsigned max)
{
	struct gic_state *g = gic_of(v);
	unsigned n = 0;

	for (unsigned w = 0; w < CAIRN_VIRQ_LIMIT / 64 + 1 && n < max; w++) {
		while (g->eoi_exit[w] != 0 && n < max) {
			unsigned bit =
			    (unsigned)__builtin_ctzll(g->eoi_exit[w]);
			g->eoi_exit[w] &= ~(1UL << bit);
			out[n++] = w * 64 + bit;
		}
		if (g->eoi_exit[w] == 0) {
			g->eoi_exit_words &= ~(1UL << w);
		}
	}
	return n;
}

void arch_vgic_timer_fired(struct vcpu *v)
{
	/* Level-triggered by nature: the kernel masked the timer; the guest's
	 * EOI (a maintenance interrupt) unmasks it, so it fires again only if
	 * the guest left it due. */
	if (arch_vgic_can_inject(v)) {
		inject(v, vtimer_intid, 0, true, true);
	}
}

void arch_vgic_maintenance(void)
{
	struct vcpu *v = this_cpu()->el1_owner;

	if (v == NULL || nr_lrs == 0) {
		sysreg_write(ICH_HCR_EL2, 0);
		return;
	}
	struct gic_state *g = gic_of(v);
	uint64_t misr = sysreg_read(ICH_MISR_EL2);
	if (misr & ICH_MISR_EOI) {
		uint64_t eisr = sysreg_read(ICH_EISR_EL2);
		for (unsigned n = 0; n < nr_lrs; n++) {
			if (!(eisr & (1UL << n))) {
				continue;
			}
			uint64_t lr = read_lr(n);
			write_lr(n, 0);
			uint32_t intid = LR_INTID(lr);
			if (intid == vtimer_intid) {
				/* Handled: the timer may assert again. */
				write_sysreg(cntv_ctl_el0,
					     read_sysreg(cntv_ctl_el0) & ~2UL);
			} else if (intid < CAIRN_VIRQ_LIMIT) {
				/* Its VMM's level line: it will hear. */
				g->eoi_exit[intid / 64] |= 1UL << (intid % 64);
				g->eoi_exit_words |= 1UL << (intid / 64);
			}
		}
	}
	for (unsigned n = 0; n < nr_lrs; n++) {
		g->lr[n] = read_lr(n);
	}
	refill(g);
}
