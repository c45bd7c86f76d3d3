/*
 * fuzz=SEED,COUNT: COUNT random operations on the boot CPU, the same
 * sequence for the same seed on the same machine: MMIO reads and writes
 * of every size over the emulated devices (GICD, the redistributor frames
 * up to the one marked Last, PL011) and over
 * unbacked addresses, HVC and SMC with random function ids and arguments,
 * accesses to system registers a hypervisor traps (SGI generation, PMU,
 * debug, the EL1 physical timer, ID registers), and WFI storms. Every
 * fault is caught, counted and skipped. Writes that would end the run
 * rather than test the emulation are left out: the PL011's data, control
 * and line registers (so the console keeps working), GICD_CTLR, the
 * redistributors' CTLR, WAKER and LPI/vLPI table bases (which would let
 * the GIC write into guest RAM), and PSCI calls that stop, suspend or
 * start CPUs or the system. Afterwards the devices are set up again and
 * fuzz.survived checks that everything still works.
 */
#include "arch.h"
#include "gic.h"
#include "tests.h"

#define NIDREGS	 64
#define STUB	 16 /* bytes per stub pair in sysregs.S */
#define PROGRESS 10 /* progress lines per run */

extern char fuzz_sysreg_stubs[], fuzz_idreg_stubs[];
typedef uint64_t (*stub_fn)(uint64_t);

enum sysreg_index {
#define X(name, enc) SR_##name,
#include "sysregs.def"
#undef X
	NSYSREGS
};

enum region_kind { R_GICD, R_GICR, R_UART, R_UNBACKED };

struct region {
	uint64_t base, size;
	enum region_kind kind;
};

struct stats {
	uint64_t ops, mmio, calls, sysregs, wfis;
	uint64_t region_aborts[R_UNBACKED + 1];
	uint64_t aborts, undefs, serrors, other, irqs;
	bool ran;
};

static struct region regions[3 + GICR_MAX];
static unsigned nregions;
static struct stats st;
static uint64_t rng;

