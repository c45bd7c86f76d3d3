/*
 * In-system suite for the SMMU's streams, run as the root task: SIDControl
 * (Info, each StreamID once, its errors), StreamID binding and its errors
 * and rights, a binding owned by the cap that made it, a VSpace destroyed
 * under a bound stream, and (dmacases.c) DMA by QEMU's edu device: into the
 * bound VSpace, to an unmapped IOVA with the fault reported, and blocked
 * after Unmap, Revoke and the VSpace's deletion; (iocases.c) the same
 * through an IOSpace, and a read-only MapIO. On an SMMU that cannot share
 * (QEMU's stage-1-only model) every BindVSpace is NOT_SUPPORTED and that
 * DMA stays blocked, while IOSpaces work there in stage-1 format. Each case
 * runs in an Untyped of its own (cases.h).
 */
#include "streamtest.h"

#include <stdio.h>

uint64_t smmu_info[CAIRN_SID_INFO_WORDS];

int st_check(const char *what, int ok, int line)
{
	if (!ok) {
		printf("  check failed: %s (line %d)\n", what, line);
	}
	return ok != 0;
}

int st_is_err(struct cairn_result r, long err, uint64_t d0, uint64_t d1,
	      int line)
{
	if (r.error == err && (err == CAIRN_OK || r.detail[0] == d0) &&
	    (err == CAIRN_OK || d1 == ANY || r.detail[1] == d1)) {
		return 1;
	}
	printf("  line %d: got %s [%lu %lu %lu %lu], want %s [%lu]\n", line,
	       cairn_error_name(r.error), r.detail[0], r.detail[1], r.detail[2],
	       r.detail[3], cairn_error_name(err), d0);
	return 0;
}

uint64_t now_ms(void)
{
	uint64_t t, freq;

	__asm__ volatile("mrs %0, cntfrq_el0; mrs %1, cntpct_el0"
			 : "=r"(freq), "=r"(t));
	return t / (freq / 1000);
}

static uint64_t get(uint64_t sid)
{
	uint64_t s = slot();
	struct cairn_result r =
	    cairn_sid_control_get(SIDC, sid, ROOT, s, DEPTH);

	if (r.error != CAIRN_OK) {
		printf("  SIDControl.Get(%lu): %s\n", sid,
		       cairn_error_name(r.error));
	}
	return s;
}

/* Whether stream cap s's stream is bound: a fresh bind-only copy can bind
 * only a stream that is not (and unbinds again when deleted). */
static int bound(uint64_t s, uint64_t vs)
{
	uint64_t probe = mint(s, CAIRN_STREAM_RIGHT_BIND, 0);
	struct cairn_result r = cairn_stream_bind_vspace(probe, vs);

	cairn_cnode_delete(ROOT, probe, DEPTH);
	return r.error == CAIRN_ILLEGAL_OPERATION;
}

static int test_info(void)
{
	int ok = 1;
	uint64_t w[CAIRN_SID_INFO_WORDS];

	OK(cairn_sid_control_info(SIDC, w));
	printf("  smmu: flags %#lx, %lu streams, %lu-bit StreamIDs, IAS %lu "
	       "OAS %lu, can share: %s\n",
	       w[0], w[1], w[2], w[3], w[4],
	       (w[0] & CAIRN_SMMU_CAN_SHARE) ? "yes" : "no");
	CHECK(w[0] & CAIRN_SMMU_PRESENT);
	CHECK(w[0] & CAIRN_SMMU_ENABLED);
	CHECK(w[0] & CAIRN_SMMU_COHERENT);
	/* QEMU's SMMU shares exactly when it has stage 2. */
	CHECK(((w[0] & CAIRN_SMMU_CAN_SHARE) != 0) ==
	      ((w[0] & CAIRN_SMMU_STAGE2) != 0));
	CHECK(w[1] == 256 && w[2] == 16 && w[3] >= 39);
	ERR(cairn_invoke(SIDC, 999, NULL, 0), CAIRN_ILLEGAL_OPERATION,
	    CAIRN_ARG_LABEL);
	/* The host bridge behind it (QEMU virt's: ECAM at 256 GiB + 256 MiB,
	 * 256 buses, io/mem32/mem64 windows, one iommu-map entry naming the
	 * SMMU for every requester ID). */
	struct cairn_pcie_info p;
	OK(cairn_sid_control_pcie(SIDC, &p));
	printf("  pcie: ecam %#lx (%#lx bytes), buses %lu-%lu, %lu windows, "
	       "%lu iommu-map entries\n",
	       p.ecam, p.ecam_size, p.bus_first, p.bus_last, p.window_count,
	       p.map_count);
	CHECK(p.ecam == 0x4010000000UL && p.ecam_size == 0x10000000UL);
	CHECK(p.bus_first == 0 && p.bus_last == 255 && p.window_count == 3);
	CHECK(p.window[1].space == CAIRN_PCI_SPACE_MEM32 &&
	      p.window[1].cpu_addr == 0x10000000UL &&
	      p.window[1].pci_addr == 0x10000000UL);
	CHECK(p.map_count == 1 && p.map[0].smmu == 1 &&
	      p.map[0].rid_base == 0 && p.map[0].sid_base == 0 &&
	      p.map[0].length == 0x10000);
	CHECK(p.map[1].length == 0); /* unused: 0 */
	return ok;
}

