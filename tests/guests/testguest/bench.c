/*
 * The benchmark (bootargs bench=ROUNDS; bench/guests/run): what the
 * hypervisor's answers cost this guest, in ticks of its virtual counter
 * over ROUNDS rounds each, printed in ns a round (instructions, under QEMU's
 * -icount shift=0 at 1 GHz). Each measurement is a test (bench.*), so a
 * round that went wrong (an interrupt not taken, a timer taken early) is a
 * FAIL, not a figure. The loops are assembly (benchloop.S); the interrupts
 * go to benchloop.S's handler, which timestamps its entry and
 * acknowledgement and times its EOI.
 */
#include "arch.h"
#include "gic.h"
#include "tests.h"

#define SGI_BENCH 3
#define SGI_KICK  4 /* "look again": a vCPU waiting in WFI for the other */
#define UART_FR	  0x18
#define NS_PER_S  1000000000ull
/* How far ahead the timer is armed: past the arming itself, in ns. */
#define TIMER_AHEAD_NS 2000
#define TIMEOUT_US     1000000

uint64_t bench_loop_hvc(uint64_t rounds, uint64_t fn);
uint64_t bench_loop_null(uint64_t rounds, uint64_t unused);
uint64_t bench_loop_read(uint64_t rounds, uintptr_t addr);
uint64_t bench_loop_sgi(uint64_t rounds, uint64_t sgi1r);
uint64_t bench_stamp_pair(void);
extern char bench_vectors[], vectors[];

/* Ticks over rounds as ns a round, rounded. */
static uint64_t ns(uint64_t ticks, uint64_t rounds)
{
	unsigned __int128 t = (unsigned __int128)ticks * NS_PER_S;
	unsigned __int128 d = (unsigned __int128)ticks_per_sec() * rounds;
	return (uint64_t)((t + d / 2) / d);
}

static void figure(uint64_t ticks, const char *what)
{
	note("%lu ns a round: %s", ns(ticks, opt.bench_rounds), what);
}

static void set_vectors(const char *table)
{
	write_sysreg(vbar_el1, (uintptr_t)table);
	isb();
}

static void bench_on(struct cpu *c, uint64_t unused)
{
	(void)unused;
	c->bench = (struct bench_irq){0};
	set_vectors(bench_vectors);
}

static void bench_off(struct cpu *c, uint64_t unused)
{
	(void)c;
	(void)unused;
	set_vectors(vectors);
}

static void bench_loop(void)
{
	figure(bench_loop_null(opt.bench_rounds, 0),
	       "the guest's loop alone (an HVC round's shape, no HVC)");
}

static void bench_hvc(void)
{
	if (!check(plat.psci == CONDUIT_HVC, "PSCI is not called by HVC")) {
		return;
	}
	int64_t v = psci_call(PSCI_VERSION, 0, 0, 0);
	check(v >= 0x10000, "PSCI_VERSION gave 0x%lx", (uint64_t)v);
	figure(bench_loop_hvc(opt.bench_rounds, PSCI_VERSION),
	       "HVC round trip (PSCI_VERSION: guest -> kernel -> VMM -> "
	       "guest)");
}

static void bench_mmio(void)
{
	uintptr_t fr = (uintptr_t)plat.uart.base + UART_FR;
	mmio_read32(fr);
	figure(bench_loop_read(opt.bench_rounds, fr),
	       "MMIO read emulated by the VMM (PL011 FR)");
}

static void bench_gicd(void)
{
	if (!need_gic()) {
		return;
	}
	check(mmio_read32(gicd(GICD_TYPER)) == gic.typer,
	      "GICD_TYPER reads differently from at set-up");
	figure(bench_loop_read(opt.bench_rounds, gicd(GICD_TYPER)),
	       "GIC distributor read (GICD_TYPER)");
}

/* rounds SGIs to this CPU, each taken and EOIed; the loop's ticks. */
static uint64_t sgi_to_self(struct cpu *c, uint64_t rounds)
{
	bench_on(c, 0);
	irq_enable();
	uint64_t t = bench_loop_sgi(rounds, gic_sgi1r(c->mpidr, SGI_BENCH));
	bench_off(c, 0);
	check(c->bench.taken == rounds, "%lu SGIs sent, %lu taken", rounds,
	      c->bench.taken);
	check(c->bench.intid == SGI_BENCH, "the last one acknowledged was %lu",
	      c->bench.intid);
	return t;
}

