/*
 * In-system suite for threads, IPC, VSpaces and faults, run as the root
 * task: TCB invocations and their errors, Send/Recv/Call/ReplyRecv with
 * badges and long messages, notifications, capability transfer, a 100 000
 * round-trip ping-pong with a server in its own VSpace, a page fault
 * delivered to a handler that maps a frame and resumes the thread, and
 * unmapping on delete (the TLB must forget it).
 */
#include "common.h"

#include <libcairn/ipc.h>
#include <stdio.h>
#include <string.h>

#define PRIO 200 /* test threads; the root runs at 255 */

#define PINGPONG_ROUNDS 100000
#define MAX_THREADS	16
#define THREAD_STACK	4096
#define IPC_BASE	0x10002000UL /* thread IPC buffers, one page each */
#define FAULT_ADDR	0x10080000UL /* unmapped, in an existing table */

static int passed, failed;
static unsigned next_thread;
static uint8_t stacks[MAX_THREADS][THREAD_STACK] __attribute__((aligned(16)));
static volatile uint64_t counter;

static int check(const char *what, int ok, int line)
{
	if (!ok) {
		printf("  check failed: %s (line %d)\n", what, line);
	}
	return ok;
}

#define CHECK(cond) ok &= check(#cond, (cond), __LINE__)

static int is_err(struct cairn_result r, long err, uint64_t d0, int line)
{
	if (r.error == err && (err == CAIRN_OK || r.detail[0] == d0)) {
		return 1;
	}
	printf("  line %d: got %s [%lu %lu %lu], want %s [%lu]\n", line,
	       cairn_error_name(r.error), r.detail[0], r.detail[1], r.detail[2],
	       cairn_error_name(err), d0);
	return 0;
}

#define OK(r)	      ok &= is_err((r), CAIRN_OK, 0, __LINE__)
#define ERR(r, e, d0) ok &= is_err((r), (e), (d0), __LINE__)

static void report(const char *name, int ok)
{
	printf("%s %s\n", ok ? "PASS" : "FAIL", name);
	ok ? passed++ : failed++;
}

/*
 * A thread in the root's VSpace and CSpace at priority PRIO, started at
 * fn(a0, a1, its own TCB cptr).
 */
static uint64_t spawn(void (*fn)(uint64_t, uint64_t, uint64_t), uint64_t a0,
		      uint64_t a1, uint64_t fault_ep)
{
	unsigned i = next_thread++;
	if (i == MAX_THREADS) {
		printf("FAIL spawn: more than %d test threads\n", MAX_THREADS);
		failed++;
		i = 0;
	}
	uint64_t tcb = make(CAIRN_OBJ_TCB, 0);
	uint64_t ipc = make(CAIRN_OBJ_FRAME_4K, 0);
	uint64_t ipa = IPC_BASE + i * 0x1000UL;

	cairn_frame_map(ipc, VSPACE, ipa, RW, 0);
	cairn_tcb_configure(tcb, ROOT, VSPACE, ipc, ipa, fault_ep);
	cairn_tcb_set_priority(tcb, SELF, PRIO);
	uint64_t regs[5] = {(uint64_t)fn, (uint64_t)&stacks[i][THREAD_STACK],
			    a0, a1, tcb};
	cairn_tcb_write_registers(tcb, 1, regs, 5);
	return tcb;
}

static void stop(uint64_t self)
{
	cairn_tcb_suspend(self);
}

/* Lets the lower-priority test threads run until they all block. */
static void let_threads_run(void)
{
	cairn_tcb_set_priority(SELF, SELF, 1);
	cairn_yield();
	cairn_tcb_set_priority(SELF, SELF, 255);
}

/* ---- TCB invocations ---- */

