/* SIDControl and StreamIDs on the host, against the counting SMMU of
 * host_arch.c: each stream obtainable once, binding and its errors and
 * rights, who a binding belongs to, the SMMU invalidated on every removal
 * from a bound VSpace (and only then), a VSpace destroyed under a bound
 * stream, the fault queue and its overflow. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "arch.h"
#include "cspace_fixture.h"
#include "host_arch.h"
#include "objects/irq.h"
#include "objects/notification.h"
#include "objects/object.h"
#include "objects/stream.h"
#include "vmid.h"

#include <cairn/invocations.h>

static struct fixture f;
static struct inv_error err;

enum { SIDC = 3, VS = 10, PT1 = 11, PT2 = 12, FR = 13, VS2 = 14, NTFN = 15 };
enum { S = 20, S_COPY = 21, S_BIND_ONLY = 22, S_OTHER = 23, EP = 24 };

#define RW (CAIRN_RIGHT_READ | CAIRN_RIGHT_WRITE)

static void ok(enum cairn_error e)
{
	fixture_ok(e, &err);
}

static void retype(uint64_t type, uint64_t slot)
{
	uint64_t a[] = {type, 0, ROOT_SLOT, 0, 0, slot, 1};
	ok(fixture_invoke(&f, &f.slots[UT_SLOT], CAIRN_UNTYPED_RETYPE, a, 7,
			  &err));
}

static enum cairn_error inv(uint64_t slot, uint64_t label, uint64_t *a,
			    size_t n)
{
	return fixture_invoke(&f, &f.slots[slot], label, a, n, &err);
}

static enum cairn_error get(uint64_t sid, uint64_t dest)
{
	uint64_t a[] = {sid, ROOT_SLOT, dest, 64};
	return inv(SIDC, CAIRN_SID_CONTROL_GET, a, 4);
}

static enum cairn_error bind(uint64_t stream, uint64_t vs)
{
	uint64_t a[] = {vs};
	return inv(stream, CAIRN_STREAM_BIND_VSPACE, a, 1);
}

static enum cairn_error unbind(uint64_t stream)
{
	return inv(stream, CAIRN_STREAM_UNBIND, NULL, 0);
}

static enum cairn_error cnode(uint64_t label, uint64_t *a, size_t n)
{
	return inv(ROOT_SLOT, label, a, n);
}

static enum cairn_error mint(uint64_t dest, uint64_t src, uint64_t rights)
{
	uint64_t a[] = {dest, 64, ROOT_SLOT, src, 64, rights, 0};
	return cnode(CAIRN_CNODE_MINT, a, 7);
}

static enum cairn_error delete (uint64_t slot) {
	uint64_t a[] = {slot, 64}; return cnode(CAIRN_CNODE_DELETE, a, 2);
}

static enum cairn_error revoke(uint64_t slot)
{
	uint64_t a[] = {slot, 64};
	return cnode(CAIRN_CNODE_REVOKE, a, 2);
}

static uint16_t vmid_of(uint64_t vs)
{
	return vmid_value(cap_vmid(&f.slots[vs].cap));
}

static int setup(void **state)
{
	(void)state;
	fixture_init(&f);
	struct cap sidc = {.type = CAP_SID_CONTROL, .rights = CAIRN_RIGHTS_ALL};
	cdt_insert_root(&f.slots[SIDC], &sidc);
	host_smmu.enabled = true;
	host_smmu.can_share = true;
	retype(CAIRN_OBJ_VSPACE, VS);
	retype(CAIRN_OBJ_VSPACE, VS2);
	retype(CAIRN_OBJ_PAGE_TABLE, PT1);
	retype(CAIRN_OBJ_PAGE_TABLE, PT2);
	retype(CAIRN_OBJ_FRAME_4K, FR);
	retype(CAIRN_OBJ_NOTIFICATION, NTFN);
	retype(CAIRN_OBJ_ENDPOINT, EP);
	return 0;
}

/* Every stream cap deleted, then everything retyped (kernel state is
 * static: the next test starts with every stream free again). */
static int teardown(void **state)
{
	(void)state;
	for (uint64_t s = S; s <= S_OTHER; s++) {
		ok(delete (s));
	}
	ok(revoke(UT_SLOT));
	for (unsigned sid = 0; sid < SMMU_STREAMS_MAX; sid++) {
		assert_int_equal(host_smmu_ste_vmid[sid], 0);
	}
	stream_check_refs();
	return 0;
}

