/*
 * The console server: owns the PL011 (its device frame and interrupt),
 * multiplexes every client's output a line at a time with its name, routes
 * input to the focused client (Ctrl-A three times moves the focus), and runs
 * the control shell. One thread: it receives clients' read calls on its
 * endpoint, and on the doorbell notification bound to its TCB the UART's
 * interrupt (bit 0) and clients' "my ring has output" (bit 1), so it never
 * blocks on anything but that receive.
 */
#include "console_gen.h"

#include "console.h" /* needs the generated header first */
#include "pl011.h"
#include "ring.h"
#include "txq.h"

#include <libcairn/audit.h>
#include <libcairn/invoke.h>
#include <libcairn/ipc.h>
#include <libcairn/start.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static struct console con;
static bool line_open; /* the cursor is not at the start of a line */

/* ---- output ---- */

/*
 * Everything the console prints goes through one transmit queue, pumped
 * into the UART's FIFO as it has room; while bytes wait, the UART's
 * transmit interrupt (on the doorbell's bit 0, like receive) pumps again.
 * Client lines enter it only while it has room for a whole line and a
 * redrawn prompt (console_flush), so a slow UART backs up into the
 * clients' own line queues, where a flood loses its own lines. Only the
 * shell's own output waits for room, spinning, if it overfills the queue.
 */
static struct txq tx;
static bool tx_irq_on;

static bool uart_ready(void *ctx)
{
	return pl011_tx_ready(ctx);
}

static void uart_send(void *ctx, char c)
{
	pl011_tx_write(ctx, c);
}

static const struct txq_device uart_dev = {uart_ready, uart_send,
					   (void *)CONSOLE_UART_IPA};

static void uart_pump(void)
{
	txq_pump(&tx, &uart_dev);
	if (tx_irq_on != !txq_empty(&tx)) { /* an MMIO write only on change */
		tx_irq_on = !tx_irq_on;
		pl011_tx_interrupt(con.uart, tx_irq_on);
	}
}

static void uart_put(char c)
{
	while (!txq_put(&tx, c)) {
		txq_pump(&tx, &uart_dev);
	}
}

static void uart_puts(const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\n') {
			uart_put('\r');
		}
		uart_put(*s);
		line_open = *s != '\n';
	}
	uart_pump();
}

void console_drain_output(struct console *c)
{
	(void)c;
	while (!txq_empty(&tx)) {
		txq_pump(&tx, &uart_dev);
	}
}

void console_printf(struct console *c, const char *fmt, ...)
{
	char buf[320]; /* the longest audit difference fits */
	va_list ap;

	(void)c;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	uart_puts(buf);
}

/*
 * The screen's last line says who has the keyboard: the shell's prompt
 * with what was typed so far, or, while a client has it, a line naming
 * that client. bottom_stale: it must be drawn again (the focus moved);
 * in_command: a command is printing, and its prompt comes at its end.
 */
static bool bottom_stale, in_command;

static void draw_bottom(struct console *c)
{
	char text[MUX_LINE_MAX];

	if (mux_focus_line(&c->mux, text, sizeof(text)) > 0) {
		uart_puts(text);
	} else {
		shell_redraw(&c->shell);
	}
	bottom_stale = false;
}

/*
 * Clients' complete lines, round robin, until none is pending. They go
 * above the last line (the prompt, or whose the keyboard is): it is
 * cleared ("\r" ESC[K) and drawn again after them, so typing is never
 * broken up by output.
 */
void console_flush(struct console *c)
{
	char line[MUX_LINE_MAX + 64];
	bool wrote = false;

	/* Room for the line (2 bytes per char at worst: "\n" becomes
	 * "\r\n"), its clearing and a redrawn prompt. */
	while (txq_room(&tx) >= 2 * (sizeof(line) + SHELL_LINE_MAX + 32) &&
	       mux_next_output(&c->mux, line, sizeof(line)) > 0) {
		if (line_open) {
			uart_puts("\r" CONSOLE_CLEAR_LINE);
		}
		uart_puts(line);
		wrote = true;
	}
	if ((wrote || bottom_stale) && !in_command) {
		if (line_open) {
			uart_puts("\r" CONSOLE_CLEAR_LINE);
		}
		draw_bottom(c);
	}
}

