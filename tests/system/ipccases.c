/*
 * IPC cases of the threadtest suite: Call with a badge and a long message,
 * non-blocking calls, notifications (plain and bound), capability transfer
 * and GRANT, and the ways a wait ends when its object or Reply goes.
 */
#include "suite.h"

#include <libcairn/ipc.h>
#include <stdio.h>

/* ---- IPC ---- */

static void echo_sum(uint64_t ep, uint64_t reply, uint64_t self)
{
	struct cairn_recv in;
	struct cairn_msg out = {0};

	cairn_recv(ep, reply, &in);
	/* Reply: badge, length, and the sum of all 16 words. */
	uint64_t n = CAIRN_MSGINFO_LENGTH(in.info), sum = 0;
	for (uint64_t i = 0; i < n; i++) {
		sum += i < 6 ? in.mr[i] : cairn_ipc_buffer->mr[i];
	}
	out.info = CAIRN_MSGINFO(CAIRN_MSGINFO_LABEL(in.info) + 1, 3);
	out.mr[0] = in.badge;
	out.mr[1] = n;
	out.mr[2] = sum;
	cairn_send(reply, &out);
	stop(self);
}

static int test_call_long_message_badge(void)
{
	int ok = 1;
	uint64_t ep = make(CAIRN_OBJ_ENDPOINT, 0),
		 rp = make(CAIRN_OBJ_REPLY, 0);
	uint64_t badged = mint(ep, ALL, 0xb0b);
	spawn(echo_sum, ep, rp, 0);
	struct cairn_msg msg = {.info = CAIRN_MSGINFO(77, 16)};
	uint64_t want = 0;

	for (int i = 0; i < 16; i++) {
		msg.mr[i] = 1000 + i * i;
		want += msg.mr[i];
	}
	long e = cairn_call(badged, &msg);
	CHECK(e == CAIRN_OK);
	CHECK(CAIRN_MSGINFO_LABEL(msg.info) == 78);
	CHECK(msg.mr[0] == 0xb0b);
	CHECK(msg.mr[1] == 16);
	CHECK(msg.mr[2] == want);
	return ok;
}

static int test_nonblocking(void)
{
	int ok = 1;
	uint64_t ep = make(CAIRN_OBJ_ENDPOINT, 0);
	struct cairn_msg msg = {.info = CAIRN_MSGINFO(5, 1), .mr = {9}};
	struct cairn_recv in;

	cairn_nbsend(ep, &msg); /* nobody waits: dropped, no block */
	cairn_nbrecv(ep, 0, &in);
	CHECK(in.badge == 0 && CAIRN_MSGINFO_LENGTH(in.info) == 0);
	return ok;
}

static void wait_and_report(uint64_t ntfn, uint64_t ep, uint64_t self)
{
	struct cairn_msg out = {.info = CAIRN_MSGINFO(0, 1)};

	out.mr[0] = cairn_wait(ntfn);
	cairn_send(ep, &out);
	stop(self);
}

static int test_notifications(void)
{
	int ok = 1;
	uint64_t ntfn = make(CAIRN_OBJ_NOTIFICATION, 0);
	uint64_t one = mint(ntfn, ALL, 1), two = mint(ntfn, ALL, 2);
	uint64_t ep = make(CAIRN_OBJ_ENDPOINT, 0);
	struct cairn_recv in;

	cairn_signal(one);
	cairn_signal(two);
	CHECK(cairn_wait(ntfn) == 3);
	CHECK(cairn_poll(ntfn) == 0);
	/* A waiting thread is woken with the word. */
	spawn(wait_and_report, ntfn, ep, 0);
	let_threads_run();
	cairn_signal(two);
	cairn_recv(ep, 0, &in);
	CHECK(in.mr[0] == 2);
	return ok;
}

