/*
 * Building the system the spec describes, with nothing but the kernel's
 * invocations. Object i lives in root slot base + i until drop_authority();
 * caps are minted into a scratch slot, mapped from there (a mapping belongs
 * to the cap that made it, and moves with it), then moved into place.
 */
#include "loader.h"

#include <cairn/invocations.h>
#include <cairn/objects.h>
#include <libcairn/invoke.h>
#include <stdbool.h>
#include <string.h>

#define ROOT	    CAIRN_SLOT_CNODE
#define DEPTH	    64
#define SCRATCH_IPA 0x20000000UL /* a root-VSpace window for filling frames */
/* ... and for 2 MiB frames, a block beside the 4 KiB window's table. */
#define SCRATCH_2M_IPA 0x20200000UL
#define PAGE	       4096UL

struct builder {
	const struct cairn_bootinfo *bi;
	const struct spec *s;
	struct build_stats *st;
	uint64_t base;	  /* object i: root slot base + i */
	uint64_t scratch; /* a cap on its way into place */
	uint64_t window;  /* the page table behind SCRATCH_IPA */
	uint64_t uart;	  /* the PL011's device frame, once made */
	uint64_t ecam;	  /* the ECAM's first 2 MiB, once made */
	uint64_t bars;	  /* BAR frames made: in slots bar_base + k */
	uint64_t bar_base;
	uint64_t ut;		     /* BootInfo untyped index being carved */
	struct cairn_pcie_info pcie; /* once ecam or bars are wanted */
};

static int must(struct cairn_result r, const char *what, const char *name)
{
	if (r.error != CAIRN_OK) {
		loader_error("%s %s: %s (details %lu, %lu, %lu, %lu)", what,
			     name, cairn_error_name(r.error), r.detail[0],
			     r.detail[1], r.detail[2], r.detail[3]);
		return -1;
	}
	return 0;
}

static unsigned long object_bytes(const struct spec_object *o)
{
	static const unsigned char bits[CAIRN_OBJ_TYPE_COUNT] = {
	    [CAIRN_OBJ_ENDPOINT] = CAIRN_ENDPOINT_BITS,
	    [CAIRN_OBJ_NOTIFICATION] = CAIRN_NOTIFICATION_BITS,
	    [CAIRN_OBJ_FRAME_4K] = CAIRN_FRAME_4K_BITS,
	    [CAIRN_OBJ_FRAME_2M] = CAIRN_FRAME_2M_BITS,
	    [CAIRN_OBJ_VSPACE] = CAIRN_VSPACE_BITS,
	    [CAIRN_OBJ_PAGE_TABLE] = CAIRN_PAGE_TABLE_BITS,
	    [CAIRN_OBJ_TCB] = CAIRN_TCB_BITS,
	    [CAIRN_OBJ_REPLY] = CAIRN_REPLY_BITS,
	    [CAIRN_OBJ_VCPU] = CAIRN_VCPU_BITS,
	    [CAIRN_OBJ_IOSPACE] = CAIRN_IOSPACE_BITS,
	    [CAIRN_OBJ_IO_PAGE_TABLE] = CAIRN_IO_PAGE_TABLE_BITS,
	};
	if (o->type == CAIRN_OBJ_CNODE) {
		return 1UL << (o->size_bits + CAIRN_SLOT_BITS);
	}
	return 1UL << bits[o->type];
}

/* One object from RAM Untyped, moving on to the next when one is full. */
static int retype(struct builder *b, uint32_t type, uint32_t bits,
		  uint64_t slot, const char *name)
{
	const struct cairn_bootinfo *bi = b->bi;

	for (; b->ut < bi->untyped_count; b->ut++) {
		if (bi->untyped[b->ut].device) {
			continue;
		}
		struct cairn_result r = cairn_untyped_retype(
		    bi->untyped_first + b->ut, type, bits, ROOT, 0, 0, slot, 1);
		if (r.error != CAIRN_NOT_ENOUGH_MEMORY) {
			return must(r, "creating", name);
		}
	}
	loader_error("creating %s: out of memory (all Untyped used)", name);
	return -1;
}