static void shell_print(void *ctx, const char *s)
{
	console_printf(ctx, "%s", s);
}

/* ---- clients ---- */

/*
 * A connection's badge names the client's TCB in the live audit: the
 * holder of our endpoint's cap with that badge. Names come from the kernel,
 * so a client cannot pass itself off as another.
 */
struct naming {
	uint64_t my_ep; /* our endpoint's object id */
	const char *holder;
};

static char my_name[17];

static void find_myself(const struct cairn_audit_entry *e, void *ctx)
{
	struct naming *n = ctx;

	/* We are whoever holds the UART's IRQHandler where we hold it. */
	if (e->cptr == CONSOLE_UART_IRQ &&
	    strcmp(cairn_object_type_name(e->type), "irq_handler") == 0) {
		memcpy(my_name, e->holder, sizeof(my_name));
		n->holder = my_name;
	}
}

static void find_my_ep_object(const struct cairn_audit_entry *e, void *ctx)
{
	struct naming *n = ctx;

	if (n->holder != NULL && strcmp(e->holder, n->holder) == 0 &&
	    e->cptr == CONSOLE_SLOT_IO) {
		n->my_ep = e->object;
	}
}

static void add_client(const struct cairn_audit_entry *e, void *ctx)
{
	struct naming *n = ctx;

	if (e->object != n->my_ep || e->badge == 0 ||
	    e->badge >= CONSOLE_MAX_BADGES) {
		return;
	}
	int idx = mux_add_client(&con.mux, e->holder);
	if (idx > 0) {
		con.client_of_badge[e->badge] = (uint8_t)idx;
		con.badge_of_client[idx] = (uint8_t)e->badge;
		/* The spec maps connection n's ring at window + n * size. */
		con.ring[idx] =
		    (struct console_ring *)((char *)CONSOLE_DATAPORT_IO +
					    e->badge *
						CONSOLE_DATAPORT_IO_SIZE);
	}
}

static void discover_clients(void)
{
	struct naming n = {0};

	cairn_audit_walk(con.audit, find_myself, &n);
	cairn_audit_walk(con.audit, find_my_ep_object, &n);
	cairn_audit_walk(con.audit, add_client, &n);
}

static uint64_t caller_badge;

static const char *fault_kind(uint64_t label)
{
	switch (label) {
	case CAIRN_FAULT_CAP:
		return "a capability fault";
	case CAIRN_FAULT_UNKNOWN_SYSCALL:
		return "an unknown system call";
	case CAIRN_FAULT_USER_EXCEPTION:
		return "an exception";
	case CAIRN_FAULT_VM:
		return "a memory fault";
	default:
		return "a fault";
	}
}

/* Says once per change how much a client lost to a full ring. */
static void report_ring_drops(unsigned i, const struct console_ring *r)
{
	uint32_t dropped = __atomic_load_n(&r->dropped, __ATOMIC_RELAXED);
	char text[MUX_LINE_MAX];

	if (dropped != con.ring_dropped[i]) {
		snprintf(text, sizeof(text),
			 "[%s: %u bytes dropped: its output ring was full]",
			 con.mux.client[i].name, dropped - con.ring_dropped[i]);
		con.ring_dropped[i] = dropped;
		mux_notice(&con.mux, MUX_LOG_WARN, text);
	}
}

/* Flags client i's ring once if it cannot be read (a bad index). */
static void report_broken_ring(unsigned i)
{
	char text[MUX_LINE_MAX];

	if (!con.ring_broken[i]) {
		snprintf(text, sizeof(text),
			 "[%s: its output ring is corrupt; ignored]",
			 con.mux.client[i].name);
		con.ring_broken[i] = true;
		mux_notice(&con.mux, MUX_LOG_ERROR, text);
	}
}

