/*
 * Boot: map and enable the MMU, bring up the console UART, describe the
 * machine from the DTB, account for memory, find the boot modules, start the
 * secondary CPUs. Every step prints one greppable line.
 */
#include "arch.h"
#include "boot/bootimage.h"
#include "boot/platform.h"
#include "boot/root_task.h"
#include "boot/smp.h"
#include "cairn_version.h" /* generated: CAIRN_VERSION, the git commit */
#include "drivers/pl011.h"
#include "kmem.h"
#include "ksyms.h"
#include "objects/ktag.h"
#include "objects/stream.h"
#include "panic.h"
#include "print.h"
#include "sched.h"

#define FDT_MAGIC	 0xd00dfeedU
#define FDT_MAX_SIZE	 MiB(2)
#define ROOT_TASK_MODULE "root"
#define KSYMS_MODULE	 "kernel.syms"

extern char _start_image[], __text_start[], __text_end[], __rodata_end[],
    __kernel_end[];

static struct platform plat;
static struct boot_modules modules;
static struct memmap free_ram;

struct image_header {
	uint32_t code0, code1;
	uint64_t text_offset;
	uint64_t image_size; /* rewritten by tools/mkimage to cover modules */
};

static uint64_t image_size(void)
{
	return ((const struct image_header *)_start_image)->image_size;
}

static struct mem_range image_range(void)
{
	paddr_t base = pa_init((uint64_t)(uintptr_t)_start_image);
	return (struct mem_range){base, pa_add(base, image_size())};
}

/* Reads the DTB's size with the MMU off: one aligned big-endian load. */
static uint64_t dtb_size_early(paddr_t dtb)
{
	const volatile uint32_t *h = (const void *)(uintptr_t)pa_addr(dtb);

	if (!IS_ALIGNED(pa_addr(dtb), 8) ||
	    __builtin_bswap32(h[0]) != FDT_MAGIC) {
		return 0;
	}
	uint64_t size = __builtin_bswap32(h[1]);
	return size <= FDT_MAX_SIZE ? size : 0;
}

static void map_or_panic(uint64_t base, uint64_t size, enum mmu_attr attr,
			 const char *what)
{
	enum k_error err =
	    arch_mmu_map(va_init(base), pa_init(base), size, attr);
	if (err != K_OK) {
		panic("mmu: cannot map %s [0x%lx, 0x%lx): %s", what, base,
		      base + size, k_error_name(err));
	}
}

/* The kernel image in three permissions, and the DTB; then MMU on. */
static void mmu_boot_map(paddr_t dtb, uint64_t dtb_size)
{
	uint64_t text = (uint64_t)(uintptr_t)__text_start;
	uint64_t text_end = (uint64_t)(uintptr_t)__text_end;
	uint64_t ro_end = (uint64_t)(uintptr_t)__rodata_end;
	struct mem_range img = image_range();

	map_or_panic(text, text_end - text, MMU_CODE, "kernel text");
	map_or_panic(text_end, ro_end - text_end, MMU_RODATA, "kernel rodata");
	map_or_panic(ro_end, pa_addr(img.end) - ro_end, MMU_DATA,
		     "kernel data, BSS and modules");
	if (dtb_size != 0) {
		map_or_panic(pa_addr(dtb), dtb_size, MMU_RODATA, "DTB");
	}
	arch_mmu_enable(true);
}

static void print_region(const char *label, const struct mmio_region *r)
{
	kprintf("%s 0x%lx-0x%lx (0x%lx bytes)\n", label, pa_addr(r->base),
		pa_addr(r->base) + r->size, r->size);
}

