/*
 * What the cases of the thread suite (threadtest and the case files it
 * runs) share: checks that print what went wrong, and test threads in the
 * root task's own VSpace and CSpace. The cases run under cases.h's runner.
 */
#pragma once

#include "cases.h"
#include "common.h"

#include <stdint.h>

#define PRIO	    200		 /* test threads; the root runs at 255 */
#define IPC_BASE    0x10002000UL /* thread IPC buffers, one page each */
#define MAX_THREADS 16		 /* per case */

int suite_check(const char *what, int ok, int line);
int suite_is_err(struct cairn_result r, long err, uint64_t d0, int line);

#define CHECK(cond)   ok &= suite_check(#cond, (cond), __LINE__)
#define OK(r)	      ok &= suite_is_err((r), CAIRN_OK, 0, __LINE__)
#define ERR(r, e, d0) ok &= suite_is_err((r), (e), (d0), __LINE__)

/*
 * A thread in the root's VSpace and CSpace at priority PRIO, started at
 * fn(a0, a1, its own TCB cptr); fault_ep 0 for none. Its stack and IPC
 * buffer address are the next of MAX_THREADS.
 */
uint64_t spawn(void (*fn)(uint64_t, uint64_t, uint64_t), uint64_t a0,
	       uint64_t a1, uint64_t fault_ep);

/* Between cases (their threads are gone): stacks and buffer addresses
 * start again from the first. Returns 0 if a case spawned too many. */
int spawn_reset(void);

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

/* The case tables of the files threadtest runs. */
extern const struct case_table ipc_cases;	/* ipccases.c */
extern const struct case_table isolation_cases; /* isolation.c */
extern const struct case_table fp_cases;	/* fpcases.c */
extern const struct case_table vspace_cases;	/* vspacecases.c */
extern const struct case_table vcpu_cases;	/* vcpucases.c */
extern const struct case_table el1_cases;	/* el1cases.c */
extern const struct case_table wfi_cases;	/* wficases.c */