static int test_tcb_errors(void)
{
	int ok = 1;
	uint64_t tcb = make(CAIRN_OBJ_TCB, 0), ep = make(CAIRN_OBJ_ENDPOINT, 0);
	uint64_t w[4] = {ROOT, VSPACE, 0, 0};

	ERR(cairn_invoke(tcb, CAIRN_TCB_CONFIGURE, w, 4),
	    CAIRN_TRUNCATED_MESSAGE, 0);
	ERR(cairn_tcb_configure(tcb, ep, VSPACE, 0, 0, 0),
	    CAIRN_INVALID_CAPABILITY, CAIRN_ARG_CSPACE);
	ERR(cairn_tcb_configure(tcb, ROOT, ROOT, 0, 0, 0),
	    CAIRN_INVALID_CAPABILITY, CAIRN_ARG_VSPACE);
	ERR(cairn_tcb_configure(tcb, ROOT, VSPACE, ep, 0, 0),
	    CAIRN_INVALID_CAPABILITY, CAIRN_ARG_IPC_BUFFER);
	ERR(cairn_tcb_resume(tcb), CAIRN_ILLEGAL_OPERATION, CAIRN_ARG_VSPACE);
	ERR(cairn_tcb_set_priority(tcb, SELF, 256), CAIRN_RANGE_ERROR,
	    CAIRN_ARG_PRIORITY);
	ERR(cairn_tcb_set_priority(tcb, ep, 1), CAIRN_INVALID_CAPABILITY,
	    CAIRN_ARG_AUTHORITY);
	/* A new thread's MCP is 0: as an authority it allows nothing above. */
	ERR(cairn_tcb_set_priority(tcb, tcb, 1), CAIRN_RANGE_ERROR,
	    CAIRN_ARG_PRIORITY);
	OK(cairn_tcb_set_priority(tcb, tcb, 0));
	uint64_t regs[33];
	ERR(cairn_tcb_read_registers(tcb, regs, 0), CAIRN_RANGE_ERROR,
	    CAIRN_ARG_COUNT);
	ERR(cairn_tcb_read_registers(tcb, regs, 34), CAIRN_RANGE_ERROR,
	    CAIRN_ARG_COUNT);
	uint64_t wr[4] = {0, 5, 1, 2}; /* count 5, but only 2 values */
	ERR(cairn_invoke(tcb, CAIRN_TCB_WRITE_REGISTERS, wr, 4),
	    CAIRN_TRUNCATED_MESSAGE, 0);
	ERR(cairn_invoke(tcb, CAIRN_TCB_SET_NAME, wr, 1),
	    CAIRN_TRUNCATED_MESSAGE, 0);
	uint64_t ntfn = make(CAIRN_OBJ_NOTIFICATION, 0);
	OK(cairn_tcb_bind_notification(tcb, ntfn));
	ERR(cairn_tcb_bind_notification(tcb, ntfn), CAIRN_ILLEGAL_OPERATION,
	    CAIRN_ARG_NOTIFICATION);
	ERR(cairn_tcb_bind_notification(tcb, ep), CAIRN_INVALID_CAPABILITY,
	    CAIRN_ARG_NOTIFICATION);
	ERR(cairn_invoke(tcb, 99, NULL, 0), CAIRN_ILLEGAL_OPERATION,
	    CAIRN_ARG_LABEL);
	OK(cairn_tcb_set_name(tcb, "named-thread"));
	return ok;
}

static int test_registers_roundtrip(void)
{
	int ok = 1;
	uint64_t tcb = make(CAIRN_OBJ_TCB, 0);
	uint64_t in[33], out[33];

	OK(cairn_tcb_configure(tcb, ROOT, VSPACE, 0, 0, 0));
	for (unsigned i = 0; i < 33; i++) {
		in[i] = 0x1000 + i * 0x111;
	}
	OK(cairn_tcb_write_registers(tcb, 0, in, 33));
	OK(cairn_tcb_read_registers(tcb, out, 33));
	CHECK(memcmp(in, out, sizeof(in)) == 0);
	return ok;
}

static void count_forever(uint64_t a, uint64_t b, uint64_t c)
{
	(void)a, (void)b, (void)c;
	for (;;) {
		counter++;
		cairn_yield();
	}
}

static int test_suspend_resume_yield(void)
{
	int ok = 1;
	uint64_t tcb = spawn(count_forever, 0, 0, 0);

	/* Equal priority: yield hands the CPU over and back. */
	OK(cairn_tcb_set_priority(tcb, SELF, 255));
	uint64_t before = counter;
	for (int i = 0; i < 5; i++) {
		cairn_yield();
	}
	CHECK(counter > before);
	OK(cairn_tcb_suspend(tcb));
	before = counter;
	for (int i = 0; i < 5; i++) {
		cairn_yield();
	}
	CHECK(counter == before);
	OK(cairn_tcb_resume(tcb));
	cairn_yield();
	CHECK(counter > before);
	OK(cairn_tcb_suspend(tcb));
	return ok;
}

