/*
 * A guest's vCPU indices and their MPIDR affinities, one mapping shared by
 * the vGIC (GICR_TYPER, GICD_IROUTER, ICC_SGI1R_EL1) and PSCI (CPU_ON,
 * AFFINITY_INFO), and by the caller, which must give vCPU i the MPIDR
 * vmm_vcpu_mpidr(i) (VMPIDR_EL2) and the guest DTB the same `reg`.
 *
 * vCPU i is Aff0 = i % 16, Aff1 = i / 16 (Aff2 = Aff3 = 0): an SGI target
 * list names Aff0 0..15 only, so keeping Aff0 below 16 lets every vCPU be
 * reached without the range selector (GICD_TYPER.RSS = 0), as KVM does.
 */
#pragma once

#include <stdint.h>

/* Enough for the machine's CPUs (the kernel's CPU_MAX is 8). */
#define VMM_MAX_VCPUS 8

/* vCPU's affinity fields; its VMPIDR_EL2 adds the RES1 bit 31. */
static inline uint64_t vmm_vcpu_mpidr(unsigned vcpu)
{
	return (uint64_t)(vcpu % 16) | (uint64_t)(vcpu / 16) << 8;
}

/* The vCPU whose affinity is exactly mpidr's (bits outside the affinity
 * fields must be 0), or -1 if none of the first nr_vcpus has it. */
static inline int vmm_mpidr_vcpu(uint64_t mpidr, unsigned nr_vcpus)
{
	uint64_t aff0 = mpidr & 0xff, aff1 = (mpidr >> 8) & 0xff;

	if ((mpidr & ~0xffffull) != 0 || aff0 >= 16) {
		return -1;
	}
	uint64_t vcpu = aff1 * 16 + aff0;
	return vcpu < nr_vcpus ? (int)vcpu : -1;
}
