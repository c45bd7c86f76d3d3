/* The VMM's GICv3 distributor and redistributor model: register read-back,
 * reserved bits, access widths, SGI decoding, and when it injects. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mmio.h"
#include "vgic.h"

#define MAX_EVENTS 64

struct injection {
	unsigned vcpu;
	uint32_t intid;
	uint8_t priority;
};

/* What the caller's side saw: injections, and the kernel state query()
 * answers with. */
static struct harness {
	struct injection ev[MAX_EVENTS];
	unsigned count;
	bool refuse; /* inject() fails, as with the kernel's queue full */
	unsigned kernel[VMM_MAX_VCPUS][64];
	unsigned queries;
} h;

static struct vgic v;

static bool inject(void *ctx, unsigned vcpu, uint32_t intid, uint8_t prio)
{
	assert_ptr_equal(ctx, &h);
	if (h.refuse) {
		return false;
	}
	assert_true(h.count < MAX_EVENTS);
	h.ev[h.count++] = (struct injection){vcpu, intid, prio};
	return true;
}

static unsigned query(void *ctx, unsigned vcpu, uint32_t intid)
{
	assert_ptr_equal(ctx, &h);
	h.queries++;
	return intid < 64 ? h.kernel[vcpu][intid] : 0;
}

static void init(unsigned nr_vcpus, unsigned nr_spis, bool with_query)
{
	struct vgic_config cfg = {.nr_vcpus = nr_vcpus,
				  .nr_spis = nr_spis,
				  .inject = inject,
				  .query = with_query ? query : NULL,
				  .ctx = &h};
	memset(&h, 0, sizeof(h));
	assert_int_equal(vgic_init(&v, &cfg), 0);
}

static int setup(void **state)
{
	(void)state;
	init(4, 64, false);
	return 0;
}

static int setup_query(void **state)
{
	(void)state;
	init(2, 64, true);
	return 0;
}

/* Register access helpers; each asserts the model accepted the access. */
static uint64_t call(bool (*fn)(void *, uint64_t, struct mmio_access *),
		     uint64_t off, unsigned size, bool write, uint64_t val)
{
	struct mmio_access a = {
	    .size = (uint8_t)size, .write = write, .value = write ? val : 0};
	assert_true(fn(&v, off, &a));
	return a.value;
}

static uint64_t dread(uint64_t off, unsigned size)
{
	return call(vgic_dist_mmio, off, size, false, 0);
}

static void dwrite(uint64_t off, unsigned size, uint64_t val)
{
	call(vgic_dist_mmio, off, size, true, val);
}

static uint64_t rd_off(unsigned vcpu, uint64_t off)
{
	return vcpu * VGIC_REDIST_STRIDE + off;
}

static uint64_t rread(unsigned vcpu, uint64_t off, unsigned size)
{
	return call(vgic_redist_mmio, rd_off(vcpu, off), size, false, 0);
}

static void rwrite(unsigned vcpu, uint64_t off, unsigned size, uint64_t val)
{
	call(vgic_redist_mmio, rd_off(vcpu, off), size, true, val);
}

static bool refused(bool (*fn)(void *, uint64_t, struct mmio_access *),
		    uint64_t off, unsigned size, bool write)
{
	struct mmio_access a = {.size = (uint8_t)size, .write = write};
	return !fn(&v, off, &a);
}

#define SGI 0x10000 /* SGI_base within a redistributor */

/* Makes the distributor deliver group 1 and enables intid (an SPI). */
static void enable_spi(uint32_t intid)
{
	dwrite(0x0, 4, 0x12);
	dwrite(0x100 + intid / 32 * 4, 4, 1u << (intid % 32));
}

static void assert_injected(unsigned i, unsigned vcpu, uint32_t intid,
			    uint8_t prio)
{
	assert_true(i < h.count);
	assert_int_equal(h.ev[i].vcpu, vcpu);
	assert_int_equal(h.ev[i].intid, intid);
	assert_int_equal(h.ev[i].priority, prio);
}

/* --- Distributor registers ---------------------------------------------- */

static void test_init_refuses_bad_configs(void **state)
{
	(void)state;
	struct vgic_config cfg = {
	    .nr_vcpus = 1, .nr_spis = 32, .inject = inject, .ctx = &h};
	assert_int_equal(vgic_init(&v, &cfg), 0);
	cfg.nr_spis = 48;
	assert_int_equal(vgic_init(&v, &cfg), -1);
	cfg.nr_spis = VGIC_MAX_SPIS + 32;
	assert_int_equal(vgic_init(&v, &cfg), -1);
	cfg.nr_spis = 0;
	assert_int_equal(vgic_init(&v, &cfg), -1);
	cfg.nr_spis = 32;
	cfg.nr_vcpus = 0;
	assert_int_equal(vgic_init(&v, &cfg), -1);
	cfg.nr_vcpus = VMM_MAX_VCPUS + 1;
	assert_int_equal(vgic_init(&v, &cfg), -1);
	cfg.nr_vcpus = 1;
	cfg.inject = NULL;
	assert_int_equal(vgic_init(&v, &cfg), -1);
}

