/*
 * DMA through the SMMU, by QEMU's edu device (started with
 * `-device edu,dma_mask=0xffffffffffffffff`: its default mask clamps
 * addresses to 28 bits). Each case finds it on PCI bus 0 through the ECAM
 * (a 2 MiB device frame of the ECAM's device Untyped; SIDControl.PCIe says
 * where), places its BAR 0 at the start of the 32-bit memory window (a
 * 2 MiB device frame of that window's Untyped), claims its StreamID (its
 * requester ID through the iommu-map) and moves 4 KiB
 * between RAM and the device's buffer. The edu buffer cannot be read
 * through the BAR, so what a transfer brought in is checked by copying it
 * out again to a page the test reads.
 *
 * Share-pt: the stream is bound to a VSpace, and the device's addresses
 * are that VSpace's IPAs (here the root task's own, or a fresh one).
 */
#include "streamtest.h"

#include "edu.h"

#include <libcairn/ipc.h>
#include <pci.h>
#include <stdio.h>

#define ECAM_IPA 0x80000000UL /* the first 2 MiB of the ECAM: buses 0, 1 */
#define BAR_IPA	 0x80200000UL /* the edu's BAR 0 (1 MiB) */

/* The device Untyped at paddr, from BootInfo; 0 if there is none. */
static uint64_t device_ut(uint64_t paddr)
{
	const struct cairn_bootinfo *bi = cairn_bootinfo;

	for (uint64_t i = 0; i < bi->untyped_count; i++) {
		if (bi->untyped[i].device && bi->untyped[i].paddr == paddr) {
			return bi->untyped_first + i;
		}
	}
	printf("  no device Untyped at %#lx\n", paddr);
	return 0;
}

/* A 2 MiB device frame from the start of Untyped ut, mapped at ipa. */
static int map_device(uint64_t ut, uint64_t ipa)
{
	uint64_t f = slot();

	return ut != 0 &&
	       cairn_untyped_retype(ut, CAIRN_OBJ_FRAME_2M, 0, ROOT, 0, 0, f, 1)
		       .error == CAIRN_OK &&
	       cairn_frame_map(f, VSPACE, ipa, RW, 0).error == CAIRN_OK;
}

/* The host bridge: where its ECAM and windows are, its iommu-map. */
static struct cairn_pcie_info pcie;

/* The iommu-map's StreamID of requester ID rid (libs/pci). */
static uint32_t sid_of(uint32_t rid)
{
	struct pci_map_entry map[CAIRN_PCIE_MAX_MAPS];

	for (uint64_t i = 0; i < pcie.map_count; i++) {
		map[i] = (struct pci_map_entry){
		    pcie.map[i].rid_base, pcie.map[i].sid_base,
		    pcie.map[i].length, pcie.map[i].smmu};
	}
	return pci_sid_of(map, (unsigned)pcie.map_count, rid);
}

/* BAR 0 (the edu's only one) sized, placed at the start of the 32-bit
 * window, decoding and bus mastering on (libs/pci). */
static int place_bar(const struct pci_cfg *cfg, unsigned devfn)
{
	uint64_t i = 0;
	struct pci_bar bars[PCI_BARS];

	while (i < pcie.window_count &&
	       (pcie.window[i].space & 0xff) != CAIRN_PCI_SPACE_MEM32) {
		i++;
	}
	if (i == pcie.window_count ||
	    !map_device(device_ut(pcie.window[i].cpu_addr), BAR_IPA)) {
		printf("  no 32-bit window to place the BAR in\n");
		return 0;
	}
	int n = pci_bar_probe(cfg, devfn, bars);
	if (n < 1 || bars[0].index != 0 ||
	    pci_bar_assign(bars, (unsigned)n, 0x200000, 0x200000) != 0) {
		printf("  the edu's BARs do not fit 2 MiB (%d)\n", n);
		return 0;
	}
	pci_bar_program(cfg, devfn, bars, (unsigned)n, pcie.window[i].pci_addr);
	return 1;
}

