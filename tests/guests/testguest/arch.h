/*
 * System registers, barriers and MMIO accessors of the test guest.
 *
 * MMIO goes through single load/store instructions with a plain base
 * register (no writeback, no pairs), so a trapping hypervisor always gets a
 * valid syndrome (ISV) and can emulate the access; and the fault-catching
 * paths can skip exactly one instruction.
 */
#ifndef TESTGUEST_ARCH_H
#define TESTGUEST_ARCH_H

#include <stdbool.h>
#include <stdint.h>

#define STRINGIFY_(x) #x
#define STRINGIFY(x)  STRINGIFY_(x)

/* name may be a macro for an encoding (below): expanded first. */
#define read_sysreg(name)                                                      \
	({                                                                     \
		uint64_t v_;                                                   \
		__asm__ volatile("mrs %0, " STRINGIFY(name) : "=r"(v_));       \
		v_;                                                            \
	})

#define write_sysreg(name, v)                                                  \
	__asm__ volatile("msr " STRINGIFY(name) ", %x0"                        \
			 :                                                     \
			 : "rZ"((uint64_t)(v))                                 \
			 : "memory")

/* GICv3 CPU interface, by encoding so any assembler takes them. */
#define ICC_IAR1_EL1	S3_0_C12_C12_0
#define ICC_EOIR1_EL1	S3_0_C12_C12_1
#define ICC_HPPIR1_EL1	S3_0_C12_C12_2
#define ICC_BPR1_EL1	S3_0_C12_C12_3
#define ICC_CTLR_EL1	S3_0_C12_C12_4
#define ICC_SRE_EL1	S3_0_C12_C12_5
#define ICC_IGRPEN1_EL1 S3_0_C12_C12_7
#define ICC_SGI1R_EL1	S3_0_C12_C11_5
#define ICC_RPR_EL1	S3_0_C12_C11_3
#define ICC_PMR_EL1	S3_0_C4_C6_0
#define ID_AA64ISAR2	S3_0_C0_C6_2

#define isb()	    __asm__ volatile("isb" : : : "memory")
#define dsb(opt)    __asm__ volatile("dsb " #opt : : : "memory")
#define dmb(opt)    __asm__ volatile("dmb " #opt : : : "memory")
#define wfi()	    __asm__ volatile("wfi" : : : "memory")
#define wfe()	    __asm__ volatile("wfe" : : : "memory")
#define sev()	    __asm__ volatile("sev" : : : "memory")
#define cpu_relax() __asm__ volatile("yield" : : : "memory")

static inline void irq_enable(void)
{
	__asm__ volatile("msr daifclr, #2" : : : "memory");
}

static inline void irq_disable(void)
{
	__asm__ volatile("msr daifset, #2" : : : "memory");
}

static inline uint32_t mmio_read32(uintptr_t a)
{
	uint32_t v;
	__asm__ volatile("ldr %w0, [%1]" : "=r"(v) : "r"(a) : "memory");
	return v;
}

static inline void mmio_write32(uintptr_t a, uint32_t v)
{
	__asm__ volatile("str %w0, [%1]" : : "rZ"(v), "r"(a) : "memory");
}

static inline uint64_t mmio_read64(uintptr_t a)
{
	uint64_t v;
	__asm__ volatile("ldr %0, [%1]" : "=r"(v) : "r"(a) : "memory");
	return v;
}

static inline void mmio_write64(uintptr_t a, uint64_t v)
{
	__asm__ volatile("str %0, [%1]" : : "rZ"(v), "r"(a) : "memory");
}

static inline uint16_t mmio_read16(uintptr_t a)
{
	uint16_t v;
	__asm__ volatile("ldrh %w0, [%1]" : "=r"(v) : "r"(a) : "memory");
	return v;
}

static inline void mmio_write16(uintptr_t a, uint16_t v)
{
	__asm__ volatile("strh %w0, [%1]" : : "rZ"(v), "r"(a) : "memory");
}

static inline uint8_t mmio_read8(uintptr_t a)
{
	uint8_t v;
	__asm__ volatile("ldrb %w0, [%1]" : "=r"(v) : "r"(a) : "memory");
	return v;
}

static inline void mmio_write8(uintptr_t a, uint8_t v)
{
	__asm__ volatile("strb %w0, [%1]" : : "rZ"(v), "r"(a) : "memory");
}

static inline uint64_t field(uint64_t v, unsigned lsb, unsigned width)
{
	return (v >> lsb) & ((1ull << width) - 1);
}

/* MPIDR_EL1 without the U/MT bits: Aff3..Aff0 as DTB cpu reg values. */
#define MPIDR_AFF_MASK 0xff00ffffffull

static inline uint64_t this_mpidr(void)
{
	return read_sysreg(mpidr_el1) & MPIDR_AFF_MASK;
}

#endif