static void test_dist_id_registers(void **state)
{
	(void)state;
	/* 64 SPIs: ITLinesNumber 2; 10 ID bits; No1N; no LPIs, MBIs, RSS. */
	assert_int_equal(dread(0x4, 4), 2 | 9u << 19 | 1u << 25);
	assert_int_equal(dread(0x8, 4), 0x4300043b);
	assert_int_equal(dread(0xc, 4), 0);
	assert_int_equal(dread(0xffe8, 4), 0x3b);
	assert_int_equal((dread(0xffe8, 4) >> 4) & 0xf, 3); /* GICv3 */
	dwrite(0x4, 4, ~0u);				    /* read-only */
	dwrite(0xffe8, 4, 0);
	assert_int_equal(dread(0x4, 4) & 0x1f, 2);
	assert_int_equal(dread(0xffe8, 4), 0x3b);
	init(1, 128, false);
	assert_int_equal(dread(0x4, 4) & 0x1f, 4);
}

static void test_dist_ctlr(void **state)
{
	(void)state;
	assert_int_equal(dread(0x0, 4), 0x50); /* ARE, DS; nothing enabled */
	dwrite(0x0, 4, 0x13);		       /* what Linux writes */
	assert_int_equal(dread(0x0, 4), 0x53);
	dwrite(0x0, 4, 0xffffffff); /* RWP, reserved bits: no */
	assert_int_equal(dread(0x0, 4), 0x53);
	dwrite(0x0, 4, 0); /* ARE and DS stay */
	assert_int_equal(dread(0x0, 4), 0x50);
}

static void test_dist_group_and_enable_bits(void **state)
{
	(void)state;
	/* Word 0 (SGIs, PPIs) belongs to the redistributors: RAZ/WI. */
	assert_int_equal(dread(0x80, 4), 0);
	assert_int_equal(dread(0x84, 4), 0xffffffff); /* group 1 */
	dwrite(0x84, 4, 0);
	assert_int_equal(dread(0x84, 4), 0xffffffff);
	assert_int_equal(dread(0x8c, 4), 0); /* beyond 64 SPIs */

	dwrite(0x100, 4, 0xffffffff);
	assert_int_equal(dread(0x100, 4), 0);
	dwrite(0x104, 4, 0x80000001);
	dwrite(0x108, 4, 0x00010000);
	assert_int_equal(dread(0x104, 4), 0x80000001);
	assert_int_equal(dread(0x184, 4), 0x80000001); /* ICENABLER too */
	dwrite(0x184, 4, 0x00000001);
	assert_int_equal(dread(0x104, 4), 0x80000000);
	assert_int_equal(dread(0x108, 4), 0x00010000);
	dwrite(0x10c, 4, 0xffffffff); /* beyond: WI */
	assert_int_equal(dread(0x10c, 4), 0);
}

static void test_dist_active_bits(void **state)
{
	(void)state;
	dwrite(0x304, 4, 0x00000300);
	assert_int_equal(dread(0x304, 4), 0x300);
	assert_int_equal(dread(0x384, 4), 0x300);
	dwrite(0x384, 4, 0x00000100);
	assert_int_equal(dread(0x304, 4), 0x200);
	assert_int_equal(h.count, 0); /* active state never injects */
}

static void test_dist_priorities(void **state)
{
	(void)state;
	dwrite(0x420, 4, 0xa0b0c0d0); /* INTIDs 32..35 */
	assert_int_equal(dread(0x420, 4), 0xa0b0c0d0);
	assert_int_equal(dread(0x421, 1), 0xc0);
	dwrite(0x423, 1, 0x10);
	assert_int_equal(dread(0x420, 4), 0x10b0c0d0);
	/* Private INTIDs live in the redistributors. */
	dwrite(0x400, 4, 0xffffffff);
	assert_int_equal(dread(0x400, 4), 0);
	assert_int_equal(dread(0x41f, 1), 0);
	/* Beyond the last SPI (95). */
	dwrite(0x460, 4, 0xffffffff);
	assert_int_equal(dread(0x460, 4), 0);
	/* ITARGETSR: RAZ/WI with affinity routing, bytes allowed. */
	dwrite(0x820, 1, 0xff);
	assert_int_equal(dread(0x820, 4), 0);
}

