/* libcairn: raw system calls (ABI in <cairn/syscalls.h>). */
#pragma once

#include <cairn/syscalls.h>
#include <stdint.h>

struct cairn_msg {
	uint64_t info; /* CAIRN_MSGINFO(label, length) */
	uint64_t mr[CAIRN_MSG_MAX_WORDS];
};

/* The IPC buffer of the calling thread (set by crt0 for the root task). */
extern struct cairn_ipc_buffer *cairn_ipc_buffer;

/*
 * Call on cptr with msg; the reply replaces msg. Words past
 * CAIRN_MSG_REG_WORDS go through the IPC buffer. Returns x0: CAIRN_OK or an
 * error, whose detail words are then msg->mr[0..2].
 */
long cairn_call(uint64_t cptr, struct cairn_msg *msg);

void cairn_yield(void);
void cairn_debug_putchar(char c);
