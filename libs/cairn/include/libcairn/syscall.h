/* libcairn: raw system calls (ABI in <cairn/syscalls.h>). */
#pragma once

#include <cairn/syscalls.h>
#include <stdint.h>

struct cairn_msg {
	uint64_t info; /* CAIRN_MSGINFO(label, length) */
	uint64_t mr[CAIRN_MSG_MAX_WORDS];
};

/* The calling thread's IPC buffer: the kernel keeps its address in
 * TPIDRRO_EL0 (TCB.Configure sets it). */
static inline struct cairn_ipc_buffer *cairn_ipc_buffer_get(void)
{
	struct cairn_ipc_buffer *b;

	__asm__ volatile("mrs %0, tpidrro_el0" : "=r"(b));
	return b;
}
#define cairn_ipc_buffer (cairn_ipc_buffer_get())

/*
 * Call on cptr with msg; the reply replaces msg. Words past
 * CAIRN_MSG_REG_WORDS go through the IPC buffer. Returns x0: CAIRN_OK or an
 * error, whose detail words are then msg->mr[0..3] (cairn/errors.h).
 */
long cairn_call(uint64_t cptr, struct cairn_msg *msg);

void cairn_yield(void);
/* Ends the calling thread (returns only if something resumes it). */
void cairn_exit(long status);
void cairn_debug_putchar(char c);