static void bench_virq(void)
{
	if (!need_gic()) {
		return;
	}
	figure(sgi_to_self(this_cpu(), opt.bench_rounds),
	       "virtual interrupt injected by the VMM, taken and EOIed (an "
	       "SGI to self: its ICC_SGI1R_EL1 write exits to the VMM, which "
	       "injects it)");
}

/* The EOIs' ticks less the two timestamps around each. */
static uint64_t eoi_ticks(const struct cpu *c)
{
	uint64_t own = bench_stamp_pair() * c->bench.taken;
	return c->bench.eoi_ticks > own ? c->bench.eoi_ticks - own : 0;
}

static void bench_eoi(void)
{
	struct cpu *c = this_cpu();
	if (!need_gic()) {
		return;
	}
	sgi_to_self(c, opt.bench_rounds);
	figure(eoi_ticks(c), "EOI of an injected SGI on its own "
			     "(ICC_EOIR1_EL1, no exit expected)");
}

/* Waits for c's next interrupt after before were taken; false after
 * timeout_us. */
static bool wait_taken(struct cpu *c, uint64_t before, uint64_t timeout_us)
{
	uint64_t end = now() + us_to_ticks(timeout_us);
	while (c->bench.taken == before) {
		if (now() > end) {
			return false;
		}
	}
	return true;
}

static void timer_rounds(struct cpu *c, uint64_t *latency)
{
	uint64_t ahead = ticks_per_sec() * TIMER_AHEAD_NS / NS_PER_S;
	for (uint64_t r = 0; r < opt.bench_rounds; r++) {
		uint64_t before = c->bench.taken;
		uint64_t cval = now() + ahead;
		vtimer_arm_at(cval);
		if (!check(wait_taken(c, before, TIMEOUT_US),
			   "round %lu: the timer did not fire", r) ||
		    !check(c->bench.entry >= cval,
			   "round %lu: taken %lu ticks before its CVAL", r,
			   cval - c->bench.entry)) {
			return;
		}
		*latency += c->bench.entry - cval;
	}
}

static void bench_timer(void)
{
	struct cpu *c = this_cpu();
	uint64_t latency = 0;
	if (!need_gic()) {
		return;
	}
	bench_on(c, 0);
	irq_enable();
	timer_rounds(c, &latency);
	vtimer_stop();
	bench_off(c, 0);
	check(c->bench.intid == plat_vtimer_intid(),
	      "the last interrupt acknowledged was %lu", c->bench.intid);
	figure(latency, "virtual timer expiry, CVAL to the handler's entry");
	note("EOI of the timer's PPI: %lu ns (the kernel's maintenance "
	     "interrupt unmasks the timer)",
	     ns(eoi_ticks(c), c->bench.taken ? c->bench.taken : 1));
}

/*
 * The IPI's target, vCPU 1, waits in WFI, which a hypervisor may block
 * (Cairn does) until an interrupt for it: so does vCPU 0, and each wakes
 * the other with an SGI whenever it has written what the other waits for
 * (SGI_KICK, after vCPU 1's acknowledgement of SGI_BENCH, so outside the
 * figure). Afterwards vCPU 1 turns itself off (PSCI CPU_OFF) rather than
 * go back to secondary_idle's WFE, which QEMU does not trap: spinning
 * there beside vCPU 0, it would make each exit vCPU 0 takes wait out its
 * time slice.
 */
static volatile bool ipi_ready, ipi_stop, ipi_done;

static void kick(const struct cpu *to)
{
	dsb(ishst);
	write_sysreg(ICC_SGI1R_EL1, gic_sgi1r(to->mpidr, SGI_KICK));
	isb();
}

static void ipi_target(struct cpu *c, uint64_t unused)
{
	uint64_t seen = c->bench.taken;

	bench_on(c, unused);
	irq_enable();
	__atomic_store_n(&ipi_ready, true, __ATOMIC_RELEASE);
	kick(&cpus[0]);
	while (!__atomic_load_n(&ipi_stop, __ATOMIC_ACQUIRE)) {
		wfi();
		if (c->bench.taken != seen) {
			seen = c->bench.taken;
			kick(&cpus[0]);
		}
	}
	bench_off(c, unused);
	c->online = false;
	__atomic_store_n(&ipi_done, true, __ATOMIC_RELEASE);
	kick(&cpus[0]);
	psci_call(PSCI_CPU_OFF, 0, 0, 0);
	c->online = true; /* CPU_OFF refused: back to secondary_idle */
}

