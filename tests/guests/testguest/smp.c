/*
 * Secondary CPUs: brought up by PSCI CPU_ON at secondary_entry (head.S)
 * with their struct cpu as context id. Each turns its MMU on, sets up its
 * redistributor and CPU interface, reports in, and then runs what the boot
 * CPU hands it (cpu_run), waiting in WFE in between; the boot CPU's SEV
 * wakes it.
 */
#include "arch.h"
#include "dtb.h"
#include "gic.h"
#include "guest.h"
#include "suite.h"

#define ONLINE_TIMEOUT_US 2000000

struct cpu cpus[CPU_MAX];
unsigned ncpus;
uint8_t stacks[CPU_MAX][STACK_SIZE] __attribute__((aligned(16)));
static bool tried;

/* cpus[0] is the boot CPU; the DTB's others follow in its order. */
void cpus_init(void)
{
	uint64_t self = this_mpidr();
	cpus[0].mpidr = self;
	ncpus = 1;
	for (unsigned i = 0; i < plat.ncpus && ncpus < CPU_MAX; i++) {
		if (plat.cpu_mpidr[i] != self) {
			cpus[ncpus++].mpidr = plat.cpu_mpidr[i];
		}
	}
	for (unsigned i = 0; i < CPU_MAX; i++) {
		cpus[i].idx = i;
		cpus[i].stack_top = (uintptr_t)stacks[i] + STACK_SIZE;
		cpus[i].active_seen = -1;
	}
	cpus[0].online = true;
}

const char *cpu_bring_up(struct cpu *c)
{
	static char why[96];
	c->online = false;
	c->cmd_seq = c->done_seq = 0;
	c->result = 0;
	dsb(ish);
	int64_t r = psci_call(PSCI_CPU_ON, c->mpidr, (uintptr_t)secondary_entry,
			      (uintptr_t)c);
	if (r != PSCI_SUCCESS) {
		format(why, sizeof(why), "CPU_ON(0x%lx) returned %ld", c->mpidr,
		       r);
		return why;
	}
	uint64_t end = now() + us_to_ticks(ONLINE_TIMEOUT_US);
	while (!__atomic_load_n(&c->online, __ATOMIC_ACQUIRE)) {
		if (now() > end) {
			format(why, sizeof(why),
			       "cpu %u (MPIDR 0x%lx) did not report in within "
			       "2 s of CPU_ON",
			       c->idx, c->mpidr);
			return why;
		}
		cpu_relax();
	}
	return NULL;
}

void smp_bring_up_all(bool verbose, char *why, size_t why_size)
{
	tried = true;
	why[0] = '\0';
	for (unsigned i = 1; i < ncpus; i++) {
		if (cpus[i].online) {
			continue;
		}
		const char *w = cpu_bring_up(&cpus[i]);
		if (w && !why[0]) {
			format(why, why_size, "%s", w);
		}
		if (!w && verbose) {
			print("  cpu %u: online, MPIDR 0x%lx, MMU %s, stack "
			      "0x%lx%s%s\n",
			      i, cpus[i].mpidr_seen,
			      cpus[i].sctlr_seen & 1 ? "on" : "off",
			      cpus[i].sp_seen, cpus[i].result ? ", " : "",
			      cpus[i].result ? cpus[i].msg : "");
		}
	}
}

bool smp_tried(void)
{
	return tried;
}

unsigned secondaries_online(void)
{
	unsigned n = 0;
	for (unsigned i = 1; i < ncpus; i++) {
		n += cpus[i].online;
	}
	return n;
}

void cpu_run(struct cpu *c, cpu_fn fn, uint64_t arg)
{
	c->cmd = fn;
	c->cmd_arg = arg;
	c->result = 0;
	c->msg[0] = '\0';
	__atomic_store_n(&c->cmd_seq, c->cmd_seq + 1, __ATOMIC_RELEASE);
	dsb(ish);
	sev();
}

bool cpu_wait(struct cpu *c, uint64_t timeout_us)
{
	uint64_t end = now() + us_to_ticks(timeout_us);
	while (__atomic_load_n(&c->done_seq, __ATOMIC_ACQUIRE) != c->cmd_seq) {
		if (now() > end) {
			return false;
		}
		cpu_relax();
	}
	return true;
}

void secondary_idle(struct cpu *c)
{
	for (;;) {
		unsigned seq = __atomic_load_n(&c->cmd_seq, __ATOMIC_ACQUIRE);
		if (seq == c->done_seq) {
			wfe();
			continue;
		}
		c->cmd(c, c->cmd_arg);
		__atomic_store_n(&c->done_seq, seq, __ATOMIC_RELEASE);
		dsb(ish);
		sev();
	}
}

void secondary_main(struct cpu *c)
{
	uint64_t sp;
	__asm__ volatile("mov %0, sp" : "=r"(sp));
	c->sp_seen = sp;
	c->sctlr_seen = read_sysreg(sctlr_el1);
	c->mpidr_seen = this_mpidr();
	const char *why = gic_init_cpu(c);
	if (why) {
		c->result = -1;
		format(c->msg, sizeof(c->msg), "GIC: %s", why);
	}
	__asm__ volatile("msr daifclr, #6" : : : "memory"); /* IRQ, SError */
	__atomic_store_n(&c->online, true, __ATOMIC_RELEASE);
	secondary_idle(c);
}
