#include "trap.h"

#include <libcairn/ipc.h>
#include <stddef.h>

static void put_extra(const struct cairn_msg *msg)
{
	unsigned n = CAIRN_MSGINFO_LENGTH(msg->info);

	for (unsigned i = CAIRN_MSG_REG_WORDS; i < n; i++) {
		cairn_ipc_buffer->mr[i] = msg->mr[i];
	}
}

void cairn_send(uint64_t cptr, const struct cairn_msg *msg)
{
	put_extra(msg);
	cairn_trap(CAIRN_SYS_SEND, cptr, 0, msg->info, msg->mr, NULL);
}

void cairn_nbsend(uint64_t cptr, const struct cairn_msg *msg)
{
	put_extra(msg);
	cairn_trap(CAIRN_SYS_NB_SEND, cptr, 0, msg->info, msg->mr, NULL);
}

void cairn_recv(uint64_t cptr, uint64_t reply, struct cairn_recv *out)
{
	cairn_trap(CAIRN_SYS_RECV, cptr, reply, 0, NULL, out);
}

void cairn_nbrecv(uint64_t cptr, uint64_t reply, struct cairn_recv *out)
{
	cairn_trap(CAIRN_SYS_NB_RECV, cptr, reply, 0, NULL, out);
}

void cairn_reply_recv(uint64_t cptr, uint64_t reply,
		      const struct cairn_msg *msg, struct cairn_recv *out)
{
	put_extra(msg);
	cairn_trap(CAIRN_SYS_REPLY_RECV, cptr, reply, msg->info, msg->mr, out);
}

void cairn_signal(uint64_t ntfn)
{
	cairn_trap(CAIRN_SYS_SEND, ntfn, 0, 0, NULL, NULL);
}

uint64_t cairn_wait(uint64_t ntfn)
{
	struct cairn_recv r;

	cairn_trap(CAIRN_SYS_RECV, ntfn, 0, 0, NULL, &r);
	return r.badge;
}

uint64_t cairn_poll(uint64_t ntfn)
{
	struct cairn_recv r;

	cairn_trap(CAIRN_SYS_NB_RECV, ntfn, 0, 0, NULL, &r);
	return r.badge;
}
