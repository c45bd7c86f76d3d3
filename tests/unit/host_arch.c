/*
 * The parts of the architecture interface the portable kernel code calls,
 * for host tests: TLB flushes are counted, printing goes to stdout, and
 * anything that would enter a thread or idle fails the test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "arch.h"
#include "arch/smmu.h"
#include "host_arch.h"
#include "print.h"

#include <cairn/invocations.h>
#include <cairn/objects.h>

unsigned host_flush_ipa_count, host_flush_vmid_count;
struct tcb *host_current;

void arch_s2_flush_ipa(vmid_t vmid, ipaddr_t ipa)
{
	(void)vmid;
	(void)ipa;
	host_flush_ipa_count++;
}

void arch_s2_flush_vmid(vmid_t vmid)
{
	(void)vmid;
	host_flush_vmid_count++;
}

struct arch_smmu_info host_smmu = {.present = true,
				   .enabled = true,
				   .can_share = true,
				   .stage1 = true,
				   .stage2 = true,
				   .coherent = true,
				   .io_bindable = true,
				   .sid_bits = 16,
				   .streams = SMMU_STREAMS_MAX,
				   .ias_bits = 44,
				   .oas_bits = 44};
unsigned host_smmu_binds, host_smmu_unbinds;
unsigned host_smmu_flush_ipa_count, host_smmu_flush_vmid_count;
uint16_t host_smmu_ste_vmid[SMMU_STREAMS_MAX];

const struct arch_smmu_info *arch_smmu_info(void)
{
	return &host_smmu;
}

void arch_smmu_bind(uint32_t sid, paddr_t root, vmid_t vmid)
{
	(void)root;
	assert_true(sid < SMMU_STREAMS_MAX);
	/* The kernel binds only an aborting stream (through abort). */
	assert_int_equal(host_smmu_ste_vmid[sid], 0);
	host_smmu_ste_vmid[sid] = vmid_value(vmid);
	host_smmu_binds++;
}

bool host_smmu_ste_io[SMMU_STREAMS_MAX];

void arch_smmu_unbind(uint32_t sid, vmid_t vmid)
{
	assert_true(sid < SMMU_STREAMS_MAX);
	/* An IOSpace's binding ends through arch_smmu_unbind_io. */
	assert_false(host_smmu_ste_io[sid]);
	assert_int_equal(host_smmu_ste_vmid[sid], vmid_value(vmid));
	host_smmu_ste_vmid[sid] = 0;
	host_smmu_unbinds++;
}

void arch_smmu_flush_ipa(vmid_t vmid, ipaddr_t ipa)
{
	(void)vmid;
	(void)ipa;
	host_smmu_flush_ipa_count++;
}

void arch_smmu_flush_vmid(vmid_t vmid)
{
	(void)vmid;
	host_smmu_flush_vmid_count++;
}

unsigned host_smmu_io_binds, host_smmu_io_unbinds;
unsigned host_smmu_io_flush_page_count, host_smmu_io_flush_all_count;
unsigned host_smmu_syncs;

void arch_smmu_bind_io(uint32_t sid, paddr_t root, vmid_t vmid)
{
	arch_smmu_bind(sid, root, vmid);
	host_smmu_ste_io[sid] = true;
	host_smmu_io_binds++;
}

void arch_smmu_unbind_io(uint32_t sid, vmid_t vmid)
{
	assert_true(host_smmu_ste_io[sid]);
	host_smmu_ste_io[sid] = false;
	arch_smmu_unbind(sid, vmid);
	host_smmu_io_unbinds++;
}

void arch_smmu_io_flush_page(vmid_t vmid, ipaddr_t iova)
{
	(void)vmid;
	(void)iova;
	host_smmu_io_flush_page_count++;
	host_smmu_syncs++;
}

void arch_smmu_io_flush_all(vmid_t vmid)
{
	(void)vmid;
	host_smmu_io_flush_all_count++;
	host_smmu_syncs++;
}

void arch_smmu_io_set_leaf(s2_pte_t *e, int level, const struct s2_leaf *leaf)
{
	if (!host_smmu.io_stage1) {
		arch_s2_set_leaf(e, level, leaf);
		return;
	}
	*e = smmu_s1_pte(leaf->pa, level, (leaf->rights & CAIRN_RIGHT_WRITE),
			 leaf->device);
}

struct tcb *arch_current_thread(void)
{
	return host_current;
}

struct tcb *arch_fp_owner(void)
{
	return NULL; /* the host has no FP owner */
}

void arch_forget_thread(struct tcb *t)
{
	if (host_current == t) {
		host_current = NULL;
	}
}

void arch_run_thread(struct tcb *t)
{
	fail_msg("host test tried to run thread %p", (void *)t);
	__builtin_unreachable();
}