static void test_dist_config(void **state)
{
	(void)state;
	/* ICFGR2 covers INTIDs 32..47; even bits are reserved. */
	assert_int_equal(dread(0xc08, 4), 0); /* SPIs start level */
	dwrite(0xc08, 4, 0xffffffff);
	assert_int_equal(dread(0xc08, 4), 0xaaaaaaaa);
	dwrite(0xc08, 4, 0x00000008);
	assert_int_equal(dread(0xc08, 4), 0x00000008); /* INTID 33 edge */
	dwrite(0xc00, 4, 0xffffffff);
	dwrite(0xc04, 4, 0xffffffff);
	assert_int_equal(dread(0xc00, 4), 0);
	assert_int_equal(dread(0xc04, 4), 0);
	dwrite(0xc18, 4, 0xffffffff); /* INTIDs 96..: none */
	assert_int_equal(dread(0xc18, 4), 0);
}

static void test_dist_irouter(void **state)
{
	(void)state;
	uint64_t r33 = 0x6000 + 8 * 33;
	assert_int_equal(dread(r33, 8), 0);
	dwrite(r33, 8, 0xffffffffffffffffull);
	/* Aff3, Aff2..Aff0 only: IRM is RES0 (No1N), the rest reserved. */
	assert_int_equal(dread(r33, 8), 0xff00ffffffull);
	assert_int_equal(dread(r33, 4), 0x00ffffff);
	assert_int_equal(dread(r33 + 4, 4), 0xff);
	dwrite(r33 + 4, 4, 0);
	assert_int_equal(dread(r33, 8), 0x00ffffff);
	dwrite(r33, 4, 0x0102);
	assert_int_equal(dread(r33, 8), 0x0102);
	/* INTIDs 0..31 and past the last SPI: RAZ/WI. */
	dwrite(0x6000 + 8 * 5, 8, 1);
	assert_int_equal(dread(0x6000 + 8 * 5, 8), 0);
	dwrite(0x6000 + 8 * 96, 8, 1);
	assert_int_equal(dread(0x6000 + 8 * 96, 8), 0);
}

static void test_dist_unimplemented_is_raz_wi(void **state)
{
	(void)state;
	uint64_t offs[] = {0x10,  0x40,	  0x48,	  0xd04,  0xe00,
			   0xf00, 0x5000, 0x8000, 0xffd0, 0xfffc};
	for (unsigned i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		dwrite(offs[i], 4, 0xffffffff);
		assert_int_equal(dread(offs[i], 4), 0);
	}
	dwrite(0xf10, 1, 0xff); /* CPENDSGIR, SPENDSGIR: bytes too */
	assert_int_equal(dread(0xf2f, 1), 0);
	assert_int_equal(h.count, 0);
}

static void test_dist_refuses_wrong_widths(void **state)
{
	(void)state;
	assert_true(refused(vgic_dist_mmio, 0x0, 2, false));
	assert_true(refused(vgic_dist_mmio, 0x0, 8, false));
	assert_true(refused(vgic_dist_mmio, 0x4, 8, false));	/* TYPER */
	assert_true(refused(vgic_dist_mmio, 0x102, 4, true));	/* unaligned */
	assert_true(refused(vgic_dist_mmio, 0x101, 1, true));	/* ISENABLER */
	assert_true(refused(vgic_dist_mmio, 0xc08, 1, false));	/* ICFGR */
	assert_true(refused(vgic_dist_mmio, 0x6104, 8, false)); /* unaligned */
	assert_true(refused(vgic_dist_mmio, 0x6001, 1, false));
	/* And the accepted ones. */
	assert_false(refused(vgic_dist_mmio, 0x421, 1, false));
	assert_false(refused(vgic_dist_mmio, 0x6108, 8, false));
	assert_false(refused(vgic_dist_mmio, 0x610c, 4, false));
	assert_int_equal(h.count, 0);
}

/* --- Redistributors ------------------------------------------------------ */

static void test_redist_typer(void **state)
{
	(void)state;
	for (unsigned c = 0; c < 4; c++) {
		uint64_t typer = rread(c, 0x8, 8);
		assert_int_equal(typer >> 32, c); /* Aff0 = vCPU index */
		assert_int_equal((typer >> 8) & 0xffff, c);
		assert_int_equal(typer & 0x10, c == 3 ? 0x10 : 0); /* Last */
		assert_int_equal(typer & 0xef, 0); /* no LPIs, VLPIs, ... */
		assert_int_equal(rread(c, 0x8, 4), typer & 0xffffffff);
		assert_int_equal(rread(c, 0xc, 4), typer >> 32);
	}
	rwrite(1, 0x8, 8, ~0ull);
	assert_int_equal(rread(1, 0x8, 8), 1ull << 32 | 1 << 8);
}