static void bound_receiver(uint64_t ep, uint64_t report, uint64_t self)
{
	struct cairn_recv in;
	struct cairn_msg out = {.info = CAIRN_MSGINFO(0, 2)};

	cairn_recv(ep, 0, &in); /* woken by the bound notification */
	out.mr[0] = in.badge;
	out.mr[1] = CAIRN_MSGINFO_LABEL(in.info);
	cairn_send(report, &out);
	stop(self);
}

static int test_bound_notification(void)
{
	int ok = 1;
	uint64_t ep = make(CAIRN_OBJ_ENDPOINT, 0),
		 rep = make(CAIRN_OBJ_ENDPOINT, 0);
	uint64_t ntfn = make(CAIRN_OBJ_NOTIFICATION, 0);
	uint64_t sig = mint(ntfn, ALL, 0x40);
	uint64_t tcb = spawn(bound_receiver, ep, rep, 0);
	struct cairn_recv in;

	OK(cairn_tcb_bind_notification(tcb, ntfn));
	let_threads_run(); /* it blocks in Recv on ep */
	cairn_signal(sig);
	cairn_recv(rep, 0, &in);
	CHECK(in.mr[0] == 0x40);
	CHECK(in.mr[1] == 0);
	return ok;
}

static uint64_t cap_dest;

static void cap_receiver(uint64_t ep, uint64_t reply, uint64_t self)
{
	uint64_t dest = cap_dest;
	struct cairn_recv in;
	struct cairn_msg out = {.info = CAIRN_MSGINFO(0, 1)};

	for (;;) {
		(void)self;
		cairn_ipc_buffer->recv_cnode = ROOT;
		cairn_ipc_buffer->recv_index = dest;
		cairn_ipc_buffer->recv_depth = DEPTH;
		cairn_recv(ep, reply, &in);
		out.mr[0] = CAIRN_MSGINFO_CAP_COUNT(in.info);
		cairn_send(reply, &out);
		dest++;
	}
}

static int test_cap_transfer_needs_grant(void)
{
	int ok = 1;
	uint64_t ep = make(CAIRN_OBJ_ENDPOINT, 0),
		 rp = make(CAIRN_OBJ_REPLY, 0);
	uint64_t grant = mint(ep, ALL, 1);
	uint64_t nogrant = mint(ep, RW, 2);
	uint64_t gift = make(CAIRN_OBJ_NOTIFICATION, 0);
	uint64_t dest = slot();
	for (int i = 0; i < 3; i++) {
		slot();
	}
	cap_dest = dest;
	uint64_t tcb = spawn(cap_receiver, ep, rp, 0);
	struct cairn_msg msg = {.info = CAIRN_MSGINFO_CAPS(0, 1, 0)};

	cairn_ipc_buffer->caps[0] = gift;
	CHECK(cairn_call(grant, &msg) == CAIRN_OK);
	CHECK(msg.mr[0] == 1);
	/* The copy arrived: copying from it works. */
	OK(cairn_cnode_copy(ROOT, slot(), DEPTH, ROOT, dest, DEPTH, ALL));
	msg.info = CAIRN_MSGINFO_CAPS(0, 1, 0);
	cairn_ipc_buffer->caps[0] = gift;
	CHECK(cairn_call(nogrant, &msg) == CAIRN_OK);
	CHECK(msg.mr[0] == 0);
	ERR(cairn_cnode_copy(ROOT, slot(), DEPTH, ROOT, dest + 1, DEPTH, ALL),
	    CAIRN_FAILED_LOOKUP, CAIRN_LOOKUP_MISSING_CAP);
	cairn_tcb_suspend(tcb);
	return ok;
}

static void recv_then_report(uint64_t ep, uint64_t report, uint64_t self)
{
	struct cairn_recv in;
	struct cairn_msg out = {.info = CAIRN_MSGINFO(0, 1)};

	cairn_recv(ep, 0, &in);
	out.mr[0] = CAIRN_MSGINFO_LABEL(in.info);
	cairn_send(report, &out);
	stop(self);
}

