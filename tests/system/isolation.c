/*
 * Isolation cases: each reproduces a way user level once reached memory or
 * authority it had no capability for, and checks the kernel now refuses it.
 * Some cases carve a small Untyped from their case's own (cases.h), so they
 * can show that memory a kernel object still uses is not handed out again.
 */
#include "suite.h"

#include <libcairn/ipc.h>
#include <stdio.h>

#define SPARE_IPA  0x6000000000UL /* a 1 GiB span the root never uses */
#define SPARE_PAGE 0x10090000UL	  /* unmapped, in a table the root has */

/* A fresh Untyped of 2^bits bytes, carved from the case's Untyped. */
static uint64_t small_untyped(unsigned bits)
{
	return make(CAIRN_OBJ_UNTYPED, bits);
}

static struct cairn_result retype_into(uint64_t ut, uint64_t type,
				       uint64_t bits, uint64_t dest)
{
	return cairn_untyped_retype(ut, type, bits, ROOT, 0, 0, dest, 1);
}

/* Slot i of the CNode at cnode (radix 6) is empty. */
static int cnode_slot_empty(uint64_t cnode, uint64_t i)
{
	uint64_t probe = slot();
	struct cairn_result r =
	    cairn_cnode_copy(ROOT, probe, DEPTH, cnode, i, 6, ALL);
	return r.error == CAIRN_FAILED_LOOKUP &&
	       r.detail[0] == CAIRN_LOOKUP_MISSING_CAP;
}

static volatile uint64_t long_reply_words;

/* Reads 20 of its own registers without touching its IPC buffer (which
 * may be gone), and reports how many words the reply said it carried. */
static void read_own_registers(uint64_t go, uint64_t b, uint64_t self)
{
	(void)b;
	cairn_wait(go);
	struct cairn_msg m = {
	    .info = CAIRN_MSGINFO(CAIRN_TCB_READ_REGISTERS, 1), .mr = {20}};
	long e = cairn_call(self, &m);
	long_reply_words = e == CAIRN_OK ? CAIRN_MSGINFO_LENGTH(m.info) : 99;
	stop(self);
}

/* Bug 1: a TCB's IPC buffer outlived its Frame cap, and the kernel wrote
 * reply words through it into whatever the memory became. */
static int test_ipc_buffer_outlives_frame(void)
{
	int ok = 1;
	uint64_t ut = small_untyped(12), f = slot(), cn = slot();
	uint64_t go = make(CAIRN_OBJ_NOTIFICATION, 0);
	uint64_t tcb = make(CAIRN_OBJ_TCB, 0);

	OK(retype_into(ut, CAIRN_OBJ_FRAME_4K, 0, f));
	OK(cairn_tcb_configure(tcb, ROOT, VSPACE, f, IPC_BASE + 0x1f000, 0));
	OK(cairn_cnode_delete(ROOT, f, DEPTH));
	/* The TCB still uses the frame: its memory is not free. */
	ERR(retype_into(ut, CAIRN_OBJ_CNODE, 6, cn), CAIRN_NOT_ENOUGH_MEMORY,
	    0);
	/* A new Configure drops the old buffer: now it is. */
	OK(cairn_tcb_configure(tcb, ROOT, VSPACE, 0, 0, 0));
	OK(retype_into(ut, CAIRN_OBJ_CNODE, 6, cn));
	OK(cairn_cnode_revoke(ROOT, ut, DEPTH));

	/* Revoking the Untyped under a live buffer takes it from the TCB. */
	OK(retype_into(ut, CAIRN_OBJ_FRAME_4K, 0, f));
	uint64_t t = spawn(read_own_registers, go, 0, 0);
	OK(cairn_tcb_configure(t, ROOT, VSPACE, f, IPC_BASE + 0x1f000, 0));
	OK(cairn_cnode_revoke(ROOT, ut, DEPTH));
	OK(retype_into(ut, CAIRN_OBJ_CNODE, 6, cn));
	long_reply_words = 0;
	cairn_signal(go);
	let_threads_run();
	CHECK(long_reply_words == CAIRN_MSG_REG_WORDS); /* no buffer: cut */
	for (uint64_t i = 1; i < 64; i++) {
		CHECK(cnode_slot_empty(cn, i));
	}
	OK(cairn_cnode_revoke(ROOT, ut, DEPTH));
	return ok;
}

