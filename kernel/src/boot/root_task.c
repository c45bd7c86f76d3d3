#include "boot/root_task.h"

#include "arch.h"
#include "boot/elf_inspect.h"
#include "cap/cdt.h"
#include "kmem.h"
#include "objects/object.h"
#include "objects/tcb.h"
#include "panic.h"
#include "print.h"
#include "sched.h"
#include "vmid.h"

#include <cairn/bootinfo.h>
#include <string.h>

#define PAGE	     KiB(4)
#define MAX_SEGMENTS 8
#define MAX_UT_BITS  47

/* Boot objects' original caps: the root task holds only copies of them, so
 * deleting its caps can never destroy what it runs on. */
static struct cte originals[CAIRN_SLOT_POWER_CONTROL + 1];

struct builder {
	struct memmap *free;
	paddr_t vspace;
	struct cte *slots;
	struct cairn_bootinfo *bi;
	uint64_t next_slot;
	size_t pages;
	uint64_t page_ipa[CAIRN_BOOTINFO_MAX_IMAGE];
	paddr_t page_pa[CAIRN_BOOTINFO_MAX_IMAGE];
};

/* A zeroed, size-aligned block of free RAM (size a power of two). */
_Static_assert(sizeof(struct cairn_bootinfo) <= PAGE, "BootInfo is one page");

static paddr_t boot_alloc(struct builder *b, uint64_t size)
{
	for (size_t i = 0; i < b->free->count; i++) {
		uint64_t base = ALIGN_UP(pa_addr(b->free->range[i].base), size);
		if (base + size <= pa_addr(b->free->range[i].end)) {
			enum k_error e =
			    memmap_remove(b->free, pa_init(base), size);
			if (e != K_OK) {
				panic("root: cannot carve boot memory: %s",
				      k_error_name(e));
			}
			memset(kmem_ptr(pa_init(base)), 0, size);
			return pa_init(base);
		}
	}
	panic("root: no free RAM left for %lu bytes of root task objects",
	      size);
}

/* The level-3 entry for ipa, with page tables added as needed. */
static s2_pte_t *page_entry(struct builder *b, uint64_t ipa)
{
	int level;
	s2_pte_t *e =
	    arch_s2_walk(b->vspace, ipa_init(ipa), S2_LEVEL_LAST, &level);

	while (level < S2_LEVEL_LAST && !arch_s2_valid(*e)) {
		paddr_t table = boot_alloc(b, PAGE);
		ktag_boot(table, CAP_PAGE_TABLE); /* for the stage-2 audit */
		arch_s2_set_table(e, table);
		e = arch_s2_walk(b->vspace, ipa_init(ipa), S2_LEVEL_LAST,
				 &level);
	}
	if (level != S2_LEVEL_LAST) {
		panic("root: IPA 0x%lx already covered by a block", ipa);
	}
	return e;
}

static void map_frame(struct builder *b, uint64_t ipa, paddr_t pa,
		      uint32_t rights)
{
	struct s2_leaf leaf = {.pa = pa, .rights = rights};

	/* Modules have no cap, but a leaf must name a Frame (ktag.h). */
	ktag_boot(pa, CAP_FRAME);
	arch_s2_set_leaf(page_entry(b, ipa), S2_LEVEL_LAST, &leaf);
}

/* The frame mapped at ipa, mapped now (zeroed) if there is none. */
static paddr_t ensure_page(struct builder *b, uint64_t ipa, uint32_t rights)
{
	s2_pte_t *e = page_entry(b, ipa);
	struct s2_leaf leaf;
	if (arch_s2_valid(*e)) {
		arch_s2_leaf(e, &leaf);
		leaf.rights |= rights; /* pages shared by two segments */
	} else {
		if (b->pages == CAIRN_BOOTINFO_MAX_IMAGE) {
			panic("root: the root task needs more than %d pages",
			      CAIRN_BOOTINFO_MAX_IMAGE);
		}
		leaf = (struct s2_leaf){.pa = boot_alloc(b, PAGE),
					.rights = rights};
		ktag_boot(leaf.pa, CAP_FRAME);
		b->page_ipa[b->pages] = ipa;
		b->page_pa[b->pages] = leaf.pa;
		b->pages++;
	}
	arch_s2_set_leaf(e, S2_LEVEL_LAST, &leaf);
	return leaf.pa;
}

static void map_range(struct builder *b, uint64_t ipa, uint64_t size,
		      uint32_t rights)
{
	for (uint64_t a = ALIGN_DOWN(ipa, PAGE); a < ipa + size; a += PAGE) {
		ensure_page(b, a, rights);
	}
}