static int create_objects(struct builder *b)
{
	const struct spec *s = b->s;

	for (uint32_t i = 0; i < s->h->object_count; i++) {
		const struct spec_object *o = &s->objects[i];
		if (retype(b, o->type, o->size_bits, b->base + i,
			   spec_name(s, o->name)) != 0) {
			return -1;
		}
		b->st->bytes += object_bytes(o);
		if (o->type != CAIRN_OBJ_CNODE) {
			continue;
		}
		/* Guarded so that, as a CSpace root, a cptr is a slot number.
		 */
		uint64_t guard = CAIRN_GUARD_WORD(0, 64 - o->size_bits);
		if (must(cairn_cnode_mutate(ROOT, b->scratch, DEPTH, ROOT,
					    b->base + i, DEPTH, guard),
			 "guarding", spec_name(s, o->name)) ||
		    must(cairn_cnode_move(ROOT, b->base + i, DEPTH, ROOT,
					  b->scratch, DEPTH),
			 "guarding", spec_name(s, o->name))) {
			return -1;
		}
	}
	b->st->objects = s->h->object_count;
	return 0;
}

static const struct cairn_boot_module *
find_module(const struct cairn_bootinfo *bi, const char *name)
{
	for (unsigned long i = 0; i < bi->module_count; i++) {
		if (strcmp(bi->module[i].name, name) == 0) {
			return &bi->module[i];
		}
	}
	return NULL;
}

static int fill_one(struct builder *b, const struct spec_fill *f,
		    uint64_t *mapped)
{
	const struct spec *s = b->s;
	const char *prog = spec_name(s, s->programs[f->program]);
	const struct cairn_boot_module *m = find_module(b->bi, prog);
	uint64_t frame = b->base + f->frame;

	if (m == NULL || f->file_offset + f->length > m->size) {
		loader_error("program %s: %s", prog,
			     m == NULL ? "not in the image"
				       : "spec reads past its end");
		return -1;
	}
	uint64_t window = s->objects[f->frame].type == CAIRN_OBJ_FRAME_2M
			      ? SCRATCH_2M_IPA
			      : SCRATCH_IPA;
	if (*mapped != frame) {
		if ((*mapped != 0 && must(cairn_frame_unmap(*mapped),
					  "unmapping", "a filled frame")) ||
		    must(cairn_frame_map(frame, CAIRN_SLOT_VSPACE, window,
					 CAIRN_RIGHT_READ | CAIRN_RIGHT_WRITE,
					 0),
			 "mapping for filling",
			 spec_name(s, s->objects[f->frame].name))) {
			return -1;
		}
		*mapped = frame;
		b->st->pages_copied++;
	}
	memcpy((char *)window + f->frame_offset,
	       (const char *)m->ipa + f->file_offset, f->length);
	return 0;
}

static int fill_frames(struct builder *b)
{
	uint64_t mapped = 0;

	if (retype(b, CAIRN_OBJ_PAGE_TABLE, 0, b->window, "the fill window") ||
	    must(
		cairn_page_table_map(b->window, CAIRN_SLOT_VSPACE, SCRATCH_IPA),
		"mapping", "the fill window")) {
		return -1;
	}
	for (uint32_t i = 0; i < b->s->h->fill_count; i++) {
		if (fill_one(b, &b->s->fills[i], &mapped) != 0) {
			return -1;
		}
	}
	return mapped == 0 ? 0
			   : must(cairn_frame_unmap(mapped), "unmapping",
				  "the last filled frame");
}