static volatile uint64_t spins[2];

static void spin_forever(uint64_t which, uint64_t b, uint64_t c)
{
	(void)b, (void)c;
	for (;;) {
		spins[which]++; /* never yields: only the timer stops it */
	}
}

static int test_preemption_round_robin(void)
{
	int ok = 1;
	uint64_t a = spawn(spin_forever, 0, 0, 0);
	uint64_t b = spawn(spin_forever, 1, 0, 0);

	/* All three at one priority: time slices share the CPU. */
	OK(cairn_tcb_set_priority(a, SELF, 100));
	OK(cairn_tcb_set_priority(b, SELF, 100));
	OK(cairn_tcb_set_priority(SELF, SELF, 100));
	uint64_t rounds = 0;
	while ((spins[0] < 1000 || spins[1] < 1000) && rounds < 200000000) {
		rounds++; /* spins too; preempted like them */
	}
	OK(cairn_tcb_set_priority(SELF, SELF, 255));
	CHECK(spins[0] >= 1000 && spins[1] >= 1000);
	/* Ticks never hand the CPU to lower priorities: they stay put while
	 * we spin through several slices. */
	uint64_t before = spins[0] + spins[1];
	uint64_t t0, t1, freq;
	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(freq));
	__asm__ volatile("mrs %0, cntpct_el0" : "=r"(t0));
	do {
		__asm__ volatile("mrs %0, cntpct_el0" : "=r"(t1));
	} while (t1 - t0 < freq / 1000 * 20); /* 20 ms: 4 slices */
	CHECK(spins[0] + spins[1] == before);
	OK(cairn_tcb_suspend(a));
	OK(cairn_tcb_suspend(b));
	return ok;
}

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
	CHECK(in.mr[0] == (1UL << 52) - 1); /* the aborted label */
	return ok;
}

/* ---- ping-pong across VSpaces ---- */

static void pingpong_server(uint64_t ep, uint64_t reply)
{
	struct cairn_recv in;
	struct cairn_msg out;

	cairn_recv(ep, reply, &in);
	for (;;) {
		out.info =
		    CAIRN_MSGINFO(CAIRN_MSGINFO_LABEL(in.info) ^ 0x5a, 6);
		for (int i = 0; i < 6; i++) {
			out.mr[i] = (in.mr[i] ^ in.badge) + (uint64_t)i;
		}
		cairn_reply_recv(ep, reply, &out, &in);
	}
}

static int test_pingpong_separate_vspace(void)
{
	int ok = 1;
	uint64_t ipc;
	uint64_t vs = vspace_with_root_code(&ipc);
	uint64_t ep = make(CAIRN_OBJ_ENDPOINT, 0);
	uint64_t rp = make(CAIRN_OBJ_REPLY, 0);
	uint64_t client = mint(ep, ALL, 0xc0ffee);

	CHECK(vs != 0);
	ERR(cairn_page_table_map(make(CAIRN_OBJ_PAGE_TABLE, 0), vs, 0x400000),
	    CAIRN_DELETE_FIRST, CAIRN_ARG_IPA);
	uint64_t tcb =
	    thread_in(vs, ipc, pingpong_server, ep, rp, PRIO, "pingpong");

	unsigned bad = 0;
	for (uint64_t k = 0; k < PINGPONG_ROUNDS; k++) {
		struct cairn_msg m = {.info = CAIRN_MSGINFO(k & 0xfff, 6)};
		for (int i = 0; i < 6; i++) {
			m.mr[i] = k * 7 + (uint64_t)i;
		}
		long e = cairn_call(client, &m);
		int good =
		    e == CAIRN_OK &&
		    CAIRN_MSGINFO_LABEL(m.info) == ((k & 0xfff) ^ 0x5a) &&
		    CAIRN_MSGINFO_LENGTH(m.info) == 6;
		for (int i = 0; i < 6; i++) {
			good &= m.mr[i] == ((k * 7 + (uint64_t)i) ^ 0xc0ffee) +
					       (uint64_t)i;
		}
		if (!good && bad++ < 3) {
			printf("  round %lu: bad reply (error %ld)\n", k, e);
		}
	}
	printf("  %d round trips, %u bad\n", PINGPONG_ROUNDS, bad);
	CHECK(bad == 0);
	OK(cairn_tcb_suspend(tcb));
	return ok;
}