/* Up to max bytes of client i's budget from its ring into the mux; true
 * if some budget is left. */
static bool drain_chunk(unsigned i, char *chunk, size_t max, long *budget)
{
	long n;

	if (*budget <= 0) {
		return false;
	}
	n = ring_take(con.ring[i], CONSOLE_DATAPORT_IO_SIZE, chunk,
		      (size_t)*budget < max ? (size_t)*budget : max);
	if (n <= 0) {
		*budget = 0;
		return false;
	}
	mux_write(&con.mux, i, chunk, (size_t)n);
	*budget -= n;
	return *budget > 0;
}

/*
 * Takes what each ring held on entry, one chunk per client in turn,
 * transmitting as it goes: a ring full of lines cannot overrun the client's
 * line queue, and no client waits for another's whole ring. Bytes written
 * after entry wait for the next doorbell: the client signals after writing
 * them, and the doorbell word was cleared before we got here, so that
 * signal is still to come. (Today only the boot CPU runs threads and no client
 * outranks us, so none can write meanwhile; once threads run on several
 * CPUs, draining them too would let a client keep us from the UART.)
 */
static void drain_rings(void)
{
	char chunk[MUX_LINE_MAX];
	long budget[MUX_MAX_CLIENTS] = {0};
	unsigned count = mux_client_count(&con.mux);
	bool more = false;

	for (unsigned i = 1; i < count; i++) {
		if (con.ring[i] == NULL) {
			continue;
		}
		budget[i] = ring_pending(con.ring[i], CONSOLE_DATAPORT_IO_SIZE);
		if (budget[i] < 0) {
			report_broken_ring(i);
		}
		report_ring_drops(i, con.ring[i]);
		more |= budget[i] > 0;
	}
	while (more) {
		more = false;
		for (unsigned i = 1; i < count; i++) {
			more |=
			    drain_chunk(i, chunk, sizeof(chunk), &budget[i]);
		}
		console_flush(&con);
	}
	console_flush(&con);
}

static uint32_t io_read(char *text)
{
	unsigned client = caller_badge < CONSOLE_MAX_BADGES
			      ? con.client_of_badge[caller_badge]
			      : 0;
	if (client == 0) {
		return 0;
	}
	mux_set_interactive(&con.mux, client);
	return (uint32_t)mux_read_input(&con.mux, client, text, 64);
}

/* A VMM's report on its domain; the answer is the next command the shell
 * queued for it (domains.c). */
static uint32_t io_domain(uint32_t state, uint32_t vcpus_running,
			  uint32_t vcpus, uint32_t *command)
{
	unsigned client = caller_badge < CONSOLE_MAX_BADGES
			      ? con.client_of_badge[caller_badge]
			      : 0;

	return domains_report(&con.domains, client, state, vcpus_running, vcpus,
			      command);
}

/* The IOMMU server's report on a device or a fault (iommus.c), heard only
 * from the client the live audit names "iommu". */
static uint32_t io_iommu(uint32_t what, const char *client, const uint64_t *v,
			 const char *text)
{
	unsigned caller = caller_badge < CONSOLE_MAX_BADGES
			      ? con.client_of_badge[caller_badge]
			      : 0;

	return iommus_report(&con.iommus,
			     caller != 0 ? con.mux.client[caller].name : NULL,
			     what, client, v, text);
}

static const struct ConsoleIO_impl io = {
    .read = io_read, .domain = io_domain, .iommu = io_iommu};

/*
 * A fault of a client that made us its fault handler (a VMM: its badge
 * carries CONSOLE_FAULT_BADGE): said once, at error level, and never
 * answered, so the client stays stopped (our next Recv abandons the Call,
 * which leaves a faulted thread inactive) and whatever depended on it, a
 * domain's vCPUs, with it. Nothing else stops.
 */