static void copy_in(struct builder *b, uint64_t ipa, const uint8_t *src,
		    uint64_t len)
{
	while (len > 0) {
		uint64_t off = ipa % PAGE;
		uint64_t n = PAGE - off < len ? PAGE - off : len;
		paddr_t pa = ensure_page(b, ALIGN_DOWN(ipa, PAGE), 0);
		memcpy((uint8_t *)kmem_ptr(pa) + off, src, n);
		ipa += n;
		src += n;
		len -= n;
	}
}

static uint32_t segment_rights(uint32_t flags)
{
	return ((flags & ELF_PF_R) ? CAIRN_RIGHT_READ : 0) |
	       ((flags & ELF_PF_W) ? CAIRN_RIGHT_WRITE : 0) |
	       ((flags & ELF_PF_X) ? CAIRN_RIGHT_EXEC : 0);
}

/*
 * Segments go where they run (vaddr, memsz) and their file bytes where they
 * load (paddr): a picolibc program copies .data from its load address at
 * start-up, so both must be mapped.
 */
static void load_elf(struct builder *b, const struct boot_module *elf)
{
	struct elf_segment seg[MAX_SEGMENTS];
	size_t n = elf_load_segments(elf->data, seg, MAX_SEGMENTS);

	if (n > MAX_SEGMENTS) {
		panic("root: %lu PT_LOAD segments, at most %d supported",
		      (unsigned long)n, MAX_SEGMENTS);
	}
	for (size_t i = 0; i < n; i++) {
		if (seg[i].vaddr + seg[i].memsz > (1UL << S2_IPA_BITS) ||
		    seg[i].paddr + seg[i].filesz > (1UL << S2_IPA_BITS)) {
			panic("root: segment %lu lies beyond the %d-bit IPA "
			      "space",
			      (unsigned long)i, S2_IPA_BITS);
		}
		uint32_t rights = segment_rights(seg[i].flags);
		map_range(b, seg[i].vaddr, seg[i].memsz, rights);
		map_range(b, seg[i].paddr, seg[i].filesz,
			  rights & ~CAIRN_RIGHT_WRITE);
		copy_in(b, seg[i].paddr,
			(const uint8_t *)elf->data + seg[i].offset,
			seg[i].filesz);
	}
}

/*
 * The boot modules, read-only and without caps: they are the image's own
 * memory (never Untyped), the root task only reads them while it builds the
 * system, and they vanish with its VSpace.
 */
static void map_modules(struct builder *b, const struct boot_modules *mods)
{
	uint64_t ipa = CAIRN_ROOT_MODULES;

	for (size_t i = 0; i < mods->count; i++) {
		const struct boot_module *m = &mods->module[i];
		paddr_t pa = kmem_pa(m->data);
		struct cairn_boot_module *out = &b->bi->module[i];

		if (pa_addr(pa) % PAGE != 0) {
			panic("root: module '%s' is not page aligned in the "
			      "image",
			      m->name);
		}
		for (uint64_t off = 0; off < m->size; off += PAGE) {
			map_frame(b, ipa + off, pa_add(pa, off),
				  CAIRN_RIGHT_READ);
		}
		/* bootimage_parse checked the name fits, NUL included. */
		memcpy(out->name, m->name, strlen(m->name));
		out->ipa = ipa;
		out->size = m->size;
		ipa += ALIGN_UP(m->size, PAGE);
	}
	b->bi->module_count = mods->count;
}

static unsigned block_bits(uint64_t base, uint64_t end)
{
	unsigned bits =
	    base == 0 ? MAX_UT_BITS : (unsigned)__builtin_ctzll(base);
	unsigned fit = 63 - (unsigned)__builtin_clzll(end - base);

	bits = bits < fit ? bits : fit;
	return bits < MAX_UT_BITS ? bits : MAX_UT_BITS;
}

/* Untyped caps covering [base, end) in aligned power-of-two blocks. */
static void add_untyped(struct builder *b, uint64_t base, uint64_t end,
			bool device)
{
	while (base < end && end - base >= (1UL << CAIRN_UNTYPED_MIN_BITS)) {
		unsigned bits = block_bits(base, end);
		struct cairn_bootinfo *bi = b->bi;

		if (bi->untyped_count == CAIRN_BOOTINFO_MAX_UT ||
		    b->next_slot == (1UL << CAIRN_ROOT_CNODE_RADIX)) {
			kprintf("root: untyped list full: 0x%lx-0x%lx not "
				"handed out\n",
				base, end);
			return;
		}
		struct cap ut = object_create(CAIRN_OBJ_UNTYPED, bits,
					      pa_init(base), device);
		cdt_insert_root(&b->slots[b->next_slot++], &ut);
		bi->untyped[bi->untyped_count++] =
		    (struct cairn_untyped_desc){.paddr = base,
						.size_bits = (uint8_t)bits,
						.device = device};
		if (device) {
			bi->device_bytes += 1UL << bits;
		} else {
			bi->ram_bytes += 1UL << bits;
		}
		base += 1UL << bits;
	}
}