/* WFI until *flag; false after TIMEOUT_US, which the virtual timer ends
 * (interrupts on: the suite's vector takes it) if nothing else does. */
static bool wfi_until(volatile bool *flag)
{
	uint64_t end = now() + us_to_ticks(TIMEOUT_US);
	bool set;

	vtimer_arm_at(end);
	while (!(set = __atomic_load_n(flag, __ATOMIC_ACQUIRE)) &&
	       now() <= end) {
		wfi();
	}
	vtimer_stop();
	return set;
}

/* Starts ipi_target on c: handed over before CPU_ON if c is off (as
 * cpu_bring_up does, but without its spinning wait). */
static bool ipi_start(struct cpu *c)
{
	ipi_ready = ipi_stop = ipi_done = false;
	if (c->online) {
		cpu_run(c, ipi_target, 0);
	} else {
		c->cmd = ipi_target;
		c->cmd_arg = 0;
		c->done_seq = 0;
		c->cmd_seq = 1;
		dsb(ish);
		int64_t r = psci_call(PSCI_CPU_ON, c->mpidr,
				      (uintptr_t)secondary_entry, (uintptr_t)c);
		if (!check(r == PSCI_SUCCESS, "CPU_ON(0x%lx) returned %ld",
			   c->mpidr, r)) {
			return false;
		}
	}
	return check(wfi_until(&ipi_ready), "cpu %u did not start", c->idx);
}

/* One IPI to c: ticks from the write to c's acknowledgement, or 0. */
static uint64_t ipi_round(struct cpu *c, uint64_t sgi1r)
{
	uint64_t before = c->bench.taken;
	uint64_t end = now() + us_to_ticks(TIMEOUT_US);
	vtimer_arm_at(end); /* ends a WFI nothing else would */
	dsb(ishst);
	uint64_t t0 = now();
	write_sysreg(ICC_SGI1R_EL1, sgi1r);
	isb();
	while (c->bench.taken == before && now() <= end) {
		wfi();
	}
	vtimer_stop();
	if (c->bench.taken == before) {
		return 0;
	}
	return c->bench.ack > t0 ? c->bench.ack - t0 : 0;
}

static void ipi_rounds(struct cpu *c, uint64_t *latency)
{
	uint64_t sgi1r = gic_sgi1r(c->mpidr, SGI_BENCH);
	for (uint64_t r = 0; r < opt.bench_rounds; r++) {
		uint64_t t = ipi_round(c, sgi1r);
		if (!check(t, "round %lu: cpu %u did not take the SGI", r,
			   c->idx)) {
			return;
		}
		*latency += t;
	}
}

static void bench_ipi(void)
{
	struct cpu *c = &cpus[1];
	uint64_t latency = 0;
	if (!need_gic()) {
		return;
	}
	if (ncpus < 2) {
		skip("one CPU in the DTB");
		return;
	}
	irq_enable(); /* the suite's vector takes vCPU 1's SGI_KICKs */
	if (!ipi_start(c)) {
		irq_disable();
		return;
	}
	ipi_rounds(c, &latency);
	ipi_stop = true;
	/* One more SGI_BENCH, so its WFI ends and it sees ipi_stop. */
	write_sysreg(ICC_SGI1R_EL1, gic_sgi1r(c->mpidr, SGI_BENCH));
	isb();
	check(wfi_until(&ipi_done), "cpu %u did not finish", c->idx);
	irq_disable();
	check(c->bench.intid == SGI_BENCH, "cpu %u last acknowledged %lu",
	      c->idx, c->bench.intid);
	figure(latency, "IPI, vCPU 0's ICC_SGI1R_EL1 write to vCPU 1's "
			"acknowledgement (both on one CPU)");
}

static const struct test bench_tests[] = {
    {"bench.loop", bench_loop},	  {"bench.hvc", bench_hvc},
    {"bench.mmio", bench_mmio},	  {"bench.gicd", bench_gicd},
    {"bench.virq", bench_virq},	  {"bench.eoi", bench_eoi},
    {"bench.timer", bench_timer}, {"bench.ipi", bench_ipi},
};

void bench_run(void)
{
	print("testguest: bench: %lu rounds of each; figures in ns of the "
	      "virtual counter (CNTFRQ %lu Hz), one instruction each under "
	      "-icount shift=0\n",
	      opt.bench_rounds, ticks_per_sec());
	run_tests(bench_tests, ARRAY_SIZE(bench_tests));
}
