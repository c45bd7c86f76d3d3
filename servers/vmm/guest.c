/*
 * A domain's life as its VMM drives it: the payload copied into guest RAM,
 * vCPUs started and stopped through their TCB and VCPU caps, the emulated
 * devices wired to the kernel's vGIC, pause, resume, restart, power off.
 */
#include "vmm.h"

#include <cairn/invocations.h>
#include <libcairn/invoke.h>
#include <stdio.h>
#include <string.h>

/* SCTLR_EL1's RES1 bits with the MMU and caches off: the reset state. */
#define SCTLR_EL1_RESET 0x30d00800UL
#define GROUP1		CAIRN_VIRQ_GROUP1

static int must(struct cairn_result r, const char *what, unsigned i)
{
	if (r.error != CAIRN_OK) {
		vmm_log("%s (vCPU %u) failed: %s (details %lu, %lu)", what, i,
			cairn_error_name(r.error), r.detail[0], r.detail[1]);
		return -1;
	}
	return 0;
}

/* A level-triggered line of ours: its EOI must come back to us (an exit),
 * so that a line still high is asserted again. */
static bool level_triggered(const struct vgic *g, unsigned vcpu, uint32_t intid)
{
	if (intid >= VGIC_SPI_BASE) {
		return intid - VGIC_SPI_BASE < g->nr_spis &&
		       !g->spi[intid - VGIC_SPI_BASE].edge;
	}
	return intid >= 16 && !g->cpu[vcpu].priv[intid].edge;
}

/* The vgic's way to the kernel: VCPU.InjectIRQ on the target vCPU. */
static bool inject(void *ctx, unsigned vcpu, uint32_t intid, uint8_t prio)
{
	struct vmm *v = ctx;

	if (vcpu >= v->info->vcpus) {
		return false;
	}
	uint64_t how =
	    GROUP1 |
	    (level_triggered(&v->vgic, vcpu, intid) ? CAIRN_VIRQ_EOI_EXIT : 0);
	uint64_t t = cairn_counter();
	struct cairn_result r =
	    cairn_vcpu_inject_irq(v->vcpu[vcpu].vcpu, intid, prio, how);
	v->n.ticks_inject += cairn_counter() - t;
	if (r.error != CAIRN_OK) {
		v->n.inject_failures++;
		return false;
	}
	v->n.irqs_injected++;
	return true;
}

/* The kernel holds what the guest has taken: pending and active bits of
 * an interrupt the model handed over, for GICR_ISPENDR0/ISACTIVER0. */
static unsigned query(void *ctx, unsigned vcpu, uint32_t intid)
{
	struct vmm *v = ctx;
	uint64_t state = 0;

	if (vcpu >= v->info->vcpus ||
	    cairn_vcpu_irq_state(v->vcpu[vcpu].vcpu, intid, &state).error !=
		CAIRN_OK) {
		return 0;
	}
	return (state & CAIRN_VIRQ_PENDING ? VGIC_QUERY_PENDING : 0) |
	       (state & CAIRN_VIRQ_ACTIVE ? VGIC_QUERY_ACTIVE : 0);
}

static void uart_output(void *ctx, uint8_t byte)
{
	(void)ctx;
	putchar(byte);
}

static int devices_reset(struct vmm *v)
{
	const struct vmm_info *in = v->info;
	struct vgic_config cfg = {.nr_vcpus = in->vcpus,
				  .nr_spis = 64,
				  .inject = inject,
				  .query = query,
				  .ctx = v};

	mmio_bus_init(&v->bus);
	pl011_init(&v->uart, uart_output, v);
	if (vgic_init(&v->vgic, &cfg) != 0 ||
	    psci_init(&v->psci, in->vcpus, in->ram_ipa, in->ram_size) != 0 ||
	    mmio_bus_add(&v->bus, VGIC_DIST_BASE, VGIC_DIST_SIZE,
			 vgic_dist_mmio, &v->vgic) != 0 ||
	    mmio_bus_add(&v->bus, VGIC_REDIST_BASE, vgic_redist_size(&v->vgic),
			 vgic_redist_mmio, &v->vgic) != 0 ||
	    mmio_bus_add(&v->bus, PL011_BASE, PL011_SIZE, pl011_mmio,
			 &v->uart) != 0) {
		vmm_log("the emulated devices could not be set up");
		return -1;
	}
	return 0;
}

