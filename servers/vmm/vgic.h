/*
 * The VMM's half of a guest's GICv3: the distributor and redistributor MMIO
 * frames, SGIs from trapped ICC_SGI1R_EL1 writes, and interrupts raised by
 * emulated devices. Portable (no system calls), so host unit tests drive it.
 *
 * The split (docs/architecture.md, Guests): the kernel owns the virtual CPU
 * interface (list registers, maintenance, a per-VCPU queue). This model keeps
 * what decides whether an interrupt goes to a vCPU: per interrupt the enable,
 * a pending latch, the line level, configuration, priority and (SPIs) route,
 * plus the distributor's group enable. When an interrupt becomes deliverable
 * it calls the caller's inject() (VCPU.InjectIRQ(intid, priority, group 1));
 * from then on the kernel holds its pending and active state, which this model
 * cannot see or take back. Hence:
 *  - ISPENDR/ISACTIVER reads show the model's own latch (and a level line)
 *    ORed with what the optional query() callback reports from the kernel,
 *    asked only about interrupts injected and not since reported gone;
 *    without query() an interrupt sitting in a list register reads as not
 *    pending/active (Linux's synchronize_irq() then does not wait on it).
 *  - ICPENDR, ICACTIVER and ICENABLER cannot withdraw an interrupt already
 *    handed to the kernel: they act on the model's state only.
 *  - A level interrupt is injected when its line rises (or it becomes enabled
 *    with the line high) and again on vgic_eoi() if still high. Until the
 *    kernel reports EOIs of level lines (not yet there), a line that stays
 *    high across the guest's EOI is not delivered again by itself.
 *
 * The view is a GIC with a single security state (GICD_CTLR.DS = 1, as KVM
 * and QEMU without secure=on show it, matching the virtual CPU interface):
 * affinity routing always on (ARE, bit 4, RAO), group-1 enable in bit 1
 * (where a non-secure view has EnableGrp1A), bit 0 stored but without effect
 * (no group 0 exists), every interrupt group 1 (IGROUPR RAO/WI), no
 * LPIs, ITS, MBIs, extended ranges, 1-of-N routing or range selector.
 * Accesses: 32-bit everywhere; 64-bit (or either 32-bit half) for IROUTER
 * and GICR_TYPER; bytes for IPRIORITYR (and the RAZ/WI ITARGETSR, *SGIR).
 * Other widths and misaligned accesses are refused (the caller aborts).
 * Unimplemented registers read as zero and ignore writes. Not modelled:
 * GICR_WAKER's sleep does not hold back delivery; the virtual timer's PPI 27
 * is the kernel's (this model keeps its registers but never injects it unless
 * asked); ICC_SGI0R_EL1 / ICC_ASGI1R_EL1 (no group 0 exists).
 *
 * All state is in struct vgic, one per domain, owned by the caller.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "affinity.h"
#include "mmio.h"

#define VGIC_DIST_BASE	    0x08000000ull
#define VGIC_DIST_SIZE	    0x10000ull
#define VGIC_REDIST_BASE    0x080a0000ull
#define VGIC_REDIST_STRIDE  0x20000ull /* RD_base + SGI_base frames */
#define VGIC_MAX_SPIS	    256	       /* INTIDs 32..287 */
#define VGIC_NR_PRIVATE	    32	       /* SGIs 0..15, PPIs 16..31 */
#define VGIC_SPI_BASE	    32
#define VGIC_QUERY_PENDING  1u
#define VGIC_QUERY_ACTIVE   2u
#define VGIC_PRIORITY_RESET 0
#define VGIC_VTIMER_INTID   27 /* the guest's virtual timer: the kernel's */

/* Make intid pending in vcpu at priority (group 1). False when the kernel
 * could not take it (its queue is full): the model keeps it pending and
 * tries again at the next event for that interrupt or vgic_kick(). */
typedef bool (*vgic_inject_fn)(void *ctx, unsigned vcpu, uint32_t intid,
			       uint8_t priority);
/* VGIC_QUERY_PENDING | VGIC_QUERY_ACTIVE as the kernel holds intid for vcpu
 * (an SPI: the vCPU it is routed to). */