static int test_each_stream_once(void)
{
	int ok = 1;
	uint64_t s = get(0x20);
	uint64_t other = slot();

	CHECK(cairn_stream_unbind(s).error == CAIRN_OK); /* a StreamID */
	ERR2(cairn_sid_control_get(SIDC, 0x20, ROOT, other, DEPTH),
	     CAIRN_REVOKE_FIRST, CAIRN_ARG_SID, 0x20);
	ERR2(cairn_sid_control_get(SIDC, 256, ROOT, other, DEPTH),
	     CAIRN_RANGE_ERROR, CAIRN_ARG_SID, 0);
	ERR(cairn_sid_control_get(SIDC, 0x21, ROOT, s, DEPTH),
	    CAIRN_DELETE_FIRST, CAIRN_ARG_DEST_INDEX);
	uint64_t w[2] = {0x21, ROOT};
	ERR(cairn_invoke(SIDC, CAIRN_SID_CONTROL_GET, w, 2),
	    CAIRN_TRUNCATED_MESSAGE, 0);
	/* Copies name the same stream: it is free after the last one. */
	uint64_t copy = mint(s, ALL, 0);
	OK(cairn_cnode_delete(ROOT, s, DEPTH));
	ERR(cairn_sid_control_get(SIDC, 0x20, ROOT, other, DEPTH),
	    CAIRN_REVOKE_FIRST, CAIRN_ARG_SID);
	OK(cairn_cnode_delete(ROOT, copy, DEPTH));
	OK(cairn_sid_control_get(SIDC, 0x20, ROOT, other, DEPTH));
	/* A StreamID takes no badge. */
	ERR(cairn_cnode_mint(ROOT, slot(), DEPTH, ROOT, other, DEPTH, ALL, 5),
	    CAIRN_INVALID_ARGUMENT, CAIRN_ARG_BADGE);
	/* The SMMU's own interrupts (QEMU virt: event queue SPI 74, global
	 * errors SPI 77) are the kernel's. */
	ERR(cairn_irq_control_get(CAIRN_SLOT_IRQ_CONTROL, 32 + 74,
				  CAIRN_IRQ_EDGE, ROOT, slot(), DEPTH),
	    CAIRN_ILLEGAL_OPERATION, CAIRN_ARG_IRQ);
	ERR(cairn_irq_control_get(CAIRN_SLOT_IRQ_CONTROL, 32 + 77,
				  CAIRN_IRQ_EDGE, ROOT, slot(), DEPTH),
	    CAIRN_ILLEGAL_OPERATION, CAIRN_ARG_IRQ);
	return ok;
}

