#include "trap.h"

#include <libcairn/syscall.h>
#include <stddef.h>

long cairn_call(uint64_t cptr, struct cairn_msg *msg)
{
	unsigned n = CAIRN_MSGINFO_LENGTH(msg->info);
	struct cairn_recv out;

	for (unsigned i = CAIRN_MSG_REG_WORDS; i < n; i++) {
		cairn_ipc_buffer->mr[i] = msg->mr[i];
	}
	cairn_trap(CAIRN_SYS_CALL, cptr, 0, msg->info, msg->mr, &out);
	msg->info = out.info;
	for (int i = 0; i < CAIRN_MSG_REG_WORDS; i++) {
		msg->mr[i] = out.mr[i];
	}
	return (long)out.badge; /* x0: the error code for Call */
}

/* The raw trap: x0, x1, x2..x7 in and out, x8 = number, x9 = reply. */
void cairn_trap(uint64_t number, uint64_t cptr, uint64_t reply, uint64_t info,
		const uint64_t *in, struct cairn_recv *out)
{
	register uint64_t x0 __asm__("x0") = cptr;
	register uint64_t x1 __asm__("x1") = info;
	register uint64_t x2 __asm__("x2") = in ? in[0] : 0;
	register uint64_t x3 __asm__("x3") = in ? in[1] : 0;
	register uint64_t x4 __asm__("x4") = in ? in[2] : 0;
	register uint64_t x5 __asm__("x5") = in ? in[3] : 0;
	register uint64_t x6 __asm__("x6") = in ? in[4] : 0;
	register uint64_t x7 __asm__("x7") = in ? in[5] : 0;
	register uint64_t x8 __asm__("x8") = number;
	register uint64_t x9 __asm__("x9") = reply;
	__asm__ volatile("svc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4),
			   "+r"(x5), "+r"(x6), "+r"(x7)
			 : "r"(x8), "r"(x9)
			 : "memory");
	if (out != NULL) {
		out->badge = x0;
		out->info = x1;
		out->mr[0] = x2;
		out->mr[1] = x3;
		out->mr[2] = x4;
		out->mr[3] = x5;
		out->mr[4] = x6;
		out->mr[5] = x7;
	}
}

void cairn_yield(void)
{
	register uint64_t x8 __asm__("x8") = CAIRN_SYS_YIELD;
	__asm__ volatile("svc #0" ::"r"(x8) : "memory");
}

void cairn_exit(long status)
{
	register uint64_t x0 __asm__("x0") = (uint64_t)status;
	register uint64_t x8 __asm__("x8") = CAIRN_SYS_EXIT;
	__asm__ volatile("svc #0" : "+r"(x0) : "r"(x8) : "memory");
}

void cairn_debug_putchar(char c)
{
	register uint64_t x0 __asm__("x0") = (unsigned char)c;
	register uint64_t x8 __asm__("x8") = CAIRN_SYS_DEBUG_PUTCHAR;
	__asm__ volatile("svc #0" : "+r"(x0) : "r"(x8) : "memory");
}
