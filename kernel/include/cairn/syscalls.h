/*
 * Cairn ABI: system calls, messages and faults.
 *
 * A thread traps with `svc #0`, the system call number in x8.
 *   Call:    x0 = cptr, x1 = message info, x2..x7 = words 0..5 (further
 *            words in the IPC buffer, mr[6] on). On a kernel object: the
 *            invocation; returns x0 = CAIRN_OK or an error (detail words in
 *            words 0..2), x1 = reply info, x2..x7 = reply words. On an
 *            Endpoint: sends and waits for the reply; x0 = CAIRN_OK, x1 and
 *            the words are the reply's.
 *   Send, NBSend: x0 = cptr (Endpoint, Notification or Reply), x1, x2..x7 as
 *            Call. Send blocks until a receiver takes the message; NBSend
 *            drops it if none waits. On a Notification: signal its badge.
 *            On a Reply: answer the Call it holds.
 *   Recv, NBRecv: x0 = Endpoint or Notification cptr, x9 = Reply cptr (0:
 *            none). Returns x0 = the sender's badge (or the notification
 *            word), x1 = message info, x2..x7 = words.
 *   ReplyRecv: x9 = Reply cptr, x1, x2..x7 = the reply; then Recv on x0.
 *   Yield:   gives up the rest of the time slice.
 *   Exit:    x0 = a status. The calling thread stops for good, as if
 *            suspended: it needs no capability (a thread that has deleted
 *            all of its own, like the root task when it is done, can still
 *            end). Resume through a TCB cap restarts it where it stopped.
 *   DebugPutChar: x0 = a character for the kernel console (every build;
 *            dropped once user level owns the UART).
 * A Send/Recv-family call naming a missing or wrong capability is a
 * capability fault (CAIRN_FAULT_CAP) of the caller.
 */
#pragma once

enum cairn_syscall {
	CAIRN_SYS_CALL = 1,
	CAIRN_SYS_REPLY_RECV = 2,
	CAIRN_SYS_SEND = 3,
	CAIRN_SYS_NB_SEND = 4,
	CAIRN_SYS_RECV = 5,
	CAIRN_SYS_NB_RECV = 6,
	CAIRN_SYS_YIELD = 7,
	CAIRN_SYS_EXIT = 8,
	CAIRN_SYS_DEBUG_PUTCHAR = 16,
};

/*
 * Message info: label in bits 12..63, capabilities to transfer in bits 7..8
 * (at most CAIRN_MSG_MAX_CAPS), length in words in bits 0..6.
 */
#define CAIRN_MSG_REG_WORDS 6
#define CAIRN_MSG_MAX_WORDS 64
#define CAIRN_MSG_MAX_CAPS  1
#define CAIRN_MSGINFO(label, length)                                           \
	(((unsigned long)(label) << 12) | ((unsigned long)(length)&0x7f))
#define CAIRN_MSGINFO_CAPS(label, caps, length)                                \
	(CAIRN_MSGINFO(label, length) | (((unsigned long)(caps)&3) << 7))
#define CAIRN_MSGINFO_LABEL(info)     ((unsigned long)(info) >> 12)
#define CAIRN_MSGINFO_LENGTH(info)    ((unsigned)((info)&0x7f))
#define CAIRN_MSGINFO_CAP_COUNT(info) ((unsigned)(((info) >> 7) & 3))

/*
 * The label a waiter sees (x0 = INVALID_CAPABILITY for a Call) when the
 * object it waits on is destroyed or its Call is abandoned.
 */
#define CAIRN_LABEL_ABORTED ((1UL << 52) - 1)

/* The IPC buffer: one 4 KiB frame per thread. */
struct cairn_ipc_buffer {
	unsigned long tag;
	unsigned long mr[CAIRN_MSG_MAX_WORDS];	/* mr[0..5] travel in x2..x7 */
	unsigned long caps[CAIRN_MSG_MAX_CAPS]; /* cptrs to send (GRANT) */
	/* Where a received cap goes: (CNode cptr, index, depth), as the
	 * destination of a CNode invocation; recv_cnode 0 = receive none. */
	unsigned long recv_cnode;
	unsigned long recv_index;
	unsigned long recv_depth;
};

