#pragma once
/*
 * How the machine ends, and the status the host sees.
 *
 * Under QEMU started with semihosting (-semihosting-config
 * enable=on,target=native; tools/run and the test harness do), a non-zero
 * status leaves QEMU through the semihosting SYS_EXIT call, so QEMU's own
 * exit status is the system's. Status 0, or no semihosting, is a PSCI
 * SYSTEM_OFF, which QEMU reports as 0.
 */
#include <stdbool.h>
#include <stdint.h>

struct tcb;

/* QEMU's exit status after a kernel panic (as Rust's panics: 101). */
#define SHUTDOWN_STATUS_PANIC 101
/* ... when a thread was ended by a fault no handler took. */
#define SHUTDOWN_STATUS_FAULT 100

/*
 * A thread has ended: it exited with `status`, or (fault) a fault nobody
 * handles stopped it. The first non-zero status is the system's. If no
 * thread is left that could run again (every TCB inactive: nothing is
 * blocked waiting, nothing runnable, so nothing could resume the rest),
 * the system has finished: print why and end the machine with the status.
 */
void shutdown_thread_ended(const struct tcb *t, long status, bool fault);

/* A thread's status as a process exit status: 1..255 as it is, any other
 * non-zero value 255, so that no failure reads as 0. */
long shutdown_exit_code(long status);

/* Ends the machine with status (0..255; see the top). Never returns. */
__attribute__((noreturn)) void shutdown_exit(long status);

/*
 * exception_unexpected() calls this when the exception is the semihosting
 * trap itself (QEMU without semihosting takes HLT #0xf000 as undefined):
 * the status cannot be passed on; power off through PSCI.
 */
__attribute__((noreturn)) void shutdown_no_semihosting(void);
