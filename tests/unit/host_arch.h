#pragma once

struct tcb;

extern unsigned host_flush_ipa_count, host_flush_vmid_count;

/* The SMMU on the host: what arch_smmu_info() says (enabled, sharing, 256
 * streams unless a test changes it), and every call counted; each stream's
 * STE as the calls left it (0: aborting, else the VMID it points at). */
#include "arch.h"
extern struct arch_smmu_info host_smmu;
extern unsigned host_smmu_binds, host_smmu_unbinds;
extern unsigned host_smmu_flush_ipa_count, host_smmu_flush_vmid_count;
extern uint16_t host_smmu_ste_vmid[SMMU_STREAMS_MAX];
/* IOSpaces: binds counted apart (each STE also says it is an IOSpace's),
 * flushes by page and whole IOSpace counted, and every IOSpace flush
 * counts a sync too (each arch call ends with one). */
extern unsigned host_smmu_io_binds, host_smmu_io_unbinds;
extern unsigned host_smmu_io_flush_page_count, host_smmu_io_flush_all_count;
extern unsigned host_smmu_syncs;
extern bool host_smmu_ste_io[SMMU_STREAMS_MAX];
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