static void report_fault(const struct cairn_recv *in)
{
	unsigned badge = (unsigned)(in->badge & ~CONSOLE_FAULT_BADGE);
	unsigned client =
	    badge < CONSOLE_MAX_BADGES ? con.client_of_badge[badge] : 0;
	const char *name = client != 0 ? con.mux.client[client].name : "?";
	char text[MUX_LINE_MAX];

	snprintf(text, sizeof(text),
		 "[%s faulted (%s at pc 0x%lx, address 0x%lx): it is stopped, "
		 "and its domain with it; the rest goes on]",
		 name, fault_kind(CAIRN_MSGINFO_LABEL(in->info)), in->mr[0],
		 in->mr[1]);
	mux_notice(&con.mux, MUX_LOG_ERROR, text);
}

/* ---- input ---- */

/*
 * Wakes every client with typed input waiting: the spec gives us a cap to
 * each connection's wake notification at CONSOLE_SLOT_IO_PEERS + badge.
 * A client waiting in console_client_wait_input() then reads it.
 */
static void wake_readers(void)
{
	for (unsigned i = 1; i < mux_client_count(&con.mux); i++) {
		if (con.mux.client[i].input_len > 0) {
			cairn_signal(CONSOLE_SLOT_IO_PEERS +
				     con.badge_of_client[i]);
		}
	}
}

/*
 * Clears the receive interrupt, then empties the FIFO. In that order, a
 * character arriving after the last read raises the interrupt again;
 * cleared after, its interrupt would be lost. QEMU's PL011 raises it only
 * when the FIFO goes from empty to one character, so a FIFO left non-empty
 * with the interrupt clear would never interrupt again.
 */
static void uart_take_input(void)
{
	int ch;

	pl011_clear_rx(con.uart);
	while ((ch = pl011_getc(con.uart)) >= 0) {
		unsigned focus = con.mux.focus;
		if (mux_input(&con.mux, (char)ch) == MUX_TO_SHELL) {
			in_command = true; /* Enter may run one */
			shell_feed(&con.shell, (char)ch);
			in_command = false;
		}
		bottom_stale |= con.mux.focus != focus;
	}
	wake_readers();
}

/* Receive, or room in the transmit FIFO: the same interrupt line. */
static void uart_interrupt(void)
{
	uart_take_input();
	uart_pump();
	cairn_irq_handler_ack(CONSOLE_UART_IRQ);
}

/* ---- the shell's commands ---- */

static void do_ps(void *ctx, int argc, char **argv)
{
	(void)argc, (void)argv;
	cmd_ps(ctx);
}

static void do_caps(void *ctx, int argc, char **argv)
{
	(void)argc;
	cmd_caps(ctx, argv[1]);
}

static void do_audit(void *ctx, int argc, char **argv)
{
	(void)argv;
	cmd_audit(ctx, argc > 1); /* the shell let only --jsonl through */
}

static void do_stats(void *ctx, int argc, char **argv)
{
	(void)argc, (void)argv;
	cmd_stats(ctx);
}

static void do_log(void *ctx, int argc, char **argv)
{
	struct console *c = ctx;

	if (argc > 1) {
		c->mux.level = (unsigned)shell_log_level(argv[1]);
	}
	console_printf(c, "log level: %s%s\n", shell_log_name(c->mux.level),
		       argc > 1 ? ""
				: " (of error, warn, info, debug; 'log LEVEL' "
				  "sets it)");
}

/* `domain NAME ACTION` queued a command: the VMM takes it when woken, on
 * the same wake notification as typed input. */
static void do_domain(void *ctx, int argc, char **argv)
{
	struct console *c = ctx;
	unsigned client =
	    domains_command(&c->domains, argc, argv, shell_print, c);

	if (client != 0) {
		cairn_signal(CONSOLE_SLOT_IO_PEERS +
			     c->badge_of_client[client]);
	}
}

static void do_iommu(void *ctx, int argc, char **argv)
{
	struct console *c = ctx;

	iommus_command(&c->iommus, argc, argv, shell_print, c);
}

static void do_poweroff(void *ctx, int argc, char **argv)
{
	(void)argc, (void)argv;
	cmd_power(ctx, false);
}