/* Bug 2: an IRQHandler kept a destroyed Notification and ORed its badge
 * into whatever the memory became. */
static int test_irq_keeps_its_notification(void)
{
	int ok = 1;
	uint64_t ut = small_untyped(12), n = slot(), f = slot(), h = slot();

	OK(retype_into(ut, CAIRN_OBJ_NOTIFICATION, 0, n));
	OK(cairn_irq_control_get(CAIRN_SLOT_IRQ_CONTROL, VTIMER_PPI,
				 CAIRN_IRQ_LEVEL, ROOT, h, DEPTH));
	uint64_t badged = mint(n, ALL, 0xff);
	OK(cairn_irq_handler_set_notification(h, badged));
	OK(cairn_cnode_delete(ROOT, badged, DEPTH));
	OK(cairn_cnode_delete(ROOT, n, DEPTH));
	/* The handler's copy keeps the notification (and its memory). */
	ERR(retype_into(ut, CAIRN_OBJ_FRAME_4K, 0, f), CAIRN_NOT_ENOUGH_MEMORY,
	    0);
	/* A revoke takes it from the handler; an interrupt then finds no one
	 * and writes nothing into the frame the memory becomes. */
	OK(cairn_cnode_revoke(ROOT, ut, DEPTH));
	OK(retype_into(ut, CAIRN_OBJ_FRAME_4K, 0, f));
	OK(cairn_frame_map(f, VSPACE, SPARE_PAGE, RW, 0));
	vtimer_fire_in_ms(1);
	spin_ms(5);
	vtimer_off();
	volatile uint64_t *w = (volatile uint64_t *)(SPARE_PAGE);
	CHECK(w[0] == 0 && w[1] == 0 && w[2] == 0 && w[3] == 0);
	OK(cairn_cnode_delete(ROOT, h, DEPTH));
	OK(cairn_cnode_revoke(ROOT, ut, DEPTH));
	return ok;
}

static volatile uint64_t first_recv_label;

static void receive_once(uint64_t ep, uint64_t reply, uint64_t self)
{
	struct cairn_recv in;

	cairn_recv(ep, reply, &in);
	first_recv_label = CAIRN_MSGINFO_LABEL(in.info) | 0x10000;
	stop(self);
}

static volatile uint64_t call_answer;

static void call_once(uint64_t ep, uint64_t b, uint64_t self)
{
	(void)b;
	struct cairn_msg m = {.info = CAIRN_MSGINFO(5, 1), .mr = {11}};
	cairn_call(ep, &m);
	call_answer = m.mr[0];
	stop(self);
}

/* Bug 3: a Reply named by two receivers. The second Recv naming it aborts
 * the first receiver's, so the Call it takes can always be answered. */
static int test_reply_named_by_two_receivers(void)
{
	int ok = 1;
	uint64_t ep1 = make(CAIRN_OBJ_ENDPOINT, 0),
		 ep2 = make(CAIRN_OBJ_ENDPOINT, 0),
		 r = make(CAIRN_OBJ_REPLY, 0);
	struct cairn_recv in;

	first_recv_label = call_answer = 0;
	uint64_t a = spawn(receive_once, ep1, r, 0);
	uint64_t b = spawn(call_once, ep2, 0, 0);
	let_threads_run(); /* A waits on ep1 with R; B calls ep2 */
	CHECK(first_recv_label == 0);
	cairn_nbrecv(ep2, r, &in);
	CHECK(CAIRN_MSGINFO_LABEL(in.info) == 5 && in.mr[0] == 11);
	let_threads_run();
	CHECK(first_recv_label == (0x10000 | CAIRN_LABEL_ABORTED));
	struct cairn_msg answer = {.info = CAIRN_MSGINFO(0, 1), .mr = {22}};
	cairn_send(r, &answer);
	let_threads_run();
	CHECK(call_answer == 22);
	OK(cairn_tcb_suspend(a));
	OK(cairn_tcb_suspend(b));
	return ok;
}

/* A device Untyped from BootInfo, or 0. */
static uint64_t device_untyped(void)
{
	const struct cairn_bootinfo *bi = cairn_bootinfo;

	for (uint64_t i = 0; i < bi->untyped_count; i++) {
		if (bi->untyped[i].device && bi->untyped[i].size_bits >= 12) {
			return bi->untyped_first + i;
		}
	}
	return 0;
}

