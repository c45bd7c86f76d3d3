/*
 * bench/preempt: how long an interrupt waits while the kernel runs a long
 * operation. A measuring thread arms the virtual timer every PERIOD
 * instructions and waits for its interrupt; the root task, below it in
 * priority, meanwhile revokes 4096 derived capabilities and retypes 128
 * 2 MiB frames (clearing 256 MiB). Each wake-up's lateness (the counter at
 * wake-up minus the timer's compare value) is the interrupt latency: the
 * kernel's preemption points bound it by one step of the operation.
 * Counted in instructions under -icount shift=0 (bench/preempt/run).
 */
#include "../../tests/system/suite.h"

#include <libcairn/ipc.h>
#include <stdio.h>

#define PERIOD_NS   20000 /* between timer interrupts */
#define REVOKE_CAPS 4096
#define FRAMES	    128

struct stats {
	uint64_t samples, worst, total;
};

static volatile struct stats stats;
static volatile int measuring;
static uint64_t ns_per_tick;

static uint64_t counter(void)
{
	uint64_t v;

	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
	return v;
}

/* The measuring thread: a0 = notification, a1 = IRQ handler. */
static void measure(uint64_t ntfn, uint64_t handler, uint64_t self)
{
	(void)self;
	for (;;) {
		uint64_t cval = counter() + PERIOD_NS / ns_per_tick;
		__asm__ volatile("msr cntv_cval_el0, %0; msr cntv_ctl_el0, %1; "
				 "isb" ::"r"(cval),
				 "r"(1UL));
		cairn_wait(ntfn);
		uint64_t late = (counter() - cval) * ns_per_tick;
		vtimer_off(); /* level-triggered: quiet it, then Ack */
		cairn_irq_handler_ack(handler);
		if (measuring) {
			stats.samples++;
			stats.total += late;
			stats.worst = late > stats.worst ? late : stats.worst;
		}
	}
}

static void report(const char *what, uint64_t took, int error)
{
	printf("preempt bench: %s: %s, %lu instructions; %lu interrupts during "
	       "it, latency worst %lu, mean %lu instructions\n",
	       what, error == CAIRN_OK ? "ok" : cairn_error_name(error), took,
	       stats.samples, stats.worst,
	       stats.samples != 0 ? stats.total / stats.samples : 0);
}

static void start(void)
{
	stats.samples = stats.worst = stats.total = 0;
	measuring = 1;
}

static uint64_t stop_at(uint64_t t0)
{
	measuring = 0;
	return (counter() - t0) * ns_per_tick;
}

/* The largest RAM Untyped, for the frames; the small objects come from
 * another (make() retypes from the one use_untyped names). */
static uint64_t big_untyped(unsigned *bits)
{
	const struct cairn_bootinfo *bi = cairn_bootinfo;
	uint64_t best = 0, other = 0;

	*bits = 0;
	for (uint64_t i = 0; i < bi->untyped_count; i++) {
		if (!bi->untyped[i].device &&
		    bi->untyped[i].size_bits > *bits) {
			*bits = bi->untyped[i].size_bits;
			best = bi->untyped_first + i;
		}
	}
	for (uint64_t i = 0; i < bi->untyped_count; i++) {
		if (!bi->untyped[i].device && bi->untyped[i].size_bits >= 22 &&
		    bi->untyped_first + i != best) {
			other = bi->untyped_first + i;
		}
	}
	use_untyped(other);
	return best;
}

int main(void)
{
	uint64_t freq;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(freq));
	ns_per_tick = 1000000000UL / freq;
	common_init(cairn_bootinfo);
	unsigned ut_bits;
	uint64_t ut = big_untyped(&ut_bits);
	uint64_t cn = make(CAIRN_OBJ_CNODE, 13);
	uint64_t ep = make(CAIRN_OBJ_ENDPOINT, 0);
	uint64_t ntfn = make(CAIRN_OBJ_NOTIFICATION, 0);
	uint64_t h = slot();
	struct cairn_result r =
	    cairn_irq_control_get(CAIRN_SLOT_IRQ_CONTROL, VTIMER_PPI,
				  CAIRN_IRQ_LEVEL, ROOT, h, DEPTH);

	if (r.error == CAIRN_OK) {
		r = cairn_irq_handler_set_notification(h, ntfn);
	}
	if (r.error != CAIRN_OK) {
		printf("preempt bench: no timer interrupt: %s\n",
		       cairn_error_name(r.error));
		return 1;
	}
	spawn(measure, ntfn, h, 0);
	/* Below the measuring thread, so its interrupt preempts us. */
	cairn_tcb_set_priority(SELF, SELF, PRIO - 1);

	start();
	uint64_t t0 = counter();
	spin_ms(2);
	report("idle (the root spinning at EL0)", stop_at(t0), 0);

	for (uint64_t i = 1; i <= REVOKE_CAPS; i++) {
		cairn_cnode_copy(cn, i, 13, ROOT, ep, DEPTH, ALL);
	}
	start();
	t0 = counter();
	r = cairn_cnode_revoke(ROOT, ep, DEPTH);
	report("revoke of 4096 derived caps", stop_at(t0), (int)r.error);

	if (ut_bits < 28) {
		printf("preempt bench: no 256 MiB Untyped (largest 2^%u)\n",
		       ut_bits);
		return 1;
	}
	start();
	t0 = counter();
	r = cairn_untyped_retype(ut, CAIRN_OBJ_FRAME_2M, 0, ROOT, cn, DEPTH, 1,
				 FRAMES);
	report("retype of 128 2 MiB frames", stop_at(t0), (int)r.error);
	printf("preempt bench: done\n");
	return 0;
}