/* Fault messages: the label names the fault, the words describe it. */
enum cairn_fault {
	CAIRN_FAULT_CAP = 1,		 /* words: pc, cptr, syscall, error */
	CAIRN_FAULT_UNKNOWN_SYSCALL = 2, /* words: pc, number */
	CAIRN_FAULT_USER_EXCEPTION = 3,	 /* words: pc, ESR, sp */
	CAIRN_FAULT_VM = 4,		 /* words: pc, address, IPA, ESR,
					    instruction (1) or data (0) */
	/* VM exits of a thread bound to a VCPU (TCB.BindVCPU): */
	CAIRN_FAULT_VM_DATA_ABORT = 8, /* stage-2 data abort. words: IPA,
					  access (CAIRN_VM_ACCESS_*), the
					  value a write stores, pc, ESR, FAR */
	CAIRN_FAULT_VM_INSN_ABORT = 9, /* words: IPA, pc, ESR, FAR */
	CAIRN_FAULT_VM_HVC = 10,       /* words: x0 (function id), x1..x6, pc
					  (after the HVC) */
	CAIRN_FAULT_VM_SMC = 11,       /* as HVC; pc is the SMC's own */
	CAIRN_FAULT_VM_WFX = 12,       /* words: pc (the WFI/WFE), 1 if WFE */
	CAIRN_FAULT_VM_SYSREG = 13,    /* trapped MSR/MRS. words: encoding
					  (CAIRN_VM_SYSREG), 1 if a read, the
					  register number, the value a write
					  stores, pc, ESR */
	CAIRN_FAULT_VM_OTHER = 14,     /* anything else. words: ESR, pc, FAR */
};
/* Words of a fault message: the first six in registers, the rest in the
 * receiver's IPC buffer (cut to six if it has none). */
#define CAIRN_FAULT_WORDS 8

/* The access word of CAIRN_FAULT_VM_DATA_ABORT. */
#define CAIRN_VM_ACCESS_SIZE(a) (1U << ((a)&3)) /* bytes */
#define CAIRN_VM_ACCESS_WRITE	(1UL << 2)
#define CAIRN_VM_ACCESS_SIGNED	(1UL << 3) /* sign-extend a load */
#define CAIRN_VM_ACCESS_64	(1UL << 4) /* the register is Xn, not Wn */
#define CAIRN_VM_ACCESS_VALID	(1UL << 5) /* the fields above are known */
#define CAIRN_VM_ACCESS_REG(a)	(((a) >> 8) & 0x1f) /* Rt (31: xzr) */
/* A trapped system register's (op0, op1, CRn, CRm, op2), as MSR names it. */
#define CAIRN_VM_SYSREG(op0, op1, crn, crm, op2)                               \
	(((op0) << 14) | ((op1) << 11) | ((crn) << 7) | ((crm) << 3) | (op2))

/* A reply to a fault with this label writes registers first: words are
 * (count, pc, sp, x0, ...), as TCB.WriteRegisters. Any other label just
 * resumes the thread where it faulted. */
#define CAIRN_FAULT_REPLY_WRITE_REGS 1

/*
 * A reply to a VM exit with this label resumes the guest after changing
 * it: word 0 = flags (CAIRN_VM_REPLY_*), word 1 = n, then n pairs
 * (register number 0..30, value): the result of an emulated load, an HVC's
 * return values. 31 names xzr: ignored.
 */
#define CAIRN_VM_REPLY		  2
#define CAIRN_VM_REPLY_ADVANCE_PC (1UL << 0) /* past the trapped insn */
/* The access that exited (a data or instruction abort) takes a synchronous
 * external abort at the guest's EL1 instead of completing; other exits
 * ignore it. The PC is not advanced. */
#define CAIRN_VM_REPLY_ABORT (1UL << 1)
/* The trapped instruction is undefined at the guest's EL1 (a system
 * register the VMM does not emulate, say). */
#define CAIRN_VM_REPLY_UNDEF (1UL << 2)
