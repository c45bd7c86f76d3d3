/*
 * Accesses to guest-physical addresses nothing backs must end in a
 * synchronous external abort at EL1 (EC 0x25, DFSC 0x10, FAR the address)
 * that the guest's vector takes and skips. The addresses are mapped
 * Device-nGnRE in stage 1, so the access reaches the bus rather than
 * faulting in translation. Defaults: 0x0b000000 (a hole of QEMU virt's
 * map and of a Cairn guest's, overridden by unbacked=ADDR) and the first
 * 2 MiB block after the end of RAM.
 */
#include "arch.h"
#include "dtb.h"
#include "tests.h"

#define EC_DABT_CUR	   0x25
#define DFSC_SYNC_EXTERNAL 0x10
#define ESR_WNR		   (1u << 6)
#define ESR_FNV		   (1u << 10)
#define PATTERN		   0x5a5aa5a5u

static void expect_abort(uint64_t addr, bool write)
{
	char buf[64];
	const char *node = dtb_claims(addr, buf, sizeof(buf));
	if (!check(!node, "0x%lx is inside the DTB's %s: pass unbacked=ADDR",
		   addr, node)) {
		return;
	}
	catch_begin();
	uint32_t v = 0;
	if (write) {
		mmio_write32((uintptr_t)addr, PATTERN);
	} else {
		v = mmio_read32((uintptr_t)addr);
	}
	struct fault f = catch_end();
	unsigned ec = (unsigned)field(f.esr, 26, 6);
	unsigned dfsc = (unsigned)field(f.esr, 0, 6);
	note("%s 0x%lx: %u exceptions, ESR 0x%lx (EC 0x%x DFSC 0x%x), FAR "
	     "0x%lx",
	     write ? "write to" : "read of", addr, f.count, f.esr, ec, dfsc,
	     f.far);
	if (!check(f.count == 1,
		   "%s 0x%lx took %u exceptions, not one data abort (read "
		   "0x%x)",
		   write ? "write to" : "read of", addr, f.count, v)) {
		return;
	}
	check(ec == EC_DABT_CUR, "EC 0x%x, not 0x25 (data abort, same EL)", ec);
	check(dfsc == DFSC_SYNC_EXTERNAL,
	      "DFSC 0x%x, not 0x10 (synchronous external abort)", dfsc);
	check(!!(f.esr & ESR_WNR) == write, "ESR.WnR says %s",
	      f.esr & ESR_WNR ? "write" : "read");
	check((f.esr & ESR_FNV) || f.far == addr, "FAR 0x%lx, not 0x%lx", f.far,
	      addr);
}

static void abort_unbacked_read(void)
{
	expect_abort(setup.unbacked, false);
}

static void abort_unbacked_write(void)
{
	expect_abort(setup.unbacked, true);
}

static void abort_beyond_ram(void)
{
	expect_abort(setup.beyond_ram + 0x100, false);
}

const struct test abort_tests[] = {
    {"abort.unbacked_read", abort_unbacked_read},
    {"abort.unbacked_write", abort_unbacked_write},
    {"abort.beyond_ram", abort_beyond_ram},
};
const unsigned abort_tests_count = ARRAY_SIZE(abort_tests);