static void test_each_stream_once(void **state)
{
	(void)state;
	ok(get(8, S));
	assert_int_equal(f.slots[S].cap.type, CAP_STREAM_ID);
	assert_int_equal(get(8, S_OTHER), CAIRN_REVOKE_FIRST);
	assert_int_equal(err.detail[0], CAIRN_ARG_SID);
	assert_int_equal(err.detail[1], 8);
	assert_int_equal(get(SMMU_STREAMS_MAX, S_OTHER), CAIRN_RANGE_ERROR);
	assert_int_equal(err.detail[0], CAIRN_ARG_SID);
	assert_int_equal(err.detail[2], SMMU_STREAMS_MAX - 1);
	assert_int_equal(get(9, S), CAIRN_DELETE_FIRST); /* occupied slot */
	uint64_t short_args[] = {9, ROOT_SLOT};
	assert_int_equal(inv(SIDC, CAIRN_SID_CONTROL_GET, short_args, 2),
			 CAIRN_TRUNCATED_MESSAGE);
	/* Copies are of the same stream; only the last cap frees it. */
	ok(mint(S_COPY, S, CAIRN_RIGHTS_ALL));
	ok(delete (S));
	assert_int_equal(get(8, S), CAIRN_REVOKE_FIRST);
	ok(delete (S_COPY));
	ok(get(8, S));
	/* No SMMU enabled: nothing to hand out. */
	host_smmu.enabled = false;
	assert_int_equal(get(9, S_OTHER), CAIRN_NOT_SUPPORTED);
	host_smmu.enabled = true;
}

static void test_info(void **state)
{
	(void)state;
	uint64_t r[CAIRN_MSG_MAX_WORDS];

	ok(fixture_invoke_reply(&f, &f.slots[SIDC], CAIRN_SID_CONTROL_INFO,
				NULL, 0, r, &err));
	assert_int_equal(r[0], CAIRN_SMMU_PRESENT | CAIRN_SMMU_ENABLED |
				   CAIRN_SMMU_CAN_SHARE | CAIRN_SMMU_STAGE1 |
				   CAIRN_SMMU_STAGE2 | CAIRN_SMMU_COHERENT |
				   CAIRN_SMMU_IOSPACES);
	assert_int_equal(r[1], SMMU_STREAMS_MAX);
	assert_int_equal(r[2], 16);
	assert_int_equal(r[3], 44);
	assert_int_equal(r[4], 44);
	assert_int_equal(r[6], 0);
	host_smmu.events_lost = 3; /* what the driver counted */
	ok(fixture_invoke_reply(&f, &f.slots[SIDC], CAIRN_SID_CONTROL_INFO,
				NULL, 0, r, &err));
	assert_int_equal(r[6], 3);
	host_smmu.events_lost = 0;
}

static void test_pcie(void **state)
{
	(void)state;
	uint64_t r[CAIRN_MSG_MAX_WORDS];
	static struct platform p = {
	    .has_smmu = true,
	    .smmu_phandle = 5,
	    .has_pcie = true,
	    .ecam = {.base = {0x4010000000ULL}, .size = 0x10000000},
	    .bus_first = 0,
	    .bus_last = 0x7f,
	    .pci_window_count = 2,
	    .pci_window = {{.space = PCI_SPACE_IO,
			    .pci_addr = 0,
			    .cpu_addr = {0x3eff0000},
			    .size = 0x10000},
			   {.space = PCI_SPACE_MEM64,
			    .prefetchable = true,
			    .pci_addr = 0x8000000000ULL,
			    .cpu_addr = {0x8000000000ULL},
			    .size = 0x8000000000ULL}},
	    .iommu_map_count = 2,
	    .iommu_map = {{0, 5, 0, 0x100}, {0x100, 9, 0x1000, 0x100}},
	};

	/* Before the kernel knows the machine: all 0. */
	stream_init(NULL);
	ok(fixture_invoke_reply(&f, &f.slots[SIDC], CAIRN_SID_CONTROL_PCIE,
				NULL, 0, r, &err));
	for (unsigned i = 0; i < CAIRN_PCIE_INFO_WORDS; i++) {
		assert_int_equal(r[i], 0);
	}
	stream_init(&p);
	ok(fixture_invoke_reply(&f, &f.slots[SIDC], CAIRN_SID_CONTROL_PCIE,
				NULL, 0, r, &err));
	assert_int_equal(r[0], 0x4010000000ULL);
	assert_int_equal(r[1], 0x10000000);
	assert_int_equal(r[3], 0x7f);
	assert_int_equal(r[4], 2);
	assert_int_equal(r[5], 2);
	const uint64_t *w = &r[6];
	assert_int_equal(w[0], CAIRN_PCI_SPACE_IO);
	assert_int_equal(w[1], 0x3eff0000);
	assert_int_equal(w[4], CAIRN_PCI_SPACE_MEM64 | CAIRN_PCI_PREFETCHABLE);
	assert_int_equal(w[6], 0x8000000000ULL);
	assert_int_equal(w[8], 0); /* windows past the count are 0 */
	const uint64_t *m =
	    &r[6 + CAIRN_PCIE_MAX_WINDOWS * CAIRN_PCIE_WINDOW_WORDS];
	assert_int_equal(m[0], 0);
	assert_int_equal(m[3], 1); /* names the SMMU */
	assert_int_equal(m[4], 0x100);
	assert_int_equal(m[5], 0x1000);
	assert_int_equal(m[6], 0x100);
	assert_int_equal(m[7], 0); /* another IOMMU's */
	stream_init(NULL);
}