/* Bug 4: a device frame as IPC buffer (the kernel would load from MMIO). */
static int test_device_frame_is_no_ipc_buffer(void)
{
	int ok = 1;
	uint64_t dev = device_untyped(), f = slot(), big = slot();
	uint64_t tcb = make(CAIRN_OBJ_TCB, 0);
	uint64_t ram = make(CAIRN_OBJ_FRAME_4K, 0);

	CHECK(dev != 0);
	OK(retype_into(dev, CAIRN_OBJ_FRAME_4K, 0, f));
	ERR(cairn_tcb_configure(tcb, ROOT, VSPACE, f, IPC_BASE, 0),
	    CAIRN_INVALID_CAPABILITY, CAIRN_ARG_IPC_BUFFER);
	OK(retype_into(case_ut(), CAIRN_OBJ_FRAME_2M, 0, big));
	ERR(cairn_tcb_configure(tcb, ROOT, VSPACE, big, IPC_BASE, 0),
	    CAIRN_INVALID_CAPABILITY, CAIRN_ARG_IPC_BUFFER);
	ERR(cairn_tcb_configure(tcb, ROOT, VSPACE, ram, IPC_BASE + 8, 0),
	    CAIRN_ALIGNMENT_ERROR, CAIRN_ARG_IPA);
	OK(cairn_tcb_configure(tcb, ROOT, VSPACE, ram, IPC_BASE, 0));
	OK(cairn_cnode_delete(ROOT, f, DEPTH));
	OK(cairn_cnode_delete(ROOT, big, DEPTH));
	return ok;
}

/* Bug 5: a copy of a PageTable cap could be mapped a second time. */
static int test_page_table_copies_share_one_mapping(void)
{
	int ok = 1;
	uint64_t pt = make(CAIRN_OBJ_PAGE_TABLE, 0), vs = slot();
	uint64_t copy = slot();

	OK(retype_into(case_ut(), CAIRN_OBJ_VSPACE, 0, vs));
	/* An unmapped table cannot be copied: two copies could each map it. */
	ERR(cairn_cnode_copy(ROOT, copy, DEPTH, ROOT, pt, DEPTH, ALL),
	    CAIRN_ILLEGAL_OPERATION, CAIRN_ARG_SRC_INDEX);
	OK(cairn_page_table_map(pt, VSPACE, SPARE_IPA));
	OK(cairn_cnode_copy(ROOT, copy, DEPTH, ROOT, pt, DEPTH, ALL));
	/* The copy is mapped too: it cannot hang the table anywhere else. */
	ERR(cairn_page_table_map(copy, vs, SPARE_IPA), CAIRN_ILLEGAL_OPERATION,
	    CAIRN_ARG_INVOKED);
	ERR(cairn_page_table_unmap(copy), CAIRN_REVOKE_FIRST,
	    CAIRN_ARG_INVOKED);
	/* Deleting a copy leaves the table mapped for the other. */
	uint64_t f = make(CAIRN_OBJ_FRAME_2M, 0);
	OK(cairn_frame_map(f, VSPACE, SPARE_IPA + 0x200000, RW, 0));
	OK(cairn_cnode_delete(ROOT, copy, DEPTH));
	volatile uint64_t *p = (volatile uint64_t *)(SPARE_IPA + 0x200000);
	p[0] = 77;
	CHECK(p[0] == 77);
	OK(cairn_cnode_delete(ROOT, f, DEPTH));
	OK(cairn_page_table_unmap(pt));
	OK(cairn_page_table_map(pt, vs, SPARE_IPA)); /* now it may move */
	OK(cairn_cnode_delete(ROOT, pt, DEPTH));
	OK(cairn_cnode_delete(ROOT, vs, DEPTH));
	return ok;
}

/* Bug 6: PageTable.Unmap left the table's entries, so the table mapped
 * again elsewhere still reached the old frames. */