/* ---- faults ---- */

static void touch(uint64_t addr, uint64_t done, uint64_t self)
{
	*(volatile uint64_t *)addr = 42;
	struct cairn_msg out = {.info = CAIRN_MSGINFO(1, 1), .mr = {7}};
	cairn_send(done, &out);
	stop(self);
}

static int test_vm_fault_handled(void)
{
	int ok = 1;
	uint64_t fep = make(CAIRN_OBJ_ENDPOINT, 0),
		 rp = make(CAIRN_OBJ_REPLY, 0);
	uint64_t done = make(CAIRN_OBJ_ENDPOINT, 0);
	struct cairn_recv in;

	spawn(touch, FAULT_ADDR, done, fep);
	cairn_recv(fep, rp, &in);
	CHECK(CAIRN_MSGINFO_LABEL(in.info) == CAIRN_FAULT_VM);
	CHECK(in.mr[1] == FAULT_ADDR);
	CHECK(in.mr[2] == FAULT_ADDR);
	CHECK(((in.mr[3] >> 26) & 0x3f) == 0x24); /* data abort, lower EL */
	CHECK(in.mr[4] == 0);
	uint64_t frame = make(CAIRN_OBJ_FRAME_4K, 0);
	OK(cairn_frame_map(frame, VSPACE, FAULT_ADDR, RW, 0));
	ERR(cairn_frame_map(frame, VSPACE, FAULT_ADDR + 0x1000, RW, 0),
	    CAIRN_ILLEGAL_OPERATION, CAIRN_ARG_INVOKED);
	struct cairn_msg resume = {0};
	cairn_send(rp, &resume); /* the reply resumes it at the store */
	cairn_recv(done, 0, &in);
	CHECK(CAIRN_MSGINFO_LABEL(in.info) == 1 && in.mr[0] == 7);
	CHECK(*(volatile uint64_t *)FAULT_ADDR == 42);

	/* Deleting the frame cap unmaps it: the next touch faults again. */
	OK(cairn_cnode_delete(ROOT, frame, DEPTH));
	uint64_t t2 = spawn(touch, FAULT_ADDR, done, fep);
	cairn_recv(fep, rp, &in);
	CHECK(CAIRN_MSGINFO_LABEL(in.info) == CAIRN_FAULT_VM);
	CHECK(in.mr[1] == FAULT_ADDR);
	OK(cairn_tcb_suspend(t2));
	return ok;
}

static int test_frame_errors(void)
{
	int ok = 1;
	uint64_t f = make(CAIRN_OBJ_FRAME_4K, 0);

	ERR(cairn_frame_map(f, VSPACE, FAULT_ADDR + 8, RW, 0),
	    CAIRN_ALIGNMENT_ERROR, CAIRN_ARG_IPA);
	ERR(cairn_frame_map(f, VSPACE, 1UL << 39, RW, 0), CAIRN_RANGE_ERROR,
	    CAIRN_ARG_IPA);
	ERR(cairn_frame_map(f, ROOT, FAULT_ADDR, RW, 0),
	    CAIRN_INVALID_CAPABILITY, CAIRN_ARG_VSPACE);
	ERR(cairn_frame_map(f, VSPACE, 0x40000000, RW, 0), CAIRN_FAILED_LOOKUP,
	    CAIRN_LOOKUP_MISSING_CAP);
	ERR(cairn_frame_map(f, VSPACE, CAIRN_ROOT_BOOTINFO, RW, 0),
	    CAIRN_DELETE_FIRST, CAIRN_ARG_IPA);
	ERR(cairn_frame_map(f, VSPACE, FAULT_ADDR, 1UL << 8, 0),
	    CAIRN_INVALID_ARGUMENT, CAIRN_ARG_RIGHTS);
	ERR(cairn_frame_map(f, VSPACE, FAULT_ADDR, RW, 1UL << 5),
	    CAIRN_INVALID_ARGUMENT, CAIRN_ARG_ATTRIBUTES);
	uint64_t w3[3] = {VSPACE, FAULT_ADDR, RW};
	ERR(cairn_invoke(f, CAIRN_FRAME_MAP, w3, 3), CAIRN_TRUNCATED_MESSAGE,
	    0);
	/* Uncached and device attributes map (and the memory works). */
	OK(cairn_frame_map(f, VSPACE, FAULT_ADDR, RW, CAIRN_MAP_UNCACHED));
	*(volatile uint64_t *)FAULT_ADDR = 0xfeed;
	CHECK(*(volatile uint64_t *)FAULT_ADDR == 0xfeed);
	OK(cairn_frame_unmap(f));
	OK(cairn_frame_map(f, VSPACE, FAULT_ADDR, RW, CAIRN_MAP_DEVICE));
	CHECK(*(volatile uint64_t *)FAULT_ADDR == 0xfeed);
	OK(cairn_frame_unmap(f));
	struct cairn_result r = cairn_frame_get_address(f);
	CHECK(r.error == CAIRN_OK && r.detail[0] != 0 &&
	      (r.detail[0] & 0xfff) == 0);
	OK(cairn_frame_unmap(f)); /* not mapped: nothing to do */
	return ok;
}