static enum cairn_error delete_slot(uint64_t slot)
{
	uint64_t a[] = {slot, 64};
	return cnode(CAIRN_CNODE_DELETE, a, 2);
}

/* The error want, naming d0. */
#define expect(got, want, d0)                                                  \
	do {                                                                   \
		assert_int_equal((got), (want));                               \
		assert_int_equal(err.detail[0], (d0));                         \
	} while (0)

static enum cairn_error get_intx(uint64_t devfn, uint64_t pin, uint64_t dest,
				 uint64_t *intid)
{
	uint64_t a[] = {devfn, pin, ROOT_SLOT, dest, 64};
	uint64_t r[CAIRN_MSG_MAX_WORDS] = {0};
	enum cairn_error e = fixture_invoke_reply(
	    &f, &f.slots[SIDC], CAIRN_SID_CONTROL_GET_INTX, a, 5, r, &err);
	*intid = r[0];
	return e;
}

/* SIDControl.GetINTx: the interrupt-map's route for a device's pin, one
 * handler per SPI (a line two devices share goes to the first only). */
static void test_get_intx(void **state)
{
	(void)state;
	enum { H = 30, H2 = 31 };
	static struct platform p = {
	    .has_gic = true,
	    .has_pcie = true,
	    .intx_mask_hi = 0x1800,
	    .intx_mask_pin = 7,
	    .intx_count = 2,
	    .intx = {{0x0, 1, 35, false}, {0x800, 1, 36, true}},
	};
	uint64_t intid = 0;

	irq_init(&p, 30);
	stream_init(&p);
	expect(get_intx(0x100, 1, H, &intid), CAIRN_RANGE_ERROR,
	       CAIRN_ARG_DEVFN);
	expect(get_intx(0x8, 0, H, &intid), CAIRN_RANGE_ERROR, CAIRN_ARG_PIN);
	expect(get_intx(0x8, 5, H, &intid), CAIRN_RANGE_ERROR, CAIRN_ARG_PIN);
	/* Device 3 has no entry, nor pin B of device 1. */
	expect(get_intx(0x18, 1, H, &intid), CAIRN_NOT_SUPPORTED,
	       CAIRN_ARG_PIN);
	expect(get_intx(0x8, 2, H, &intid), CAIRN_NOT_SUPPORTED, CAIRN_ARG_PIN);
	ok(get_intx(0x8, 1, H, &intid)); /* device 1, function 0, INTA */
	assert_int_equal(intid, 36);
	assert_int_equal(f.slots[H].cap.type, CAP_IRQ_HANDLER);
	assert_int_equal(pa_addr(f.slots[H].cap.object), 36);
	/* Device 5 shares device 1's line (the mask keeps 2 device bits):
	 * refused while device 1's handler lives. */
	expect(get_intx(0x28, 1, H2, &intid), CAIRN_REVOKE_FIRST,
	       CAIRN_ARG_IRQ);
	assert_int_equal(err.detail[1], 36);
	ok(delete_slot(H));
	ok(get_intx(0x28, 1, H2, &intid));
	ok(get_intx(0x0, 1, H, &intid));
	assert_int_equal(intid, 35);
	ok(delete_slot(H));
	ok(delete_slot(H2));
	stream_init(NULL);
	p.has_gic = false;
	irq_init(&p, 30);
}

