#include "common.h"

#include <stdio.h>

static const struct cairn_bootinfo *bi;
static uint64_t next_free, ut, boot;

void common_init(const struct cairn_bootinfo *info)
{
	bi = info;
	next_free = bi->free_first;
	unsigned best = 0;

	for (uint64_t i = 0; i < bi->untyped_count; i++) {
		if (!bi->untyped[i].device && bi->untyped[i].size_bits > best) {
			best = bi->untyped[i].size_bits;
			boot = ut = bi->untyped_first + i;
		}
	}
}

uint64_t boot_ut(void)
{
	return boot;
}

uint64_t case_ut(void)
{
	return ut;
}

void use_untyped(uint64_t untyped)
{
	ut = untyped;
}

uint64_t slot(void)
{
	return next_free++;
}

uint64_t slots_mark(void)
{
	return next_free;
}

void slots_release(uint64_t mark)
{
	next_free = mark;
}

uint64_t make(uint64_t type, uint64_t bits)
{
	uint64_t s = slot();
	struct cairn_result r =
	    cairn_untyped_retype(ut, type, bits, ROOT, 0, 0, s, 1);
	if (r.error != CAIRN_OK) {
		printf("  retype of type %lu failed: %s\n", type,
		       cairn_error_name(r.error));
	}
	return s;
}

uint64_t mint(uint64_t src, uint64_t rights, uint64_t badge)
{
	uint64_t s = slot();
	cairn_cnode_mint(ROOT, s, DEPTH, ROOT, src, DEPTH, rights, badge);
	return s;
}

uint64_t map_new(uint64_t vs, uint64_t ipa, uint64_t rights)
{
	uint64_t f = make(CAIRN_OBJ_FRAME_4K, 0);
	cairn_frame_map(f, vs, ipa, rights, 0);
	return f;
}

static int must(struct cairn_result r, const char *what)
{
	if (r.error != CAIRN_OK) {
		printf("  %s: %s\n", what, cairn_error_name(r.error));
	}
	return r.error == CAIRN_OK;
}

uint64_t vspace_with_root_code(uint64_t *ipc)
{
	const uint64_t regions[] = {0x400000, 0x800000, 0xfe00000, 0x10000000};
	uint64_t vs = make(CAIRN_OBJ_VSPACE, 0);
	int ok =
	    must(cairn_page_table_map(make(CAIRN_OBJ_PAGE_TABLE, 0), vs, 0),
		 "level-2 table");

	for (unsigned i = 0; i < 4; i++) {
		ok &= must(cairn_page_table_map(make(CAIRN_OBJ_PAGE_TABLE, 0),
						vs, regions[i]),
			   "level-3 table");
	}
	for (uint64_t i = 0; i < bi->image_count; i++) {
		uint64_t ipa = bi->image_ipa[i];
		if (ipa < 0x800000) {
			uint64_t copy = slot();
			ok &= must(cairn_cnode_copy(ROOT, copy, DEPTH, ROOT,
						    bi->image_first + i, DEPTH,
						    ALL),
				   "copy of a code frame");
			ok &= must(cairn_frame_map(
				       copy, vs, ipa,
				       CAIRN_RIGHT_READ | CAIRN_RIGHT_EXEC, 0),
				   "code frame");
		} else if (ipa < 0x1000000) {
			map_new(vs, ipa, RW);
		}
	}
	map_new(vs, 0x10000000 - 0x1000, RW);
	map_new(vs, 0x10000000 - 0x2000, RW);
	*ipc = map_new(vs, 0x10000000, RW);
	return ok ? vs : 0;
}

uint64_t thread_in(uint64_t vs, uint64_t ipc, void (*fn)(uint64_t, uint64_t),
		   uint64_t a0, uint64_t a1, uint64_t prio, const char *name)
{
	uint64_t tcb = make(CAIRN_OBJ_TCB, 0);
	uint64_t regs[4] = {(uint64_t)fn, 0x10000000, a0, a1};

	must(cairn_tcb_configure(tcb, ROOT, vs, ipc, 0x10000000, 0),
	     "configure");
	must(cairn_tcb_set_priority(tcb, SELF, prio), "priority");
	must(cairn_tcb_set_name(tcb, name), "name");
	must(cairn_tcb_write_registers(tcb, 1, regs, 4), "start");
	return tcb;
}

int guest_start(struct guest *g, void (*fn)(void), uint64_t prio, uint64_t a0,
		uint64_t a1, uint64_t a2)
{
	uint64_t ipc;
	uint64_t vs = vspace_with_root_code(&ipc);
	int ok = vs != 0;

	map_new(vs, GUEST_DATA, RW);
	g->tcb = make(CAIRN_OBJ_TCB, 0);
	g->vcpu = make(CAIRN_OBJ_VCPU, 0);
	g->fault_ep = make(CAIRN_OBJ_ENDPOINT, 0);
	g->reply = make(CAIRN_OBJ_REPLY, 0);
	ok &= must(cairn_tcb_configure(g->tcb, ROOT, vs, 0, 0, g->fault_ep),
		   "guest configure");
	ok &= must(cairn_tcb_bind_vcpu(g->tcb, g->vcpu), "bind VCPU");
	ok &= must(cairn_tcb_set_priority(g->tcb, SELF, prio), "priority");
	ok &= must(cairn_tcb_set_name(g->tcb, "guest"), "name");
	uint64_t regs[5] = {(uint64_t)fn, 0, a0, a1, a2};
	ok &= must(cairn_tcb_write_registers(g->tcb, 1, regs, 5), "start");
	return ok;
}