static void test_redist_affinity_matches_the_mapping(void **state)
{
	(void)state;
	init(VMM_MAX_VCPUS, 32, false);
	for (unsigned c = 0; c < VMM_MAX_VCPUS; c++) {
		uint64_t mpidr = vmm_vcpu_mpidr(c);
		uint64_t aff = (mpidr & 0xffffff) | (mpidr >> 32 & 0xff) << 24;
		assert_int_equal(rread(c, 0x8, 8) >> 32, aff);
		assert_int_equal(vmm_mpidr_vcpu(mpidr, VMM_MAX_VCPUS), (int)c);
	}
}

static void test_redist_waker_handshake(void **state)
{
	(void)state;
	/* Asleep at reset: ProcessorSleep and ChildrenAsleep. */
	assert_int_equal(rread(0, 0x14, 4), 0x6);
	/* Linux clears ProcessorSleep and waits for ChildrenAsleep to go. */
	rwrite(0, 0x14, 4, rread(0, 0x14, 4) & ~2u);
	assert_int_equal(rread(0, 0x14, 4), 0);
	assert_int_equal(rread(1, 0x14, 4), 0x6); /* per vCPU */
	rwrite(0, 0x14, 4, 0xffffffff);		  /* only bit 1 is writable */
	assert_int_equal(rread(0, 0x14, 4), 0x6);
}

static void test_redist_ids_and_raz(void **state)
{
	(void)state;
	assert_int_equal(rread(2, 0x4, 4), 0x4300043b);
	assert_int_equal(rread(2, 0xffe8, 4), 0x3b);
	/* CTLR (RWP reads 0), STATUSR, PROPBASER, PENDBASER, SYNCR. */
	uint64_t offs[] = {0x0,		0x10,	     0x70,	  0xc0,
			   SGI + 0xd00, SGI + 0xe00, SGI + 0x104, SGI + 0xfffc};
	for (unsigned i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		rwrite(2, offs[i], 4, 0xffffffff);
		assert_int_equal(rread(2, offs[i], 4), 0);
	}
	rwrite(2, 0x78, 8, ~0ull);
	assert_int_equal(rread(2, 0x78, 8), 0);
}

static void test_redist_refuses(void **state)
{
	(void)state;
	assert_true(refused(vgic_redist_mmio, rd_off(4, 0x8), 8, false));
	assert_true(refused(vgic_redist_mmio, rd_off(0, 0x14), 8, false));
	assert_true(refused(vgic_redist_mmio, rd_off(0, 0x14), 2, false));
	assert_true(refused(vgic_redist_mmio, rd_off(0, 0x9), 1, false));
	assert_true(refused(vgic_redist_mmio, rd_off(0, SGI + 0x100), 1, true));
	assert_true(refused(vgic_redist_mmio, rd_off(0, SGI + 0x420), 1, true));
	assert_true(refused(vgic_redist_mmio, rd_off(0, SGI + 0x8), 8, true));
	assert_false(refused(vgic_redist_mmio, rd_off(0, SGI + 0x41f), 1, 0));
}

static void test_sgi_base_registers(void **state)
{
	(void)state;
	assert_int_equal(rread(1, SGI + 0x80, 4), 0xffffffff); /* group 1 */
	rwrite(1, SGI + 0x80, 4, 0);
	assert_int_equal(rread(1, SGI + 0x80, 4), 0xffffffff);

	rwrite(1, SGI + 0x100, 4, 0x0800ffff); /* SGIs and PPI 27 */
	assert_int_equal(rread(1, SGI + 0x100, 4), 0x0800ffff);
	assert_int_equal(rread(0, SGI + 0x100, 4), 0); /* banked */
	rwrite(1, SGI + 0x180, 4, 0x0000fff0);
	assert_int_equal(rread(1, SGI + 0x180, 4), 0x0800000f);

	rwrite(1, SGI + 0x41c, 4, 0xa0a0a0a0); /* PPIs 28..31 */
	rwrite(1, SGI + 0x400, 1, 0x80);
	assert_int_equal(rread(1, SGI + 0x41c, 4), 0xa0a0a0a0);
	assert_int_equal(rread(1, SGI + 0x41f, 1), 0xa0);
	assert_int_equal(rread(1, SGI + 0x400, 4), 0x80);
	assert_int_equal(rread(0, SGI + 0x41c, 4), 0);

	assert_int_equal(rread(1, SGI + 0xc00, 4), 0xaaaaaaaa); /* SGIs edge */
	rwrite(1, SGI + 0xc00, 4, 0);
	assert_int_equal(rread(1, SGI + 0xc00, 4), 0xaaaaaaaa);
	assert_int_equal(rread(1, SGI + 0xc04, 4), 0); /* PPIs level */
	rwrite(1, SGI + 0xc04, 4, 0xffffffff);
	assert_int_equal(rread(1, SGI + 0xc04, 4), 0xaaaaaaaa);
	assert_int_equal(rread(0, SGI + 0xc04, 4), 0);

	rwrite(1, SGI + 0x300, 4, 0x80000001);
	assert_int_equal(rread(1, SGI + 0x380, 4), 0x80000001);
	rwrite(1, SGI + 0x380, 4, 1);
	assert_int_equal(rread(1, SGI + 0x300, 4), 0x80000000);
}