static void add_device_untyped(struct builder *b, const struct platform *p)
{
	/* MMIO for user level; the GIC and the SMMU stay with the kernel. */
	if (p->has_uart) {
		add_untyped(
		    b, pa_addr(p->uart.base),
		    pa_addr(p->uart.base) + ALIGN_UP(p->uart.size, PAGE), true);
	}
	if (p->has_pcie) {
		add_untyped(b, pa_addr(p->ecam.base),
			    pa_addr(p->ecam.base) + p->ecam.size, true);
		for (size_t i = 0; i < p->pci_window_count; i++) {
			const struct pci_window *w = &p->pci_window[i];
			add_untyped(b, pa_addr(w->cpu_addr),
				    pa_addr(w->cpu_addr) + w->size, true);
		}
	}
}

/* The original cap in the kernel, a copy in the root CNode. */
static void give(struct builder *b, enum cairn_root_slot slot,
		 const struct cap *cap)
{
	cdt_insert_root(&originals[slot], cap);
	cdt_insert_child(&originals[slot], &b->slots[slot], cap);
}

/* A boot object's cap, tagged as the object (permanent: ktag.h). */
static struct cap boot_cap(struct cap c)
{
	cap_set_tag(&c, ktag_boot(c.object, c.type));
	return c;
}

static struct cap frame_cap(paddr_t pa)
{
	return boot_cap((struct cap){.type = CAP_FRAME,
				     .size_bits = CAIRN_FRAME_4K_BITS,
				     .rights = CAIRN_RIGHTS_ALL,
				     .object = pa});
}