int edu_open(struct edu *e)
{
	if (cairn_sid_control_pcie(SIDC, &pcie).error != CAIRN_OK ||
	    pcie.ecam == 0) {
		printf("  no PCIe host bridge\n");
		return 0;
	}
	if (cairn_page_table_map(make(CAIRN_OBJ_PAGE_TABLE, 0), VSPACE,
				 ECAM_IPA)
		    .error != CAIRN_OK ||
	    cairn_page_table_map(make(CAIRN_OBJ_PAGE_TABLE, 0), VSPACE,
				 PAGES_IPA)
		    .error != CAIRN_OK ||
	    !map_device(device_ut(pcie.ecam), ECAM_IPA)) {
		printf("  cannot map the ECAM\n");
		return 0;
	}
	struct pci_cfg cfg = pci_ecam((volatile void *)ECAM_IPA);
	struct pci_function fns[16];
	unsigned n = pci_scan(&cfg, fns, 16), k = 0;
	while (k < n && k < 16 &&
	       ((uint32_t)fns[k].device << 16 | fns[k].vendor) != EDU_ID) {
		k++;
	}
	if (k == n || k == 16) {
		printf("  no edu device on bus 0 (QEMU needs -device edu)\n");
		return 0;
	}
	if (!place_bar(&cfg, fns[k].devfn)) {
		return 0;
	}
	e->bar = (volatile uint8_t *)BAR_IPA;
	if (*(volatile uint32_t *)e->bar != EDU_MAGIC) {
		printf("  the edu's BAR does not answer\n");
		return 0;
	}
	e->sid = sid_of((uint32_t)pcie.bus_first << 8 | fns[k].devfn);
	e->stage2 = 1;
	e->stream = slot();
	e->faults = make(CAIRN_OBJ_NOTIFICATION, 0);
	return cairn_sid_control_get(SIDC, e->sid, ROOT, e->stream, DEPTH)
		       .error == CAIRN_OK &&
	       cairn_stream_set_fault_notification(e->stream, e->faults)
		       .error == CAIRN_OK;
}

int dma(struct edu *e, uint64_t iova, int to_ram)
{
	return edu_dma(e->bar, iova, to_ram);
}

int copy_through(struct edu *e, uint64_t from, uint64_t to)
{
	return dma(e, from, 0) && dma(e, to, 1);
}

void fill(uint64_t va, uint64_t seed)
{
	edu_fill((volatile void *)va, seed);
}

int holds(uint64_t va, uint64_t seed)
{
	return edu_holds((const volatile void *)va, seed);
}

uint64_t page(unsigned i, uint64_t seed)
{
	uint64_t f = map_new(VSPACE, IOVA(i), RW);

	fill(IOVA(i), seed);
	return f;
}

int fault_seen(struct edu *e, unsigned kind, int read, uint64_t iova)
{
	int ok = 1;
	uint64_t end = now_ms() + 1000;
	struct cairn_stream_faults f;

	while (cairn_poll(e->faults) == 0) {
		if (now_ms() > end) {
			printf("  no fault was signalled\n");
			return 0;
		}
	}
	OK(cairn_stream_get_faults(e->stream, &f));
	/* QEMU's device retries a refused transfer 4 bytes at a time, each
	 * a fault: a page gives 1024, which overflow the stream's queue
	 * (counted as dropped) and the SMMU's event queue (a global error):
	 * the first one is the transfer's start. */
	CHECK(f.count >= 1);
	if (f.count >= 1) {
		printf("  fault: kind %#x, %s at %#lx\n",
		       CAIRN_STREAM_FAULT_KIND(f.record[0][0]),
		       (f.record[0][0] & CAIRN_STREAM_FAULT_READ) ? "read"
								  : "write",
		       f.record[0][1]);
		CHECK(CAIRN_STREAM_FAULT_KIND(f.record[0][0]) == kind);
		CHECK(((f.record[0][0] & CAIRN_STREAM_FAULT_READ) != 0) ==
		      (read != 0));
		CHECK(((f.record[0][0] & CAIRN_STREAM_FAULT_STAGE2) != 0) ==
		      (e->stage2 != 0));
		CHECK(f.record[0][1] == iova);
	}
	/* The rest of the burst, so the next check starts afresh. */
	while (f.count != 0) {
		OK(cairn_stream_get_faults(e->stream, &f));
	}
	return ok;
}

int no_faults(struct edu *e)
{
	struct cairn_stream_faults f;

	return cairn_stream_get_faults(e->stream, &f).error == CAIRN_OK &&
	       f.count == 0 && f.total == 0 && cairn_poll(e->faults) == 0;
}

/* Binds the stream to vs, or on an SMMU that cannot share checks the
 * refusal (then returns 0: the case checks DMA stays blocked). */
