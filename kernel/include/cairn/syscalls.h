/*
 * Cairn ABI: system calls and the message layout.
 *
 * A thread traps with `svc #0`, the system call number in x8.
 *   Call:         x0 = cptr of the invoked cap, x1 = message info,
 *                 x2..x7 = message words 0..5; further words in the IPC
 *                 buffer (mr[6] on). Returns x0 = CAIRN_OK or an error,
 *                 x1 = message info of the reply, x2..x7 = reply words; on
 *                 an error, words 0..2 are the error's detail words.
 *   Yield:        gives up the rest of the time slice.
 *   DebugPutChar: x0 = a character for the kernel console (debug builds).
 */
#pragma once

enum cairn_syscall {
	CAIRN_SYS_CALL = 1,
	CAIRN_SYS_REPLY_RECV = 2, /* not yet */
	CAIRN_SYS_SEND = 3,	  /* not yet */
	CAIRN_SYS_NB_SEND = 4,	  /* not yet */
	CAIRN_SYS_RECV = 5,	  /* not yet */
	CAIRN_SYS_NB_RECV = 6,	  /* not yet */
	CAIRN_SYS_YIELD = 7,
	CAIRN_SYS_DEBUG_PUTCHAR = 16,
};

/* Message info: label in bits 12..63, length in words in bits 0..6. */
#define CAIRN_MSG_REG_WORDS 6
#define CAIRN_MSG_MAX_WORDS 64
#define CAIRN_MSGINFO(label, length)                                           \
	(((unsigned long)(label) << 12) | ((unsigned long)(length)&0x7f))
#define CAIRN_MSGINFO_LABEL(info)  ((unsigned long)(info) >> 12)
#define CAIRN_MSGINFO_LENGTH(info) ((unsigned)((info)&0x7f))

/* The IPC buffer: one 4 KiB frame per thread. */
struct cairn_ipc_buffer {
	unsigned long tag;
	unsigned long mr[CAIRN_MSG_MAX_WORDS]; /* mr[0..5] travel in x2..x7 */
};