static void undefined_then_report(uint64_t report, uint64_t b, uint64_t self)
{
	(void)b;
	__asm__ volatile("udf #7");
	struct cairn_msg out = {.info = CAIRN_MSGINFO(9, 0)};
	cairn_send(report, &out); /* reached only if the handler skipped it */
	stop(self);
}

static int test_undefined_instruction_fault(void)
{
	int ok = 1;
	uint64_t fep = make(CAIRN_OBJ_ENDPOINT, 0),
		 rp = make(CAIRN_OBJ_REPLY, 0);
	uint64_t rep = make(CAIRN_OBJ_ENDPOINT, 0);
	struct cairn_recv in;

	spawn(undefined_then_report, rep, 0, fep);
	cairn_recv(fep, rp, &in);
	CHECK(CAIRN_MSGINFO_LABEL(in.info) == CAIRN_FAULT_USER_EXCEPTION);
	CHECK(((in.mr[1] >> 26) & 0x3f) == 0); /* EC 0: unknown reason */
	uint64_t pc = in.mr[0];
	CHECK(*(volatile uint32_t *)pc == 0x00000007); /* udf #7 */
	/* Reply with new registers: resume past the instruction. */
	struct cairn_msg skip = {
	    .info = CAIRN_MSGINFO(CAIRN_FAULT_REPLY_WRITE_REGS, 2)};
	skip.mr[0] = 1; /* one register: pc */
	skip.mr[1] = pc + 4;
	cairn_send(rp, &skip);
	cairn_recv(rep, 0, &in);
	CHECK(CAIRN_MSGINFO_LABEL(in.info) == 9);
	return ok;
}

static void recv_without_read(uint64_t cptr, uint64_t b, uint64_t c)
{
	(void)b, (void)c;
	struct cairn_recv in;
	cairn_recv(cptr, 0, &in);
}

static void reply_recv_without_reply(uint64_t cptr, uint64_t b, uint64_t c)
{
	(void)b, (void)c;
	struct cairn_msg m = {0};
	struct cairn_recv in;
	cairn_reply_recv(cptr, 0, &m, &in);
}

static int test_more_cap_faults(void)
{
	int ok = 1;
	uint64_t fep = make(CAIRN_OBJ_ENDPOINT, 0),
		 rp = make(CAIRN_OBJ_REPLY, 0);
	uint64_t ep = make(CAIRN_OBJ_ENDPOINT, 0);
	uint64_t send_only = mint(ep, CAIRN_RIGHT_WRITE, 0);
	struct cairn_recv in;

	uint64_t t = spawn(recv_without_read, send_only, 0, fep);
	cairn_recv(fep, rp, &in);
	CHECK(CAIRN_MSGINFO_LABEL(in.info) == CAIRN_FAULT_CAP);
	CHECK(in.mr[1] == send_only && in.mr[2] == CAIRN_SYS_RECV);
	CHECK(in.mr[3] == CAIRN_INVALID_CAPABILITY);
	OK(cairn_tcb_suspend(t));
	t = spawn(reply_recv_without_reply, ep, 0, fep);
	cairn_recv(fep, rp, &in);
	CHECK(CAIRN_MSGINFO_LABEL(in.info) == CAIRN_FAULT_CAP);
	CHECK(in.mr[2] == CAIRN_SYS_REPLY_RECV);
	OK(cairn_tcb_suspend(t));
	return ok;
}

