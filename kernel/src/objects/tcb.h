/*
 * Thread control blocks. The register block comes first: the trap entry in
 * vectors.S saves a thread's registers at offset 0 of its TCB.
 */
#pragma once

#define USER_REGS_OFF_SP    (31 * 8)
#define USER_REGS_OFF_PC    (32 * 8)
#define USER_REGS_OFF_SPSR  (33 * 8)
#define USER_REGS_OFF_TPIDR (34 * 8)

#ifndef __ASSEMBLER__
#include "cap/cap.h"
#include "invocation.h"

#include <cairn/objects.h>
#include <cairn/syscalls.h>

#define TCB_NAME_LEN 16

struct user_regs {
	uint64_t x[31];
	uint64_t sp; /* SP_EL0 */
	uint64_t pc; /* ELR_EL2 */
	uint64_t spsr;
	uint64_t tpidr; /* TPIDR_EL0: the thread's TLS pointer */
	uint64_t pad;
};

_Static_assert(sizeof(struct user_regs) == 36 * 8, "vectors.S layout");
_Static_assert(__builtin_offsetof(struct user_regs, pc) ==
		       USER_REGS_OFF_SP + 8 &&
		   __builtin_offsetof(struct user_regs, tpidr) ==
		       USER_REGS_OFF_SPSR + 8,
	       "vectors.S moves (sp, pc) and (spsr, tpidr) in pairs");

/* FP/SIMD state; the arch code switches it lazily (see arch_run_thread). */
struct fp_regs {
	uint64_t fpsr; /* first: fp.S reaches both with one pair at offset 0 */
	uint64_t fpcr;
	__uint128_t q[32];
};

_Static_assert(__builtin_offsetof(struct fp_regs, q) == 16, "fp.S layout");

enum thread_state {
	THREAD_INACTIVE,	     /* never started, or suspended */
	THREAD_RUNNABLE,	     /* running or ready to */
	THREAD_BLOCKED_SEND,	     /* queued on an endpoint to send */
	THREAD_BLOCKED_RECV,	     /* queued on an endpoint to receive */
	THREAD_BLOCKED_REPLY,	     /* made a Call, waiting for the reply */
	THREAD_BLOCKED_NOTIFICATION, /* waiting on a notification */
	THREAD_BLOCKED_WFI,	     /* a guest in WFI: sched.c wakes it */
};

struct tcb {
	struct user_regs regs;
	enum thread_state state;
	uint8_t priority;
	uint8_t mcp; /* the highest priority it may give any thread */
	vmid_t vmid;
	paddr_t vspace_root;	 /* stage-2 root table */
	ipaddr_t ipc_buffer_ipa; /* where the thread sees it: TPIDRRO_EL0 */
	uint64_t fault_ep;	 /* cptr in its own CSpace, or 0 */
	/* Slots the TCB owns (see enum cte_owner): copies of its caps. */
	struct cte cspace;     /* the CSpace root (a CNode) */
	struct cte vspace;     /* the VSpace */
	struct cte ipc_buffer; /* a 4 KiB RAM frame, or empty for none */
	struct cte vcpu;       /* the VCPU it runs as a guest, or empty */
	struct tcb *sched_next;
	struct tcb *sched_prev;
	/* THREAD_BLOCKED_WFI: sched.c's list of waiting guests, and when
	 * the guest's timer fires on the physical counter (or never). */
	struct tcb *wfi_next;
	struct tcb *wfi_prev;
	uint64_t wfi_deadline;
	/* IPC */
	paddr_t blocked_on;  /* endpoint or notification */
	struct tcb *ep_next; /* queue on blocked_on */
	struct tcb *ep_prev;
	uint64_t ipc_badge;   /* badge of the cap it sends with */
	uint32_t ipc_rights;  /* rights of that cap */
	bool ipc_is_call;     /* a Call (or fault): wants a reply */
	bool fault_pending;   /* blocked on a fault, not a Call */
	uint64_t fault_label; /* the fault message, kept until sent */
	uint64_t fault_msg[CAIRN_FAULT_WORDS];
	paddr_t reply;	    /* Reply object a receive binds to */
	paddr_t bound_ntfn; /* bound Notification, or 0 */
	char name[TCB_NAME_LEN];
	uint64_t cpu_ticks;   /* CNTPCT ticks spent at EL0 */
	uint64_t ipc_calls;   /* IPC system calls made (invocations included) */
	struct tcb *all_next; /* every live TCB, for the audit */
	struct tcb *all_prev;
	uint32_t fp_eager; /* switches left with FP/SIMD restored eagerly */
	struct fp_regs fp __attribute__((aligned(16)));
};

_Static_assert(sizeof(struct tcb) <= (1U << CAIRN_TCB_BITS),
	       "a TCB fits its object");
_Static_assert(__builtin_offsetof(struct tcb, regs) == 0,
	       "vectors.S saves registers at offset 0 of a TCB");

void tcb_set_name(struct tcb *t, const char *name);

/* The thread's IPC buffer, or NULL: read through the frame cap it holds. */
static inline struct cairn_ipc_buffer *tcb_ipc_buffer(const struct tcb *t)
{
	if (cap_is_null(&t->ipc_buffer.cap)) {
		return NULL;
	}
	KTAG_CHECK_CAP(&t->ipc_buffer.cap, "the IPC buffer of a thread");
	return kmem_ptr(t->ipc_buffer.cap.object);
}

/* Fills one of t's own slots with a copy of parent's cap. */
void tcb_hold_cap(struct tcb *t, struct cte *own, enum cte_owner kind,
		  struct cte *parent, const struct cap *copy);

struct vcpu;

/* The VCPU t runs, or NULL for a native thread (inline: every entry to a
 * thread asks). */
static inline struct vcpu *tcb_vcpu(const struct tcb *t)
{
	return __builtin_expect(cap_is_null(&t->vcpu.cap), 1)
		   ? NULL
		   : kmem_ptr(t->vcpu.cap.object);
}

static inline struct tcb *tcb_of(const struct cap *c)
{
	return kmem_ptr(c->object);
}

/* TCB invocations. */
enum cairn_error tcb_invoke(struct invocation *inv);

/* Stops the thread: off the run queue and out of any IPC queue. */
void tcb_suspend(struct tcb *t);

/* Makes a configured, inactive thread runnable. */
void tcb_resume(struct tcb *t);

/* A cap the TCB holds (slot->owner is a CTE_OWNER_TCB_*) is being deleted. */
void tcb_lost_cap(struct cte *slot);

/* Every live TCB, in creation order, for the audit. */
void tcb_register(struct tcb *t);
struct tcb *tcb_first(void);

/* Debug builds: t's kernel references obey the rule in cap.h. */
void tcb_check_refs(const struct tcb *t);

/* Before the last cap to t goes: can its own caps be deleted? */
enum cairn_error tcb_decode_destroy(struct tcb *t, struct inv_error *err);
void tcb_destroy(struct tcb *t);
#endif /* __ASSEMBLER__ */