static void print_platform(void)
{
	for (size_t i = 0; i < plat.ram.count; i++) {
		const struct mem_range *r = &plat.ram.range[i];
		uint64_t size = pa_addr(r->end) - pa_addr(r->base);
		kprintf("dtb: ram 0x%lx-0x%lx (%lu MiB)\n", pa_addr(r->base),
			pa_addr(r->end), size >> 20);
	}
	for (size_t i = 0; i < plat.reserved.count; i++) {
		const struct mem_range *r = &plat.reserved.range[i];
		kprintf("dtb: reserved 0x%lx-0x%lx\n", pa_addr(r->base),
			pa_addr(r->end));
	}
	if (plat.has_uart) {
		kprintf("dtb: pl011 0x%lx-0x%lx intid %u\n",
			pa_addr(plat.uart.base),
			pa_addr(plat.uart.base) + plat.uart.size,
			plat.uart_intid);
	}
	if (plat.has_gic) {
		print_region("dtb: gicv3 distributor", &plat.gicd);
		for (size_t i = 0; i < plat.redist_count; i++) {
			print_region("dtb: gicv3 redistributors",
				     &plat.gicr[i]);
		}
	} else {
		kprintf("dtb: gicv3 not present\n");
	}
	if (plat.has_its) {
		print_region("dtb: gicv3 its", &plat.its);
	} else {
		kprintf("dtb: gicv3 its not present\n");
	}
	if (plat.has_smmu) {
		print_region("dtb: smmuv3", &plat.smmu);
	} else {
		kprintf("dtb: smmuv3 not present\n");
	}
	if (plat.has_pcie) {
		kprintf("dtb: pcie ecam 0x%lx-0x%lx buses %u-%u\n",
			pa_addr(plat.ecam.base),
			pa_addr(plat.ecam.base) + plat.ecam.size,
			plat.bus_first, plat.bus_last);
		for (size_t i = 0; i < plat.pci_window_count; i++) {
			const struct pci_window *w = &plat.pci_window[i];
			kprintf("dtb: pcie window %s%s cpu 0x%lx-0x%lx pci "
				"0x%lx\n",
				pci_space_name(w->space),
				w->prefetchable ? " prefetchable" : "",
				pa_addr(w->cpu_addr),
				pa_addr(w->cpu_addr) + w->size, w->pci_addr);
		}
		for (size_t i = 0; i < plat.iommu_map_count; i++) {
			const struct iommu_map_entry *e = &plat.iommu_map[i];
			kprintf("dtb: iommu-map rid 0x%x-0x%x -> sid 0x%x-0x%x "
				"(iommu phandle 0x%x%s)\n",
				e->rid_base, e->rid_base + e->length - 1,
				e->sid_base, e->sid_base + e->length - 1,
				e->iommu_phandle,
				plat.has_smmu &&
					e->iommu_phandle == plat.smmu_phandle
				    ? ", the smmuv3"
				    : "");
		}
		if (plat.intx_count != 0) {
			kprintf("dtb: pcie INTx: %lu interrupt-map entries, "
				"mask 0x%x pin 0x%x\n",
				(unsigned long)plat.intx_count,
				plat.intx_mask_hi, plat.intx_mask_pin);
		} else {
			kprintf("dtb: pcie INTx: none routed (%s): devices "
				"are polled\n",
				plat.intx_problem);
		}
	} else {
		kprintf("dtb: pcie not present\n");
	}
	if (plat.has_timer) {
		kprintf("dtb: timer ppis sec-phys %u phys %u virt %u hyp-phys "
			"%u hyp-virt %u\n",
			plat.timer_sec_phys, plat.timer_phys, plat.timer_virt,
			plat.timer_hyp_phys, plat.timer_hyp_virt);
	} else {
		kprintf("dtb: timer not present\n");
	}
	kprintf("dtb: psci conduit %s\n", psci_conduit_name(plat.psci));
	kprintf("dtb: %lu cpus\n", (unsigned long)plat.cpu_count);
}

static void report_free_ram(paddr_t dtb, uint64_t dtb_size)
{
	struct memmap *free = &free_ram;
	struct mem_range dtb_r = {dtb, pa_add(dtb, dtb_size)};
	enum k_error err = platform_free_ram(&plat, image_range(), dtb_r, free);

	if (err != K_OK) {
		panic("mem: cannot compute free RAM: %s", k_error_name(err));
	}
	kprintf("mem: kernel image 0x%lx-0x%lx (%lu KiB with modules)\n",
		pa_addr(image_range().base), pa_addr(image_range().end),
		image_size() >> 10);
	for (size_t i = 0; i < free->count; i++) {
		kprintf("mem: free 0x%lx-0x%lx\n", pa_addr(free->range[i].base),
			pa_addr(free->range[i].end));
	}
	kprintf("mem: %lu KiB free of %lu KiB RAM\n", memmap_total(free) >> 10,
		memmap_total(&plat.ram) >> 10);
}

static void load_modules(void)
{
	const char *what;
	uint64_t table = (uint64_t)(__kernel_end - _start_image);
	enum k_error err =
	    bootimage_parse(_start_image, image_size(), table, &modules, &what);

	if (err != K_OK) {
		kprintf("modules: none (%s)\n", what);
		return;
	}
	for (size_t i = 0; i < modules.count; i++) {
		kprintf("modules: %s at +0x%lx, %lu bytes\n",
			modules.module[i].name, modules.module[i].offset,
			modules.module[i].size);
	}
	const struct boot_module *syms = bootimage_find(&modules, KSYMS_MODULE);
	if (syms != NULL &&
	    ksyms_init(syms->data, syms->size,
		       (uint64_t)(uintptr_t)__text_start,
		       (uint64_t)(uintptr_t)__text_end) == K_OK) {
		kprintf("modules: %lu kernel symbols for panic reports\n",
			(unsigned long)ksyms_count());
	}
}

#ifdef CAIRN_DEBUG
/*
 * The debug object-tag table (objects/ktag.h), carved from free RAM before
 * the rest becomes Untyped: one 16-byte entry per 2 KiB of RAM (1/128 of
 * it), so even RAM retyped wholly into 4 KiB frames fills it only half.
 */
