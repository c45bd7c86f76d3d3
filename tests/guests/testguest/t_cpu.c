/*
 * What the CPU shows the guest: ID registers with the features a
 * hypervisor that does not switch their state must hide, and FP/SIMD
 * registers that survive interrupts and time (under a hypervisor, other
 * domains' FP code runs meanwhile).
 */
#include "arch.h"
#include "tests.h"

#define FPCR_TEST  0x03c00000u /* DN, FZ, round towards zero */
#define FPSR_TEST  0x0800001fu /* QC and the cumulative exception bits */
#define FP_SPIN_US 10000
#define FP_TICK_US 1000
#define FP_TIMEOUT 2000000

struct idfield {
	const char *name;
	int reg; /* index into the values read */
	unsigned lsb;
	int group; /* features shown together for expect-hidden-features=0 */
};

enum { PFR0, PFR1, DFR0, ISAR1, ISAR2, NREGS };
enum { G_SVE, G_SME, G_MTE, G_PMU, G_PAUTH, G_PAUTH_GENERIC, NGROUPS };

static const struct idfield fields[] = {
    {"ID_AA64PFR0_EL1.SVE", PFR0, 32, G_SVE},
    {"ID_AA64PFR1_EL1.SME", PFR1, 24, G_SME},
    {"ID_AA64PFR1_EL1.MTE", PFR1, 8, G_MTE},
    {"ID_AA64DFR0_EL1.PMUVer", DFR0, 8, G_PMU},
    {"ID_AA64ISAR1_EL1.APA", ISAR1, 4, G_PAUTH},
    {"ID_AA64ISAR1_EL1.API", ISAR1, 8, G_PAUTH},
    {"ID_AA64ISAR2_EL1.APA3", ISAR2, 12, G_PAUTH},
    {"ID_AA64ISAR1_EL1.GPA", ISAR1, 24, G_PAUTH_GENERIC},
    {"ID_AA64ISAR1_EL1.GPI", ISAR1, 28, G_PAUTH_GENERIC},
    {"ID_AA64ISAR2_EL1.GPA3", ISAR2, 8, G_PAUTH_GENERIC},
};

static const char *const group_names[] = {"SVE",
					  "SME",
					  "MTE",
					  "PMU",
					  "address authentication",
					  "generic authentication"};

static void idregs_hidden_features(void)
{
	uint64_t v[NREGS] = {
	    read_sysreg(id_aa64pfr0_el1), read_sysreg(id_aa64pfr1_el1),
	    read_sysreg(id_aa64dfr0_el1), read_sysreg(id_aa64isar1_el1),
	    read_sysreg(ID_AA64ISAR2)};
	note("PFR0 0x%lx PFR1 0x%lx DFR0 0x%lx ISAR1 0x%lx ISAR2 0x%lx",
	     v[PFR0], v[PFR1], v[DFR0], v[ISAR1], v[ISAR2]);
	if (opt.hidden == HIDDEN_SKIP) {
		skip("expect-hidden-features=skip");
		return;
	}
	bool shown[NGROUPS] = {false};
	char seen[320] = "";
	for (unsigned i = 0; i < ARRAY_SIZE(fields); i++) {
		uint64_t f = field(v[fields[i].reg], fields[i].lsb, 4);
		shown[fields[i].group] |= f != 0;
		size_t len = strlen(seen);
		if (f) {
			format(seen + len, sizeof(seen) - len, "%s%s 0x%lx",
			       len ? ", " : "", fields[i].name, f);
		}
	}
	/* PMUVer 0xf (IMPLEMENTATION DEFINED) counts as shown too. */
	check(opt.hidden != HIDDEN_EXPECT || !seen[0], "not hidden: %s", seen);
	for (unsigned g = 0; g < NGROUPS && opt.hidden == HIDDEN_SHOWN; g++) {
		check(shown[g],
		      "%s hidden, though expect-hidden-features=0 expects "
		      "it shown",
		      group_names[g]);
	}
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void spin_with_ticks(struct cpu *c)
{
	unsigned before = c->timer_count;
	c->timer_period = us_to_ticks(FP_TICK_US);
	c->timer_reload = FP_SPIN_US / FP_TICK_US;
	vtimer_arm_at(now() + c->timer_period);
	delay_us(FP_SPIN_US + FP_TICK_US);
	c->timer_reload = 0;
	vtimer_stop();
	c->fp_ticks = c->timer_count - before;
}

static void fp_task(struct cpu *c, uint64_t seed)
{
	uint64_t want[64], got[64],
	    s = seed ^ (c->idx + 1) * 0x9e3779b97f4a7c15ull;
	for (unsigned i = 0; i < 64; i++) {
		want[i] = xorshift(&s);
	}
	write_sysreg(fpcr, FPCR_TEST);
	write_sysreg(fpsr, FPSR_TEST);
	fp_load_all(want);
	spin_with_ticks(c);
	fp_store_all(got);
	uint64_t fpcr = read_sysreg(fpcr), fpsr = read_sysreg(fpsr);
	write_sysreg(fpcr, 0);
	write_sysreg(fpsr, 0);
	for (unsigned r = 0; r < 32 && !c->result; r++) {
		if (memcmp(&want[2 * r], &got[2 * r], 16)) {
			c->result = -1;
			format(c->msg, sizeof(c->msg),
			       "v%u is 0x%016lx%016lx, was 0x%016lx%016lx", r,
			       got[2 * r + 1], got[2 * r], want[2 * r + 1],
			       want[2 * r]);
		}
	}
	if (!c->result && (fpcr != FPCR_TEST || fpsr != FPSR_TEST)) {
		c->result = -1;
		format(c->msg, sizeof(c->msg),
		       "FPCR 0x%lx FPSR 0x%lx, were 0x%x 0x%x", fpcr, fpsr,
		       FPCR_TEST, FPSR_TEST);
	}
}

static void fp_registers_survive(void)
{
	if (ncpus > 1) {
		need_secondaries();
	}
	run_everywhere(fp_task, 0x5eed, true, FP_TIMEOUT);
	note("v0-v31, FPCR and FPSR kept over %u us with a timer interrupt "
	     "every %u us, on %u CPUs at once (cpu 0 took %u)",
	     FP_SPIN_US, FP_TICK_US, 1 + secondaries_online(),
	     cpus[0].fp_ticks);
}

const struct test cpu_tests[] = {
    {"idregs.hidden_features", idregs_hidden_features},
    {"fp.registers_survive", fp_registers_survive},
};
const unsigned cpu_tests_count = ARRAY_SIZE(cpu_tests);
