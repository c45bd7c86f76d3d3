#include <libcairn/ipc.h>
#include <stddef.h>

static void put_extra(const struct cairn_msg *msg)
{
	unsigned n = CAIRN_MSGINFO_LENGTH(msg->info);

	for (unsigned i = CAIRN_MSG_REG_WORDS; i < n; i++) {
		cairn_ipc_buffer->mr[i] = msg->mr[i];
	}
}

/* The raw trap: x0, x1, x2..x7 in and out, x8 = number, x9 = reply. */
static void trap(uint64_t number, uint64_t cptr, uint64_t reply, uint64_t info,
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

void cairn_send(uint64_t cptr, const struct cairn_msg *msg)
{
	put_extra(msg);
	trap(CAIRN_SYS_SEND, cptr, 0, msg->info, msg->mr, NULL);
}

void cairn_nbsend(uint64_t cptr, const struct cairn_msg *msg)
{
	put_extra(msg);
	trap(CAIRN_SYS_NB_SEND, cptr, 0, msg->info, msg->mr, NULL);
}

void cairn_recv(uint64_t cptr, uint64_t reply, struct cairn_recv *out)
{
	trap(CAIRN_SYS_RECV, cptr, reply, 0, NULL, out);
}

void cairn_nbrecv(uint64_t cptr, uint64_t reply, struct cairn_recv *out)
{
	trap(CAIRN_SYS_NB_RECV, cptr, reply, 0, NULL, out);
}

void cairn_reply_recv(uint64_t cptr, uint64_t reply,
		      const struct cairn_msg *msg, struct cairn_recv *out)
{
	put_extra(msg);
	trap(CAIRN_SYS_REPLY_RECV, cptr, reply, msg->info, msg->mr, out);
}

void cairn_signal(uint64_t ntfn)
{
	trap(CAIRN_SYS_SEND, ntfn, 0, 0, NULL, NULL);
}

uint64_t cairn_wait(uint64_t ntfn)
{
	struct cairn_recv r;

	trap(CAIRN_SYS_RECV, ntfn, 0, 0, NULL, &r);
	return r.badge;
}

uint64_t cairn_poll(uint64_t ntfn)
{
	struct cairn_recv r;

	trap(CAIRN_SYS_NB_RECV, ntfn, 0, 0, NULL, &r);
	return r.badge;
}