/* The PL011's page of device Untyped, as a frame (made once). */
static int uart_frame(struct builder *b, uint64_t *slot)
{
	const struct cairn_bootinfo *bi = b->bi;

	for (uint64_t i = 0; b->uart == 0 && i < bi->untyped_count; i++) {
		if (bi->untyped[i].device &&
		    bi->untyped[i].paddr == bi->uart_paddr) {
			b->uart = b->window + 1;
			if (must(cairn_untyped_retype(bi->untyped_first + i,
						      CAIRN_OBJ_FRAME_4K, 0,
						      ROOT, 0, 0, b->uart, 1),
				 "creating", "the PL011 frame")) {
				return -1;
			}
		}
	}
	if (b->uart == 0) {
		loader_error("granting the UART: no device Untyped at 0x%lx",
			     bi->uart_paddr);
		return -1;
	}
	*slot = b->uart;
	return 0;
}

/* The device Untyped that starts at paddr (BootInfo order), or 0. */
static uint64_t device_untyped(const struct cairn_bootinfo *bi, uint64_t paddr)
{
	for (uint64_t i = 0; i < bi->untyped_count; i++) {
		if (bi->untyped[i].device && bi->untyped[i].paddr == paddr) {
			return bi->untyped_first + i;
		}
	}
	return 0;
}

/* The host bridge as SIDControl.PCIe describes it (asked once). */
static int pcie(struct builder *b, const char *what)
{
	if (b->pcie.ecam != 0) {
		return 0;
	}
	if (must(cairn_sid_control_pcie(CAIRN_SLOT_SID_CONTROL, &b->pcie),
		 "asking SIDControl.PCIe for", what)) {
		return -1;
	}
	if (b->pcie.ecam == 0) {
		loader_error("%s: the machine has no PCIe host bridge", what);
		return -1;
	}
	return 0;
}

/* The ECAM's first 2 MiB (the root bus), as a device frame (made once). */
static int ecam_frame(struct builder *b, uint64_t *slot)
{
	uint64_t ut = 0;

	if (b->ecam == 0) {
		if (pcie(b, "the ECAM")) {
			return -1;
		}
		ut = device_untyped(b->bi, b->pcie.ecam);
		b->ecam = b->window + 2;
		if (ut == 0 ||
		    must(cairn_untyped_retype(ut, CAIRN_OBJ_FRAME_2M, 0, ROOT,
					      0, 0, b->ecam, 1),
			 "creating", "the ECAM frame")) {
			loader_error("the ECAM at 0x%lx: no device Untyped "
				     "there",
				     b->pcie.ecam);
			return -1;
		}
	}
	*slot = b->ecam;
	return 0;
}

/* BAR frame k: the k-th 2 MiB of the 32-bit window's device Untyped,
 * frames 0..k made in order so that k always names the same memory. */
static int bar_frame(struct builder *b, uint64_t k, uint64_t *slot)
{
	uint64_t i = 0, ut = 0;

	if (k >= b->bars) {
		if (pcie(b, "the BAR frames")) {
			return -1;
		}
		while (i < b->pcie.window_count &&
		       (b->pcie.window[i].space & 0xff) !=
			   CAIRN_PCI_SPACE_MEM32) {
			i++;
		}
		ut = i < b->pcie.window_count
			 ? device_untyped(b->bi, b->pcie.window[i].cpu_addr)
			 : 0;
		if (ut == 0 || must(cairn_untyped_retype(
					ut, CAIRN_OBJ_FRAME_2M, 0, ROOT, 0, 0,
					b->bar_base + b->bars, k + 1 - b->bars),
				    "creating", "BAR frames")) {
			loader_error("BAR frame %lu: no 32-bit window Untyped "
				     "holds it",
				     k);
			return -1;
		}
		b->bars = k + 1;
	}
	*slot = b->bar_base + k;
	return 0;
}

