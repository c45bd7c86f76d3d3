#include "suite.h"

#include <libcairn/ipc.h>
#include <stdio.h>

#define THREAD_STACK 4096

static unsigned next_thread;
static int too_many;
static uint8_t stacks[MAX_THREADS][THREAD_STACK] __attribute__((aligned(16)));

int suite_check(const char *what, int ok, int line)
{
	if (!ok) {
		printf("  check failed: %s (line %d)\n", what, line);
	}
	return ok;
}

int suite_is_err(struct cairn_result r, long err, uint64_t d0, int line)
{
	if (r.error == err && (err == CAIRN_OK || r.detail[0] == d0)) {
		return 1;
	}
	printf("  line %d: got %s [%lu %lu %lu], want %s [%lu]\n", line,
	       cairn_error_name(r.error), r.detail[0], r.detail[1], r.detail[2],
	       cairn_error_name(err), d0);
	return 0;
}

uint64_t spawn(void (*fn)(uint64_t, uint64_t, uint64_t), uint64_t a0,
	       uint64_t a1, uint64_t fault_ep)
{
	unsigned i = next_thread++;
	if (i >= MAX_THREADS) {
		printf("  spawn: more than %d test threads\n", MAX_THREADS);
		too_many = 1;
		i = 0;
	}
	uint64_t tcb = make(CAIRN_OBJ_TCB, 0);
	uint64_t ipc = make(CAIRN_OBJ_FRAME_4K, 0);
	uint64_t ipa = IPC_BASE + i * 0x1000UL;

	cairn_frame_map(ipc, VSPACE, ipa, RW, 0);
	cairn_tcb_configure(tcb, ROOT, VSPACE, ipc, ipa, fault_ep);
	cairn_tcb_set_priority(tcb, SELF, PRIO);
	uint64_t regs[5] = {(uint64_t)fn, (uint64_t)&stacks[i][THREAD_STACK],
			    a0, a1, tcb};
	cairn_tcb_write_registers(tcb, 1, regs, 5);
	return tcb;
}

int spawn_reset(void)
{
	int ok = !too_many;

	next_thread = 0;
	too_many = 0;
	return ok;
}

void stop(uint64_t self)
{
	cairn_tcb_suspend(self);
}

void let_threads_run(void)
{
	cairn_tcb_set_priority(SELF, SELF, 1);
	cairn_yield();
	cairn_tcb_set_priority(SELF, SELF, 255);
}

void touch(uint64_t addr, uint64_t done, uint64_t self)
{
	*(volatile uint64_t *)addr = 42;
	struct cairn_msg out = {.info = CAIRN_MSGINFO(1, 1), .mr = {7}};
	cairn_send(done, &out);
	stop(self);
}

void vtimer_fire_in_ms(uint64_t ms)
{
	uint64_t freq;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(freq));
	__asm__ volatile("msr cntv_tval_el0, %0" ::"r"(freq / 1000 * ms));
	__asm__ volatile("msr cntv_ctl_el0, %0; isb" ::"r"(1UL));
}

void vtimer_off(void)
{
	__asm__ volatile("msr cntv_ctl_el0, %0; isb" ::"r"(0UL));
}

void spin_ms(uint64_t ms)
{
	uint64_t t0, t1, freq;

	__asm__ volatile("mrs %0, cntfrq_el0; mrs %1, cntpct_el0"
			 : "=r"(freq), "=r"(t0));
	do {
		__asm__ volatile("mrs %0, cntpct_el0" : "=r"(t1));
	} while (t1 - t0 < freq / 1000 * ms);
}