int guest_setup(struct vmm *v, const struct vmm_info *info)
{
	memset(v, 0, sizeof(*v));
	v->info = info;
	v->state = VMM_OFF;
	for (unsigned i = 0; i < info->vcpus; i++) {
		v->vcpu[i] = (struct vmm_vcpu){.index = i,
					       .tcb = info->vcpu_tcb[i],
					       .vcpu = info->vcpu[i]};
	}
	return devices_reset(v);
}

static void copy_part(const struct vmm *v, uint64_t ipa, uint64_t offset,
		      uint64_t size)
{
	const struct vmm_info *in = v->info;

	memcpy((char *)(in->ram_window + (ipa - in->ram_ipa)),
	       (const char *)(in->payload_window + offset), size);
}

/* The kernel, initrd and DTB into guest RAM, as at power-on. */
static void load_payload(const struct vmm *v)
{
	const struct vmm_info *in = v->info;

	copy_part(v, in->kernel_ipa, in->kernel_offset, in->kernel_size);
	if (in->initrd_size != 0) {
		copy_part(v, in->initrd_ipa, in->initrd_offset,
			  in->initrd_size);
	}
	copy_part(v, in->dtb_ipa, in->dtb_offset, in->dtb_size);
}

/* The VCPU's EL1 state as after a reset, its counter offset the domain's. */
static int reset_vcpu_state(struct vmm *v, struct vmm_vcpu *c)
{
	uint64_t regs[CAIRN_VCPU_REG_COUNT] = {0};

	regs[CAIRN_VCPU_SCTLR_EL1] = SCTLR_EL1_RESET;
	regs[CAIRN_VCPU_CNTVOFF_EL2] = v->cntvoff;
	/* As the DTB's cpu@N and the vGIC's redistributors say (RES1 bit
	 * 31, uniprocessor bit 30 clear). */
	regs[CAIRN_VCPU_VMPIDR_EL2] = vmm_vcpu_mpidr(c->index) | 1UL << 31;
	if (must(cairn_vcpu_write_regs(c->vcpu, 0, CAIRN_VCPU_REG_COUNT, regs),
		 "resetting the EL1 state", c->index)) {
		return -1;
	}
	if (!c->started) {
		return 0;
	}
	/* Binding again puts PSTATE back to EL1h with interrupts masked,
	 * whatever the guest left it at. */
	return must(cairn_tcb_unbind_vcpu(c->tcb), "unbinding", c->index) ||
	       must(cairn_tcb_bind_vcpu(c->tcb, c->vcpu), "binding", c->index);
}

int guest_start_vcpu(struct vmm *v, unsigned i, uint64_t pc, uint64_t x0)
{
	struct vmm_vcpu *c = &v->vcpu[i];
	uint64_t regs[6] = {pc, 0, x0, 0, 0, 0}; /* pc, sp, x0..x3 */

	if (reset_vcpu_state(v, c) != 0 ||
	    must(cairn_tcb_write_registers(c->tcb, 1, regs, 6), "starting",
		 i)) {
		return -1;
	}
	c->started = c->running = true;
	psci_vcpu_started(&v->psci, i);
	return 0;
}

void guest_stop_vcpu(struct vmm *v, unsigned i)
{
	struct vmm_vcpu *c = &v->vcpu[i];

	must(cairn_tcb_suspend(c->tcb), "stopping", i);
	c->running = false;
}