static int test_unmapped_page_table_is_empty(void)
{
	int ok = 1;
	uint64_t l2 = make(CAIRN_OBJ_PAGE_TABLE, 0),
		 l3 = make(CAIRN_OBJ_PAGE_TABLE, 0);
	uint64_t fep = make(CAIRN_OBJ_ENDPOINT, 0),
		 rp = make(CAIRN_OBJ_REPLY, 0);
	uint64_t done = make(CAIRN_OBJ_ENDPOINT, 0);
	const uint64_t old = SPARE_IPA + 0x200000, moved = SPARE_IPA + 0x400000;
	struct cairn_recv in;

	OK(cairn_page_table_map(l2, VSPACE, SPARE_IPA));
	OK(cairn_page_table_map(l3, VSPACE, old));
	uint64_t f = map_new(VSPACE, old + 0x3000, RW);
	*(volatile uint64_t *)(old + 0x3000) = 5;
	OK(cairn_page_table_unmap(l3));
	OK(cairn_page_table_map(l3, VSPACE, moved));
	/* The frame's old entry went with the unmap: a touch faults. */
	spawn(touch, moved + 0x3000, done, fep);
	let_threads_run();
	cairn_nbrecv(fep, rp, &in); /* the fault, if it came */
	CHECK(CAIRN_MSGINFO_LABEL(in.info) == CAIRN_FAULT_VM);
	CHECK(in.mr[1] == moved + 0x3000);
	/* Map it properly, resume: the store lands in the frame. */
	OK(cairn_frame_unmap(f)); /* its record is stale: unmaps nothing */
	OK(cairn_frame_map(f, VSPACE, moved + 0x3000, RW, 0));
	struct cairn_msg resume = {0};
	cairn_send(rp, &resume);
	cairn_recv(done, 0, &in);
	CHECK(*(volatile uint64_t *)(moved + 0x3000) == 42);
	OK(cairn_cnode_delete(ROOT, f, DEPTH));
	OK(cairn_cnode_delete(ROOT, l3, DEPTH));
	OK(cairn_cnode_delete(ROOT, l2, DEPTH));
	return ok;
}

/* cptr 0 means "none": slot 0 of a CNode can never be filled. */
static int test_slot_zero_stays_empty(void)
{
	int ok = 1;
	uint64_t cn = make(CAIRN_OBJ_CNODE, 6);
	uint64_t ep = make(CAIRN_OBJ_ENDPOINT, 0);
	struct cairn_result r;

	r = cairn_cnode_copy(cn, 0, 6, ROOT, ep, DEPTH, ALL);
	ERR(r, CAIRN_FAILED_LOOKUP, CAIRN_LOOKUP_NULL_SLOT);
	r = cairn_untyped_retype(case_ut(), CAIRN_OBJ_ENDPOINT, 0, cn, 0, 0, 0,
				 1);
	ERR(r, CAIRN_RANGE_ERROR, CAIRN_ARG_DEST_OFFSET);
	CHECK(r.detail[1] == 1);
	r = cairn_irq_control_get(CAIRN_SLOT_IRQ_CONTROL, VTIMER_PPI,
				  CAIRN_IRQ_LEVEL, cn, 0, 6);
	ERR(r, CAIRN_FAILED_LOOKUP, CAIRN_LOOKUP_NULL_SLOT);
	OK(cairn_cnode_copy(cn, 1, 6, ROOT, ep, DEPTH, ALL));
	OK(cairn_cnode_delete(cn, 1, 6));
	return ok;
}

static const struct test_case cases[] = {
    {"ipc_buffer_outlives_frame",
     "a TCB's IPC buffer keeps its frame's memory; a revoke takes it",
     test_ipc_buffer_outlives_frame},
    {"irq_keeps_its_notification",
     "an IRQ handler keeps its notification; a revoke takes it",
     test_irq_keeps_its_notification},
    {"reply_named_by_two_receivers",
     "a second Recv naming a Reply aborts the first receiver's",
     test_reply_named_by_two_receivers},
    {"device_frame_is_no_ipc_buffer",
     "only a 4 KiB RAM frame serves as an IPC buffer",
     test_device_frame_is_no_ipc_buffer},
    {"page_table_copies_share_one_mapping",
     "a PageTable copy cannot map the table a second time",
     test_page_table_copies_share_one_mapping},
    {"unmapped_page_table_is_empty",
     "an unmapped PageTable carries none of its old frames elsewhere",
     test_unmapped_page_table_is_empty},
    {"slot_zero_stays_empty", "no invocation fills slot 0 of a CNode",
     test_slot_zero_stays_empty},
};

const struct case_table isolation_cases = CASE_TABLE(cases);
