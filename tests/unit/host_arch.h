#pragma once

struct tcb;

extern unsigned host_flush_ipa_count, host_flush_vmid_count;
extern struct tcb *host_current;
