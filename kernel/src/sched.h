/*
 * The scheduler: fixed priorities 0..255, round robin within a priority.
 * Runs on the boot CPU for now; per-CPU state is in struct cpu.
 */
#pragma once

#include "boot/platform.h"
#include "objects/tcb.h"

void sched_enqueue(struct tcb *t);

/* The highest priority with a ready (queued) thread, or -1. */
#define SCHED_PRIORITIES 256

/* Ready queues' summary, owned by sched.c: bit p % 64 of word p / 64 is set
 * iff a thread of priority p is queued, and bit w of sched_ready_words iff
 * word w is not 0, so two clz find the highest. */
extern uint64_t sched_ready_bitmap[SCHED_PRIORITIES / 64];
extern uint64_t sched_ready_words;

/* The highest priority with a queued thread, or -1; inline for the
 * fastpath. */
static inline int sched_highest_ready(void)
{
	if (sched_ready_words == 0) {
		return -1;
	}
	int w = 63 - __builtin_clzll(sched_ready_words);

	return w * 64 + 63 - __builtin_clzll(sched_ready_bitmap[w]);
}

/* The thread this CPU runs (or last ran). */
struct tcb *sched_current(void);
void sched_dequeue(struct tcb *t);

/* The highest-priority runnable thread, taken off its queue, or NULL. */
struct tcb *sched_pick(void);

/* Runs the next runnable thread on this CPU, or idles. Never returns. */
__attribute__((noreturn)) void sched_run(void);

/* Nothing to run: wait for interrupts until something is. */
__attribute__((noreturn)) void sched_idle(void);

/* The calling thread goes to the back of its priority's queue. */
void sched_yield(struct tcb *t);

/*
 * After a trap: resumes t if it is runnable and no thread of higher
 * priority is ready; otherwise queues it and runs the next. Never returns.
 */
__attribute__((noreturn)) void sched_continue(struct tcb *t);

/*
 * Time slices: the EL2 physical timer interrupts the running thread every
 * SCHED_SLICE_MS; it then goes to the back of its priority's queue.
 */
#define SCHED_SLICE_MS 5

/*
 * Idle time, per CPU, for AuditControl.Threads: a CPU calls
 * sched_idle_begin() before it waits for an interrupt with nothing to run
 * and sched_idle_end() when it wakes; CPUs that never run threads (the
 * secondaries, today) begin once and never end. sched_cpu_up() marks the
 * calling CPU online.
 */
#define SCHED_MAX_CPUS 8
void sched_cpu_up(void);
void sched_idle_begin(void);
void sched_idle_end(void);
/* Bit i set: CPU i is online. */
uint64_t sched_cpus_online(void);
/* Counter ticks CPU cpu has spent idle, up to now. */
uint64_t sched_idle_ticks(size_t cpu, uint64_t now);

/*
 * A guest's WFI with nothing to wake it yet: t (runnable, current) waits
 * until an interrupt is injected into its VCPU or the physical counter
 * reaches deadline (SCHED_NEVER: no deadline). False if it cannot wait
 * (no timer to end it): it stays runnable.
 */
#define SCHED_NEVER UINT64_MAX
bool sched_wfi_block(struct tcb *t, uint64_t deadline);
/* If t waits in WFI, it is runnable again (queued). */
void sched_wfi_wake(struct tcb *t);
/* t (in WFI) leaves the list of waiting guests; its state is the caller's. */
void sched_wfi_remove(struct tcb *t);
bool sched_wfi_listed(const struct tcb *t);

/* Starts the tick on this CPU (GIC and timer), before the first thread. */
void sched_start_ticks(const struct platform *plat);
uint32_t sched_timer_intid(void);

/*
 * An interrupt is pending while t ran (t is NULL when the CPU idled):
 * the tick preempts t, a device interrupt goes to its handler. Never
 * returns.
 */
__attribute__((noreturn)) void sched_interrupt(struct tcb *t);
