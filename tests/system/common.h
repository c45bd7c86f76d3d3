/*
 * Helpers the in-system suites and benchmarks share: slot allocation,
 * object creation, and a VSpace that runs the root task's own code.
 */
#pragma once

#include <libcairn/invoke.h>
#include <libcairn/start.h>

#define ROOT   CAIRN_SLOT_CNODE
#define VSPACE CAIRN_SLOT_VSPACE
#define SELF   CAIRN_SLOT_TCB
#define DEPTH  64
#define ALL    CAIRN_RIGHTS_ALL
#define RW     (CAIRN_RIGHT_READ | CAIRN_RIGHT_WRITE)

/* Picks the largest RAM Untyped (boot_ut()); call first. */
void common_init(const struct cairn_bootinfo *bi);

/* The next free slot of the root CNode. */
uint64_t slot(void);

/* The slot slot() would hand out next; slots_release(mark) makes every slot
 * from mark on free again (their caps must be gone). */
uint64_t slots_mark(void);
void slots_release(uint64_t mark);

/* The RAM Untyped from BootInfo that common_init picked. */
uint64_t boot_ut(void);

/* The Untyped make() retypes from: boot_ut() unless use_untyped() named
 * another (the case runner names each case's own, cases.h). */
uint64_t case_ut(void);
void use_untyped(uint64_t ut);

uint64_t make(uint64_t type, uint64_t size_bits);
uint64_t mint(uint64_t src, uint64_t rights, uint64_t badge);

/* A fresh frame mapped at ipa in vs. */
uint64_t map_new(uint64_t vs, uint64_t ipa, uint64_t rights);

/*
 * A new VSpace running the root task's code: its text pages shared
 * read-only, fresh zeroed data pages, a two-page stack below 0x10000000 and
 * an IPC buffer frame (*ipc) at 0x10000000. Code run there must not rely on
 * initialised globals. Returns the VSpace cptr, or 0 on an error (printed).
 */
uint64_t vspace_with_root_code(uint64_t *ipc);

/* A thread in vs at priority prio: pc = fn, x0 = a0, x1 = a1. */
uint64_t thread_in(uint64_t vs, uint64_t ipc, void (*fn)(uint64_t, uint64_t),
		   uint64_t a0, uint64_t a1, uint64_t prio, const char *name);

/* A guest: a TCB bound to a VCPU, whose exits arrive on fault_ep. */
struct guest {
	uint64_t tcb, vcpu, fault_ep, reply;
};

#define GUEST_DATA 0x10040000UL /* a page of RAM every guest has */

/* Guest assembly: vectors at the label `vec`, and its virtual GIC CPU
 * interface on (priority mask open, group 1 enabled). Uses x9. */
#define GUEST_ASM_GIC_ON(vec)                                                  \
	"	adr x9, " vec "\n"                                             \
	"	msr vbar_el1, x9\n"                                                  \
	"	mov x9, #0xff\n"                                                     \
	"	msr s3_0_c4_c6_0, x9\n" /* ICC_PMR_EL1 */                      \
	"	mov x9, #1\n"                                                        \
	"	msr s3_0_c12_c12_7, x9\n" /* ICC_IGRPEN1_EL1 */                \
	"	isb\n"

/*
 * Starts fn at EL1 (its MMU off) in a new VSpace running the root task's
 * code (vspace_with_root_code) plus a RAM page at GUEST_DATA, at priority
 * prio, with x0..x2 = a0..a2. Returns 0 on an error (printed).
 */
int guest_start(struct guest *g, void (*fn)(void), uint64_t prio, uint64_t a0,
		uint64_t a1, uint64_t a2);
