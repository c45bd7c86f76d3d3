/*
 * Unexpected exceptions: decode and dump everything, then power off. This
 * path uses only the per-CPU frame the vectors filled, the exception stack,
 * polled UART output and PSCI; it allocates nothing and takes no lock that
 * a broken CPU could hold forever.
 */
#include "arch.h"
#include "arch/cpu.h"
#include "ksyms.h"
#include "panic.h"
#include "print.h"
#include "shutdown.h"

static const char *const vector_names[16] = {
    "synchronous, current EL with SP_EL0",
    "IRQ, current EL with SP_EL0",
    "FIQ, current EL with SP_EL0",
    "SError, current EL with SP_EL0",
    "synchronous, current EL",
    "IRQ, current EL",
    "FIQ, current EL",
    "SError, current EL",
    "synchronous, lower EL (AArch64)",
    "IRQ, lower EL (AArch64)",
    "FIQ, lower EL (AArch64)",
    "SError, lower EL (AArch64)",
    "synchronous, lower EL (AArch32)",
    "IRQ, lower EL (AArch32)",
    "FIQ, lower EL (AArch32)",
    "SError, lower EL (AArch32)",
};

const char *esr_class_name(unsigned ec)
{
	switch (ec) {
	case 0x00:
		return "unknown reason (undefined instruction)";
	case 0x01:
		return "trapped WFI/WFE";
	case 0x07:
		return "SVE/SIMD/FP access trap";
	case 0x0e:
		return "illegal execution state";
	case 0x15:
		return "SVC from AArch64";
	case 0x16:
		return "HVC from AArch64";
	case 0x17:
		return "SMC from AArch64";
	case 0x18:
		return "trapped MSR/MRS/system instruction";
	case 0x20:
		return "instruction abort from a lower EL";
	case 0x21:
		return "instruction abort at the current EL";
	case 0x22:
		return "PC alignment fault";
	case 0x24:
		return "data abort from a lower EL";
	case 0x25:
		return "data abort at the current EL";
	case 0x26:
		return "SP alignment fault";
	case 0x2f:
		return "SError";
	case 0x30:
	case 0x31:
		return "breakpoint";
	case 0x32:
	case 0x33:
		return "software step";
	case 0x34:
	case 0x35:
		return "watchpoint";
	case 0x3c:
		return "BRK instruction";
	default:
		return "unallocated or unexpected exception class";
	}
}

static bool ec_has_far(unsigned ec)
{
	return ec == 0x20 || ec == 0x21 || ec == 0x24 || ec == 0x25 ||
	       ec == 0x22 || ec == 0x34 || ec == 0x35;
}

static void print_symbol(const char *label, uint64_t addr)
{
	const char *name;
	uint64_t off;

	if (ksyms_lookup(addr, &name, &off)) {
		kprintf("%s 0x%016lx <%s+0x%lx>\n", label, addr, name, off);
	} else {
		kprintf("%s 0x%016lx\n", label, addr);
	}
}

void exception_unexpected(struct exc_frame *f, uint64_t kind)
{
	/* No semihosting: its trap is an undefined instruction here. */
	if (f->elr == (uint64_t)(uintptr_t)arch_semihost_trap &&
	    ((f->esr >> 26) & 0x3f) == 0) {
		shutdown_no_semihosting();
	}
	if (!panic_begin()) {
		panic_end();
	}
	unsigned ec = (unsigned)(f->esr >> 26) & 0x3f;
	kprintf("\nPANIC on cpu %lu: unexpected exception: %s\n",
		(unsigned long)this_cpu()->index,
		kind < 16 ? vector_names[kind] : "?");
	kprintf("ESR_EL2 0x%08lx: EC 0x%02x (%s), IL %lu, ISS 0x%07lx\n",
		f->esr, ec, esr_class_name(ec), (f->esr >> 25) & 1,
		f->esr & 0x1ffffff);
	if (ec_has_far(ec)) {
		kprintf("FAR_EL2 0x%016lx\n", f->far);
	} else {
		kprintf("FAR_EL2 0x%016lx (not valid for this class)\n",
			f->far);
	}
	print_symbol("ELR_EL2", f->elr);
	print_symbol("LR (x30)", f->x[30]);
	kprintf("SPSR_EL2 0x%08lx  SP 0x%016lx\n", f->spsr, f->sp);
	for (int i = 0; i < 30; i += 2) {
		kprintf("x%-2d 0x%016lx  x%-2d 0x%016lx\n", i, f->x[i], i + 1,
			f->x[i + 1]);
	}
	kprintf("x30 0x%016lx\n", f->x[30]);
	panic_end();
}