void root_task_create(const struct platform *plat, struct memmap *free,
		      const struct boot_modules *mods,
		      const struct boot_module *elf)
{
	struct elf_info info;
	const char *what;
	struct builder b = {.free = free};

	if (elf_inspect(elf->data, elf->size, &info, &what) != K_OK) {
		panic("root: '%s' is not a usable executable: %s", elf->name,
		      what);
	}
	paddr_t vspace_root = boot_alloc(&b, PAGE);
	vmid_t vmid = vmid_alloc(vspace_root, false);
	if (vmid_value(vmid) == 0) {
		panic("root: no VMID free");
	}
	b.vspace = vspace_root;
	paddr_t cnode =
	    boot_alloc(&b, 1UL << (CAIRN_ROOT_CNODE_RADIX + CAIRN_SLOT_BITS));
	paddr_t tcb_pa = boot_alloc(&b, 1UL << CAIRN_TCB_BITS);
	paddr_t ipc = boot_alloc(&b, PAGE);
	paddr_t bootinfo = boot_alloc(&b, PAGE);
	b.slots = kmem_ptr(cnode);
	b.bi = kmem_ptr(bootinfo);

	load_elf(&b, elf);
	map_range(&b, CAIRN_ROOT_STACK_TOP - CAIRN_ROOT_STACK_SIZE,
		  CAIRN_ROOT_STACK_SIZE, CAIRN_RIGHT_READ | CAIRN_RIGHT_WRITE);
	map_frame(&b, CAIRN_ROOT_IPC_BUFFER, ipc,
		  CAIRN_RIGHT_READ | CAIRN_RIGHT_WRITE);
	map_frame(&b, CAIRN_ROOT_BOOTINFO, bootinfo, CAIRN_RIGHT_READ);
	map_modules(&b, mods);

	/* Capabilities: the CNode resolves 64-bit cptrs as slot numbers. */
	struct cap cn =
	    boot_cap((struct cap){.type = CAP_CNODE,
				  .size_bits = CAIRN_ROOT_CNODE_RADIX,
				  .guard_bits = 64 - CAIRN_ROOT_CNODE_RADIX,
				  .rights = CAIRN_RIGHTS_ALL,
				  .object = cnode});
	struct cap tcb_cap = boot_cap((struct cap){
	    .type = CAP_TCB, .rights = CAIRN_RIGHTS_ALL, .object = tcb_pa});
	struct cap vs_cap = boot_cap((struct cap){.type = CAP_VSPACE,
						  .rights = CAIRN_RIGHTS_ALL,
						  .object = b.vspace,
						  .vmid = vmid_value(vmid)});
	give(&b, CAIRN_SLOT_TCB, &tcb_cap);
	give(&b, CAIRN_SLOT_CNODE, &cn);
	give(&b, CAIRN_SLOT_VSPACE, &vs_cap);
	struct cap f = frame_cap(ipc);
	give(&b, CAIRN_SLOT_IPC_BUFFER, &f);
	f = frame_cap(bootinfo);
	give(&b, CAIRN_SLOT_BOOTINFO, &f);
	struct cap irqc = {.type = CAP_IRQ_CONTROL, .rights = CAIRN_RIGHTS_ALL};
	give(&b, CAIRN_SLOT_IRQ_CONTROL, &irqc);
	/* Whether or not an SMMU is enabled: SIDControl.Info says so. */
	struct cap sidc = {.type = CAP_SID_CONTROL, .rights = CAIRN_RIGHTS_ALL};
	give(&b, CAIRN_SLOT_SID_CONTROL, &sidc);
	struct cap audit = {.type = CAP_AUDIT_CONTROL,
			    .rights = CAIRN_RIGHTS_ALL};
	give(&b, CAIRN_SLOT_AUDIT_CONTROL, &audit);
	struct cap power = {.type = CAP_POWER_CONTROL,
			    .rights = CAIRN_RIGHTS_ALL};
	give(&b, CAIRN_SLOT_POWER_CONTROL, &power);
	for (size_t i = 0;
	     i + 1 < CAIRN_BOOTINFO_CMDLINE_LEN && plat->bootargs[i] != '\0';
	     i++) {
		b.bi->cmdline[i] = plat->bootargs[i]; /* the page is zeroed */
	}
	if (platform_has_bootarg(plat, "colour")) {
		b.bi->flags |= CAIRN_BOOT_COLOUR;
	}
	if (plat->has_uart) {
		b.bi->uart_paddr = pa_addr(plat->uart.base);
		b.bi->uart_intid = plat->uart_intid;
	}

	/* Everything the root task needs is carved: the rest is Untyped. */
	b.bi->magic = CAIRN_BOOTINFO_MAGIC;
	b.bi->cnode_radix = CAIRN_ROOT_CNODE_RADIX;
	/* Caps to its own pages, so it can share its code with new VSpaces. */
	b.bi->image_first = CAIRN_SLOT_FIRST_IMAGE;
	b.bi->image_count = b.pages;
	for (size_t i = 0; i < b.pages; i++) {
		struct cap fc = frame_cap(b.page_pa[i]);
		cdt_insert_root(&b.slots[CAIRN_SLOT_FIRST_IMAGE + i], &fc);
		b.bi->image_ipa[i] = b.page_ipa[i];
	}
	b.bi->untyped_first = CAIRN_SLOT_FIRST_IMAGE + b.pages;
	b.next_slot = b.bi->untyped_first;
	for (size_t i = 0; i < free->count; i++) {
		add_untyped(&b, ALIGN_UP(pa_addr(free->range[i].base), PAGE),
			    ALIGN_DOWN(pa_addr(free->range[i].end), PAGE),
			    false);
	}
	add_device_untyped(&b, plat);
	b.bi->free_first = b.next_slot;
	b.bi->free_end = 1UL << CAIRN_ROOT_CNODE_RADIX;

	struct tcb *t = kmem_ptr(tcb_pa);
	t->vspace_root = b.vspace;
	t->vmid = vmid;
	t->ipc_buffer_ipa = ipa_init(CAIRN_ROOT_IPC_BUFFER);
	t->priority = 255;
	tcb_hold_cap(t, &t->cspace, CTE_OWNER_TCB_CSPACE,
		     &originals[CAIRN_SLOT_CNODE], &cn);
	tcb_hold_cap(t, &t->vspace, CTE_OWNER_TCB_VSPACE,
		     &originals[CAIRN_SLOT_VSPACE], &vs_cap);
	f = frame_cap(ipc);
	tcb_hold_cap(t, &t->ipc_buffer, CTE_OWNER_TCB_IPC_BUFFER,
		     &originals[CAIRN_SLOT_IPC_BUFFER], &f);
	t->mcp = CAIRN_MAX_PRIORITY;
	tcb_set_name(t, "root");
	tcb_register(t);
	arch_thread_init_regs(t, info.entry, CAIRN_ROOT_STACK_TOP,
			      CAIRN_ROOT_BOOTINFO);
	t->state = THREAD_RUNNABLE;
	sched_enqueue(t);
	kprintf("root: '%s' loaded: entry 0x%lx, %lu pages, VMID %u; %lu "
		"untyped (%lu MiB RAM, %lu MiB device), free slots %lu-%lu\n",
		elf->name, info.entry, (unsigned long)b.pages, vmid_value(vmid),
		b.bi->untyped_count, b.bi->ram_bytes >> 20,
		b.bi->device_bytes >> 20, b.bi->free_first, b.bi->free_end - 1);
}
