/*
 * The VMM of one guest domain. It waits on its domain's exits endpoint,
 * whose badge names the vCPU, and on its console wake notification (bound
 * to its own TCB, so a key typed for the guest wakes the same Recv); it
 * answers each exit with one ReplyRecv. What the tools told it about its
 * domain is the info page (domain_info.h).
 */
#include "vmm_gen.h"

#include "console_client.h" /* after the generated header */
#include "vmm.h"

#include <libcairn/invoke.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void vmm_log(const char *fmt, ...)
{
	va_list ap;

	printf("vmm: ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
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
	       label <= CAIRN_FAULT_VM_OTHER;
}

static void serve(struct vmm *v)
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
			answer =
			    exit_handle(v, (unsigned)in.badge - 1, &in, &out);
		} else if (CAIRN_MSGINFO_LABEL(in.info) == 0) {
			console_input(v); /* our wake notification */
		}
	}
}

int main(void)
{
	static struct vmm vmm;

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
	serve(&vmm);
}
