/*
 * The EL1 virtual timer through the GIC: expiries counted by the handler,
 * the interrupt's pending and active states as the redistributor shows
 * them, and WFI woken by it. The WFI tests ask a secondary CPU to send a
 * wake-up SGI after a second, so a hypervisor that never wakes a vCPU
 * waiting in WFI fails the test instead of hanging it (with one CPU there
 * is no such watchdog).
 */
#include "arch.h"
#include "gic.h"
#include "tests.h"

#define EXPIRIES    5
#define PERIOD_US   2000
#define TIMEOUT_US  1000000
#define WATCHDOG_US 1000000
#define SETTLE_US   1000

static unsigned timer_taken(void)
{
	return __atomic_load_n(&cpus[0].timer_count, __ATOMIC_RELAXED);
}

/* Polls (interrupts unmasked) until the handler has run n more times. */
static bool wait_taken(unsigned before, unsigned n, uint64_t us)
{
	uint64_t end = now() + us_to_ticks(us);
	while (timer_taken() - before < n) {
		if (now() > end) {
			return false;
		}
		cpu_relax();
	}
	return true;
}

static void timer_expiries(void)
{
	struct cpu *c = &cpus[0];
	if (!need_gic()) {
		return;
	}
	unsigned before = timer_taken(), early = c->timer_early;
	uint64_t start = now();
	c->timer_period = us_to_ticks(PERIOD_US);
	c->timer_reload = EXPIRIES - 1;
	vtimer_arm_at(start + c->timer_period);
	bool all = wait_taken(before, EXPIRIES, TIMEOUT_US);
	c->timer_reload = 0;
	vtimer_stop();
	unsigned got = timer_taken() - before;
	note("%u expiries every %u us taken in %lu us", got, PERIOD_US,
	     (now() - start) * 1000000 / ticks_per_sec());
	check(all && got == EXPIRIES, "%u of %u timer interrupts taken in 1 s",
	      got, EXPIRIES);
	check(c->timer_early == early, "%u taken before their CVAL",
	      c->timer_early - early);
}

static void timer_pending_state(void)
{
	struct cpu *c = &cpus[0];
	unsigned intid = plat.vtimer_intid;
	if (!need_gic()) {
		return;
	}
	write_sysreg(ICC_PMR_EL1, 0);
	isb();
	unsigned before = timer_taken();
	vtimer_arm_at(now());
	delay_us(SETTLE_US);
	bool pending = gicr_ppi_pending(c, intid);
	bool taken_masked = timer_taken() != before;
	write_sysreg(ICC_PMR_EL1, PMR_UNMASKED);
	isb();
	bool taken = wait_taken(before, 1, TIMEOUT_US);
	vtimer_stop();
	check(!taken_masked, "the timer interrupt was taken though PMR was 0");
	check(pending,
	      "GICR_ISPENDR0 bit %u reads 0 while the timer has fired and PMR "
	      "masks it: this hypervisor does not show the pending state",
	      intid);
	check(taken, "not taken once PMR unmasked it");
	check(!gicr_ppi_pending(c, intid),
	      "GICR_ISPENDR0 bit %u still set after it was handled", intid);
}

static void timer_active_state(void)
{
	struct cpu *c = &cpus[0];
	unsigned intid = plat.vtimer_intid;
	if (!need_gic()) {
		return;
	}
	unsigned before = timer_taken();
	c->active_seen = -1;
	c->probe_active = true;
	vtimer_arm_at(now() + us_to_ticks(PERIOD_US));
	bool taken = wait_taken(before, 1, TIMEOUT_US);
	c->probe_active = false;
	vtimer_stop();
	if (!check(taken, "the timer interrupt was not taken")) {
		return;
	}
	check(c->active_seen == 1,
	      "GICR_ISACTIVER0 bit %u reads 0 in the handler before EOI: this "
	      "hypervisor does not show the active state",
	      intid);
	check(!gicr_ppi_active(c, intid),
	      "GICR_ISACTIVER0 bit %u still set after EOI", intid);
}

static volatile bool wd_stop, wd_fired;

static void watchdog(struct cpu *c, uint64_t us)
{
	(void)c;
	uint64_t end = now() + us_to_ticks(us);
	while (!wd_stop) {
		if (now() > end) {
			wd_fired = true;
			gic_send_sgi(cpus[0].mpidr, SGI_WAKE);
			return;
		}
		cpu_relax();
	}
}

static struct cpu *watchdog_start(void)
{
	wd_stop = wd_fired = false;
	struct cpu *c = ncpus > 1 && cpus[1].online ? &cpus[1] : NULL;
	if (c) {
		cpu_run(c, watchdog, WATCHDOG_US);
	} else {
		note(
		    "no secondary CPU for a watchdog: a WFI never woken hangs");
	}
	return c;
}

static void watchdog_stop(struct cpu *c)
{
	wd_stop = true;
	if (c) {
		cpu_wait(c, TIMEOUT_US);
	}
	check(!wd_fired, "WFI was ended only by the watchdog's SGI after 1 s: "
			 "the timer did not wake it");
}

/* WFI with interrupts masked (so the wake cannot be lost between the
 * check and the WFI), then unmask to take what woke it. */
static unsigned wfi_until_taken(unsigned before)
{
	unsigned wfis = 0;
	uint64_t end = now() + us_to_ticks(2 * WATCHDOG_US);
	while (timer_taken() == before && now() < end) {
		wfi();
		wfis++;
		irq_enable();
		isb();
		irq_disable();
	}
	return wfis;
}

static void wfi_timer_wakes(void)
{
	if (!need_gic()) {
		return;
	}
	struct cpu *wd = watchdog_start();
	irq_disable();
	unsigned before = timer_taken();
	uint64_t start = now();
	vtimer_arm_at(start + us_to_ticks(PERIOD_US));
	unsigned wfis = wfi_until_taken(before);
	uint64_t took = now() - start;
	irq_enable();
	vtimer_stop();
	watchdog_stop(wd);
	note("woken after %lu us, %u WFIs", took * 1000000 / ticks_per_sec(),
	     wfis);
	check(timer_taken() != before, "the timer interrupt was not taken");
}

static void wfi_pending_returns(void)
{
	if (!need_gic()) {
		return;
	}
	struct cpu *wd = watchdog_start();
	irq_disable();
	unsigned before = timer_taken();
	vtimer_arm_at(now());
	delay_us(SETTLE_US);
	unsigned wfis = wfi_until_taken(before);
	irq_enable();
	vtimer_stop();
	watchdog_stop(wd);
	check(timer_taken() != before, "the timer interrupt was not taken");
	check(wfis == 1, "%u WFIs before the pending interrupt was taken",
	      wfis);
}

const struct test timer_tests[] = {
    {"timer.expiries", timer_expiries},
    {"timer.pending_state", timer_pending_state},
    {"timer.active_state", timer_active_state},
    {"wfi.timer_wakes", wfi_timer_wakes},
    {"wfi.pending_returns", wfi_pending_returns},
};
const unsigned timer_tests_count = ARRAY_SIZE(timer_tests);