/* --- SGIs ----------------------------------------------------------------- */

static uint64_t sgi1r(uint32_t intid, uint16_t list, uint64_t aff1, uint64_t rs)
{
	return (uint64_t)intid << 24 | list | aff1 << 16 | rs << 44;
}

static void test_sgi_decode(void **state)
{
	(void)state;
	struct vgic_sgi s;

	vgic_decode_sgi1r(&v, 0, sgi1r(3, 0x6, 0, 0), &s);
	assert_int_equal(s.intid, 3);
	assert_int_equal(s.targets, 0x6);
	/* Targets past the last vCPU (4) drop out; so may the sender. */
	vgic_decode_sgi1r(&v, 1, sgi1r(15, 0xfffe, 0, 0), &s);
	assert_int_equal(s.intid, 15);
	assert_int_equal(s.targets, 0xe);
	/* IRM: everyone but the sender, whatever the list says. */
	vgic_decode_sgi1r(&v, 2, sgi1r(1, 0x4, 0, 0) | 1ull << 40, &s);
	assert_int_equal(s.targets, 0xb);
	/* Other affinities name no vCPU here: Aff1, Aff2, Aff3, RS. */
	vgic_decode_sgi1r(&v, 0, sgi1r(1, 0x1, 1, 0), &s);
	assert_int_equal(s.targets, 0);
	vgic_decode_sgi1r(&v, 0, sgi1r(1, 0x1, 0, 0) | 1ull << 32, &s);
	assert_int_equal(s.targets, 0);
	vgic_decode_sgi1r(&v, 0, sgi1r(1, 0x1, 0, 0) | 1ull << 48, &s);
	assert_int_equal(s.targets, 0);
	vgic_decode_sgi1r(&v, 0, sgi1r(1, 0x1, 0, 1), &s);
	assert_int_equal(s.targets, 0);
}

static void test_sgi_decode_with_one_vcpu(void **state)
{
	(void)state;
	struct vgic_sgi s;
	init(1, 32, false);
	/* With one vCPU, IRM reaches nobody. */
	vgic_decode_sgi1r(&v, 0, 1ull << 40, &s);
	assert_int_equal(s.targets, 0);
	/* Aff1 = 0, RS = 0, bit 0 is vCPU 0 even from itself. */
	vgic_decode_sgi1r(&v, 0, sgi1r(7, 1, 0, 0), &s);
	assert_int_equal(s.targets, 1);
}

static void test_sgi_write_raises_in_targets(void **state)
{
	(void)state;
	dwrite(0x0, 4, 0x2);
	for (unsigned c = 0; c < 4; c++) {
		rwrite(c, SGI + 0x404, 1, (uint8_t)(0x10 * c)); /* SGI 4 */
	}
	rwrite(1, SGI + 0x100, 4, 1u << 4);
	rwrite(2, SGI + 0x100, 4, 1u << 4);
	vgic_write_sgi1r(&v, 0, sgi1r(4, 0xe, 0, 0)); /* vCPUs 1, 2, 3 */
	assert_int_equal(h.count, 2);
	assert_injected(0, 1, 4, 0x10);
	assert_injected(1, 2, 4, 0x20);
	/* vCPU 3 had SGI 4 disabled: latched, delivered when enabled. */
	assert_int_equal(rread(3, SGI + 0x200, 4), 1u << 4);
	rwrite(3, SGI + 0x100, 4, 1u << 4);
	assert_int_equal(h.count, 3);
	assert_injected(2, 3, 4, 0x30);
	assert_int_equal(rread(3, SGI + 0x200, 4), 0);
}

/* --- Delivery --------------------------------------------------------------
 */

static void test_disabled_spi_does_not_inject(void **state)
{
	(void)state;
	dwrite(0x0, 4, 0x2);
	vgic_set_level(&v, 40, true);
	assert_int_equal(h.count, 0);
	dwrite(0xc08, 4, 1u << 17); /* INTID 40 edge */
	vgic_set_level(&v, 40, false);
	vgic_set_level(&v, 40, true);
	dwrite(0x204, 4, 1u << 8); /* ISPENDR */
	assert_int_equal(h.count, 0);
	assert_int_equal(dread(0x204, 4), 1u << 8);
}

