/*
 * Thread control blocks. The register block comes first: the trap entry in
 * vectors.S saves a thread's registers at offset 0 of its TCB.
 */
#pragma once

#define USER_REGS_OFF_SP   (31 * 8)
#define USER_REGS_OFF_PC   (32 * 8)
#define USER_REGS_OFF_SPSR (33 * 8)

#ifndef __ASSEMBLER__
#include "cap/cap.h"

#define TCB_NAME_LEN 16
#define TCB_BITS     10 /* a TCB object is 1 KiB */

struct user_regs {
	uint64_t x[31];
	uint64_t sp; /* SP_EL0 */
	uint64_t pc; /* ELR_EL2 */
	uint64_t spsr;
};

_Static_assert(sizeof(struct user_regs) == 34 * 8, "vectors.S layout");

enum thread_state {
	THREAD_INACTIVE,  /* never started, or suspended */
	THREAD_RUNNABLE,  /* running or ready to */
};

struct tcb {
	struct user_regs regs;
	enum thread_state state;
	uint8_t priority;
	uint16_t vmid;
	paddr_t vspace_root; /* stage-2 root table */
	paddr_t ipc_buffer;  /* frame, or 0 for none */
	struct cte cspace;   /* copy of the CSpace root cap */
	struct tcb *sched_next;
	struct tcb *sched_prev;
	char name[TCB_NAME_LEN];
};

_Static_assert(sizeof(struct tcb) <= (1U << TCB_BITS), "TCB fits its object");
_Static_assert(__builtin_offsetof(struct tcb, regs) == 0,
	       "vectors.S saves registers at offset 0 of a TCB");

void tcb_set_name(struct tcb *t, const char *name);
#endif /* __ASSEMBLER__ */