/* A kernel cap (not a spec object) into the scratch slot. */
static int kernel_cap(struct builder *b, const struct spec_cap *c)
{
	uint64_t src = 0;

	if (c->object >= SPEC_KERNEL_BAR && c->object < SPEC_KERNEL_AUDIT) {
		if (bar_frame(b, c->object - SPEC_KERNEL_BAR, &src)) {
			return -1;
		}
		return must(cairn_cnode_mint(ROOT, b->scratch, DEPTH, ROOT, src,
					     DEPTH, c->rights, c->badge),
			    "minting", "a BAR frame");
	}
	switch (c->object) {
	case SPEC_KERNEL_AUDIT:
		src = CAIRN_SLOT_AUDIT_CONTROL;
		break;
	case SPEC_KERNEL_POWER:
		src = CAIRN_SLOT_POWER_CONTROL;
		break;
	case SPEC_KERNEL_UART_FRAME:
		if (uart_frame(b, &src) != 0) {
			return -1;
		}
		break;
	case SPEC_KERNEL_SID_CONTROL:
		src = CAIRN_SLOT_SID_CONTROL;
		break;
	case SPEC_KERNEL_ECAM:
		if (ecam_frame(b, &src) != 0) {
			return -1;
		}
		break;
	default: /* SPEC_KERNEL_UART_IRQ: handed out once, as the original */
		return must(cairn_irq_control_get(
				CAIRN_SLOT_IRQ_CONTROL, b->bi->uart_intid,
				CAIRN_IRQ_LEVEL, ROOT, b->scratch, DEPTH),
			    "claiming", "the PL011 interrupt");
	}
	return must(cairn_cnode_mint(ROOT, b->scratch, DEPTH, ROOT, src, DEPTH,
				     c->rights, c->badge),
		    "minting", "a kernel capability");
}

static const char *cap_name(const struct spec *s, const struct spec_cap *c)
{
	static const char *const kernel[] = {
	    "AuditControl",	    "PowerControl", "the PL011 frame",
	    "the PL011 IRQHandler", "SIDControl",   "the ECAM frame"};

	if (c->object >= SPEC_KERNEL_BAR && c->object < SPEC_KERNEL_AUDIT) {
		return "a BAR frame";
	}
	if (c->object >= SPEC_KERNEL_AUDIT) {
		return kernel[c->object - SPEC_KERNEL_AUDIT];
	}
	return spec_name(s, s->objects[c->object].name);
}

/*
 * A PageTable's one cap (the spec gives each table one, with all rights):
 * mapped where it is and moved to its holder, since the kernel copies only
 * mapped tables (a table hangs in one place, whatever its caps).
 */
static int place_page_table(struct builder *b, const struct spec_cap *c,
			    const char *name)
{
	uint64_t pt = b->base + c->object;
	uint64_t space = b->base + c->vspace;
	bool io = b->s->objects[c->object].type == CAIRN_OBJ_IO_PAGE_TABLE;

	return must(io ? cairn_io_page_table_map(pt, space, c->ipa)
		       : cairn_page_table_map(pt, space, c->ipa),
		    "mapping", name) ||
	       must(cairn_cnode_move(b->base + c->holder, c->slot, DEPTH, ROOT,
				     pt, DEPTH),
		    "placing", name);
}

static int place_cap(struct builder *b, const struct spec_cap *c)
{
	const struct spec *s = b->s;
	bool kernel = c->object >= SPEC_KERNEL_BAR;
	const char *name = cap_name(s, c);

	if (!kernel && c->vspace != SPEC_NONE &&
	    (s->objects[c->object].type == CAIRN_OBJ_PAGE_TABLE ||
	     s->objects[c->object].type == CAIRN_OBJ_IO_PAGE_TABLE)) {
		return place_page_table(b, c, name);
	}
	if (kernel ? kernel_cap(b, c)
		   : must(cairn_cnode_mint(ROOT, b->scratch, DEPTH, ROOT,
					   b->base + c->object, DEPTH,
					   c->rights, c->badge),
			  "minting", name)) {
		return -1;
	}
	if (c->vspace != SPEC_NONE &&
	    must(cairn_frame_map(b->scratch, b->base + c->vspace, c->ipa,
				 c->rights, 0),
		 "mapping", name)) {
		return -1;
	}
	return must(cairn_cnode_move(b->base + c->holder, c->slot, DEPTH, ROOT,
				     b->scratch, DEPTH),
		    "placing", name);
}