static int test_bind_errors_and_rights(void)
{
	int ok = 1;
	uint64_t s = get(0x21);
	uint64_t vs = make(CAIRN_OBJ_VSPACE, 0);
	uint64_t frame = make(CAIRN_OBJ_FRAME_4K, 0);
	uint64_t ep = make(CAIRN_OBJ_ENDPOINT, 0);

	/* Anything but a VSpace; nothing at all; too few words. */
	ERR(cairn_stream_bind_vspace(s, frame), CAIRN_INVALID_CAPABILITY,
	    CAIRN_ARG_VSPACE);
	ERR(cairn_stream_bind_vspace(s, ep), CAIRN_INVALID_CAPABILITY,
	    CAIRN_ARG_VSPACE);
	ERR(cairn_stream_bind_vspace(s, ROOT), CAIRN_INVALID_CAPABILITY,
	    CAIRN_ARG_VSPACE);
	struct cairn_result r = cairn_stream_bind_vspace(s, slot());
	CHECK(r.error == CAIRN_FAILED_LOOKUP &&
	      r.detail[3] == CAIRN_ARG_VSPACE);
	ERR(cairn_invoke(s, CAIRN_STREAM_BIND_VSPACE, NULL, 0),
	    CAIRN_TRUNCATED_MESSAGE, 0);
	ERR(cairn_invoke(s, 999, NULL, 0), CAIRN_ILLEGAL_OPERATION,
	    CAIRN_ARG_LABEL);
	/* Without the right to bind, before anything else. */
	uint64_t faults_only = mint(s, CAIRN_STREAM_RIGHT_FAULTS, 0);
	ERR2(cairn_stream_bind_vspace(faults_only, vs), CAIRN_ILLEGAL_OPERATION,
	     CAIRN_ARG_INVOKED, CAIRN_STREAM_RIGHT_BIND);
	if (!CAN_SHARE) {
		/* This SMMU cannot walk the CPU's tables: never a silent
		 * success. */
		ERR(cairn_stream_bind_vspace(s, vs), CAIRN_NOT_SUPPORTED,
		    CAIRN_ARG_VSPACE);
		ERR(cairn_stream_bind_vspace(s, VSPACE), CAIRN_NOT_SUPPORTED,
		    CAIRN_ARG_VSPACE);
		printf("  BindVSpace: not supported on this SMMU\n");
		return ok;
	}
	OK(cairn_stream_bind_vspace(s, vs));
	/* Bind-only: nothing to change a binding with. */
	uint64_t bind_only = mint(s, CAIRN_STREAM_RIGHT_BIND, 0);
	ERR2(cairn_stream_bind_vspace(bind_only, VSPACE),
	     CAIRN_ILLEGAL_OPERATION, CAIRN_ARG_INVOKED,
	     CAIRN_STREAM_RIGHT_REBIND);
	ERR2(cairn_stream_unbind(bind_only), CAIRN_ILLEGAL_OPERATION,
	     CAIRN_ARG_INVOKED, CAIRN_STREAM_RIGHT_REBIND);
	struct cairn_stream_faults f;
	ERR2(cairn_stream_get_faults(bind_only, &f), CAIRN_ILLEGAL_OPERATION,
	     CAIRN_ARG_INVOKED, CAIRN_STREAM_RIGHT_FAULTS);
	ERR2(cairn_stream_set_fault_notification(bind_only, 0),
	     CAIRN_ILLEGAL_OPERATION, CAIRN_ARG_INVOKED,
	     CAIRN_STREAM_RIGHT_FAULTS);
	/* The full cap rebinds and unbinds; then bind-only binds, once. */
	OK(cairn_stream_bind_vspace(s, VSPACE));
	CHECK(bound(s, vs));
	OK(cairn_stream_unbind(s));
	CHECK(!bound(s, vs));
	OK(cairn_stream_unbind(s)); /* not bound: nothing to do */
	OK(cairn_stream_bind_vspace(bind_only, vs));
	ERR(cairn_stream_bind_vspace(bind_only, vs), CAIRN_ILLEGAL_OPERATION,
	    CAIRN_ARG_INVOKED);
	OK(cairn_stream_get_faults(faults_only, &f));
	CHECK(f.count == 0 && f.dropped == 0 && f.total == 0);
	return ok;
}