static void test_enable_after_pending_delivers(void **state)
{
	(void)state;
	dwrite(0x0, 4, 0x2);
	dwrite(0xc08, 4, 1u << 5); /* INTID 34 edge */
	dwrite(0x422, 1, 0x40);
	vgic_set_level(&v, 34, true);
	vgic_set_level(&v, 34, false); /* a pulse, gone before the enable */
	assert_int_equal(h.count, 0);
	assert_int_equal(dread(0x204, 4), 1u << 2); /* latched */
	dwrite(0x104, 4, 1u << 2);
	assert_int_equal(h.count, 1);
	assert_injected(0, 0, 34, 0x40);
	assert_int_equal(dread(0x204, 4), 0); /* the kernel has it now */
	dwrite(0x104, 4, 1u << 2);	      /* enabling again: nothing new */
	assert_int_equal(h.count, 1);
}

static void test_distributor_enable_delivers_latched(void **state)
{
	(void)state;
	dwrite(0x104, 4, 1u << 1);	     /* INTID 33 enabled */
	rwrite(2, SGI + 0x100, 4, 1u << 26); /* PPI 26 on vCPU 2 */
	dwrite(0x204, 4, 1u << 1);	     /* pending by software */
	vgic_raise_ppi(&v, 2, 26);
	assert_int_equal(h.count, 0); /* group 1 off in GICD_CTLR */
	dwrite(0x0, 4, 0x12);
	assert_int_equal(h.count, 2);
	assert_injected(0, 0, 33, 0);
	assert_injected(1, 2, 26, 0);
	dwrite(0x0, 4, 0x12); /* again: nothing */
	assert_int_equal(h.count, 2);
}

static void test_level_spi_reinjection(void **state)
{
	(void)state;
	enable_spi(33); /* level by default */
	vgic_set_level(&v, 33, true);
	assert_int_equal(h.count, 1);
	/* Held high: the kernel has it; no second injection. */
	vgic_set_level(&v, 33, true);
	assert_int_equal(h.count, 1);
	assert_int_equal(dread(0x204, 4), 1u << 1); /* pending: the line */
	/* The guest EOIs it while the line is still high: again. */
	vgic_eoi(&v, 0, 33);
	assert_int_equal(h.count, 2);
	/* Falls, rises: again. */
	vgic_set_level(&v, 33, false);
	assert_int_equal(dread(0x204, 4), 0);
	vgic_set_level(&v, 33, true);
	assert_int_equal(h.count, 3);
	/* An EOI after the line fell: nothing. */
	vgic_set_level(&v, 33, false);
	vgic_eoi(&v, 0, 33);
	assert_int_equal(h.count, 3);
}

static void test_level_follows_the_line_while_disabled(void **state)
{
	(void)state;
	dwrite(0x0, 4, 0x2);
	vgic_set_level(&v, 35, true);
	vgic_set_level(&v, 35, false); /* gone before the enable */
	dwrite(0x104, 4, 1u << 3);
	assert_int_equal(h.count, 0); /* level: nothing latched */
	dwrite(0x184, 4, 1u << 3);
	vgic_set_level(&v, 35, true); /* high while disabled */
	assert_int_equal(h.count, 0);
	dwrite(0x104, 4, 1u << 3);
	assert_int_equal(h.count, 1);
	assert_injected(0, 0, 35, 0);
}

static void test_edge_spi_counts_rising_edges(void **state)
{
	(void)state;
	enable_spi(36);
	dwrite(0xc08, 4, 1u << 9); /* INTID 36 edge */
	vgic_set_level(&v, 36, true);
	vgic_set_level(&v, 36, true); /* no edge */
	assert_int_equal(h.count, 1);
	vgic_eoi(&v, 0, 36); /* edge: an EOI changes nothing */
	assert_int_equal(h.count, 1);
	vgic_set_level(&v, 36, false);
	assert_int_equal(h.count, 1);
	vgic_set_level(&v, 36, true);
	assert_int_equal(h.count, 2);
	assert_int_equal(dread(0x204, 4), 0); /* edge: the kernel has it */
}

static void test_spi_follows_its_route(void **state)
{
	(void)state;
	enable_spi(37);
	dwrite(0x6000 + 8 * 37, 8, vmm_vcpu_mpidr(2));
	vgic_set_level(&v, 37, true);
	assert_int_equal(h.count, 1);
	assert_injected(0, 2, 37, 0);
	vgic_set_level(&v, 37, false);
	/* Routed to an affinity no vCPU has: held back, not lost. */
	dwrite(0x6000 + 8 * 37, 8, 0x100);
	vgic_set_level(&v, 37, true);
	assert_int_equal(h.count, 1);
	assert_int_equal(dread(0x204, 4), 1u << 5);
	dwrite(0x6000 + 8 * 37, 4, vmm_vcpu_mpidr(3));
	assert_int_equal(h.count, 2);
	assert_injected(1, 3, 37, 0);
}