static void test_bind_and_its_errors(void **state)
{
	(void)state;
	ok(get(8, S));
	/* Not a VSpace; truncated. */
	assert_int_equal(bind(S, FR), CAIRN_INVALID_CAPABILITY);
	assert_int_equal(err.detail[0], CAIRN_ARG_VSPACE);
	assert_int_equal(bind(S, EP), CAIRN_INVALID_CAPABILITY);
	assert_int_equal(inv(S, CAIRN_STREAM_BIND_VSPACE, NULL, 0),
			 CAIRN_TRUNCATED_MESSAGE);
	/* An SMMU that cannot share: refused, never a silent success. */
	host_smmu.can_share = false;
	assert_int_equal(bind(S, VS), CAIRN_NOT_SUPPORTED);
	assert_int_equal(host_smmu_ste_vmid[8], 0);
	host_smmu.can_share = true;

	unsigned binds = host_smmu_binds;
	ok(bind(S, VS));
	assert_int_equal(host_smmu_binds, binds + 1);
	assert_int_equal(host_smmu_ste_vmid[8], vmid_of(VS));
	assert_int_equal(vmid_streams(cap_vmid(&f.slots[VS].cap)), 1);
	assert_int_not_equal(f.slots[S].cap.binding, 0);

	/* Bind-only: binds an unbound stream once, changes nothing after. */
	ok(mint(S_BIND_ONLY, S, CAIRN_STREAM_RIGHT_BIND));
	assert_int_equal(f.slots[S_BIND_ONLY].cap.binding, 0);
	assert_int_equal(bind(S_BIND_ONLY, VS2), CAIRN_ILLEGAL_OPERATION);
	assert_int_equal(err.detail[0], CAIRN_ARG_INVOKED);
	assert_int_equal(err.detail[1], CAIRN_STREAM_RIGHT_REBIND);
	assert_int_equal(unbind(S_BIND_ONLY), CAIRN_ILLEGAL_OPERATION);
	assert_int_equal(host_smmu_ste_vmid[8], vmid_of(VS));
	/* Rebinding goes through abort to the other VSpace. */
	unsigned unbinds = host_smmu_unbinds;
	ok(bind(S, VS2));
	assert_int_equal(host_smmu_unbinds, unbinds + 1);
	assert_int_equal(host_smmu_ste_vmid[8], vmid_of(VS2));
	assert_int_equal(vmid_streams(cap_vmid(&f.slots[VS].cap)), 0);
	assert_int_equal(vmid_streams(cap_vmid(&f.slots[VS2].cap)), 1);
	ok(unbind(S));
	assert_int_equal(host_smmu_ste_vmid[8], 0);
	ok(unbind(S)); /* nothing bound: nothing to do */
	ok(bind(S_BIND_ONLY, VS));
	assert_int_equal(host_smmu_ste_vmid[8], vmid_of(VS));

	/* No rights beyond these mean anything; without BIND, no bind. */
	ok(mint(S_OTHER, S, CAIRN_STREAM_RIGHT_FAULTS));
	assert_int_equal(bind(S_OTHER, VS), CAIRN_ILLEGAL_OPERATION);
	assert_int_equal(err.detail[1], CAIRN_STREAM_RIGHT_BIND);
	assert_int_equal(unbind(S_OTHER), CAIRN_ILLEGAL_OPERATION);
	assert_int_equal(inv(S, 999, NULL, 0), CAIRN_ILLEGAL_OPERATION);
	assert_int_equal(err.detail[0], CAIRN_ARG_LABEL);
	stream_check_refs();
}

static void test_the_binding_belongs_to_its_cap(void **state)
{
	(void)state;
	ok(get(8, S));
	ok(mint(S_BIND_ONLY, S, CAIRN_STREAM_RIGHT_BIND));
	ok(bind(S_BIND_ONLY, VS));
	/* Deleting a cap that made no binding changes nothing... */
	ok(mint(S_COPY, S, CAIRN_RIGHTS_ALL));
	ok(delete (S_COPY));
	assert_int_equal(host_smmu_ste_vmid[8], vmid_of(VS));
	/* ...revoking the one that did ends it (the owner takes the device
	 * back from whoever it gave a bind-only cap to). */
	ok(revoke(S));
	assert_true(cap_is_null(&f.slots[S_BIND_ONLY].cap));
	assert_int_equal(host_smmu_ste_vmid[8], 0);
	assert_int_equal(vmid_streams(cap_vmid(&f.slots[VS].cap)), 0);
	/* A stale record ends nothing: rebound by S, then S_COPY made and
	 * deleted, S's binding stays. */
	ok(bind(S, VS));
	ok(mint(S_COPY, S, CAIRN_RIGHTS_ALL));
	ok(bind(S_COPY, VS2));
	ok(bind(S, VS)); /* S_COPY's record is stale now */
	ok(delete (S_COPY));
	assert_int_equal(host_smmu_ste_vmid[8], vmid_of(VS));
	/* The last cap's deletion ends any binding. */
	ok(delete (S));
	assert_int_equal(host_smmu_ste_vmid[8], 0);
	ok(get(8, S));
}

