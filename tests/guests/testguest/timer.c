/*
 * Time from the virtual counter, and the EL1 virtual timer (PPI 27 on
 * virt; the DTB's third timer interrupt). The handler counts expiries,
 * notes any taken before its CVAL, and re-arms while timer_reload says so,
 * else disables the timer so the level-triggered line drops.
 */
#include "arch.h"
#include "gic.h"
#include "guest.h"

#define CNTV_ENABLE (1u << 0)

uint64_t now(void)
{
	isb();
	return read_sysreg(cntvct_el0);
}

uint64_t ticks_per_sec(void)
{
	return read_sysreg(cntfrq_el0) & 0xffffffffu;
}

uint64_t us_to_ticks(uint64_t us)
{
	return us * ticks_per_sec() / 1000000;
}

void delay_us(uint64_t us)
{
	uint64_t end = now() + us_to_ticks(us);
	while (now() < end) {
		cpu_relax();
	}
}

void vtimer_arm_at(uint64_t cval)
{
	write_sysreg(cntv_cval_el0, cval);
	write_sysreg(cntv_ctl_el0, CNTV_ENABLE);
	isb();
}

void vtimer_stop(void)
{
	write_sysreg(cntv_ctl_el0, 0);
	isb();
}

void timer_irq(struct cpu *c)
{
	uint64_t cval = read_sysreg(cntv_cval_el0);
	if (now() < cval) {
		c->timer_early++;
	}
	c->timer_count++;
	if (c->probe_active) {
		c->active_seen = gicr_ppi_active(c, plat_vtimer_intid());
		c->pending_seen_in_handler =
		    gicr_ppi_pending(c, plat_vtimer_intid());
		c->probe_active = false;
	}
	if (c->timer_reload) {
		c->timer_reload--;
		vtimer_arm_at(cval + c->timer_period);
	} else {
		vtimer_stop();
	}
}