static int test_large_frame_and_tables(void)
{
	int ok = 1;
	uint64_t pt = make(CAIRN_OBJ_PAGE_TABLE, 0);
	uint64_t big = make(CAIRN_OBJ_FRAME_2M, 0);
	uint64_t w[1] = {VSPACE};

	ERR(cairn_invoke(pt, CAIRN_PAGE_TABLE_MAP, w, 1),
	    CAIRN_TRUNCATED_MESSAGE, 0);
	ERR(cairn_page_table_map(pt, VSPACE, 0x40000008), CAIRN_ALIGNMENT_ERROR,
	    CAIRN_ARG_IPA);
	/* The 1 GiB at 0x40000000 has no table: this one becomes it. */
	OK(cairn_page_table_map(pt, VSPACE, 0x40000000));
	ERR(cairn_page_table_map(pt, VSPACE, 0x80000000),
	    CAIRN_ILLEGAL_OPERATION, CAIRN_ARG_INVOKED);
	ERR(cairn_frame_map(big, VSPACE, 0x40100000, RW, 0),
	    CAIRN_ALIGNMENT_ERROR, CAIRN_ARG_IPA);
	OK(cairn_frame_map(big, VSPACE, 0x40200000, RW, 0));
	volatile uint64_t *p = (volatile uint64_t *)0x40200000;
	p[0] = 0x1234;
	p[(2 << 20) / 8 - 1] = 0x5678; /* the last word of the 2 MiB */
	CHECK(p[0] == 0x1234 && p[(2 << 20) / 8 - 1] == 0x5678);
	ERR(cairn_invoke(big, 99, NULL, 0), CAIRN_ILLEGAL_OPERATION,
	    CAIRN_ARG_LABEL);
	OK(cairn_frame_unmap(big));
	OK(cairn_page_table_unmap(pt));
	return ok;
}

#define VTIMER_PPI 27 /* the EL1 virtual timer on QEMU virt */

static void vtimer_fire_in_ms(uint64_t ms)
{
	uint64_t freq;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(freq));
	__asm__ volatile("msr cntv_tval_el0, %0" ::"r"(freq / 1000 * ms));
	__asm__ volatile("msr cntv_ctl_el0, %0; isb" ::"r"(1UL));
}

static void vtimer_off(void)
{
	__asm__ volatile("msr cntv_ctl_el0, %0; isb" ::"r"(0UL));
}

static int test_interrupt_delivered(void)
{
	int ok = 1;
	uint64_t h = slot(), h2 = slot();
	uint64_t ntfn = make(CAIRN_OBJ_NOTIFICATION, 0);
	uint64_t badged = mint(ntfn, ALL, 0x100);
	const uint64_t ctl = CAIRN_SLOT_IRQ_CONTROL;

	ERR(cairn_irq_control_get(ctl, 5, 0, ROOT, h, DEPTH), CAIRN_RANGE_ERROR,
	    CAIRN_ARG_IRQ);
	ERR(cairn_irq_control_get(ctl, 26, 0, ROOT, h, DEPTH),
	    CAIRN_ILLEGAL_OPERATION, CAIRN_ARG_IRQ); /* the kernel's tick */
	ERR(cairn_irq_control_get(ctl, VTIMER_PPI, 2, ROOT, h, DEPTH),
	    CAIRN_INVALID_ARGUMENT, CAIRN_ARG_TRIGGER);
	OK(cairn_irq_control_get(ctl, VTIMER_PPI, CAIRN_IRQ_LEVEL, ROOT, h,
				 DEPTH));
	/* At most one handler per interrupt. */
	ERR(cairn_irq_control_get(ctl, VTIMER_PPI, CAIRN_IRQ_LEVEL, ROOT, h2,
				  DEPTH),
	    CAIRN_REVOKE_FIRST, CAIRN_ARG_IRQ);
	OK(cairn_irq_handler_set_notification(h, badged));
	for (int round = 0; round < 3; round++) {
		vtimer_fire_in_ms(2);
		uint64_t word = cairn_wait(ntfn); /* idle until it fires */
		CHECK(word == 0x100);
		vtimer_off(); /* level-triggered: quiet the source, then Ack */
		OK(cairn_irq_handler_ack(h));
	}
	/* Deleting the handler disables the line and frees the INTID. */
	OK(cairn_cnode_delete(ROOT, h, DEPTH));
	vtimer_fire_in_ms(1);
	uint64_t t0, t1, freq;
	__asm__ volatile("mrs %0, cntfrq_el0; mrs %1, cntpct_el0"
			 : "=r"(freq), "=r"(t0));
	do {
		__asm__ volatile("mrs %0, cntpct_el0" : "=r"(t1));
	} while (t1 - t0 < freq / 1000 * 5);
	CHECK(cairn_poll(ntfn) == 0); /* it fired, nobody heard */
	vtimer_off();
	OK(cairn_irq_control_get(ctl, VTIMER_PPI, CAIRN_IRQ_LEVEL, ROOT, h2,
				 DEPTH));
	OK(cairn_irq_handler_clear(h2));
	OK(cairn_cnode_delete(ROOT, h2, DEPTH));
	return ok;
}