static enum cairn_error map_frame(void)
{
	uint64_t t[] = {VS, 0};
	uint64_t a[] = {VS, 0x1000, RW, 0};

	ok(inv(PT1, CAIRN_PAGE_TABLE_MAP, t, 2));
	ok(inv(PT2, CAIRN_PAGE_TABLE_MAP, t, 2));
	return inv(FR, CAIRN_FRAME_MAP, a, 4);
}

static void test_removals_invalidate_the_smmu(void **state)
{
	(void)state;
	unsigned ipa = host_smmu_flush_ipa_count;
	unsigned all = host_smmu_flush_vmid_count;

	/* Unbound: the SMMU holds nothing of this VSpace. */
	ok(map_frame());
	ok(inv(FR, CAIRN_FRAME_UNMAP, NULL, 0));
	assert_int_equal(host_smmu_flush_ipa_count, ipa);

	ok(get(8, S));
	ok(bind(S, VS));
	uint64_t a[] = {VS, 0x1000, RW, 0};
	ok(inv(FR, CAIRN_FRAME_MAP, a, 4)); /* new entries need nothing */
	assert_int_equal(host_smmu_flush_ipa_count, ipa);
	ok(inv(FR, CAIRN_FRAME_UNMAP, NULL, 0));
	assert_int_equal(host_smmu_flush_ipa_count, ipa + 1);
	/* Deleting a mapped frame cap, and a table (whole VMID). */
	ok(inv(FR, CAIRN_FRAME_MAP, a, 4));
	ok(delete (FR));
	assert_int_equal(host_smmu_flush_ipa_count, ipa + 2);
	ok(inv(PT2, CAIRN_PAGE_TABLE_UNMAP, NULL, 0));
	assert_int_equal(host_smmu_flush_vmid_count, all + 1);
	/* Another VSpace's removals do not touch the SMMU. */
	ok(unbind(S));
	ok(bind(S, VS2));
	ok(inv(PT1, CAIRN_PAGE_TABLE_UNMAP, NULL, 0));
	assert_int_equal(host_smmu_flush_vmid_count, all + 1);
}

static void test_a_vspace_destroyed_under_its_stream(void **state)
{
	(void)state;
	ok(get(8, S));
	ok(get(9, S_OTHER));
	ok(bind(S, VS));
	ok(bind(S_OTHER, VS));
	assert_int_equal(vmid_streams(cap_vmid(&f.slots[VS].cap)), 2);
	vmid_t vmid = cap_vmid(&f.slots[VS].cap);
	unsigned free_before = vmid_available();
	ok(delete (VS));
	/* Both abort again before the VMID and the table go back. */
	assert_int_equal(host_smmu_ste_vmid[8], 0);
	assert_int_equal(host_smmu_ste_vmid[9], 0);
	assert_int_equal(vmid_streams(vmid), 0);
	assert_int_equal(vmid_available(), free_before + 1);
	stream_check_refs();
	/* The caps stay, unbound, and bind elsewhere. */
	ok(bind(S, VS2));
	assert_int_equal(host_smmu_ste_vmid[8], vmid_of(VS2));
}

static uint64_t ntfn_word(void)
{
	struct notification *n = kmem_ptr(f.slots[NTFN].cap.object);
	uint64_t w = n->word;

	n->word = 0;
	return w;
}

