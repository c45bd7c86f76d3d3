/*
 * In-system suite for threads, IPC, VSpaces and faults, run as the root
 * task: TCB invocations and their errors, the cases of ipccases.c,
 * isolation.c, vspacecases.c and fpcases.c, a 100 000 round-trip ping-pong
 * with a server in its own VSpace, a page fault delivered to a handler that
 * maps a frame and resumes the thread, and unmapping on delete (the TLB
 * must forget it). Every case runs in an Untyped of its own, revoked after
 * it (cases.h).
 */
#include "suite.h"

#include <libcairn/ipc.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#define PINGPONG_ROUNDS 100000
#define FAULT_ADDR	0x10080000UL /* unmapped, in an existing table */

static volatile uint64_t counter;

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

/*
 * Whether count_forever runs while the root yields. A timer tick can take
 * the CPU back just after the kernel hands it to the counter, before the
 * counter's first increment, so one yield proves nothing: allow several.
 */
static bool counter_moves(void)
{
	uint64_t before = counter;

	for (int i = 0; i < 50 && counter == before; i++) {
		cairn_yield();
	}
	return counter != before;
}

static int test_suspend_resume_yield(void)
{
	int ok = 1;
	uint64_t tcb = spawn(count_forever, 0, 0, 0);

	/* Equal priority: yield hands the CPU over and back. */
	OK(cairn_tcb_set_priority(tcb, SELF, 255));
	CHECK(counter_moves());
	OK(cairn_tcb_suspend(tcb));
	CHECK(!counter_moves());
	OK(cairn_tcb_resume(tcb));
	CHECK(counter_moves());
	OK(cairn_tcb_suspend(tcb));
	return ok;
}

/* Configure on a running thread replaces its roots without stopping it. */
static int test_configure_keeps_thread_running(void)
{
	int ok = 1;
	uint64_t tcb = spawn(count_forever, 0, 0, 0);

	OK(cairn_tcb_set_priority(tcb, SELF, 255));
	OK(cairn_tcb_configure(tcb, ROOT, VSPACE, 0, 0, 0));
	CHECK(counter_moves());
	OK(cairn_tcb_suspend(tcb));
	return ok;
}

static void delete_own_tcb(uint64_t report, uint64_t b, uint64_t self)
{
	struct cairn_msg out = {.info = CAIRN_MSGINFO(0, 0)};

	(void)b;
	cairn_cnode_delete(ROOT, self, DEPTH);
	cairn_send(report, &out); /* a destroyed thread must not get here */
}

