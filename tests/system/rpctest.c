/*
 * Generated stubs end to end: a client (the root task) and a server thread
 * in its own VSpace talk through the code tools/idlgen generates from
 * rpctest.idl: every parameter kind and direction, a return value, a cap,
 * an unknown label, an event, and a 1 MiB dataport mapped into both
 * VSpaces and checked word by word.
 */
#include "common.h"
#include "rpctest_gen.h"

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

static int64_t impl_sum(int8_t a, uint16_t b, int32_t c, uint64_t d, bool neg)
{
	int64_t s = (int64_t)a + b + c + (int64_t)d;
	return neg ? -s : s;
}

static void impl_greet(const char *who, char *greeting, uint32_t *length)
{
	static const char hello[] = "hello, ";
	size_t n = strlen(who);

	memcpy(greeting, hello, sizeof(hello) - 1);
	memcpy(greeting + sizeof(hello) - 1, who, n);
	greeting[sizeof(hello) - 1 + n] = '\0';
	*length = (uint32_t)(sizeof(hello) - 1 + n);
}

static bool impl_scale(uint32_t values[8], uint32_t factor)
{
	for (int i = 0; i < 8; i++) {
		values[i] *= factor;
	}
	return factor != 0;
}

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

static void impl_nothing(void)
{
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

static int test_scalars(uint64_t ep)
{
	int64_t r = 0;
	long e = Kinds_sum(ep, -5, 60000, -70000, 1UL << 40, false, &r);
	int ok = e == 0 && r == -5 + 60000 - 70000 + (int64_t)(1UL << 40);
	e = Kinds_sum(ep, 1, 2, 3, 4, true, &r);
	return ok && e == 0 && r == -10;
}

static int test_strings(uint64_t ep)
{
	char greeting[41] = {0};
	uint32_t len = 0;
	long e = Kinds_greet(ep, "cairn", greeting, &len);
	int ok = e == 0 && len == 12 && strcmp(greeting, "hello, cairn") == 0;
	/* 21 bytes do not fit string<20>: the stub refuses before sending. */
	e = Kinds_greet(ep, "abcdefghijklmnopqrstu", greeting, &len);
	return ok && e == IDL_ERR_TOO_LONG;
}

static int test_inout_array(uint64_t ep)
{
	uint32_t v[8] = {1, 2, 3, 4, 5, 6, 7, 0xffff};
	bool ok_ret = false;
	long e = Kinds_scale(ep, v, 3, &ok_ret);
	int ok = e == 0 && ok_ret;
	for (int i = 0; i < 7; i++) {
		ok &= v[i] == (uint32_t)(3 * (i + 1));
	}
	return ok && v[7] == 3 * 0xffff;
}

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

static int test_unknown_label(uint64_t ep)
{
	struct cairn_msg m = {.info = CAIRN_MSGINFO(99, 0)};
	long e = cairn_call(ep, &m);
	return e == 0 && CAIRN_MSGINFO_LABEL(m.info) == IDL_LABEL_NO_METHOD &&
	       Kinds_nothing(ep) == 0;
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
