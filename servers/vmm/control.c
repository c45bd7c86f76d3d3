/*
 * The console's commands for this domain. The console queues them when its
 * shell runs `domain NAME ACTION` and signals our wake notification; each
 * report (ConsoleIO.domain) hands over the oldest. Each is carried out only
 * where it means something, and said in one line either way, so what the
 * shell asked and what the domain did can be read off the console.
 */
#include "control.h"

#include "domainctl.h"
#include "vmm_gen.h"

static uint32_t state_of(const struct vmm *v)
{
	switch (v->state) {
	case VMM_RUNNING:
		return DOMAINCTL_RUNNING;
	case VMM_PAUSED:
		return DOMAINCTL_PAUSED;
	case VMM_OFF:
		break;
	}
	return DOMAINCTL_OFF;
}

/* The vCPUs executing guest code: none while paused or off. */
static uint32_t running_of(const struct vmm *v)
{
	uint32_t n = 0;

	if (v->state != VMM_RUNNING) {
		return 0;
	}
	for (unsigned i = 0; i < v->info->vcpus; i++) {
		n += v->vcpu[i].running;
	}
	return n;
}

void control_init(struct control *c, struct vmm *v)
{
	*c = (struct control){.v = v};
}

bool control_stale(const struct control *c)
{
	return !c->reported || c->state != state_of(c->v) ||
	       c->running != running_of(c->v);
}

static void do_pause(struct vmm *v)
{
	const char *name = v->info->name;

	if (v->state != VMM_RUNNING) {
		vmm_log("domain %s is %s: nothing to pause", name,
			v->state == VMM_PAUSED ? "paused already" : "off");
		return;
	}
	guest_pause(v);
	vmm_log("domain %s paused: the console asked; its vCPUs are "
		"suspended until 'resume'",
		name);
}

static void do_resume(struct vmm *v)
{
	const char *name = v->info->name;

	if (v->state != VMM_PAUSED) {
		vmm_log("domain %s is %s: nothing to resume", name,
			v->state == VMM_RUNNING ? "running"
						: "off ('restart' boots it)");
		return;
	}
	guest_resume(v);
	vmm_log("domain %s resumed: the console asked", name);
}

/* guest_restart says "domain NAME restarts: why" itself. */
static void do_restart(struct vmm *v)
{
	if (guest_restart(v, "the console asked") != 0) {
		vmm_log("domain %s could not restart: it is off",
			v->info->name);
	}
}

static void carry_out(struct vmm *v, uint32_t command)
{
	switch (command) {
	case DOMAINCTL_PAUSE:
		do_pause(v);
		break;
	case DOMAINCTL_RESUME:
		do_resume(v);
		break;
	case DOMAINCTL_RESTART:
		do_restart(v);
		break;
	default:
		vmm_log("the console asked for command %u, which this VMM "
			"does not know; ignored",
			command);
		break;
	}
}

/*
 * One report; the console's answer, or DOMAINCTL_NONE if the call failed or
 * the console refused the report (said once: it would refuse every one).
 * Called directly, not through console_client.h, whose state is main.c's.
 */
static uint32_t report(struct control *c)
{
	uint32_t command = DOMAINCTL_NONE, status = DOMAINCTL_OK;
	long e;

	c->state = state_of(c->v);
	c->running = running_of(c->v);
	c->reported = true;
	e = ConsoleIO_domain(VMM_SLOT_CONSOLE, c->state, c->running,
			     c->v->info->vcpus, &command, &status);
	if ((e != 0 || status != DOMAINCTL_OK) && !c->refused) {
		c->refused = true;
		vmm_log("the console did not take our report on domain %s "
			"(call %ld, status %u): its shell cannot control it",
			c->v->info->name, e, status);
	}
	return e == 0 && status == DOMAINCTL_OK ? command : DOMAINCTL_NONE;
}

void control_sync(struct control *c)
{
	uint32_t command;

	while ((command = report(c)) != DOMAINCTL_NONE) {
		carry_out(c->v, command);
	}
}
