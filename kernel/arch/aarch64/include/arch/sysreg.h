/* System register access and the EL2 register bits Cairn uses. */
#pragma once

#ifdef __ASSEMBLER__
#define UL(x) x
#else
#define UL(x) x##UL
#include <stdint.h>

#define read_sysreg(reg)                                                       \
	({                                                                     \
		uint64_t v_;                                                   \
		__asm__ volatile("mrs %0, " #reg : "=r"(v_));                  \
		v_;                                                            \
	})

#define write_sysreg(reg, v)                                                   \
	__asm__ volatile("msr " #reg ", %0" ::"r"((uint64_t)(v)))

/* Registers named by their encoding string ("S3_4_C12_C11_0"): the GIC's,
 * which not every assembler knows by name. */
#define sysreg_write(name, v)                                                  \
	__asm__ volatile("msr " name ", %0" ::"r"((uint64_t)(v)))
#define sysreg_read(name)                                                      \
	({                                                                     \
		uint64_t v_;                                                   \
		__asm__ volatile("mrs %0, " name : "=r"(v_));                  \
		v_;                                                            \
	})

#define isb()	 __asm__ volatile("isb" ::: "memory")
#define dsb(opt) __asm__ volatile("dsb " #opt ::: "memory")
#define wfi()	 __asm__ volatile("wfi" ::: "memory")
#define wfe()	 __asm__ volatile("wfe" ::: "memory")
#define sev()	 __asm__ volatile("sev" ::: "memory")
#endif /* __ASSEMBLER__ */

/* SCTLR_EL2 (non-VHE): M, C, I, SA, WXN plus the RES1 bits. */
#define SCTLR_EL2_RES1 UL(0x30c50830)
#define SCTLR_EL2_M    (UL(1) << 0)
#define SCTLR_EL2_A    (UL(1) << 1)
#define SCTLR_EL2_C    (UL(1) << 2)
#define SCTLR_EL2_SA   (UL(1) << 3)
#define SCTLR_EL2_I    (UL(1) << 12)
#define SCTLR_EL2_WXN  (UL(1) << 19)

/* TCR_EL2 (non-VHE). */
#define TCR_EL2_RES1	 ((UL(1) << 31) | (UL(1) << 23))
#define TCR_T0SZ(bits)	 ((uint64_t)(64 - (bits)))
#define TCR_IRGN0_WBWA	 (UL(1) << 8)
#define TCR_ORGN0_WBWA	 (UL(1) << 10)
#define TCR_SH0_INNER	 (UL(3) << 12)
#define TCR_TG0_4K	 (UL(0) << 14)
#define TCR_EL2_PS_SHIFT 16

/*
 * CPTR_EL2 (non-VHE). The RES1 bits include TZ (bit 8) and TSM (bit 12),
 * so SVE and SME always trap; so do trace (TTA, bit 20) and activity
 * monitor (TAM, bit 30) registers, whose state Cairn does not switch. TFP
 * traps FP/SIMD, at EL2 too, and is how FP state is switched lazily.
 */
#define CPTR_EL2_RES1 (UL(0x33ff) | (UL(1) << 20) | (UL(1) << 30))
#define CPTR_EL2_TFP  (UL(1) << 10)

#define MPIDR_AFF_MASK UL(0xff00ffffff)