typedef unsigned (*vgic_query_fn)(void *ctx, unsigned vcpu, uint32_t intid);

struct vgic_irq {
	uint8_t priority;
	bool enabled;
	bool pending;  /* latched: an edge, or ISPENDR; not yet injected */
	bool active;   /* as written through ISACTIVER/ICACTIVER */
	bool edge;     /* ICFGR: edge-triggered (else level-sensitive) */
	bool line;     /* the input's level as last set */
	bool injected; /* level: handed to the kernel while the line is high */
	bool handed;   /* injected and not yet reported gone by query() */
};

struct vgic_cpu {
	struct vgic_irq priv[VGIC_NR_PRIVATE];
	bool asleep; /* GICR_WAKER.ProcessorSleep (and ChildrenAsleep) */
};

struct vgic {
	unsigned nr_vcpus, nr_spis;
	uint32_t ctlr; /* GICD_CTLR's writable bits */
	vgic_inject_fn inject;
	vgic_query_fn query;
	void *ctx;
	struct vgic_cpu cpu[VMM_MAX_VCPUS];
	struct vgic_irq spi[VGIC_MAX_SPIS];
	uint64_t irouter[VGIC_MAX_SPIS];
};

struct vgic_config {
	unsigned nr_vcpus; /* 1..VMM_MAX_VCPUS */
	unsigned nr_spis;  /* a multiple of 32, 32..VGIC_MAX_SPIS */
	vgic_inject_fn inject;
	vgic_query_fn query; /* may be NULL */
	void *ctx;
};

/* The decoded target set of an SGI: bit i is vCPU i. */
struct vgic_sgi {
	uint32_t intid;
	uint32_t targets;
};

/* Reset state (also for a system reset). 0, or -1 for a bad config. */
int vgic_init(struct vgic *v, const struct vgic_config *cfg);

/* Size of the redistributor region: one 128 KiB frame pair per vCPU. */
uint64_t vgic_redist_size(const struct vgic *v);

/* MMIO handlers for mmio_bus_add(): opaque is the struct vgic; the
 * distributor at VGIC_DIST_BASE, the redistributors at VGIC_REDIST_BASE
 * (offset / VGIC_REDIST_STRIDE is the vCPU). */
bool vgic_dist_mmio(void *vgic, uint64_t offset, struct mmio_access *a);
bool vgic_redist_mmio(void *vgic, uint64_t offset, struct mmio_access *a);

/* An SPI's input line (emulated devices). Edge-triggered: a rising edge
 * makes it pending. Level-sensitive: pending while high. Either is injected
 * into the vCPU it is routed to once enabled. Other INTIDs are ignored. */
void vgic_set_level(struct vgic *v, uint32_t intid, bool level);

/* A PPI's input line at one vCPU (e.g. an emulated EL1 physical timer). */
void vgic_set_ppi_level(struct vgic *v, unsigned vcpu, uint32_t intid,
			bool level);

/* An edge on a PPI (16..31) or SGI (0..15) of one vCPU. */
void vgic_raise_ppi(struct vgic *v, unsigned vcpu, uint32_t intid);
void vgic_raise_sgi(struct vgic *v, unsigned vcpu, uint32_t intid);

/* A trapped write of value to ICC_SGI1R_EL1 by vCPU sender: which SGI and
 * which vCPUs (IRM: everyone but the sender; else Aff3.Aff2.Aff1 and the
 * target list, RS selecting Aff0 16*RS..16*RS+15). Absent vCPUs drop out. */
void vgic_decode_sgi1r(const struct vgic *v, unsigned sender, uint64_t value,
		       struct vgic_sgi *out);
/* Decodes and raises it in every target. */
void vgic_write_sgi1r(struct vgic *v, unsigned sender, uint64_t value);

/* The guest EOIed intid on vcpu (for when the kernel reports it): a level
 * interrupt whose line is still high is injected again. */
void vgic_eoi(struct vgic *v, unsigned vcpu, uint32_t intid);

/* Tries again every pending, deliverable interrupt bound for vcpu (after
 * inject() failed for lack of room in the kernel). */
void vgic_kick(struct vgic *v, unsigned vcpu);
