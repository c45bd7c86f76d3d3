/* libcairn: IPC system calls on Endpoints, Notifications and Replies. */
#pragma once

#include <libcairn/syscall.h>

/* A received message: the sender's badge (or notification word) and words. */
struct cairn_recv {
	uint64_t badge;
	uint64_t info;
	uint64_t mr[CAIRN_MSG_REG_WORDS];
};

void cairn_send(uint64_t cptr, const struct cairn_msg *msg);
void cairn_nbsend(uint64_t cptr, const struct cairn_msg *msg);
void cairn_recv(uint64_t cptr, uint64_t reply, struct cairn_recv *out);
void cairn_nbrecv(uint64_t cptr, uint64_t reply, struct cairn_recv *out);
/* Answers the Call held by reply with msg, then receives on cptr. */
void cairn_reply_recv(uint64_t cptr, uint64_t reply,
		      const struct cairn_msg *msg, struct cairn_recv *out);

/* Notifications: Signal is a Send, Wait a Recv, Poll an NBRecv. */
void cairn_signal(uint64_t ntfn);
uint64_t cairn_wait(uint64_t ntfn);
uint64_t cairn_poll(uint64_t ntfn);