static void test_faults_queue_and_overflow(void **state)
{
	(void)state;
	uint64_t r[CAIRN_MSG_MAX_WORDS];
	uint64_t rec[CAIRN_STREAM_FAULT_WORDS] = {
	    CAIRN_SMMU_EVT_TRANSLATION | CAIRN_STREAM_FAULT_STAGE2, 0x5000, 0};
	uint64_t a[] = {NTFN};

	ok(get(8, S));
	/* Queued before any route is set; signalled when it is. */
	stream_fault(8, rec);
	ntfn_word();
	ok(inv(S, CAIRN_STREAM_SET_FAULT_NOTIFICATION, a, 1));
	assert_int_equal(ntfn_word(), 1);
	ok(fixture_invoke_reply(&f, &f.slots[S], CAIRN_STREAM_GET_FAULTS, NULL,
				0, r, &err));
	assert_int_equal(r[0], 1);
	assert_int_equal(r[1], 0);
	assert_int_equal(r[2], 1);
	assert_int_equal(r[3], rec[0]);
	assert_int_equal(r[4], 0x5000);
	/* More than the queue holds: the rest counted as dropped. */
	for (uint64_t i = 0; i < CAIRN_STREAM_FAULT_QUEUE + 3; i++) {
		rec[1] = 0x1000 * i;
		stream_fault(8, rec);
	}
	assert_int_equal(ntfn_word(), 1);
	ok(fixture_invoke_reply(&f, &f.slots[S], CAIRN_STREAM_GET_FAULTS, NULL,
				0, r, &err));
	assert_int_equal(r[0], CAIRN_STREAM_FAULTS_PER_CALL);
	assert_int_equal(r[1], 3);
	assert_int_equal(r[2], CAIRN_STREAM_FAULT_QUEUE + 4);
	assert_int_equal(r[4], 0); /* oldest first */
	assert_int_equal(r[4 + CAIRN_STREAM_FAULT_WORDS], 0x1000);
	ok(fixture_invoke_reply(&f, &f.slots[S], CAIRN_STREAM_GET_FAULTS, NULL,
				0, r, &err));
	assert_int_equal(r[0], CAIRN_STREAM_FAULT_QUEUE -
				   CAIRN_STREAM_FAULTS_PER_CALL);
	assert_int_equal(r[1], 0); /* reported once */
	ok(fixture_invoke_reply(&f, &f.slots[S], CAIRN_STREAM_GET_FAULTS, NULL,
				0, r, &err));
	assert_int_equal(r[0], 0);

	/* A stream nobody claimed: counted for SIDControl.Info. */
	ok(fixture_invoke_reply(&f, &f.slots[SIDC], CAIRN_SID_CONTROL_INFO,
				NULL, 0, r, &err));
	uint64_t unrouted = r[5];
	stream_fault(77, rec);
	stream_fault(SMMU_STREAMS_MAX + 5, rec);
	ok(fixture_invoke_reply(&f, &f.slots[SIDC], CAIRN_SID_CONTROL_INFO,
				NULL, 0, r, &err));
	assert_int_equal(r[5], unrouted + 2);

	/* The route: a notification with WRITE, kept as a copy; 0 clears. */
	ok(mint(S_OTHER, NTFN, CAIRN_RIGHT_READ));
	a[0] = S_OTHER;
	assert_int_equal(inv(S, CAIRN_STREAM_SET_FAULT_NOTIFICATION, a, 1),
			 CAIRN_INVALID_CAPABILITY);
	ok(delete (S_OTHER));
	a[0] = EP;
	assert_int_equal(inv(S, CAIRN_STREAM_SET_FAULT_NOTIFICATION, a, 1),
			 CAIRN_INVALID_CAPABILITY);
	assert_int_equal(err.detail[0], CAIRN_ARG_NOTIFICATION);
	ok(delete (NTFN)); /* the stream's copy keeps it alive */
	stream_fault(8, rec);
	stream_check_refs();
	a[0] = 0;
	ok(inv(S, CAIRN_STREAM_SET_FAULT_NOTIFICATION, a, 1));
	/* Without the FAULTS right, neither. */
	ok(mint(S_BIND_ONLY, S, CAIRN_STREAM_RIGHT_BIND));
	assert_int_equal(inv(S_BIND_ONLY, CAIRN_STREAM_GET_FAULTS, NULL, 0),
			 CAIRN_ILLEGAL_OPERATION);
	assert_int_equal(
	    inv(S_BIND_ONLY, CAIRN_STREAM_SET_FAULT_NOTIFICATION, a, 1),
	    CAIRN_ILLEGAL_OPERATION);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_each_stream_once, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_info, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_get_intx, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_pcie, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bind_and_its_errors, setup,
					    teardown),
	    cmocka_unit_test_setup_teardown(test_the_binding_belongs_to_its_cap,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(test_removals_invalidate_the_smmu,
					    setup, teardown),
	    cmocka_unit_test_setup_teardown(
		test_a_vspace_destroyed_under_its_stream, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_faults_queue_and_overflow,
					    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
