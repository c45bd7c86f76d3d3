/*
 * The harness of the in-system suites that spawn threads (threadtest and
 * its IPC cases): PASS/FAIL lines, checks that print what went wrong, and
 * test threads in the root task's own VSpace and CSpace.
 */
#pragma once

#include "common.h"

#include <stdint.h>

#define PRIO	    200		 /* test threads; the root runs at 255 */
#define IPC_BASE    0x10002000UL /* thread IPC buffers, one page each */
#define MAX_THREADS 32

extern int suite_passed, suite_failed;

int suite_check(const char *what, int ok, int line);
int suite_is_err(struct cairn_result r, long err, uint64_t d0, int line);
void suite_report(const char *name, int ok);

#define CHECK(cond)   ok &= suite_check(#cond, (cond), __LINE__)
#define OK(r)	      ok &= suite_is_err((r), CAIRN_OK, 0, __LINE__)
#define ERR(r, e, d0) ok &= suite_is_err((r), (e), (d0), __LINE__)

/*
 * A thread in the root's VSpace and CSpace at priority PRIO, started at
 * fn(a0, a1, its own TCB cptr); fault_ep 0 for none.
 */
uint64_t spawn(void (*fn)(uint64_t, uint64_t, uint64_t), uint64_t a0,
	       uint64_t a1, uint64_t fault_ep);

/* Suspends the calling test thread (self: its own TCB cptr). */
void stop(uint64_t self);

/* Lets the lower-priority test threads run until they all block. */
void let_threads_run(void);

/* Stores 42 at addr, then sends label 1 with word 7 on done, and stops. */
void touch(uint64_t addr, uint64_t done, uint64_t self);

#define VTIMER_PPI 27 /* the EL1 virtual timer on QEMU virt */

/* The virtual timer fires (its PPI asserts) after ms; off quiets it. */
void vtimer_fire_in_ms(uint64_t ms);
void vtimer_off(void);

/* Busy-waits ms on the counter. */
void spin_ms(uint64_t ms);

/* The IPC cases (ipccases.c): each prints its PASS/FAIL line. */
void ipc_cases_run(void);

/* The isolation cases (isolation.c), likewise. */
void isolation_cases_run(void);

/* The FP/SIMD preservation cases (fpcases.c), likewise. */
void fp_cases_run(void);
