#include "sched.h"

#include "arch.h"
#include "assert.h"
#include "objects/irq.h"
#include "print.h"

static struct tcb *wfi_head;
/* Invariant: a thread is queued iff it is runnable and not current. */
static struct tcb *queue_head[SCHED_PRIORITIES];
static struct tcb *queue_tail[SCHED_PRIORITIES];
uint64_t sched_ready_bitmap[SCHED_PRIORITIES / 64];
uint64_t sched_ready_words;

void sched_enqueue(struct tcb *t)
{
	unsigned p = t->priority;

	ASSERT(t->state == THREAD_RUNNABLE);
	t->sched_next = NULL;
	t->sched_prev = queue_tail[p];
	if (queue_tail[p] != NULL) {
		queue_tail[p]->sched_next = t;
	} else {
		queue_head[p] = t;
	}
	queue_tail[p] = t;
	sched_ready_bitmap[p / 64] |= 1ULL << (p % 64);
	sched_ready_words |= 1ULL << (p / 64);
}

void sched_dequeue(struct tcb *t)
{
	unsigned p = t->priority;

	if (t->sched_prev != NULL) {
		t->sched_prev->sched_next = t->sched_next;
	} else if (queue_head[p] == t) {
		queue_head[p] = t->sched_next;
	} else {
		return; /* not queued */
	}
	if (t->sched_next != NULL) {
		t->sched_next->sched_prev = t->sched_prev;
	} else {
		queue_tail[p] = t->sched_prev;
	}
	t->sched_next = t->sched_prev = NULL;
	if (queue_head[p] == NULL) {
		sched_ready_bitmap[p / 64] &= ~(1ULL << (p % 64));
		if (sched_ready_bitmap[p / 64] == 0) {
			sched_ready_words &= ~(1ULL << (p / 64));
		}
	}
}

struct tcb *sched_pick(void)
{
	int p = sched_highest_ready();

	if (p < 0) {
		return NULL;
	}
	struct tcb *t = queue_head[p];
	sched_dequeue(t);
	return t;
}

void sched_yield(struct tcb *t)
{
	if (t->state == THREAD_RUNNABLE) {
		sched_enqueue(t);
	}
}

void sched_run(void)
{
	struct tcb *t = sched_pick();

	if (t == NULL) {
		sched_idle();
	}
	arch_run_thread(t);
}

void sched_continue(struct tcb *t)
{
	if (t->state == THREAD_RUNNABLE) {
		if (sched_highest_ready() <= (int)t->priority) {
			arch_run_thread(t);
		}
		sched_enqueue(t);
	}
	sched_run();
}

struct tcb *sched_current(void)
{
	return arch_current_thread();
}

static uint32_t timer_intid;
static uint32_t vtimer_intid; /* the EL1 virtual timer: a guest's */
static uint64_t slice_ticks;
static uint64_t slice_end; /* when the running thread's slice ends */

/*
 * Guests waiting in WFI. Invariant (tcb_check_refs asserts it): a thread
 * is on this list iff its state is THREAD_BLOCKED_WFI. Each leaves it on a
 * virtual interrupt injected into its VCPU (sched_wfi_wake), when its
 * virtual timer's deadline passes (the EL2 timer is armed for the earliest
 * deadline or the slice's end, whichever comes first), or when it is
 * suspended or destroyed (ipc_cancel). A short list (one entry per idle
 * vCPU), searched whole. Per CPU once threads are scheduled on several.
 */

static void timer_rearm(void)
{
	uint64_t when = slice_end;

	for (const struct tcb *t = wfi_head; t != NULL; t = t->wfi_next) {
		if (t->wfi_deadline < when) {
			when = t->wfi_deadline;
		}
	}
	arch_timer_arm_at(when);
}

bool sched_wfi_block(struct tcb *t, uint64_t deadline)
{
	ASSERT(t->state == THREAD_RUNNABLE);
	if (timer_intid == 0 && deadline != SCHED_NEVER) {
		return false; /* no timer would wake it */
	}
	t->state = THREAD_BLOCKED_WFI;
	t->wfi_deadline = deadline;
	t->wfi_prev = NULL;
	t->wfi_next = wfi_head;
	if (wfi_head != NULL) {
		wfi_head->wfi_prev = t;
	}
	wfi_head = t;
	if (deadline < slice_end) {
		timer_rearm();
	}
	return true;
}

void sched_wfi_remove(struct tcb *t)
{
	ASSERT(t->state == THREAD_BLOCKED_WFI);
	if (t->wfi_prev != NULL) {
		t->wfi_prev->wfi_next = t->wfi_next;
	} else {
		wfi_head = t->wfi_next;
	}
	if (t->wfi_next != NULL) {
		t->wfi_next->wfi_prev = t->wfi_prev;
	}
	t->wfi_next = t->wfi_prev = NULL;
}

bool sched_wfi_listed(const struct tcb *t)
{
	return t->wfi_prev != NULL || wfi_head == t;
}