static int test_vmids_run_out(void)
{
	int ok = 1;
	unsigned made = 0;
	struct cairn_result r;

	/* 255 VMIDs: the root has one, earlier tests used some. */
	do {
		r = cairn_untyped_retype(bi_ut(), CAIRN_OBJ_VSPACE, 0, ROOT, 0,
					 0, slot(), 1);
		made += r.error == CAIRN_OK;
	} while (r.error == CAIRN_OK && made < 300);
	ERR(r, CAIRN_NOT_ENOUGH_MEMORY, CAIRN_ARG_TYPE);
	CHECK(r.detail[1] == 0 && made > 200 && made < 255);
	return ok;
}

static void bad_send(uint64_t cptr, uint64_t a, uint64_t b)
{
	(void)a, (void)b;
	struct cairn_msg m = {0};
	cairn_send(cptr, &m);
}

static int test_cap_fault(void)
{
	int ok = 1;
	uint64_t fep = make(CAIRN_OBJ_ENDPOINT, 0),
		 rp = make(CAIRN_OBJ_REPLY, 0);
	uint64_t empty = slot();
	struct cairn_recv in;

	uint64_t t = spawn(bad_send, empty, 0, fep);
	cairn_recv(fep, rp, &in);
	CHECK(CAIRN_MSGINFO_LABEL(in.info) == CAIRN_FAULT_CAP);
	CHECK(in.mr[1] == empty && in.mr[2] == CAIRN_SYS_SEND);
	CHECK(in.mr[3] == CAIRN_FAILED_LOOKUP);
	OK(cairn_tcb_suspend(t));
	return ok;
}

int main(void)
{
	common_init(cairn_bootinfo);
	report("tcb_errors", test_tcb_errors());
	report("registers_roundtrip", test_registers_roundtrip());
	report("suspend_resume_yield", test_suspend_resume_yield());
	report("preemption_round_robin", test_preemption_round_robin());
	report("call_long_message_badge", test_call_long_message_badge());
	report("nonblocking", test_nonblocking());
	report("notifications", test_notifications());
	report("bound_notification", test_bound_notification());
	report("cap_transfer_needs_grant", test_cap_transfer_needs_grant());
	report("deleted_endpoint_aborts_waiter",
	       test_deleted_endpoint_aborts_waiter());
	report("frame_errors", test_frame_errors());
	report("vm_fault_handled", test_vm_fault_handled());
	report("cap_fault", test_cap_fault());
	report("undefined_instruction_fault",
	       test_undefined_instruction_fault());
	report("more_cap_faults", test_more_cap_faults());
	report("large_frame_and_tables", test_large_frame_and_tables());
	report("pingpong_separate_vspace", test_pingpong_separate_vspace());
	report("interrupt_delivered", test_interrupt_delivered());
	report("vmids_run_out", test_vmids_run_out()); /* last: uses them up */
	printf("threadtest: %d passed, %d failed\n", passed, failed);
	return 0;
}