static void test_software_pending(void **state)
{
	(void)state;
	dwrite(0x0, 4, 0x2);
	dwrite(0x204, 4, 1u << 6); /* INTID 38: latched while disabled */
	assert_int_equal(dread(0x204, 4), 1u << 6);
	assert_int_equal(dread(0x284, 4), 1u << 6);
	dwrite(0x284, 4, 1u << 6); /* ICPENDR: gone */
	assert_int_equal(dread(0x204, 4), 0);
	dwrite(0x104, 4, 1u << 6);
	assert_int_equal(h.count, 0);
	dwrite(0x204, 4, 1u << 6); /* enabled now: straight in */
	assert_int_equal(h.count, 1);
	assert_injected(0, 0, 38, 0);
}

static void test_failed_injection_is_retried_by_kick(void **state)
{
	(void)state;
	enable_spi(39);
	dwrite(0x6000 + 8 * 39, 8, vmm_vcpu_mpidr(1));
	dwrite(0xc08, 4, 1u << 15); /* INTID 39 edge */
	h.refuse = true;
	vgic_set_level(&v, 39, true);
	assert_int_equal(h.count, 0);
	assert_int_equal(dread(0x204, 4), 1u << 7); /* still ours */
	h.refuse = false;
	vgic_kick(&v, 0); /* not vCPU 0's */
	assert_int_equal(h.count, 0);
	vgic_kick(&v, 1);
	assert_int_equal(h.count, 1);
	assert_injected(0, 1, 39, 0);
	vgic_kick(&v, 1); /* once */
	assert_int_equal(h.count, 1);
}

static void test_private_interrupts(void **state)
{
	(void)state;
	dwrite(0x0, 4, 0x2);
	rwrite(3, SGI + 0x100, 4, 1u << 30 | 1u << 20);
	rwrite(3, SGI + 0x41e, 1, 0x90);
	vgic_raise_ppi(&v, 3, 30);
	assert_injected(0, 3, 30, 0x90);
	vgic_raise_ppi(&v, 2, 30); /* disabled on vCPU 2 */
	assert_int_equal(h.count, 1);
	assert_int_equal(rread(2, SGI + 0x200, 4), 1u << 30);
	/* A level PPI (an emulated EL1 physical timer). */
	vgic_set_ppi_level(&v, 3, 20, true);
	vgic_set_ppi_level(&v, 3, 20, true);
	assert_int_equal(h.count, 2);
	assert_injected(1, 3, 20, 0);
	/* Out of range: ignored. */
	vgic_raise_ppi(&v, 3, 5);
	vgic_raise_ppi(&v, 3, 32);
	vgic_raise_sgi(&v, 3, 16);
	vgic_raise_sgi(&v, 7, 1);
	vgic_set_ppi_level(&v, 3, 40, true);
	vgic_set_level(&v, 10, true);
	vgic_set_level(&v, 96, true);
	vgic_set_level(&v, 5000, true);
	assert_int_equal(h.count, 2);
}

static void test_config_change_to_edge(void **state)
{
	(void)state;
	enable_spi(40);
	vgic_set_level(&v, 40, true); /* level: in */
	assert_int_equal(h.count, 1);
	dwrite(0xc08, 4, 1u << 17); /* edge now; the line is already high */
	vgic_set_level(&v, 40, true);
	assert_int_equal(h.count, 1);
	assert_int_equal(dread(0x204, 4), 0);
}

/* --- The kernel's view, through query() ---------------------------------- */

static void test_query_answers_pending_and_active(void **state)
{
	(void)state;
	/* The timer's PPI as the kernel shows it, never injected by us. */
	h.kernel[1][27] = VGIC_QUERY_PENDING;
	assert_int_equal(rread(1, SGI + 0x200, 4) & (1u << 27), 1u << 27);
	h.kernel[1][27] = 0;
	h.queries = 0;
	/* Never injected: the kernel is asked only about its own virtual
	 * timer (PPI 27), once per register read. */
	assert_int_equal(rread(1, SGI + 0x200, 4), 0);
	assert_int_equal(rread(1, SGI + 0x300, 4), 0);
	assert_int_equal(h.queries, 2);
	h.queries = 0;

	dwrite(0x0, 4, 0x2);
	rwrite(1, SGI + 0x100, 4, 1u << 23 | 1u << 2);
	vgic_raise_ppi(&v, 1, 23);
	vgic_raise_sgi(&v, 1, 2);
	assert_int_equal(h.count, 2);
	h.kernel[1][23] = VGIC_QUERY_PENDING;
	h.kernel[1][2] = VGIC_QUERY_ACTIVE;
	assert_int_equal(rread(1, SGI + 0x200, 4), 1u << 23);
	assert_int_equal(rread(1, SGI + 0x280, 4), 1u << 23);
	assert_int_equal(rread(1, SGI + 0x300, 4), 1u << 2);
	assert_int_equal(rread(0, SGI + 0x200, 4), 0); /* banked */
	unsigned asked = h.queries;
	assert_true(asked >= 3);

	/* Once the kernel says it is gone, it is not asked again (only about
	 * its own timer). */
	h.kernel[1][23] = 0;
	h.kernel[1][2] = 0;
	assert_int_equal(rread(1, SGI + 0x200, 4), 0);
	asked = h.queries;
	assert_int_equal(rread(1, SGI + 0x300, 4), 0);
	assert_int_equal(h.queries, asked + 1);
}

