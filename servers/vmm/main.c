/*
 * The VMM of one guest domain. It waits on its domain's exits endpoint,
 * whose badge names the vCPU, and on its console wake notification (bound
 * to its own TCB, so a key typed for the guest, or a command the console's
 * shell queued for the domain, wakes the same Recv); it answers each exit
 * with one ReplyRecv. What the tools told it about its domain is the info
 * page (domain_info.h). The console hears the domain's state after boot,
 * on every wake and after every exit that changed it (control.c).
 */
#include "vmm_gen.h"

#include "console_client.h" /* after the generated header */
#include "control.h"
#include "vmm.h"

#include <libcairn/invoke.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/*
 * The guest's output and ours share the connection's line buffer
 * (console_client.h): a line of ours written while the guest is mid-line
 * would be glued to the guest's text ("tick 1vmm: domain ... paused"). So
 * the guest's partial line is held aside while ours goes out whole, and
 * then continues where it was.
 */
void vmm_log(const char *fmt, ...)
{
	char held[CONSOLE_CLIENT_LINE];
	unsigned n = console_client_len;
	va_list ap;

	memcpy(held, console_client_buf, n);
	console_client_len = 0;
	printf("vmm: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	memcpy(console_client_buf, held, n);
	console_client_len = n;
}

static const struct vmm_info *read_info(void)
{
	const struct vmm_info *in = (const struct vmm_info *)VMM_INFO_IPA;

	if (memcmp(in->magic, VMM_INFO_MAGIC, 8) != 0 ||
	    in->version != VMM_INFO_VERSION || in->vcpus == 0 ||
	    in->vcpus > VMM_INFO_VCPUS) {
		vmm_log("no valid domain description at 0x%lx: built by "
			"another version of the tools?",
			VMM_INFO_IPA);
		return NULL;
	}
	return in;
}

/* Keys typed while the guest had the console's focus go to its UART. */
static void console_input(struct vmm *v)
{
	char buf[65];
	uint32_t n = console_client_read(buf);

	for (uint32_t k = 0; k < n && v->rx_count < sizeof(v->rx_pending);
	     k++) {
		v->rx_pending[v->rx_count++] = (uint8_t)buf[k];
	}
	guest_uart_feed(v);
}

static bool is_exit(const struct vmm *v, const struct cairn_recv *in)
{
	uint64_t label = CAIRN_MSGINFO_LABEL(in->info);

	return in->badge >= 1 && in->badge <= v->info->vcpus &&
	       label >= CAIRN_FAULT_VM_DATA_ABORT &&
	       label <= CAIRN_FAULT_VM_EOI;
}

/* The time an exit of in's kind took to answer, for the counters. */
static void count_time(struct vmm *v, const struct cairn_recv *in,
		       uint64_t ticks)
{
	switch (CAIRN_MSGINFO_LABEL(in->info)) {
	case CAIRN_FAULT_VM_DATA_ABORT:
		v->n.ticks_mmio += ticks;
		break;
	case CAIRN_FAULT_VM_HVC:
		v->n.ticks_hvc += ticks;
		break;
	case CAIRN_FAULT_VM_SYSREG:
		v->n.ticks_sysreg += ticks;
		break;
	default:
		break;
	}
	v->n.ticks += ticks;
}

/*
 * vCPU i's exit. When its handling changed the domain's state (SYSTEM_OFF,
 * SYSTEM_RESET, a vCPU started or stopped), the console hears of it; the
 * vCPU is answered first (Send on the Reply), so a pause the console
 * answers with never suspends a vCPU whose reply is still owed. Returns
 * whether the reply is still to be sent.
 */
static bool exit_and_report(struct control *ctl, unsigned i,
			    const struct cairn_recv *in, struct cairn_msg *out)
{
	bool answer = exit_handle(ctl->v, i, in, out);

	if (!control_stale(ctl)) {
		return answer;
	}
	if (answer) {
		cairn_send(ctl->v->info->reply, out);
	}
	control_sync(ctl);
	return false;
}

static void serve(struct vmm *v, struct control *ctl)
{
	const struct vmm_info *info = v->info;
	struct cairn_recv in;
	struct cairn_msg out;
	bool answer = false;

	for (;;) {
		if (answer) {
			cairn_reply_recv(info->exits, info->reply, &out, &in);
		} else {
			cairn_recv(info->exits, info->reply, &in);
		}
		answer = false;
#ifdef VMM_TEST_FAULT
		if (v->n.exits == VMM_TEST_FAULT) {
			/* The test build's planned death: a store to address 0,
			 * which nothing maps, so the kernel reports our fault.
			 */
			*(volatile uint64_t *)0 = v->n.exits;
		}
#endif
		if (is_exit(v, &in)) {
			uint64_t t = cairn_counter();
			answer = exit_and_report(ctl, (unsigned)in.badge - 1,
						 &in, &out);
			count_time(v, &in, cairn_counter() - t);
		} else if (CAIRN_MSGINFO_LABEL(in.info) == 0) {
			/* Our wake notification: typed input, or a command
			 * the console queued; either way it may ask. */
			console_input(v);
			control_sync(ctl);
		}
	}
}

int main(void)
{
	static struct vmm vmm;
	static struct control ctl;

	CONSOLE_CLIENT_INIT(VMM, CONSOLE);
	const struct vmm_info *info = read_info();
	if (info == NULL || guest_setup(&vmm, info) != 0) {
		return 1;
	}
	struct cairn_result r =
	    cairn_tcb_bind_notification(VMM_SLOT_SELF, VMM_SLOT_CONSOLE_WAKE);
	if (r.error != CAIRN_OK) {
		vmm_log("binding the console's wake notification: %s",
			cairn_error_name(r.error));
		return 1;
	}
	char none[65];
	console_client_read(none); /* joins the console's focus cycle */
	if (guest_boot(&vmm) != 0) {
		vmm_log("domain %s could not start", info->name);
	}
	control_init(&ctl, &vmm);
	control_sync(&ctl); /* the console learns of the domain */
	serve(&vmm, &ctl);
}
