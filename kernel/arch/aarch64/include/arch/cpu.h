/*
 * Per-CPU state. One structure per CPU, reached through TPIDR_EL2, so that
 * later SMP work adds fields rather than rewriting call sites.
 */
#pragma once

#define CPU_MAX		   8
#define CPU_STACK_SIZE	   16384
#define CPU_EXC_STACK_SIZE 8192

#define CPU_OFF_STACK_TOP 0
#define CPU_OFF_INDEX	  8
#define CPU_OFF_CURRENT	  16
#define CPU_OFF_FRAME	  48

#ifndef __ASSEMBLER__
#include <stdbool.h>
#include <stdint.h>

/* Registers as saved by the exception vectors. */
struct exc_frame {
	uint64_t x[31];
	uint64_t sp;
	uint64_t elr;
	uint64_t spsr;
	uint64_t esr;
	uint64_t far;
};

struct tcb;
struct vcpu;

struct cpu {
	/* The CPU_OFF_* fields are used by head.S and vectors.S. */
	uint64_t stack_top;
	uint64_t index;
	struct tcb *current; /* the thread whose registers a trap saves */
	uint64_t mpidr;
	struct tcb *fp_owner; /* whose FP/SIMD state the registers hold */
	volatile bool online;
	struct exc_frame frame; /* written by the vectors on an exception */
	uint64_t user_since;	/* CNTPCT when current last entered EL0 */
	uint64_t cptr;		/* CPTR_EL2 as last written (TFP or not) */
	/* Whose EL1 state the EL1 registers hold: a VCPU's registers, or
	 * NULL for the native threads' (whose virtual timer is kept in
	 * native_cntv while a guest's is loaded); el1_view is el1_owner, or
	 * NULL while a native thread runs with a guest's state loaded under
	 * the natives' view of it (vcpu.c, where the invariant is). Raw
	 * per-CPU references: vcpu_destroy evicts them first
	 * (arch_vcpu_sync). */
	struct vcpu *el1_owner;
	struct vcpu *el1_view;
	uint64_t native_cntv_ctl, native_cntv_cval;
	bool native_vtimer_enabled; /* its PPI's enable while a guest's is on */
};

extern struct cpu cpus[CPU_MAX];

/* vcpu.c: the natives' EL1 state, loaded once per CPU before any thread. */
void arch_el1_init(void);
/* vcpu.c: the EL1 state this CPU holds is what a thread of v (NULL: a
 * native thread) may run with (the invariant written there). */
bool arch_el1_invariant(const struct cpu *c, const struct vcpu *v);
/* vcpu.c: a native thread's trapped system-register access. True if the
 * natives' view of a guest's state refused it (their timer and counter are
 * not loaded): their whole state now is, and the access can be retried. */
bool arch_el1_native_trap(void);
/* vcpu.c: the natives' whole EL1 state, loaded if it is not. */
void arch_el1_for_natives(void);
extern char kernel_stacks[CPU_MAX][CPU_STACK_SIZE];

static inline struct cpu *this_cpu(void)
{
	struct cpu *c;

	__asm__ volatile("mrs %0, tpidr_el2" : "=r"(c));
	return c;
}
#endif /* __ASSEMBLER__ */