static int test_deleted_endpoint_aborts_waiter(void)
{
	int ok = 1;
	uint64_t ep = make(CAIRN_OBJ_ENDPOINT, 0),
		 rep = make(CAIRN_OBJ_ENDPOINT, 0);
	struct cairn_recv in;

	spawn(recv_then_report, ep, rep, 0);
	let_threads_run(); /* it blocks in Recv on ep */
	OK(cairn_cnode_delete(ROOT, ep, DEPTH));
	cairn_recv(rep, 0, &in);
	CHECK(in.mr[0] == CAIRN_LABEL_ABORTED);
	return ok;
}

/* Takes a Call, takes another on the same unanswered Reply, answers it. */
static void reply_reuser(uint64_t ep, uint64_t reply, uint64_t self)
{
	struct cairn_recv in;
	struct cairn_msg out = {0};

	cairn_recv(ep, reply, &in);
	cairn_recv(ep, reply, &in); /* the first caller is abandoned */
	out.info = CAIRN_MSGINFO(CAIRN_MSGINFO_LABEL(in.info) + 1, 0);
	cairn_send(reply, &out);
	stop(self);
}

/* Calls ep with label 7, then sends (error, reply label) to report. */
static void call_and_report(uint64_t ep, uint64_t report, uint64_t self)
{
	struct cairn_msg msg = {.info = CAIRN_MSGINFO(7, 0)};
	long e = cairn_call(ep, &msg);
	struct cairn_msg out = {.info = CAIRN_MSGINFO(0, 2)};

	out.mr[0] = (uint64_t)e;
	out.mr[1] = CAIRN_MSGINFO_LABEL(msg.info);
	cairn_send(report, &out);
	stop(self);
}

/*
 * A Recv on a Reply whose Call was never answered fails that Call (it could
 * never be answered now) and leaves the Reply free for the next one.
 */
static int test_reused_reply_abandons_caller(void)
{
	int ok = 1;
	uint64_t ep = make(CAIRN_OBJ_ENDPOINT, 0),
		 rp = make(CAIRN_OBJ_REPLY, 0),
		 rep = make(CAIRN_OBJ_ENDPOINT, 0);
	struct cairn_recv in;

	spawn(reply_reuser, ep, rp, 0);
	spawn(call_and_report, ep, rep, 0);
	let_threads_run();
	cairn_nbrecv(rep, 0, &in);
	CHECK(CAIRN_MSGINFO_LENGTH(in.info) == 2);
	CHECK(in.mr[0] == CAIRN_INVALID_CAPABILITY);
	CHECK(in.mr[1] == CAIRN_LABEL_ABORTED);

	spawn(call_and_report, ep, rep, 0);
	let_threads_run();
	cairn_nbrecv(rep, 0, &in);
	CHECK(CAIRN_MSGINFO_LENGTH(in.info) == 2);
	CHECK(in.mr[0] == CAIRN_OK);
	CHECK(in.mr[1] == 8);
	return ok;
}

static const struct test_case cases[] = {
    {"call_long_message_badge",
     "a Call carries 16 words and the badge; the reply comes back",
     test_call_long_message_badge},
    {"nonblocking",
     "NBSend with no receiver drops, NBRecv with no sender returns empty",
     test_nonblocking},
    {"notifications",
     "signals OR badges into the word; a waiter is woken with it",
     test_notifications},
    {"bound_notification",
     "a signal wakes a thread bound to the notification from its Recv",
     test_bound_notification},
    {"cap_transfer_needs_grant", "a cap travels over a GRANT endpoint cap only",
     test_cap_transfer_needs_grant},
    {"deleted_endpoint_aborts_waiter",
     "deleting an endpoint wakes its receiver with the aborted label",
     test_deleted_endpoint_aborts_waiter},
    {"reused_reply_abandons_caller",
     "a Recv on an unanswered Reply fails that Call; the next is answered",
     test_reused_reply_abandons_caller},
};

const struct case_table ipc_cases = CASE_TABLE(cases);
