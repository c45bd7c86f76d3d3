/*
 * Setting the clients' devices up: the root bus enumerated through the
 * ECAM, each listed device matched (devices.c), its BARs placed in the
 * 2 MiB device frame the spec gave its client, its StreamID computed from
 * the iommu-map and claimed, its faults routed to us, in share-pt a
 * bind-only copy placed in the client's CNode, and the IRQHandler of its
 * INTx claimed straight into the client's CNode. A device that cannot be
 * set up is said once and refused to its client only; the rest go on.
 */
#include "iommu.h"
#include "iommu_gen.h"

#include <libcairn/invoke.h>
#include <stdio.h>
#include <string.h>

#define DEPTH	  64
#define SCRATCH	  IOMMU_SLOT_RECV /* a badged notification on its way */
#define SIDC	  (IOMMU_SLOT_GRANTS + 0)
#define FUNCTIONS 64

/* The 32-bit window the BAR frames come from (SIDControl.PCIe). */
static int find_window(struct iommu *s)
{
	for (uint64_t i = 0; i < s->pcie.window_count; i++) {
		if ((s->pcie.window[i].space & 0xff) == CAIRN_PCI_SPACE_MEM32) {
			s->mem32_cpu = s->pcie.window[i].cpu_addr;
			s->mem32_pci = s->pcie.window[i].pci_addr;
			return 0;
		}
	}
	printf("error: the host bridge has no 32-bit memory window\n");
	return -1;
}

static int smmu_facts(struct iommu *s)
{
	uint64_t info[CAIRN_SID_INFO_WORDS];
	struct cairn_result r = cairn_sid_control_info(SIDC, info);

	if (r.error == CAIRN_OK) {
		r = cairn_sid_control_pcie(SIDC, &s->pcie);
	}
	if (r.error != CAIRN_OK) {
		printf("error: SIDControl refused Info or PCIe: %s\n",
		       cairn_error_name(r.error));
		return -1;
	}
	s->can_share = (info[0] & CAIRN_SMMU_CAN_SHARE) != 0;
	s->have_iospaces = (info[0] & CAIRN_SMMU_IOSPACES) != 0;
	printf("SMMU %s CPU stage-2 tables; host bridge: ECAM %#lx, "
	       "buses %lu-%lu, %lu windows\n",
	       s->can_share ? "can share" : "cannot share",
	       (unsigned long)s->pcie.ecam, (unsigned long)s->pcie.bus_first,
	       (unsigned long)s->pcie.bus_last,
	       (unsigned long)s->pcie.window_count);
	return s->pcie.ecam == 0 ? -1 : find_window(s);
}

static uint32_t sid_of(const struct iommu *s, uint16_t devfn)
{
	struct pci_map_entry map[CAIRN_PCIE_MAX_MAPS];

	for (uint64_t i = 0; i < s->pcie.map_count; i++) {
		map[i] = (struct pci_map_entry){
		    s->pcie.map[i].rid_base, s->pcie.map[i].sid_base,
		    s->pcie.map[i].length, s->pcie.map[i].smmu};
	}
	return pci_sid_of(map, (unsigned)s->pcie.map_count,
			  (uint32_t)s->pcie.bus_first << 8 | devfn);
}

/* BARs sized and placed in the client's frame for this device. */
static uint32_t place_bars(struct iommu *s, const struct pci_cfg *cfg,
			   struct iommu_device *d)
{
	struct pci_bar bars[PCI_BARS];
	struct cairn_result r = cairn_frame_get_address(d->info->bar);