static int bind(struct edu *e, uint64_t vs, int *ok)
{
	struct cairn_result r = cairn_stream_bind_vspace(e->stream, vs);

	if (CAN_SHARE) {
		*ok &= st_is_err(r, CAIRN_OK, 0, ANY, __LINE__);
		return r.error == CAIRN_OK;
	}
	*ok &=
	    st_is_err(r, CAIRN_NOT_SUPPORTED, CAIRN_ARG_VSPACE, ANY, __LINE__);
	return 0;
}

static int test_never_bound_aborts(void)
{
	int ok = 1;
	struct edu e;

	CHECK(edu_open(&e));
	/* Device addresses that would be RAM if it bypassed the SMMU: the
	 * physical addresses of two pages. */
	uint64_t secret = page(0, 1), target = page(1, 2);
	uint64_t pa_secret = cairn_frame_get_address(secret).detail[0];
	uint64_t pa_target = cairn_frame_get_address(target).detail[0];
	CHECK(copy_through(&e, pa_secret, pa_target));
	CHECK(holds(IOVA(1), 2));
	/* Nor at the addresses the root task itself uses. */
	CHECK(copy_through(&e, IOVA(0), IOVA(1)));
	CHECK(holds(IOVA(1), 2));
	CHECK(no_faults(&e));
	return ok;
}

static int test_dma_into_bound_vspace(void)
{
	int ok = 1;
	struct edu e;

	CHECK(edu_open(&e));
	page(0, 7);
	page(1, 8);
	if (!bind(&e, VSPACE, &ok)) {
		CHECK(copy_through(&e, IOVA(0), IOVA(1)));
		CHECK(holds(IOVA(1), 8));
		return ok;
	}
	CHECK(copy_through(&e, IOVA(0), IOVA(1)));
	CHECK(holds(IOVA(1), 7));
	/* And back the other way, with fresh data. */
	fill(IOVA(1), 9);
	CHECK(copy_through(&e, IOVA(1), IOVA(0)));
	CHECK(holds(IOVA(0), 9));
	CHECK(no_faults(&e));
	return ok;
}

static int test_dma_to_unmapped_iova_faults(void)
{
	int ok = 1;
	struct edu e;
	const uint64_t hole = IOVA(5); /* in the table, never mapped */

	CHECK(edu_open(&e));
	page(0, 11);
	page(1, 12);
	if (!bind(&e, VSPACE, &ok)) {
		return ok;
	}
	CHECK(dma(&e, IOVA(0), 0));
	CHECK(dma(&e, hole, 1)); /* a write: blocked, reported */
	ok &= fault_seen(&e, CAIRN_SMMU_EVT_TRANSLATION, 0, hole);
	CHECK(dma(&e, hole, 0)); /* a read */
	ok &= fault_seen(&e, CAIRN_SMMU_EVT_TRANSLATION, 1, hole);
	/* Outside any table of the VSpace, too. */
	CHECK(dma(&e, 0x7f00000000UL, 1));
	ok &= fault_seen(&e, CAIRN_SMMU_EVT_TRANSLATION, 0, 0x7f00000000UL);
	return ok;
}

/*
 * The frame at IOVA(2) (cap f, seed 21) has just lost its mapping: DMA to
 * and from IOVA(2) must not reach it, and each attempt is reported.
 * Reading it back needs it mapped again, through view at IOVA(3).
 */
static int blocked_after(struct edu *e, uint64_t view)
{
	int ok = 1;

	/* In: the device's buffer is cleared (from page 0, seed 0), the
	 * read of IOVA(2) must bring nothing, and what comes out again is
	 * not the frame's data. */
	fill(IOVA(0), 0);
	fill(IOVA(1), 22);
	CHECK(dma(e, IOVA(0), 0));
	CHECK(copy_through(e, IOVA(2), IOVA(1)));
	CHECK(!holds(IOVA(1), 21));
	ok &= fault_seen(e, CAIRN_SMMU_EVT_TRANSLATION, 1, IOVA(2));
	/* Out: a write to IOVA(2) leaves the frame as it was. */
	fill(IOVA(1), 23);
	CHECK(dma(e, IOVA(1), 0));
	CHECK(dma(e, IOVA(2), 1));
	ok &= fault_seen(e, CAIRN_SMMU_EVT_TRANSLATION, 0, IOVA(2));
	OK(cairn_frame_map(view, VSPACE, IOVA(3), RW, 0));
	CHECK(holds(IOVA(3), 21));
	return ok;
}

