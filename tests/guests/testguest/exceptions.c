/*
 * EL1 exception handling. A CPU that is "catching" (between catch_begin
 * and catch_end) records any synchronous exception (the abort and fuzz
 * tests expect data aborts and undefined instructions) and skips the
 * faulting instruction. While the tests run (exceptions_guard), an
 * unexpected undefined instruction, trapped system register, data abort
 * or SError (what a hypervisor that does not yet emulate something gives)
 * is recorded and skipped too, and the runner fails the test with it, so
 * the other tests still run. Anything else unexpected is reported with its
 * syndrome and ends the run, so a broken hypervisor shows as a FAIL with a
 * reason rather than a hang.
 */
#include "arch.h"
#include "gic.h"
#include "guest.h"
#include "suite.h"

#define KIND_SYNC   0
#define KIND_IRQ    1
#define KIND_FIQ    2
#define KIND_SERROR 3
#define FROM_SP0    0x10
#define FROM_LOWER  0x20

#define EC_UNKNOWN  0x00
#define EC_SYSREG   0x18
#define EC_DABT_LOW 0x24
#define EC_DABT_CUR 0x25

struct frame {
	uint64_t x[31];
	uint64_t elr, spsr, esr, far;
};

_Static_assert(sizeof(struct frame) == 280, "vectors.S's frame layout");

/* More than this many in one test, and it is looping on a fault. */
#define RECOVER_MAX 1000

static volatile bool guarding;

void exceptions_guard(bool on)
{
	guarding = on;
}

static bool recover(struct cpu *c, const struct frame *f, bool sync)
{
	unsigned ec = (unsigned)field(f->esr, 26, 6);
	bool kind_ok = !sync || ec == EC_UNKNOWN || ec == EC_SYSREG ||
		       ec == EC_DABT_CUR || ec == EC_DABT_LOW;
	if (!c || !guarding || !kind_ok || c->recovered.count >= RECOVER_MAX) {
		return false;
	}
	if (!c->recovered.count++) {
		c->recovered.esr = f->esr;
		c->recovered.far = f->far;
		c->recovered.elr = f->elr;
	}
	return true;
}

void catch_begin(void)
{
	struct cpu *c = this_cpu();
	c->caught = (struct fault){0};
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	c->catching = true;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
}

struct fault catch_end(void)
{
	struct cpu *c = this_cpu();
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	c->catching = false;
	__atomic_signal_fence(__ATOMIC_SEQ_CST);
	return c->caught;
}

static const char *ec_name(unsigned ec)
{
	switch (ec) {
	case 0x00:
		return "unknown/undefined instruction";
	case 0x01:
		return "WFI/WFE";
	case 0x07:
		return "FP/SIMD access";
	case 0x15:
		return "SVC";
	case 0x16:
		return "HVC";
	case 0x17:
		return "SMC";
	case 0x18:
		return "system register";
	case 0x20:
	case 0x21:
		return "instruction abort";
	case 0x22:
		return "PC alignment";
	case 0x24:
	case 0x25:
		return "data abort";
	case 0x26:
		return "SP alignment";
	case 0x2f:
		return "SError";
	case 0x3c:
		return "BRK";
	default:
		return "other";
	}
}

void exceptions_report_unexpected(const char *what, uint64_t esr, uint64_t far,
				  uint64_t elr)
{
	struct cpu *c = this_cpu();
	unsigned ec = (unsigned)field(esr, 26, 6);
	uint64_t link = elr - (uintptr_t)_start_image + LINK_BASE;
	print("EXCEPTION: cpu %u: unexpected %s: ESR 0x%lx (EC 0x%x %s) "
	      "FAR 0x%lx ELR 0x%lx (link address 0x%lx)\n",
	      c ? c->idx : 0, what, esr, ec, ec_name(ec), far, elr, link);
	suite_fatal("unexpected exception");
}

static void sync_exception(struct cpu *c, struct frame *f)
{
	unsigned ec = (unsigned)field(f->esr, 26, 6);
	if (!c || !c->catching) {
		if (recover(c, f, true)) {
			f->elr += 4;
			return;
		}
		exceptions_report_unexpected("synchronous exception", f->esr,
					     f->far, f->elr);
		return;
	}
	c->caught.count++;
	c->caught.esr = f->esr;
	c->caught.far = f->far;
	c->caught.elr = f->elr;
	if (ec == EC_DABT_CUR || ec == EC_DABT_LOW) {
		c->aborts++;
	} else if (ec == EC_UNKNOWN) {
		c->undefs++;
	} else {
		c->other_sync++;
		c->other_esr = f->esr;
	}
	f->elr += 4;
}

void exception_dispatch(struct frame *f, uint64_t kind)
{
	struct cpu *c = this_cpu();
	if (kind == KIND_SYNC) {
		sync_exception(c, f);
	} else if (kind == KIND_IRQ && c) {
		gic_irq(c);
	} else if (kind == KIND_SERROR && c && c->catching) {
		c->serrors++;
		c->caught.count++;
		c->caught.esr = f->esr;
	} else if (kind == KIND_SERROR && recover(c, f, false)) {
		return;
	} else {
		static const char *const names[] = {"sync", "IRQ", "FIQ",
						    "SError"};
		char what[48];
		format(what, sizeof(what), "%s%s", names[kind & 3],
		       kind & FROM_SP0	   ? " (from EL1 with SP_EL0)"
		       : kind & FROM_LOWER ? " (from a lower EL)"
					   : "");
		exceptions_report_unexpected(what, f->esr, f->far, f->elr);
	}
}