	if (r.error != CAIRN_OK || r.detail[0] < s->mem32_cpu) {
		printf("error: BAR frame in slot %u: %s\n", d->info->bar,
		       cairn_error_name(r.error));
		return IOMMU_ERR_SETUP;
	}
	int n = pci_bar_probe(cfg, d->devfn, bars);
	if (n < 0 || pci_bar_assign(bars, (unsigned)n, IOMMU_BAR_FRAME,
				    IOMMU_BAR_FRAME) != 0) {
		printf("error: device %02x.%x: its BARs do not fit the "
		       "2 MiB its client has for them\n",
		       d->devfn >> 3, d->devfn & 7);
		return IOMMU_ERR_SETUP;
	}
	d->bar_size = 0;
	for (int i = 0; i < n; i++) {
		d->bar_size = bars[i].index == 0 ? bars[i].size : d->bar_size;
	}
	pci_bar_program(cfg, d->devfn, bars, (unsigned)n,
			r.detail[0] - s->mem32_cpu + s->mem32_pci);
	return IOMMU_OK;
}

/* Claims the StreamID and routes its faults to our doorbell, badged with
 * the client's bit; the badged copy is the stream's, not ours. */
static uint32_t claim_stream(struct iommu_device *d, unsigned c)
{
	struct cairn_result r = cairn_sid_control_get(
	    SIDC, d->sid, IOMMU_SLOT_CNODE, d->info->stream, DEPTH);
	if (r.error == CAIRN_OK) {
		r = cairn_cnode_mint(IOMMU_SLOT_CNODE, SCRATCH, DEPTH,
				     IOMMU_SLOT_CNODE,
				     IOMMU_SLOT_CLIENTS_DOORBELL, DEPTH,
				     CAIRN_RIGHT_WRITE, IOMMU_FAULT_BADGE(c));
	}
	if (r.error == CAIRN_OK) {
		r = cairn_stream_set_fault_notification(d->info->stream,
							SCRATCH);
		cairn_cnode_delete(IOMMU_SLOT_CNODE, SCRATCH, DEPTH);
	}
	if (r.error != CAIRN_OK) {
		printf("error: StreamID %#x: %s\n", d->sid,
		       cairn_error_name(r.error));
		return IOMMU_ERR_SETUP;
	}
	return IOMMU_OK;
}

/* share-pt: a bind-only copy (no REBIND, no FAULTS) in the client. */
static uint32_t hand_over(const struct iommu_client *c,
			  const struct iommu_device *d)
{
	struct cairn_result r = cairn_cnode_mint(
	    c->info->cnode, d->info->client_stream, DEPTH, IOMMU_SLOT_CNODE,
	    d->info->stream, DEPTH, CAIRN_STREAM_RIGHT_BIND, 0);

	if (r.error != CAIRN_OK) {
		printf("error: giving %s its StreamID %#x: %s\n", c->info->name,
		       d->sid, cairn_error_name(r.error));
		return IOMMU_ERR_SETUP;
	}
	return IOMMU_OK;
}

/*
 * The device's INTx: its IRQHandler claimed into the client's slot
 * (SIDControl.GetINTx routes it as the host bridge's interrupt-map says).
 * A device without INTx, a line another device already holds or a bridge
 * without an interrupt-map leaves it polled: said, not an error.
 */
static void hand_over_intx(const struct pci_cfg *cfg,
			   const struct iommu_client *c, struct iommu_device *d)
{
	static const char *const why_not = "its driver polls it";
	char bdf[8];

	iommu_bdf(bdf, d->devfn);
	d->pin = pci_interrupt_pin(cfg, d->devfn);
	if (d->pin == 0) {
		printf("%s: device %s raises no INTx: %s\n", c->info->name, bdf,
		       why_not);
		return;
	}
	struct cairn_result r = cairn_sid_control_get_intx(
	    SIDC, d->devfn, d->pin, c->info->cnode, d->info->client_irq, DEPTH);
	if (r.error != CAIRN_OK) {
		printf("warning: %s: device %s INT%c: %s (details %lu, %lu): "
		       "%s\n",
		       c->info->name, bdf, 'A' + (int)d->pin - 1,
		       r.error == CAIRN_REVOKE_FIRST
			   ? "its line is another's already"
			   : cairn_error_name(r.error),
		       r.detail[0], r.detail[1], why_not);
		return;
	}
	d->intid = (uint32_t)r.detail[0];
}

