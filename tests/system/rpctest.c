/*
 * Generated stubs end to end: a client (the root task) and a server thread
 * in its own VSpace talk through the code tools/idlgen generates from
 * rpctest.idl: every parameter kind and direction, a return value, a cap,
 * an unknown label, an event, and a 1 MiB dataport mapped into both
 * VSpaces and checked word by word.
 */
#include "common.h"
#include "rpctest_gen.h"

#include "kinds.h" /* needs the generated header first */

#include <libcairn/ipc.h>
#include <stdio.h>
#include <string.h>

#define DATAPORT_IPA 0x20000000UL
#define RECV_SLOT    4000 /* where a cap parameter lands in the server */

static int passed, failed;

static void report(const char *name, int ok)
{
	printf("%s %s\n", ok ? "PASS" : "FAIL", name);
	ok ? passed++ : failed++;
}

/* ---- the server's implementation: no globals (its data is fresh) ---- */

static uint64_t impl_take(uint64_t object)
{
	/* The cap arrived in object's slot: report whether it did, and pass
	 * it on by moving it where the client can find it. */
	if (object == 0) {
		return 0;
	}
	cairn_cnode_move(ROOT, RECV_SLOT + 1, DEPTH, ROOT, object, DEPTH);
	return 1;
}

static uint64_t impl_checksum(uint32_t bytes)
{
	const volatile uint64_t *p = (const volatile uint64_t *)DATAPORT_IPA;
	uint64_t sum = 0;

	for (uint32_t i = 0; i < bytes / 8; i++) {
		sum = sum * 31 + p[i];
	}
	return sum;
}

static const struct Kinds_impl impl = {
    .sum = impl_sum,
    .greet = impl_greet,
    .scale = impl_scale,
    .take = impl_take,
    .nothing = impl_nothing,
    .checksum = impl_checksum,
};

static void server(uint64_t ep, uint64_t reply, uint64_t done)
{
	Done_emit(done); /* up and about to serve */
	Kinds_serve(ep, reply, &impl, ROOT, RECV_SLOT);
}

/* ---- the client ---- */

static int test_cap_parameter(uint64_t ep, uint64_t grant_ep)
{
	uint64_t gift = make(CAIRN_OBJ_NOTIFICATION, 0), ret = 0;
	/* Without GRANT the cap does not travel; with it, it does. */
	long e = Kinds_take(ep, gift, &ret);
	int ok = e == 0 && ret == 0;
	e = Kinds_take(grant_ep, gift, &ret);
	ok &= e == 0 && ret == 1;
	/* The server moved it on to RECV_SLOT + 1: it is really there. */
	struct cairn_result r = cairn_cnode_copy(ROOT, slot(), DEPTH, ROOT,
						 RECV_SLOT + 1, DEPTH, ALL);
	return ok && r.error == CAIRN_OK;
}

static int test_dataport_1m(uint64_t ep, uint64_t vs)
{
	int ok = 1;
	uint64_t pts[2] = {make(CAIRN_OBJ_PAGE_TABLE, 0),
			   make(CAIRN_OBJ_PAGE_TABLE, 0)};
	ok &= cairn_page_table_map(pts[0], VSPACE, DATAPORT_IPA).error == 0;
	ok &= cairn_page_table_map(pts[1], vs, DATAPORT_IPA).error == 0;
	for (uint64_t off = 0; off < Shared_SIZE; off += 4096) {
		uint64_t f = make(CAIRN_OBJ_FRAME_4K, 0), g = slot();
		ok &= cairn_frame_map(f, VSPACE, DATAPORT_IPA + off, RW, 0)
			  .error == 0;
		cairn_cnode_copy(ROOT, g, DEPTH, ROOT, f, DEPTH, ALL);
		ok &= cairn_frame_map(g, vs, DATAPORT_IPA + off,
				      CAIRN_RIGHT_READ, 0)
			  .error == 0;
	}
	volatile uint64_t *p = (volatile uint64_t *)DATAPORT_IPA;
	uint64_t want = 0;
	for (uint64_t i = 0; i < Shared_SIZE / 8; i++) {
		p[i] = i * 0x9e3779b97f4a7c15UL;
		want = want * 31 + p[i];
	}
	uint64_t got = 0;
	ok &= Kinds_checksum(ep, Shared_SIZE, &got) == 0;
	if (got != want) {
		printf("  checksum 0x%lx, want 0x%lx\n", got, want);
	}
	return ok && got == want;
}

int main(void)
{
	uint64_t ipc;

	common_init(cairn_bootinfo);
	uint64_t vs = vspace_with_root_code(&ipc);
	uint64_t ep = make(CAIRN_OBJ_ENDPOINT, 0),
		 rp = make(CAIRN_OBJ_REPLY, 0);
	uint64_t client = mint(ep, CAIRN_RIGHT_READ | CAIRN_RIGHT_WRITE, 7);
	uint64_t grant = mint(ep, ALL, 8);
	uint64_t done = make(CAIRN_OBJ_NOTIFICATION, 0);
	uint64_t tcb = make(CAIRN_OBJ_TCB, 0);
	uint64_t regs[5] = {(uint64_t)server, 0x10000000, ep, rp, done};

	cairn_tcb_configure(tcb, ROOT, vs, ipc, 0x10000000, 0);
	cairn_tcb_set_priority(tcb, SELF, 200);
	cairn_tcb_set_name(tcb, "rpc-server");
	cairn_tcb_write_registers(tcb, 1, regs, 5);
	report("event", Done_wait(done) == 1);
	report("scalars_and_return", test_scalars(client));
	report("strings_in_and_out", test_strings(client));
	report("inout_array", test_inout_array(client));
	report("cap_parameter_needs_grant", test_cap_parameter(client, grant));
	report("unknown_label_and_void", test_unknown_label(client));
	report("dataport_1m", test_dataport_1m(client, vs));
	printf("rpctest: %d passed, %d failed\n", passed, failed);
	return 0;
}
