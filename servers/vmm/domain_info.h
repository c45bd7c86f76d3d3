/*
 * What the tools tell a VMM about its domain: one read-only page at
 * VMM_INFO_IPA, packed by tools/lib/cairn/domainspec.py (INFO, field for
 * field: change both together; tools/tests/test_abi.py compares them).
 * Slots are cptrs in the VMM's own CNode; addresses are IPAs in the guest
 * (ram_ipa, *_ipa) or in the VMM's VSpace (the windows).
 */
#pragma once

#include <stdint.h>

#define VMM_INFO_IPA	 0x10002000UL
#define VMM_INFO_MAGIC	 "CAIRNDOM"
#define VMM_INFO_VERSION 1
#define VMM_INFO_VCPUS	 8

struct vmm_info {
	char magic[8];
	uint32_t version;
	uint32_t vcpus;
	char name[32];
	uint64_t ram_ipa; /* guest RAM: [ram_ipa, ram_ipa + ram_size) */
	uint64_t ram_size;
	uint64_t ram_window;	 /* the same RAM, mapped in the VMM */
	uint64_t payload_window; /* kernel, initrd, DTB, read-only */
	uint64_t kernel_offset;	 /* in the payload window */
	uint64_t kernel_size;
	uint64_t initrd_offset;
	uint64_t initrd_size; /* 0: none */
	uint64_t dtb_offset;
	uint64_t dtb_size;
	uint64_t kernel_ipa; /* where each goes in the guest */
	uint64_t entry_ipa;
	uint64_t initrd_ipa;
	uint64_t dtb_ipa;
	uint64_t guest_vspace; /* slots */
	uint64_t exits;	       /* the vCPUs' fault endpoint; badge = vCPU + 1 */
	uint64_t reply;
	uint64_t vcpu_tcb[VMM_INFO_VCPUS];
	uint64_t vcpu[VMM_INFO_VCPUS];
	uint64_t ram_first; /* the guest-mapped RAM frame caps, 2 MiB each */
	uint64_t ram_frames;
	uint64_t priority; /* the vCPUs' */
};