static void setup_device(struct iommu *s, const struct pci_cfg *cfg, unsigned c,
			 unsigned k)
{
	struct iommu_client *cl = &s->client[c];
	struct iommu_device *d = &cl->dev[k];
	char bdf[8];

	if (d->error != IOMMU_OK) {
		printf("error: %s: device %u (%s %#x) is not on the "
		       "bus: refused to %s only\n",
		       cl->info->name, k,
		       d->info->kind == IOMMU_DEV_BDF ? "address" : "IDs",
		       d->info->value, cl->info->name);
		return;
	}
	iommu_bdf(bdf, d->devfn);
	d->sid = sid_of(s, d->devfn);
	d->error =
	    d->sid == PCI_NO_SID ? IOMMU_ERR_SETUP : place_bars(s, cfg, d);
	d->error = d->error ? d->error : claim_stream(d, c);
	/* The slot is the requested mode's: a client that asked for
	 * share-pt gets its copy even where it runs as sync-pt, so what it
	 * holds is what the spec says. There the copy is inert: this SMMU
	 * refuses every BindVSpace, and BIND alone cannot rebind a stream
	 * we bound. */
	if (d->error == IOMMU_OK && d->info->client_stream != 0) {
		d->error = hand_over(cl, d);
	}
	if (d->error == IOMMU_OK && d->info->client_irq != 0) {
		hand_over_intx(cfg, cl, d);
	}
	if (d->error == IOMMU_OK && cl->effective == IOMMU_MODE_SYNC_PT) {
		d->error = s->sync_error[c] != IOMMU_OK
			       ? s->sync_error[c]
			       : iommu_sync_device(cl, d);
	}
	char intx[32] = "polled";
	if (d->intid != 0) {
		snprintf(intx, sizeof(intx), "INT%c at INTID %u",
			 'A' + (int)d->pin - 1, d->intid);
	}
	printf("%s: device %s (%04x:%04x) StreamID %#x, %s, %s: %s\n",
	       cl->info->name, bdf, d->vendor, d->id, d->sid, intx,
	       iommu_mode_name(cl->effective),
	       d->error == IOMMU_ERR_UNAVAILABLE
		   ? "not set up: sync-pt needs an IOSpace, which the spec "
		     "gives only a client asking for sync-pt or enabled (or "
		     "the kernel has none); its DMA aborts"
		   : iommu_error_name(d->error));
}

/* The client's mode, and the one warning a fallback deserves. */
static void resolve_mode(struct iommu *s, struct iommu_client *cl)
{
	int fallback = 0;

	cl->effective =
	    iommu_effective(cl->info->mode, s->can_share, &fallback);
	if (fallback) {
		printf("warning: %s asked for share-pt, but this SMMU "
		       "cannot walk the CPU's stage-2 tables: it runs as "
		       "sync-pt\n",
		       cl->info->name);
	}
}

int iommu_setup(struct iommu *s)
{
	struct pci_function fns[FUNCTIONS];

	if (smmu_facts(s) != 0) {
		return -1;
	}
	struct pci_cfg cfg = pci_ecam((volatile void *)IOMMU_ECAM_IPA);
	unsigned n = pci_scan(&cfg, fns, FUNCTIONS);
	n = n < FUNCTIONS ? n : FUNCTIONS;
	printf("%u functions on bus %lu\n", n,
	       (unsigned long)s->pcie.bus_first);
	iommu_match(s->client, s->clients, fns, n);
	for (unsigned c = 0; c < s->clients; c++) {
		resolve_mode(s, &s->client[c]);
		p2m_init(&s->p2m[c], 0); /* sync-pt: its window, below */
		s->sync_error[c] = s->client[c].effective == IOMMU_MODE_SYNC_PT
				       ? iommu_sync_client(s, c)
				       : IOMMU_OK;
		for (unsigned k = 0; k < s->client[c].devices; k++) {
			setup_device(s, &cfg, c, k);
			iommu_report_device(s, c, k);
		}
	}
	return 0;
}