static uint64_t next(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t below(uint64_t n)
{
	return n ? next() % n : 0;
}

static uint64_t value(void)
{
	switch (below(6)) {
	case 0:
		return 0;
	case 1:
		return ~0ull;
	case 2:
		return below(256);
	case 3:
		return 1ull << below(64);
	case 4:
		return (uint32_t)next();
	default:
		return next();
	}
}

static void add_region(uint64_t base, uint64_t size, enum region_kind kind)
{
	if (base && size && nregions < ARRAY_SIZE(regions)) {
		regions[nregions++] = (struct region){base, size, kind};
	}
}

static bool overlaps(uint64_t off, unsigned size, uint64_t lo, uint64_t hi)
{
	return off < hi && off + size > lo;
}

/* Whether a write may go to offset off of a region (see the top). */
static bool write_allowed(const struct region *r, uint64_t off, unsigned size)
{
	static const uint64_t uart_ok[] = {0x04, 0x34, 0x38, 0x44, 0x48};
	if (r->kind == R_UART) {
		for (unsigned i = 0; i < ARRAY_SIZE(uart_ok); i++) {
			if ((off & ~3ull) == uart_ok[i] && size <= 4) {
				return true;
			}
		}
		return false;
	}
	if (r->kind == R_GICD) {
		return !overlaps(off, size, 0, 4);
	}
	if (r->kind == R_GICR) {
		uint64_t stride = plat.gicr_stride ? plat.gicr_stride : 0x20000;
		uint64_t in = off % stride, page = in / 0x10000;
		in %= 0x10000;
		if (page == 0) {
			return !overlaps(in, size, 0x0, 0x4) &&
			       !overlaps(in, size, 0x14, 0x18) &&
			       !overlaps(in, size, 0x70, 0x80);
		}
		return page != 2 || !overlaps(in, size, 0x70, 0x80);
	}
	return true;
}

static void mmio_access(uintptr_t a, unsigned size, bool write, uint64_t v);

static void mmio_op(void)
{
	const struct region *r = &regions[below(nregions)];
	unsigned size = 1u << below(4);
	uint64_t off = below(r->size) & ~(uint64_t)(size - 1);
	bool write = below(2) && write_allowed(r, off, size);
	uintptr_t a = (uintptr_t)(r->base + off);
	uint64_t v = value();
	unsigned aborts = this_cpu()->aborts;
	st.mmio++;
	mmio_access(a, size, write, v);
	st.region_aborts[r->kind] += this_cpu()->aborts - aborts;
}

static void mmio_access(uintptr_t a, unsigned size, bool write, uint64_t v)
{
	if (!write) {
		switch (size) {
		case 1:
			(void)mmio_read8(a);
			break;
		case 2:
			(void)mmio_read16(a);
			break;
		case 4:
			(void)mmio_read32(a);
			break;
		default:
			(void)mmio_read64(a);
		}
		return;
	}
	switch (size) {
	case 1:
		mmio_write8(a, (uint8_t)v);
		break;
	case 2:
		mmio_write16(a, (uint16_t)v);
		break;
	case 4:
		mmio_write32(a, (uint32_t)v);
		break;
	default:
		mmio_write64(a, v);
	}
}

/* PSCI calls that leave the machine running; every other PSCI function
 * (and QEMU's PSCI 0.1 ids) is left out. */
static bool call_allowed(uint64_t fn)
{
	uint32_t w = (uint32_t)fn;
	if (w >= 0x95c1ba5eu && w <= 0x95c1ba61u) {
		return false;
	}
	if ((w & 0xbfffffe0u) != 0x84000000u) {
		return true;
	}
	switch (w & 0x1f) {
	case 0x00: /* PSCI_VERSION */
	case 0x04: /* AFFINITY_INFO */
	case 0x06: /* MIGRATE_INFO_TYPE */
	case 0x07: /* MIGRATE_INFO_UP_CPU */
	case 0x0a: /* PSCI_FEATURES */
	case 0x0d: /* NODE_HW_STATE */
	case 0x10: /* PSCI_STAT_RESIDENCY */
	case 0x11: /* PSCI_STAT_COUNT */
		return true;
	default:
		return false;
	}
}

static uint64_t function_id(void)
{
	static const uint32_t probes[] = {0x80000000u, 0x80000001u, 0x80008000u,
					  0x84000050u, 0x84000051u, 0xc4000053u,
					  0x8600ff01u, 0x86000001u};
	uint64_t fn;
	switch (below(4)) {
	case 0:
		fn = (uint32_t)next();
		break;
	case 1: /* a fast call of a random owner and function */
		fn = 1u << 31 | (uint32_t)below(2) << 30 |
		     (uint32_t)below(64) << 24 | (uint32_t)below(0x10000);
		break;
	case 2:
		fn = (below(2) ? 0xc4000000u : 0x84000000u) | below(0x20);
		break;
	default:
		fn = probes[below(ARRAY_SIZE(probes))];
	}
	if (!below(8)) {
		fn |= next() << 32;
	}
	return fn;
}

static void call_op(void)
{
	uint64_t args[8];
	do {
		args[0] = function_id();
	} while (!call_allowed(args[0]));
	for (unsigned i = 1; i < 8; i++) {
		args[i] = value();
	}
	st.calls++;
	(void)smccc_call(below(4) ? CONDUIT_HVC : CONDUIT_SMC, args);
}

static void sysreg_op(void)
{
	bool id = below(4) == 0;
	uint64_t n = id ? NIDREGS : NSYSREGS;
	char *base = id ? fuzz_idreg_stubs : fuzz_sysreg_stubs;
	bool write = id ? below(8) == 0 : below(2);
	stub_fn f = (stub_fn)(uintptr_t)(base + below(n) * STUB +
					 (write ? STUB / 2 : 0));
	st.sysregs++;
	(void)f(value());
}

/* A burst of WFIs, each with the virtual timer armed a little ahead and
 * interrupts masked (so no wake-up is lost), and WFEs after SEVL. The
 * timer's PPI is set up again first: random redistributor writes may have
 * disabled it, and a WFI nothing can wake would hang the run. With
 * fuzz-wfi=0 every WFI becomes a WFE, the random choices staying the same. */
static void wfi_storm(void)
{
	struct cpu *c = this_cpu();
	unsigned n = 1 + (unsigned)below(16);
	for (unsigned i = 0; i < n; i++) {
		if (below(4) == 0 || !opt.fuzz_wfi) {
			__asm__ volatile("sevl; wfe" : : : "memory");
			continue;
		}
		unsigned before = c->timer_count;
		gic_ppi_reset(c, plat.vtimer_intid);
		irq_disable();
		vtimer_arm_at(now() + us_to_ticks(below(200)));
		while (c->timer_count == before) {
			wfi();
			irq_enable();
			isb();
			irq_disable();
		}
		irq_enable();
		st.wfis++;
	}
}

static void one_op(void)
{
	uint64_t kind = below(20);
	if (kind < 10) {
		mmio_op();
	} else if (kind < 14) {
		call_op();
	} else if (kind < 19) {
		sysreg_op();
	} else {
		wfi_storm();
	}
}

struct counts {
	unsigned aborts, undefs, serrors, other;
};

static struct counts counts(const struct cpu *c)
{
	return (struct counts){c->aborts, c->undefs, c->serrors, c->other_sync};
}

static void account(const struct cpu *c, struct counts was)
{
	st.aborts += c->aborts - was.aborts;
	st.undefs += c->undefs - was.undefs;
	st.serrors += c->serrors - was.serrors;
	st.other += c->other_sync - was.other;
}

static void sysreg_write(unsigned idx, uint64_t v)
{
	((stub_fn)(uintptr_t)(fuzz_sysreg_stubs + idx * STUB + STUB / 2))(v);
}

/* Puts back what the fuzzer may have changed that later code relies on. */
static void restore(void)
{
	static const unsigned zero[] = {SR_CNTP_CTL_EL0,  SR_PMCR_EL0,
					SR_PMCCFILTR_EL0, SR_PMINTENCLR_EL1,
					SR_MDSCR_EL1,	  SR_MDCCINT_EL1,
					SR_DBGBCR0_EL1,	  SR_DBGWCR0_EL1,
					SR_OSLAR_EL1,	  SR_OSDLR_EL1};
	static const unsigned ones[] = {SR_PMCNTENCLR_EL0, SR_PMOVSCLR_EL0};
	catch_begin();
	for (unsigned i = 0; i < ARRAY_SIZE(zero); i++) {
		sysreg_write(zero[i], 0);
	}
	for (unsigned i = 0; i < ARRAY_SIZE(ones); i++) {
		sysreg_write(ones[i], ~0ull);
	}
	(void)catch_end();
	uart_init((uintptr_t)plat.uart.base);
	setup.gic_why = gic_init_dist();
	if (!setup.gic_why) {
		setup.gic_why = gic_init_cpu(&cpus[0]);
	}
}

static void reinit_cpu(struct cpu *c, uint64_t arg)
{
	(void)arg;
	const char *why = gic_init_cpu(c);
	if (why) {
		c->result = -1;
		format(c->msg, sizeof(c->msg), "%s", why);
	}
}

/* Interrupts other than the WFI storms' timer. */
static unsigned interrupts(const struct cpu *c)
{
	unsigned n = c->other_irqs + c->spi_count;
	for (unsigned i = 0; i < 16; i++) {
		n += c->sgi_count[i];
	}
	return n;
}

void fuzz_run(uint64_t seed, uint64_t count)
{
	struct cpu *c = this_cpu();
	rng = seed;
	nregions = 0;
	add_region(plat.gicd.base, plat.gicd.size, R_GICD);
	for (unsigned i = 0; i < plat.ngicr; i++) {
		add_region(plat.gicr[i].base, gicr_region_used(i), R_GICR);
	}
	add_region(plat.uart.base, plat.uart.size, R_UART);
	add_region(setup.unbacked, 4096, R_UNBACKED);
	add_region(setup.beyond_ram, 4096, R_UNBACKED);
	print("fuzz: seed %lu, %lu operations over %u regions, %lu system "
	      "registers and the ID space\n",
	      seed, count, nregions, (uint64_t)NSYSREGS);
	uint64_t step = count / PROGRESS ? count / PROGRESS : 1;
	unsigned irqs = interrupts(c);
	__asm__ volatile("msr daifclr, #4" : : : "memory");
	for (st.ops = 0; st.ops < count;) {
		struct counts was = counts(c);
		catch_begin();
		one_op();
		(void)catch_end();
		account(c, was);
		if (++st.ops % step == 0 && st.ops < count) {
			print(
			    "fuzz: progress %lu/%lu, %lu aborts, %lu undefs\n",
			    st.ops, count, st.aborts, st.undefs);
		}
	}
	st.irqs = interrupts(c) - irqs;
	st.ran = true;
	restore();
	for (unsigned i = 1; i < ncpus; i++) {
		if (cpus[i].online) {
			cpu_run(&cpus[i], reinit_cpu, 0);
			cpu_wait(&cpus[i], 1000000);
		}
	}
	print("fuzz: %lu operations, %lu aborts, %lu undefs\n", st.ops,
	      st.aborts, st.undefs);
	print("fuzz: %lu MMIO, %lu HVC/SMC, %lu system registers, %lu WFIs; "
	      "%lu SErrors, %lu other exceptions (last ESR 0x%lx), %lu "
	      "interrupts\n",
	      st.mmio, st.calls, st.sysregs, st.wfis, st.serrors, st.other,
	      c->other_esr, st.irqs);
	print("fuzz: aborts by MMIO region: GICD %lu, GICR %lu, PL011 %lu, "
	      "unbacked %lu\n",
	      st.region_aborts[R_GICD], st.region_aborts[R_GICR],
	      st.region_aborts[R_UART], st.region_aborts[R_UNBACKED]);
}

static void check_timer_and_sgis(void)
{
	struct cpu *c = &cpus[0];
	unsigned t = c->timer_count, s = c->sgi_count[SGI_PING];
	vtimer_arm_at(now() + us_to_ticks(1000));
	gic_send_sgi(c->mpidr, SGI_PING);
	uint64_t end = now() + us_to_ticks(1000000);
	while ((c->timer_count == t || c->sgi_count[SGI_PING] == s) &&
	       now() < end) {
		cpu_relax();
	}
	vtimer_stop();
	check(c->timer_count != t, "the timer interrupt is no longer taken");
	check(c->sgi_count[SGI_PING] != s, "an SGI to self is no longer taken");
	for (unsigned i = 1; i < ncpus; i++) {
		if (!cpus[i].online) {
			continue;
		}
		s = cpus[i].sgi_count[SGI_PING];
		gic_send_sgi(cpus[i].mpidr, SGI_PING);
		end = now() + us_to_ticks(1000000);
		while (cpus[i].sgi_count[SGI_PING] == s && now() < end) {
			cpu_relax();
		}
		check(cpus[i].sgi_count[SGI_PING] != s,
		      "cpu %u no longer takes SGIs", i);
	}
}

/* After the fuzzer: the GIC set up again, PSCI, the timer, SGIs and an
 * unbacked access behave as before. */
void fuzz_survived_test(void)
{
	if (!check(st.ran, "the fuzzer did not run")) {
		return;
	}
	if (!check(!setup.gic_why, "GIC set-up after fuzzing: %s",
		   setup.gic_why)) {
		return;
	}
	for (unsigned i = 1; i < ncpus; i++) {
		check(!cpus[i].online || !cpus[i].result,
		      "cpu %u GIC set-up after fuzzing: %s", i, cpus[i].msg);
	}
	int64_t v = psci_call(PSCI_VERSION, 0, 0, 0);
	check(v >= 0x10000, "PSCI_VERSION now returns %ld", v);
	check_timer_and_sgis();
	catch_begin();
	(void)mmio_read32((uintptr_t)setup.unbacked);
	struct fault f = catch_end();
	check(f.count == 1 && field(f.esr, 26, 6) == 0x25,
	      "a read of 0x%lx now gives %u exceptions (ESR 0x%lx)",
	      setup.unbacked, f.count, f.esr);
	note("%lu operations survived; %lu aborts, %lu undefs, %lu SErrors "
	     "caught",
	     st.ops, st.aborts, st.undefs, st.serrors);
}