void sched_wfi_wake(struct tcb *t)
{
	if (t->state != THREAD_BLOCKED_WFI) {
		return;
	}
	sched_wfi_remove(t);
	t->state = THREAD_RUNNABLE;
	sched_enqueue(t);
}

static void wfi_wake_due(uint64_t now)
{
	struct tcb *next;

	for (struct tcb *t = wfi_head; t != NULL; t = next) {
		next = t->wfi_next;
		if (t->wfi_deadline <= now) {
			sched_wfi_wake(t);
		}
	}
}

void sched_start_ticks(const struct platform *plat)
{
	if (!plat->has_gic || !plat->has_timer) {
		kprintf("sched: no GIC or timer in the DTB: no preemption\n");
		return;
	}
	timer_intid = plat->timer_hyp_phys;
	vtimer_intid = plat->timer_virt;
	slice_ticks = arch_counter_freq() / 1000 * SCHED_SLICE_MS;
	arch_gic_init(plat, timer_intid);
	arch_vgic_init(vtimer_intid);
	irq_init(plat, timer_intid);
	slice_end = arch_counter() + slice_ticks;
	arch_timer_arm_at(slice_end);
	kprintf("sched: %d ms time slices from the EL2 physical timer (PPI "
		"intid %u)\n",
		SCHED_SLICE_MS, timer_intid);
}

uint32_t sched_timer_intid(void)
{
	return timer_intid;
}

/* The EL2 timer fired: waiting guests whose deadline passed wake; true if
 * the slice is over too (the next one starts). */
static bool timer_fired(void)
{
	uint64_t now = arch_counter();
	bool slice_over = now >= slice_end;

	wfi_wake_due(now);
	if (slice_over) {
		slice_end = now + slice_ticks;
	}
	timer_rearm();
	return slice_over;
}

/* Takes one pending interrupt; true if it ended the slice. */
static bool take_interrupt(void)
{
	uint32_t intid = arch_gic_ack();

	if (intid == GIC_SPURIOUS) {
		return false;
	}
	arch_gic_eoi(intid);
	if (intid == arch_vgic_maintenance_intid()) {
		arch_vgic_maintenance();
		arch_gic_deactivate(intid);
		return false;
	}
	if (intid == vtimer_intid && arch_guest_timer_fired()) {
		/*
		 * A guest's virtual timer, not a native handler's: it must
		 * never signal another component. It went to that guest's vGIC.
		 */
		arch_gic_deactivate(intid);
		return false;
	}
	if (intid == timer_intid) {
		arch_gic_deactivate(intid);
		return timer_fired();
	}
	irq_deliver(intid);
	return false;
}

void sched_interrupt(struct tcb *t)
{
	bool slice_over = take_interrupt();

	/* A guest EOIed a line its VMM re-asserts: the VMM hears first. */
	arch_vm_eoi_exit(t);
	if (slice_over) {
		sched_yield(t); /* the slice is over */
		sched_run();
	}
	sched_continue(t); /* a woken handler may outrank t */
}

/*
 * Each CPU writes only its own entries; another CPU (the audit) reads them
 * a whole aligned word at a time, so at worst it sees the sum just before
 * or just after an idle stretch ends. idle_since is 0 while the CPU works.
 */
static uint64_t idle_ticks[SCHED_MAX_CPUS], idle_since[SCHED_MAX_CPUS];
static uint64_t cpus_online;

void sched_cpu_up(void)
{
	__atomic_fetch_or(&cpus_online, 1ULL << arch_cpu_index(),
			  __ATOMIC_RELAXED);
}

uint64_t sched_cpus_online(void)
{
	return __atomic_load_n(&cpus_online, __ATOMIC_RELAXED);
}

void sched_idle_begin(void)
{
	__atomic_store_n(&idle_since[arch_cpu_index()], arch_counter(),
			 __ATOMIC_RELAXED);
}

void sched_idle_end(void)
{
	size_t i = arch_cpu_index();
	uint64_t since = idle_since[i];

	__atomic_store_n(&idle_ticks[i], idle_ticks[i] + arch_counter() - since,
			 __ATOMIC_RELAXED);
	__atomic_store_n(&idle_since[i], 0, __ATOMIC_RELAXED);
}

uint64_t sched_idle_ticks(size_t cpu, uint64_t now)
{
	uint64_t since = __atomic_load_n(&idle_since[cpu], __ATOMIC_RELAXED);
	uint64_t ticks = __atomic_load_n(&idle_ticks[cpu], __ATOMIC_RELAXED);

	return ticks + (since != 0 && now > since ? now - since : 0);
}

void sched_idle(void)
{
	if (timer_intid == 0) {
		kprintf("sched: no runnable thread and no interrupts; cpu %lu "
			"idles\n",
			(unsigned long)arch_cpu_index());
		sched_idle_begin();
		arch_idle_loop();
	}
	arch_current_clear();
	arch_vcpu_idle();
	for (;;) {
		sched_idle_begin();
		arch_wait_for_interrupt();
		sched_idle_end();
		take_interrupt();
		if (sched_highest_ready() >= 0) {
			sched_run();
		}
	}
}
