#pragma once

struct tcb;

extern unsigned host_flush_ipa_count, host_flush_vmid_count;
extern struct tcb *host_current;

/* Preemption points (arch_irq_pending) see an interrupt every n-th time
 * they ask when host_preempt_every is n; never when it is 0. */
extern unsigned host_preempt_every, host_preempt_calls;

/* The machine's end on the host: arch_semihost_exit records its status
 * (host_exit_status) and arch_psci_system_off counts (host_psci_offs);
 * with host_exit_catch set, either jumps there (once), as neither
 * returns on QEMU. */
#include <setjmp.h>
extern jmp_buf *host_exit_catch;
extern long host_exit_status;
extern unsigned host_psci_offs;
