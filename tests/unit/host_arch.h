#pragma once

struct tcb;

extern unsigned host_flush_ipa_count, host_flush_vmid_count;
extern struct tcb *host_current;

/* Preemption points (arch_irq_pending) see an interrupt every n-th time
 * they ask when host_preempt_every is n; never when it is 0. */
extern unsigned host_preempt_every, host_preempt_calls;