static int test_dma_blocked_after_unmap(void)
{
	int ok = 1;
	struct edu e;

	CHECK(edu_open(&e));
	page(0, 20);
	page(1, 0);
	uint64_t f = page(2, 21);
	if (!bind(&e, VSPACE, &ok)) {
		return ok;
	}
	/* Reachable, and so (in QEMU) cached in the SMMU's TLB. */
	CHECK(copy_through(&e, IOVA(2), IOVA(1)));
	CHECK(holds(IOVA(1), 21));
	OK(cairn_frame_unmap(f));
	ok &= blocked_after(&e, f);
	return ok;
}

static int test_dma_blocked_after_revoke(void)
{
	int ok = 1;
	struct edu e;

	CHECK(edu_open(&e));
	page(0, 30);
	page(1, 0);
	uint64_t f = make(CAIRN_OBJ_FRAME_4K, 0);
	uint64_t copy = mint(f, ALL, 0);
	OK(cairn_frame_map(copy, VSPACE, IOVA(2), RW, 0));
	fill(IOVA(2), 21);
	if (!bind(&e, VSPACE, &ok)) {
		return ok;
	}
	CHECK(copy_through(&e, IOVA(2), IOVA(1)));
	CHECK(holds(IOVA(1), 21));
	/* The mapping was the copy's: revoking the original takes it. */
	OK(cairn_cnode_revoke(ROOT, f, DEPTH));
	ok &= blocked_after(&e, f);
	return ok;
}

static int test_dma_blocked_after_vspace_deleted(void)
{
	int ok = 1;
	struct edu e;
	uint64_t vs = make(CAIRN_OBJ_VSPACE, 0);

	CHECK(edu_open(&e));
	/* A VSpace of its own: source and target at IOVA(0) and IOVA(1),
	 * the target also mapped in the root's VSpace at IOVA(2). */
	OK(cairn_page_table_map(make(CAIRN_OBJ_PAGE_TABLE, 0), vs, ECAM_IPA));
	OK(cairn_page_table_map(make(CAIRN_OBJ_PAGE_TABLE, 0), vs, PAGES_IPA));
	uint64_t src = page(3, 40);
	uint64_t dst = page(2, 41);
	uint64_t src_dev = mint(src, ALL, 0), dst_dev = mint(dst, ALL, 0);
	OK(cairn_frame_map(src_dev, vs, IOVA(0), RW, 0));
	OK(cairn_frame_map(dst_dev, vs, IOVA(1), RW, 0));
	if (!bind(&e, vs, &ok)) {
		CHECK(copy_through(&e, IOVA(0), IOVA(1)));
		CHECK(holds(IOVA(2), 41));
		return ok;
	}
	CHECK(copy_through(&e, IOVA(0), IOVA(1)));
	CHECK(holds(IOVA(2), 40));
	/* Gone: the stream aborts (an abort records no fault). */
	OK(cairn_cnode_delete(ROOT, vs, DEPTH));
	fill(IOVA(2), 42);
	CHECK(dma(&e, IOVA(1), 1));
	CHECK(holds(IOVA(2), 42));
	struct cairn_stream_faults f;
	OK(cairn_stream_get_faults(e.stream, &f));
	CHECK(f.count == 0 && f.total == 0);
	return ok;
}

static const struct test_case cases[] = {
    {"dma_never_bound_aborts",
     "a claimed, unbound stream's DMA reaches "
     "nothing, at physical or root addresses, "
     "and records no fault",
     test_never_bound_aborts},
    {"dma_into_bound_vspace",
     "bound to the root's VSpace, the device "
     "copies a page in and out, data checked",
     test_dma_into_bound_vspace},
    {"dma_unmapped_faults",
     "DMA to an IOVA never mapped is blocked and "
     "its fault reaches the stream's route: kind, "
     "direction, address",
     test_dma_to_unmapped_iova_faults},
    {"dma_after_unmap",
     "after Frame.Unmap the frame is unreachable at "
     "once, both ways, though the SMMU had cached it",
     test_dma_blocked_after_unmap},
    {"dma_after_revoke",
     "after a Revoke takes the mapping cap the frame "
     "is unreachable at once, both ways",
     test_dma_blocked_after_revoke},
    {"dma_after_vspace_deleted",
     "deleting the bound VSpace makes its "
     "stream abort: DMA reaches nothing",
     test_dma_blocked_after_vspace_deleted},
};

const struct case_table dma_cases = CASE_TABLE(cases);