int guest_boot(struct vmm *v)
{
	const struct vmm_info *in = v->info;

	v->cntvoff = cairn_counter();
	load_payload(v);
	v->unbacked_logged = false;
	v->state = VMM_RUNNING;
	vmm_log("booting %s: %lu MiB at 0x%lx, %u vCPU%s, kernel at 0x%lx, "
		"entry 0x%lx, DTB at 0x%lx%s",
		in->name, in->ram_size >> 20, in->ram_ipa, in->vcpus,
		in->vcpus == 1 ? "" : "s", in->kernel_ipa, in->entry_ipa,
		in->dtb_ipa, in->initrd_size ? ", with an initrd" : "");
	/* arm64 boot protocol: x0 = the DTB, x1..x3 = 0, MMU off. */
	return guest_start_vcpu(v, 0, in->entry_ipa, in->dtb_ipa);
}

static void stop_all(struct vmm *v)
{
	for (unsigned i = 0; i < v->info->vcpus; i++) {
		if (v->vcpu[i].running) {
			guest_stop_vcpu(v, i);
		}
	}
}

/* What the VMM absorbed since the domain started: shown when it stops. */
void guest_report_counters(const struct vmm *v)
{
	const struct vmm_counters *n = &v->n;

	vmm_log("exits absorbed: %lu (%lu MMIO, %lu HVC, %lu SMC, %lu system "
		"register, %lu EOI, %lu other); injected %lu external aborts, "
		"%lu undefined instructions, %lu interrupts (%lu refused: "
		"queue full)",
		n->exits, n->mmio, n->hvc, n->smc, n->sysreg, n->eoi, n->other,
		n->aborts_injected, n->undefs_injected, n->irqs_injected,
		n->inject_failures);
	vmm_log("answering them took %lu ticks of the %lu Hz counter (MMIO "
		"%lu, HVC %lu, system register %lu; in VCPU.InjectIRQ %lu), "
		"from each exit's arrival to its reply",
		n->ticks, cairn_counter_hz(), n->ticks_mmio, n->ticks_hvc,
		n->ticks_sysreg, n->ticks_inject);
}

void guest_power_off(struct vmm *v, const char *why)
{
	stop_all(v);
	v->state = VMM_OFF;
	vmm_log("domain %s is off: %s", v->info->name, why);
	guest_report_counters(v);
}

int guest_restart(struct vmm *v, const char *why)
{
	stop_all(v);
	vmm_log("domain %s restarts: %s", v->info->name, why);
	guest_report_counters(v);
	v->n = (struct vmm_counters){0};
	if (devices_reset(v) != 0) {
		v->state = VMM_OFF;
		return -1;
	}
	return guest_boot(v);
}

void guest_pause(struct vmm *v)
{
	for (unsigned i = 0; i < v->info->vcpus; i++) {
		if (v->vcpu[i].running) {
			must(cairn_tcb_suspend(v->vcpu[i].tcb), "pausing", i);
		}
	}
	v->state = VMM_PAUSED;
}

void guest_resume(struct vmm *v)
{
	for (unsigned i = 0; i < v->info->vcpus; i++) {
		if (v->vcpu[i].running) {
			must(cairn_tcb_resume(v->vcpu[i].tcb), "resuming", i);
		}
	}
	v->state = VMM_RUNNING;
}

/* The UART's interrupt line, as the GIC model sees it. */
void guest_uart_update(struct vmm *v)
{
	vgic_set_level(&v->vgic, PL011_INTID, pl011_irq_level(&v->uart));
}

/* Typed bytes the UART had no room for, offered again. */
void guest_uart_feed(struct vmm *v)
{
	if (v->rx_count == 0) {
		return;
	}
	size_t took = pl011_input(&v->uart, v->rx_pending, v->rx_count);
	memmove(v->rx_pending, v->rx_pending + took, v->rx_count - took);
	v->rx_count -= (unsigned)took;
	guest_uart_update(v);
}