void arch_idle_loop(void)
{
	fail_msg("host test tried to idle");
	__builtin_unreachable();
}

size_t arch_cpu_index(void)
{
	return 0;
}

void kprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}

void kputchar(char c)
{
	putchar(c);
}

uint64_t arch_counter_freq(void)
{
	return 62500000;
}

void arch_gic_init(const struct platform *p, uint32_t ppi)
{
	(void)p;
	(void)ppi;
}

void arch_timer_arm_at(uint64_t when)
{
	(void)when;
}

uint32_t arch_gic_irq_limit(void)
{
	return 288;
}

void arch_gic_configure(uint32_t intid, bool edge)
{
	(void)intid;
	(void)edge;
}

void arch_gic_set_enabled(uint32_t intid, bool on)
{
	(void)intid;
	(void)on;
}

uint32_t arch_gic_ack(void)
{
	return GIC_SPURIOUS;
}

void arch_gic_eoi(uint32_t intid)
{
	(void)intid;
}

void arch_gic_deactivate(uint32_t intid)
{
	(void)intid;
}

void arch_irq_for_natives(uint32_t intid)
{
	(void)intid;
}

void arch_wait_for_interrupt(void)
{
	fail_msg("host test tried to wait for an interrupt");
}

void arch_current_clear(void)
{
	host_current = NULL;
}

void arch_vcpu_idle(void)
{
}

void print_hand_over(const char *to)
{
	printf("kernel: the console is handed over to %s\n", to);
}

uint64_t host_counter;

uint64_t arch_counter(void)
{
	return ++host_counter; /* moves, as the system counter does */
}

void print_enter_panic_mode(void)
{
}

jmp_buf *host_exit_catch;
long host_exit_status = -1;
unsigned host_psci_offs;

static void host_exit_jump(void)
{
	if (host_exit_catch != NULL) {
		jmp_buf *j = host_exit_catch;
		host_exit_catch = NULL;
		longjmp(*j, 1);
	}
}

/* No firmware on the host: PowerControl reports NOT_SUPPORTED. */
void arch_psci_system_off(void)
{
	host_psci_offs++;
	host_exit_jump();
}

void arch_psci_system_reset(void)
{
}

/* Semihosting: recorded (host_arch.h). */
char arch_semihost_trap[4];

void arch_semihost_exit(uint64_t status)
{
	host_exit_status = (long)status;
	host_exit_jump();
}

unsigned host_preempt_every, host_preempt_calls;

bool arch_irq_pending(void)
{
	/* Every host_preempt_every-th preemption point finds an interrupt. */
	return host_preempt_every != 0 &&
	       ++host_preempt_calls % host_preempt_every == 0;
}

void arch_zero(void *p, size_t n)
{
	memset(p, 0, n);
}

/* Guests: the host keeps no EL1 state of its own. */
void arch_vcpu_reset(uint64_t *regs)
{
	memset(regs, 0, CAIRN_VCPU_REG_COUNT * sizeof(*regs));
}

void arch_thread_set_guest(struct tcb *t, bool guest)
{
	(void)t;
	(void)guest;
}

void arch_vcpu_sync(struct vcpu *v)
{
	(void)v;
}

bool arch_guest_timer_fired(void)
{
	return false;
}

void arch_vgic_reset(struct vcpu *v)
{
	(void)v;
}

bool arch_vgic_can_inject(struct vcpu *v)
{
	(void)v;
	return true;
}

void arch_vgic_inject(struct vcpu *v, uint32_t intid, uint8_t priority,
		      bool group1, bool eoi_exit)
{
	(void)v;
	(void)intid;
	(void)priority;
	(void)group1;
	(void)eoi_exit;
}

uint32_t arch_vgic_maintenance_intid(void)
{
	return 25;
}

void arch_vgic_maintenance(void)
{
}

void arch_vgic_init(uint32_t vtimer_ppi)
{
	(void)vtimer_ppi;
}

bool arch_gic_enabled(uint32_t intid)
{
	(void)intid;
	return false;
}

/* Exceptions given to a guest: recorded, for the fault-reply tests. */
unsigned host_guest_undefs, host_guest_aborts;

void arch_guest_undef(struct tcb *t)
{
	(void)t;
	host_guest_undefs++;
}

void arch_guest_abort(struct tcb *t, bool instruction, uint64_t far,
		      uint64_t exit_esr)
{
	(void)t;
	(void)instruction;
	(void)far;
	(void)exit_esr;
	host_guest_aborts++;
}

uint64_t arch_vgic_irq_state(struct vcpu *v, uint32_t intid)
{
	(void)v;
	(void)intid;
	return 0;
}

void arch_vm_eoi_exit(struct tcb *t)
{
	(void)t; /* host threads are never guests */
}
