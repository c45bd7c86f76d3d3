#include <libcairn/syscall.h>

long cairn_call(uint64_t cptr, struct cairn_msg *msg)
{
	unsigned n = CAIRN_MSGINFO_LENGTH(msg->info);

	for (unsigned i = CAIRN_MSG_REG_WORDS; i < n; i++) {
		cairn_ipc_buffer->mr[i] = msg->mr[i];
	}
	register uint64_t x0 __asm__("x0") = cptr;
	register uint64_t x1 __asm__("x1") = msg->info;
	register uint64_t x2 __asm__("x2") = msg->mr[0];
	register uint64_t x3 __asm__("x3") = msg->mr[1];
	register uint64_t x4 __asm__("x4") = msg->mr[2];
	register uint64_t x5 __asm__("x5") = msg->mr[3];
	register uint64_t x6 __asm__("x6") = msg->mr[4];
	register uint64_t x7 __asm__("x7") = msg->mr[5];
	register uint64_t x8 __asm__("x8") = CAIRN_SYS_CALL;
	__asm__ volatile("svc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3), "+r"(x4),
			   "+r"(x5), "+r"(x6), "+r"(x7)
			 : "r"(x8)
			 : "memory");
	msg->info = x1;
	msg->mr[0] = x2;
	msg->mr[1] = x3;
	msg->mr[2] = x4;
	msg->mr[3] = x5;
	msg->mr[4] = x6;
	msg->mr[5] = x7;
	return (long)x0;
}

void cairn_yield(void)
{
	register uint64_t x8 __asm__("x8") = CAIRN_SYS_YIELD;
	__asm__ volatile("svc #0" ::"r"(x8) : "memory");
}

void cairn_debug_putchar(char c)
{
	register uint64_t x0 __asm__("x0") = (unsigned char)c;
	register uint64_t x8 __asm__("x8") = CAIRN_SYS_DEBUG_PUTCHAR;
	__asm__ volatile("svc #0" : "+r"(x0) : "r"(x8) : "memory");
}