static void test_query_for_an_spi_asks_its_target(void **state)
{
	(void)state;
	enable_spi(41);
	dwrite(0x6000 + 8 * 41, 8, vmm_vcpu_mpidr(1));
	dwrite(0x204, 4, 1u << 9);
	assert_injected(0, 1, 41, 0);
	h.kernel[1][41] = VGIC_QUERY_ACTIVE | VGIC_QUERY_PENDING;
	assert_int_equal(dread(0x204, 4), 1u << 9);
	assert_int_equal(dread(0x304, 4), 1u << 9);
	assert_int_equal(dread(0x384, 4), 1u << 9);
}

/* --- Through the MMIO bus, at the virt addresses ------------------------- */

static void test_through_the_bus(void **state)
{
	(void)state;
	struct mmio_bus bus;
	mmio_bus_init(&bus);
	assert_int_equal(mmio_bus_add(&bus, VGIC_DIST_BASE, VGIC_DIST_SIZE,
				      vgic_dist_mmio, &v),
			 0);
	assert_int_equal(mmio_bus_add(&bus, VGIC_REDIST_BASE,
				      vgic_redist_size(&v), vgic_redist_mmio,
				      &v),
			 0);
	struct mmio_access a = {.ipa = VGIC_DIST_BASE + 0xffe8, .size = 4};
	assert_int_equal(mmio_dispatch(&bus, &a), MMIO_HANDLED);
	assert_int_equal(a.value, 0x3b);
	a = (struct mmio_access){.ipa = VGIC_REDIST_BASE + 3 * 0x20000 + 8,
				 .size = 8};
	assert_int_equal(mmio_dispatch(&bus, &a), MMIO_HANDLED);
	assert_int_equal(a.value & 0x10, 0x10); /* the last one */
	/* Past the last redistributor: nothing there. */
	a = (struct mmio_access){.ipa = VGIC_REDIST_BASE + 4 * 0x20000 + 8,
				 .size = 8};
	assert_int_equal(mmio_dispatch(&bus, &a), MMIO_UNHANDLED);
	a = (struct mmio_access){.ipa = VGIC_DIST_BASE + 2, .size = 2};
	assert_int_equal(mmio_dispatch(&bus, &a), MMIO_REFUSED);
}

#define T(name)	 cmocka_unit_test_setup(name, setup)
#define TQ(name) cmocka_unit_test_setup(name, setup_query)

int main(void)
{
	const struct CMUnitTest tests[] = {
	    T(test_init_refuses_bad_configs),
	    T(test_dist_id_registers),
	    T(test_dist_ctlr),
	    T(test_dist_group_and_enable_bits),
	    T(test_dist_active_bits),
	    T(test_dist_priorities),
	    T(test_dist_config),
	    T(test_dist_irouter),
	    T(test_dist_unimplemented_is_raz_wi),
	    T(test_dist_refuses_wrong_widths),
	    T(test_redist_typer),
	    T(test_redist_affinity_matches_the_mapping),
	    T(test_redist_waker_handshake),
	    T(test_redist_ids_and_raz),
	    T(test_redist_refuses),
	    T(test_sgi_base_registers),
	    T(test_sgi_decode),
	    T(test_sgi_decode_with_one_vcpu),
	    T(test_sgi_write_raises_in_targets),
	    T(test_disabled_spi_does_not_inject),
	    T(test_enable_after_pending_delivers),
	    T(test_distributor_enable_delivers_latched),
	    T(test_level_spi_reinjection),
	    T(test_level_follows_the_line_while_disabled),
	    T(test_edge_spi_counts_rising_edges),
	    T(test_spi_follows_its_route),
	    T(test_software_pending),
	    T(test_failed_injection_is_retried_by_kick),
	    T(test_private_interrupts),
	    T(test_config_change_to_edge),
	    TQ(test_query_answers_pending_and_active),
	    TQ(test_query_for_an_spi_asks_its_target),
	    T(test_through_the_bus),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
