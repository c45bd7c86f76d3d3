/*
 * A known small system for the live audit: two threads, "alpha" and "beta",
 * with CSpaces of their own holding a few caps. The root prints the audit as
 * JSON lines ("audit: {...}"); the boot test diffs alpha's and beta's
 * entries against audittest.expected.jsonl with tools/capaudit. Built a
 * second time with AUDIT_EXTRA_COPY, which makes one Copy the expected set
 * does not explain.
 */
#include "common.h"

#include <libcairn/audit.h>
#include <stdio.h>

/* A CNode with radix 3 and the guard that makes it resolve 64-bit cptrs. */
static uint64_t cspace(void)
{
	uint64_t cn = make(CAIRN_OBJ_CNODE, 3);
	uint64_t guarded = slot();
	cairn_cnode_mutate(ROOT, guarded, DEPTH, ROOT, cn, DEPTH,
			   CAIRN_GUARD_WORD(0, 61));
	return guarded;
}

static void thread(uint64_t cs, const char *name)
{
	uint64_t tcb = make(CAIRN_OBJ_TCB, 0);
	cairn_tcb_configure(tcb, cs, VSPACE, 0, 0, 0);
	cairn_tcb_set_name(tcb, name);
}

static void print_thread(const struct cairn_thread_entry *t, void *ctx)
{
	(void)ctx;
	printf("threads: %s state %lu priority %lu ipc %lu cpu %s\n", t->name,
	       t->state, t->priority, t->ipc_calls,
	       t->cpu_ticks > 0 && t->cpu_ticks < t->now ? "ok" : "bad");
}

int main(void)
{
	common_init(cairn_bootinfo);
	uint64_t ep = make(CAIRN_OBJ_ENDPOINT, 0);
	uint64_t ntfn = make(CAIRN_OBJ_NOTIFICATION, 0);
	uint64_t frame = make(CAIRN_OBJ_FRAME_4K, 0);
	uint64_t a = cspace(), b = cspace();
	const uint64_t rw = CAIRN_RIGHT_READ | CAIRN_RIGHT_WRITE;

	/* alpha: the endpoint to send on (badge 0x11, may grant), a
	 * notification to signal */
	cairn_cnode_mint(a, 1, DEPTH, ROOT, ep, DEPTH, rw | CAIRN_RIGHT_GRANT,
			 0x11);
	cairn_cnode_mint(a, 2, DEPTH, ROOT, ntfn, DEPTH, CAIRN_RIGHT_WRITE, 1);
	/* beta: the endpoint to receive on, a frame, an IOSpace and its
	 * table (mapped: an IOPageTable is copied only while mapped) */
	cairn_cnode_copy(b, 1, DEPTH, ROOT, ep, DEPTH, CAIRN_RIGHT_READ);
	cairn_cnode_copy(b, 3, DEPTH, ROOT, frame, DEPTH, ALL);
	uint64_t ios = make(CAIRN_OBJ_IOSPACE, 0);
	uint64_t iopt = make(CAIRN_OBJ_IO_PAGE_TABLE, 0);
	cairn_io_page_table_map(iopt, ios, 0);
	cairn_cnode_copy(b, 4, DEPTH, ROOT, ios, DEPTH, ALL);
	cairn_cnode_copy(b, 6, DEPTH, ROOT, iopt, DEPTH, rw);
#ifdef AUDIT_EXTRA_COPY
	cairn_cnode_copy(b, 5, DEPTH, ROOT, ntfn, DEPTH, CAIRN_RIGHT_READ);
#endif
	thread(a, "alpha");
	thread(b, "beta");
	long n = cairn_audit_print_jsonl(CAIRN_SLOT_AUDIT_CONTROL, "audit: ");
	long t =
	    cairn_audit_threads(CAIRN_SLOT_AUDIT_CONTROL, print_thread, NULL);
	printf("threads: end %ld\n", t);
	return n < 0 || t < 0;
}