static void do_reboot(void *ctx, int argc, char **argv)
{
	(void)argc, (void)argv;
	cmd_power(ctx, true);
}

struct offer_name {
	void (*offer)(void *arg, const char *name);
	void *arg;
};

static void offer_thread(const struct cairn_thread_entry *t, void *ctx)
{
	struct offer_name *o = ctx;

	o->offer(o->arg, t->name);
}

/* Tab after `caps `: the threads `ps` lists, the names `caps` takes. */
static void thread_names(void *ctx, void (*offer)(void *arg, const char *name),
			 void *arg)
{
	struct console *c = ctx;
	struct offer_name o = {offer, arg};

	cairn_audit_threads(c->audit, offer_thread, &o);
}

/* Tab after `domain `: the clients that reported as domains. */
static void domain_names(void *ctx, void (*offer)(void *arg, const char *name),
			 void *arg)
{
	struct console *c = ctx;

	domains_names(&c->domains, offer, arg);
}

static const struct shell_ops ops = {
    .ps = do_ps,
    .caps = do_caps,
    .audit = do_audit,
    .stats = do_stats,
    .log = do_log,
    .poweroff = do_poweroff,
    .reboot = do_reboot,
    .domain = do_domain,
    .iommu = do_iommu,
    .names = thread_names,
    .domain_names = domain_names,
};

/* ---- start and loop ---- */

static int start(void)
{
	con.uart = (volatile uint32_t *)CONSOLE_UART_IPA;
	con.audit = CONSOLE_AUDIT;
	con.power = CONSOLE_POWER;
	mux_init(&con.mux);
	domains_init(&con.domains, &con.mux);
	iommus_init(&con.iommus);
	con.mux.colour = (cairn_start_flags & CAIRN_BOOT_COLOUR) != 0;
	discover_clients();
	if (cairn_tcb_bind_notification(CONSOLE_SLOT_SELF,
					CONSOLE_SLOT_IO_DOORBELL)
		    .error != CAIRN_OK ||
	    cairn_irq_handler_set_notification(CONSOLE_UART_IRQ,
					       CONSOLE_SLOT_IO_DOORBELL)
		    .error != CAIRN_OK) {
		console_printf(&con, "console: cannot take the UART's "
				     "interrupt: grant caps = [\"uart\", "
				     "\"audit\", \"power\"]\n");
		return -1;
	}
	txq_init(&tx);
	pl011_start(con.uart);
	shell_init(&con.shell, &ops, shell_print, &con);
	console_printf(&con,
		       "console: %u client%s; Ctrl-A three times "
		       "switches the input\n",
		       mux_client_count(&con.mux) - 1,
		       mux_client_count(&con.mux) == 2 ? "" : "s");
	shell_prompt(&con.shell);
	return 0;
}

int main(void)
{
	struct cairn_recv in;
	struct cairn_msg out;

	if (start() != 0) {
		return 1;
	}
	cairn_recv(CONSOLE_SLOT_IO, CONSOLE_SLOT_IO_REPLY, &in);
	for (;;) {
		/* Label 0: our bound doorbell, not a call; badge = its word. */
		if (CAIRN_MSGINFO_LABEL(in.info) == 0) {
			if (in.badge & CONSOLE_DOORBELL_UART) {
				uart_interrupt();
			}
			drain_rings(); /* also flushes */
			cairn_recv(CONSOLE_SLOT_IO, CONSOLE_SLOT_IO_REPLY, &in);
			continue;
		}
		if (in.badge & CONSOLE_FAULT_BADGE) {
			report_fault(&in);
			console_flush(&con);
			cairn_recv(CONSOLE_SLOT_IO, CONSOLE_SLOT_IO_REPLY, &in);
			continue;
		}
		caller_badge = in.badge;
		ConsoleIO_handle(&io, &in, &out, 0);
		console_flush(&con);
		cairn_reply_recv(CONSOLE_SLOT_IO, CONSOLE_SLOT_IO_REPLY, &out,
				 &in);
	}
}