/* A thread that deletes the last cap to its own TCB stops there. */
static int test_thread_deletes_itself(void)
{
	int ok = 1;
	uint64_t rep = make(CAIRN_OBJ_ENDPOINT, 0);
	uint64_t tcb = spawn(delete_own_tcb, rep, 0, 0);
	struct cairn_recv in;

	let_threads_run();
	cairn_nbrecv(rep, 0, &in);
	CHECK(CAIRN_MSGINFO_LENGTH(in.info) == 0 && in.badge == 0);
	ERR(cairn_tcb_suspend(tcb), CAIRN_FAILED_LOOKUP,
	    CAIRN_LOOKUP_MISSING_CAP);
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

/* x0 = the address, x1 = a known word; stores x1 at x0. */
static void store_known_regs(uint64_t addr, uint64_t b, uint64_t self)
{
	register uint64_t x0 __asm__("x0") = addr;
	register uint64_t x1 __asm__("x1") = 0x5151;

	(void)b;
	__asm__ volatile("str x1, [x0]" ::"r"(x0), "r"(x1) : "memory");
	stop(self);
}

/*
 * A fault whose handler endpoint goes leaves the thread suspended with its
 * registers as they were at the fault, so a Resume retries the access.
 */
static int test_abandoned_fault_keeps_registers(void)
{
	int ok = 1;
	uint64_t addr = FAULT_ADDR + 0x40000;
	uint64_t fep = make(CAIRN_OBJ_ENDPOINT, 0);
	uint64_t tcb = spawn(store_known_regs, addr, 0, fep);
	uint64_t regs[4];

	let_threads_run(); /* it faults and waits to send on fep */
	OK(cairn_cnode_delete(ROOT, fep, DEPTH));
	OK(cairn_tcb_read_registers(tcb, regs, 4));
	CHECK(regs[2] == addr);
	CHECK(regs[3] == 0x5151);
	uint64_t f = make(CAIRN_OBJ_FRAME_4K, 0);
	OK(cairn_frame_map(f, VSPACE, addr, RW, 0));
	OK(cairn_tcb_resume(tcb));
	let_threads_run();
	CHECK(*(volatile uint64_t *)addr == 0x5151);
	OK(cairn_cnode_delete(ROOT, f, DEPTH));
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
	spin_ms(5);
	CHECK(cairn_poll(ntfn) == 0); /* it fired, nobody heard */
	vtimer_off();
	OK(cairn_irq_control_get(ctl, VTIMER_PPI, CAIRN_IRQ_LEVEL, ROOT, h2,
				 DEPTH));
	OK(cairn_irq_handler_clear(h2));
	OK(cairn_cnode_delete(ROOT, h2, DEPTH));
	return ok;
}

/* VMIDs are 8 bits, 0 is never handed out and the root's VSpace has one. */
#define VMIDS_FREE 254

/* n consecutive free slots; returns the first. */
static uint64_t slots(unsigned n)
{
	uint64_t first = slot();

	for (unsigned i = 1; i < n; i++) {
		slot();
	}
	return first;
}

/* How many more VSpaces the kernel says it can make (VMIDs left), asking
 * for VMIDS_FREE + 1 into the slots from dest; ~0 if it did not say. */
static uint64_t vmids_free(uint64_t dest)
{
	struct cairn_result r = cairn_untyped_retype(
	    case_ut(), CAIRN_OBJ_VSPACE, 0, ROOT, 0, 0, dest, VMIDS_FREE + 1);

	if (r.error != CAIRN_NOT_ENOUGH_MEMORY ||
	    r.detail[0] != CAIRN_ARG_TYPE) {
		printf("  VSpace retype: %s [%lu]\n", cairn_error_name(r.error),
		       r.detail[0]);
		return ~0UL;
	}
	return r.detail[1];
}

static int test_vmids_run_out(void)
{
	int ok = 1;
	uint64_t dest = slots(VMIDS_FREE + 1), made = 0;
	uint64_t free = vmids_free(dest);
	struct cairn_result r;

	CHECK(free == VMIDS_FREE);
	do {
		r = cairn_untyped_retype(case_ut(), CAIRN_OBJ_VSPACE, 0, ROOT,
					 0, 0, dest + made, 1);
		made += r.error == CAIRN_OK;
	} while (r.error == CAIRN_OK && made <= VMIDS_FREE);
	ERR(r, CAIRN_NOT_ENOUGH_MEMORY, CAIRN_ARG_TYPE);
	CHECK(r.detail[1] == 0 && made == free);
	return ok;
}

/* Run after vmids_run_out: its VSpaces went with its Untyped. */
static int test_vmids_all_free_at_case_start(void)
{
	int ok = 1;

	CHECK(vmids_free(slots(VMIDS_FREE + 1)) == VMIDS_FREE);
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

static const struct test_case cases[] = {
    {"tcb_errors", "every TCB invocation error, with its details",
     test_tcb_errors},
    {"registers_roundtrip", "WriteRegisters then ReadRegisters: all 33",
     test_registers_roundtrip},
    {"suspend_resume_yield",
     "a suspended thread does not run; resumed, it runs again",
     test_suspend_resume_yield},
    {"configure_keeps_thread_running",
     "Configure on a running thread replaces its roots, it runs on",
     test_configure_keeps_thread_running},
    {"thread_deletes_itself",
     "a thread deleting the last cap to its own TCB stops there",
     test_thread_deletes_itself},
    {"preemption_round_robin",
     "equal priorities share the CPU by time slices, lower ones never run",
     test_preemption_round_robin},
};

static const struct test_case fault_cases[] = {
    {"frame_errors", "every Frame.Map error; uncached and device mappings",
     test_frame_errors},
    {"vm_fault_handled",
     "a VM fault reaches the handler, which maps a frame and resumes",
     test_vm_fault_handled},
    {"cap_fault", "a Send on an empty slot is a capability fault",
     test_cap_fault},
    {"abandoned_fault_keeps_registers",
     "a fault whose handler goes leaves the thread suspended, registers intact",
     test_abandoned_fault_keeps_registers},
    {"undefined_instruction_fault",
     "an undefined instruction reaches the handler, which skips it",
     test_undefined_instruction_fault},
    {"more_cap_faults",
     "Recv without read right, ReplyRecv without a Reply: cap faults",
     test_more_cap_faults},
    {"large_frame_and_tables",
     "a PageTable for a new GiB and a 2 MiB frame in it",
     test_large_frame_and_tables},
    {"pingpong_separate_vspace",
     "100 000 Call round trips with a server in its own VSpace",
     test_pingpong_separate_vspace},
    {"interrupt_delivered",
     "the virtual timer's PPI reaches its handler's notification",
     test_interrupt_delivered},
    {"vmids_run_out", "VSpaces can be made until the VMIDs run out",
     test_vmids_run_out},
    {"vmids_all_free_at_case_start",
     "every VMID is free again: the last case's VSpaces went with it",
     test_vmids_all_free_at_case_start},
};

static const struct case_table thread_cases = CASE_TABLE(cases);
static const struct case_table fault_case_table = CASE_TABLE(fault_cases);

int main(void)
{
	static const struct case_table *const tables[] = {
	    &thread_cases, &ipc_cases, &isolation_cases,
	    &vspace_cases, &fp_cases,  &fault_case_table,
	    &vcpu_cases,   &el1_cases, &wfi_cases,
	};
	const struct case_suite suite = {"threadtest", tables,
					 sizeof(tables) / sizeof(tables[0]),
					 NULL, spawn_reset};

	common_init(cairn_bootinfo);
	return cases_run(&suite) != 0;
}