static void ktag_table_init(void)
{
	uint64_t bytes = KiB(4);

	while (bytes < (memmap_total(&plat.ram) >> 7)) {
		bytes *= 2;
	}
	for (size_t i = 0; i < free_ram.count; i++) {
		uint64_t base =
		    ALIGN_UP(pa_addr(free_ram.range[i].base), KiB(4));
		if (base + bytes <= pa_addr(free_ram.range[i].end) &&
		    memmap_remove(&free_ram, pa_init(base), bytes) == K_OK) {
			ktag_init(kmem_ptr(pa_init(base)), bytes);
			kprintf("ktag: object tags at 0x%lx, %lu entries "
				"(debug)\n",
				base, (unsigned long)ktag_capacity());
			return;
		}
	}
	kprintf("ktag: no room for the tag table: objects go untracked\n");
}
#endif

static void start_root_task(void)
{
	const struct boot_module *root =
	    bootimage_find(&modules, ROOT_TASK_MODULE);

	if (root == NULL) {
		kprintf("root: no '%s' module in the image: nothing to run\n",
			ROOT_TASK_MODULE);
		return;
	}
	arch_user_init();
#ifdef CAIRN_DEBUG
	ktag_table_init();
#endif
	root_task_create(&plat, &free_ram, &modules, root);
	sched_start_ticks(&plat);
	arch_smmu_start_interrupts(&plat);
}

static void bring_up_console(void)
{
	map_or_panic(pa_addr(plat.uart.base), plat.uart.size, MMU_DEVICE,
		     "pl011");
	pl011_init(va_init(pa_addr(plat.uart.base)));
	print_set_sink(pl011_putc);
}

__attribute__((noreturn)) void kernel_main(uint64_t dtb_addr)
{
	paddr_t dtb = pa_init(dtb_addr);
	uint64_t dtb_size = dtb_size_early(dtb);
	const char *what;

	mmu_boot_map(dtb, dtb_size);
	if (dtb_size == 0) {
		/* No console without a DTB: nothing can be said. */
		arch_idle_loop();
	}
	enum k_error err =
	    platform_from_dtb(ptr_from_va(va_init(dtb_addr)), &plat, &what);
	if (plat.has_uart) {
		bring_up_console();
	}
	kprintf("\nCairn %s: EL2 microkernel on MPIDR 0x%lx, DTB at 0x%lx "
		"(%lu bytes)\n",
		CAIRN_VERSION, arch_mpidr(), dtb_addr, dtb_size);
	if (err != K_OK) {
		panic("dtb: %s: %s", what, k_error_name(err));
	}
	arch_psci_init(plat.psci);
	print_platform();
	for (size_t i = 0; i < plat.ram.count; i++) {
		const struct mem_range *r = &plat.ram.range[i];
		map_or_panic(pa_addr(r->base),
			     pa_addr(r->end) - pa_addr(r->base), MMU_DATA,
			     "RAM");
	}
	if (plat.has_gic) {
		map_or_panic(pa_addr(plat.gicd.base), plat.gicd.size,
			     MMU_DEVICE, "GIC distributor");
		for (size_t i = 0; i < plat.redist_count; i++) {
			map_or_panic(pa_addr(plat.gicr[i].base),
				     plat.gicr[i].size, MMU_DEVICE,
				     "GIC redistributors");
		}
	}
	size_t used, total;
	arch_mmu_usage(&used, &total);
	kprintf("mmu: EL2 stage 1 on, caches on, %lu of %lu tables used\n",
		(unsigned long)used, (unsigned long)total);
	report_free_ram(dtb, dtb_size);
	load_modules();
	if (plat.psci != PSCI_CONDUIT_NONE) {
		int64_t v = arch_psci_version();
		kprintf("psci: version %ld.%ld\n", (long)(v >> 16),
			(long)(v & 0xffff));
	}
	size_t online = smp_start_secondaries(&plat);
	kprintf("smp: %lu of %lu cpus online\n", (unsigned long)online,
		(unsigned long)plat.cpu_count);
#ifdef CAIRN_TEST_UNDEF
	kprintf("test: executing an undefined instruction at EL2\n");
	__asm__ volatile("udf #0");
#endif
	/* Before the root task takes the rest of RAM: the SMMU's tables. */
	arch_smmu_init(&plat, &free_ram);
	stream_init(&plat);
	start_root_task();
	kprintf("boot: complete\n");
	if (platform_has_bootarg(&plat, "poweroff")) {
		kprintf(
		    "boot: 'poweroff' on the command line: PSCI SYSTEM_OFF\n");
		arch_psci_system_off();
		panic("PSCI SYSTEM_OFF returned (conduit %s)",
		      psci_conduit_name(plat.psci));
	}
	sched_run();
}