static int test_a_binding_ends_with_its_cap(void)
{
	int ok = 1;
	uint64_t s = get(0x22);
	uint64_t vs = make(CAIRN_OBJ_VSPACE, 0);

	if (!CAN_SHARE) {
		ERR(cairn_stream_bind_vspace(s, vs), CAIRN_NOT_SUPPORTED,
		    CAIRN_ARG_VSPACE);
		return ok;
	}
	/* The owner gives a bind-only copy away; its holder binds. */
	uint64_t given = mint(s, CAIRN_STREAM_RIGHT_BIND, 0);
	OK(cairn_stream_bind_vspace(given, vs));
	CHECK(bound(s, vs));
	/* A copy that made no binding ends none. */
	uint64_t copy = mint(s, ALL, 0);
	OK(cairn_cnode_delete(ROOT, copy, DEPTH));
	CHECK(bound(s, vs));
	/* Revoking takes the device back: the binding went with the copy. */
	OK(cairn_cnode_revoke(ROOT, s, DEPTH));
	CHECK(!bound(s, vs));
	/* A binding replaced by another cap's: the old cap ends nothing. */
	copy = mint(s, ALL, 0);
	OK(cairn_stream_bind_vspace(copy, vs));
	OK(cairn_stream_bind_vspace(s, VSPACE));
	OK(cairn_cnode_delete(ROOT, copy, DEPTH));
	CHECK(bound(s, vs));
	/* The last cap's deletion ends any binding and frees the stream. */
	OK(cairn_cnode_delete(ROOT, s, DEPTH));
	s = get(0x22);
	CHECK(!bound(s, vs));
	return ok;
}

static int test_vspace_deleted_under_a_bound_stream(void)
{
	int ok = 1;
	uint64_t s = get(0x23);
	uint64_t other = get(0x24);
	uint64_t vs = make(CAIRN_OBJ_VSPACE, 0);
	uint64_t pt = make(CAIRN_OBJ_PAGE_TABLE, 0);

	if (!CAN_SHARE) {
		ERR(cairn_stream_bind_vspace(s, vs), CAIRN_NOT_SUPPORTED,
		    CAIRN_ARG_VSPACE);
		return ok;
	}
	OK(cairn_page_table_map(pt, vs, 0));
	OK(cairn_stream_bind_vspace(s, vs));
	OK(cairn_stream_bind_vspace(other, vs));
	/* Both abort again before the VSpace's table and VMID go back. */
	OK(cairn_cnode_delete(ROOT, vs, DEPTH));
	uint64_t vs2 = make(CAIRN_OBJ_VSPACE, 0);
	CHECK(!bound(s, vs2));
	CHECK(!bound(other, vs2));
	/* Its caps bind elsewhere as before; its table maps elsewhere. */
	OK(cairn_stream_bind_vspace(s, vs2));
	OK(cairn_page_table_unmap(pt));
	OK(cairn_page_table_map(pt, vs2, 0));
	return ok;
}

static const struct test_case cases[] = {
    {"smmu_info",
     "SIDControl.Info describes the SMMU, which can share iff it has stage "
     "2; SIDControl.PCIe the host bridge",
     test_info},
    {"stream_once",
     "each StreamID once until its last cap goes; range, "
     "slot, truncation and badge errors; the SMMU's "
     "interrupts are the kernel's",
     test_each_stream_once},
    {"stream_bind_errors",
     "BindVSpace takes only a VSpace, NOT_SUPPORTED "
     "without sharing; BIND, REBIND and FAULTS rights",
     test_bind_errors_and_rights},
    {"stream_binding_owner",
     "a binding ends with the cap that made it "
     "(delete or revoke), not with other copies",
     test_a_binding_ends_with_its_cap},
    {"stream_vspace_deleted",
     "deleting a VSpace unbinds every stream "
     "bound to it",
     test_vspace_deleted_under_a_bound_stream},
};

int main(void)
{
	static const struct case_table table = CASE_TABLE(cases);
	static const struct case_table *const tables[] = {&table, &dma_cases,
							  &io_cases};
	const struct case_suite suite = {"streamtest", tables, 3, NULL, NULL};

	common_init(cairn_bootinfo);
	struct cairn_result r = cairn_sid_control_info(SIDC, smmu_info);
	if (r.error != CAIRN_OK) {
		printf("streamtest: SIDControl.Info: %s\n",
		       cairn_error_name(r.error));
	}
	return cases_run(&suite);
}