/* A vCPU: configured in its guest's VSpace, bound to its VCPU, left for
 * its VMM to start. */
static int bind_vcpu(struct builder *b, const struct spec_thread *t,
		     const char *name)
{
	uint64_t tcb = b->base + t->tcb;

	return must(cairn_tcb_configure(tcb, b->base + t->cnode,
					b->base + t->vspace, 0, 0, t->fault_ep),
		    "configuring", name) ||
	       must(cairn_tcb_bind_vcpu(tcb, b->base + t->vcpu),
		    "binding the VCPU of", name);
}

static int start_thread(struct builder *b, const struct spec_thread *t)
{
	const char *name = spec_name(b->s, t->name);
	uint64_t tcb = b->base + t->tcb;
	uint64_t regs[3] = {t->entry, t->stack_top, b->bi->flags};
	bool start = t->flags & SPEC_THREAD_START;

	/* Priorities below the root task's: nothing runs until it exits. */
	return (start
		    ? must(cairn_tcb_configure(
			       tcb, b->base + t->cnode, b->base + t->vspace,
			       b->base + t->ipc_frame, t->ipc_ipa, t->fault_ep),
			   "configuring", name)
		    : bind_vcpu(b, t, name)) ||
	       must(cairn_tcb_set_mc_priority(tcb, CAIRN_SLOT_TCB, t->priority),
		    "limiting the priority of", name) ||
	       must(cairn_tcb_set_priority(tcb, CAIRN_SLOT_TCB, t->priority),
		    "setting the priority of", name) ||
	       must(cairn_tcb_set_name(tcb, name), "naming", name) ||
	       (start && must(cairn_tcb_write_registers(tcb, 1, regs, 3),
			      "starting", name));
}

int build_system(const struct cairn_bootinfo *bi, const struct spec *s,
		 struct build_stats *st)
{
	struct builder b = {.bi = bi, .s = s, .st = st, .base = bi->free_first};

	b.scratch = b.base + s->h->object_count;
	b.window = b.scratch + 1;
	/* window + 1: the PL011 frame, + 2: the ECAM frame, then BARs. */
	b.bar_base = b.window + 3;
	if (b.bar_base + SPEC_BARS_MAX >= bi->free_end) {
		loader_error("%u objects do not fit the %lu free root slots",
			     s->h->object_count,
			     bi->free_end - bi->free_first - 2);
		return -1;
	}
	if (create_objects(&b) || fill_frames(&b)) {
		return -1;
	}
	for (uint32_t i = 0; i < s->h->cap_count; i++) {
		if (place_cap(&b, &s->caps[i]) != 0) {
			return -1;
		}
	}
	st->caps = s->h->cap_count;
	for (uint32_t i = 0; i < s->h->thread_count; i++) {
		if (start_thread(&b, &s->threads[i]) != 0) {
			return -1;
		}
	}
	st->threads = s->h->thread_count;
	return 0;
}

void drop_authority(const struct cairn_bootinfo *bi)
{
	uint64_t end = 1UL << bi->cnode_radix;

	/* Every slot, empty or not (deleting nothing succeeds); our CNode
	 * last, as deleting needs it. What the components hold are copies or
	 * moved caps, so their objects stay. */
	for (uint64_t slot = 1; slot < end; slot++) {
		if (slot != ROOT) {
			cairn_cnode_delete(ROOT, slot, DEPTH);
		}
	}
	cairn_cnode_delete(ROOT, ROOT, DEPTH);
}
