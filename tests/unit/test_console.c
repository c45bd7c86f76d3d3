/* The console server's portable logic: output multiplexing, input focus,
 * the shell's parsing and messages, the guest domains and their commands,
 * the audit diff. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "auditdiff.h"
#include "domains.h"
#include "iommus.h"
#include "mux.h"
#include "shell.h"

static struct mux m;
static char out[4096];

static int setup(void **state)
{
	(void)state;
	mux_init(&m);
	out[0] = '\0';
	return 0;
}

static const char *next_line(void)
{
	static char line[256];
	return mux_next_output(&m, line, sizeof(line)) ? line : "";
}

static void test_lines_are_whole_and_named(void **state)
{
	(void)state;
	int a = mux_add_client(&m, "alice"), b = mux_add_client(&m, "bob");
	mux_write(&m, a, "hel", 3);
	mux_write(&m, b, "one\n", 4);
	mux_write(&m, a, "lo\ntail", 7);
	assert_string_equal(next_line(), "alice: hello\n");
	assert_string_equal(next_line(), "bob: one\n");
	assert_string_equal(next_line(), ""); /* "tail" waits for its end */
	mux_write(&m, a, "\n", 1);
	assert_string_equal(next_line(), "alice: tail\n");
}

static void test_colour_names(void **state)
{
	(void)state;
	int a = mux_add_client(&m, "alice");
	m.colour = true;
	mux_write(&m, a, "hi\n", 3);
	assert_string_equal(next_line(), "\x1b[32malice\x1b[0m: hi\n");
}

static void test_log_level_filters_the_consoles_notices(void **state)
{
	(void)state;
	int a = mux_add_client(&m, "alice");
	m.level = MUX_LOG_DEBUG;
	mux_set_interactive(&m, a);
	assert_string_equal(next_line(), "[console: alice takes input]\n");
	m.level = MUX_LOG_ERROR;
	mux_set_interactive(&m, mux_add_client(&m, "bob"));
	assert_string_equal(next_line(), ""); /* debug: not at error */
	for (int i = 0; i < 3; i++) {
		mux_input(&m, MUX_CTRL_A);
	}
	/* Where the keys go is said even at the quietest level. */
	assert_int_equal(m.focus, a);
	assert_string_equal(next_line(), "[console: input to alice]\n");
}

static void test_focus_line_names_who_has_the_keyboard(void **state)
{
	(void)state;
	char line[MUX_LINE_MAX];
	int a = mux_add_client(&m, "alice");
	mux_set_interactive(&m, a);
	assert_int_equal(mux_focus_line(&m, line, sizeof(line)), 0);
	for (int i = 0; i < 3; i++) {
		mux_input(&m, MUX_CTRL_A);
	}
	assert_int_not_equal(mux_focus_line(&m, line, sizeof(line)), 0);
	assert_string_equal(
	    line, "[alice has the keyboard; Ctrl-A three times moves it]");
	m.colour = true; /* reverse video on a terminal */
	mux_focus_line(&m, line, sizeof(line));
	assert_memory_equal(line, "\x1b[7m[alice", 10);
	for (int i = 0; i < 3; i++) {
		mux_input(&m, MUX_CTRL_A);
	}
	assert_int_equal(mux_focus_line(&m, line, sizeof(line)), 0);
}

static void test_room_for_every_connection(void **state)
{
	(void)state;
	char name[8];
	/* A 63-client system: the spec's most connections to one provider. */
	for (int i = 1; i < MUX_MAX_CLIENTS; i++) {
		snprintf(name, sizeof(name), "c%d", i);
		assert_int_equal(mux_add_client(&m, name), i);
	}
	assert_int_equal(MUX_MAX_CLIENTS, 64);
	assert_int_equal(mux_add_client(&m, "extra"), -1);
	mux_write(&m, 63, "last\n", 5);
	assert_string_equal(next_line(), "c63: last\n");
}

static void test_round_robin_fairness(void **state)
{
	(void)state;
	int f = mux_add_client(&m, "flood"), a = mux_add_client(&m, "alice");
	for (int i = 0; i < 5; i++) {
		mux_write(&m, f, "x\n", 2);
	}
	mux_write(&m, a, "mine\n", 5);
	assert_string_equal(next_line(), "flood: x\n");
	assert_string_equal(next_line(), "alice: mine\n"); /* after one */
}

static void test_full_queue_drops_and_says_so(void **state)
{
	(void)state;
	int f = mux_add_client(&m, "flood");
	for (int i = 0; i < MUX_QUEUE_LINES + 3; i++) {
		mux_write(&m, f, "x\n", 2);
	}
	assert_int_equal(m.client[f].dropped, 3);
	for (int i = 0; i < MUX_QUEUE_LINES; i++) {
		next_line();
	}
	mux_write(&m, f, "after\n", 6);
	assert_string_equal(next_line(), "[flood: 3 lines dropped]\n");
	assert_string_equal(next_line(), "flood: after\n");
}

static void test_long_lines_are_cut(void **state)
{
	(void)state;
	char big[MUX_LINE_MAX + 10];
	int a = mux_add_client(&m, "a");
	memset(big, 'y', sizeof(big));
	mux_write(&m, a, big, sizeof(big));
	mux_write(&m, a, "\n", 1);
	assert_int_equal(strlen(next_line()), 3 + MUX_LINE_MAX + 1);
	assert_int_equal(strlen(next_line()), 3 + 10 + 1);
}

static void test_ctrl_a_three_times_cycles_interactive_clients(void **state)
{
	(void)state;
	int a = mux_add_client(&m, "alice");
	mux_add_client(&m, "quiet"); /* never asked for input */
	int b = mux_add_client(&m, "bob");
	char buf[16];
	mux_set_interactive(&m, a);
	mux_set_interactive(&m, b);
	assert_int_equal(mux_input(&m, 'x'), MUX_TO_SHELL);
	for (int i = 0; i < 3; i++) {
		mux_input(&m, MUX_CTRL_A);
	}
	assert_string_equal(next_line(), "[console: input to alice]\n");
	assert_int_equal(mux_input(&m, 'h'), MUX_CONSUMED);
	assert_int_equal(mux_read_input(&m, a, buf, sizeof(buf)), 1);
	assert_int_equal(mux_read_input(&m, b, buf, sizeof(buf)), 0);
	for (int i = 0; i < 3; i++) {
		mux_input(&m, MUX_CTRL_A);
	}
	assert_string_equal(next_line(), "[console: input to bob]\n");
	for (int i = 0; i < 3; i++) {
		mux_input(&m, MUX_CTRL_A);
	}
	assert_string_equal(next_line(), "[console: input to shell]\n");
}

static void test_one_or_two_ctrl_a_are_input(void **state)
{
	(void)state;
	int a = mux_add_client(&m, "alice");
	char buf[16];
	mux_set_interactive(&m, a);
	for (int i = 0; i < 3; i++) {
		mux_input(&m, MUX_CTRL_A);
	}
	next_line();
	mux_input(&m, MUX_CTRL_A);
	mux_input(&m, MUX_CTRL_A);
	mux_input(&m, 'z');
	assert_int_equal(mux_read_input(&m, a, buf, sizeof(buf)), 3);
	assert_memory_equal(buf, "\x01\x01z", 3);
	assert_int_equal(m.focus, a);
}

/* ---- shell ---- */

static void print(void *ctx, const char *s)
{
	(void)ctx;
	strncat(out, s, sizeof(out) - strlen(out) - 1);
}

static char ran[64];

static void record(void *ctx, int argc, char **argv)
{
	(void)ctx;
	snprintf(ran, sizeof(ran), "%s/%d/%s", argv[0], argc,
		 argc > 1 ? argv[1] : "");
}

static void names(void *ctx, void (*offer)(void *arg, const char *name),
		  void *arg)
{
	(void)ctx;
	offer(arg, "alice");
	offer(arg, "bob");
	offer(arg, "root");
}

static void domain_names(void *ctx, void (*offer)(void *arg, const char *name),
			 void *arg)
{
	(void)ctx;
	offer(arg, "guest0");
	offer(arg, "guest1");
	offer(arg, "web");
}

static const struct shell_ops ops = {record, record, record,	  record,
				     record, record, record,	  record,
				     record, names,  domain_names};

static void type(struct shell *sh, const char *s)
{
	out[0] = '\0';
	ran[0] = '\0';
	for (; *s; s++) {
		shell_feed(sh, *s);
	}
}

static void test_shell_runs_and_checks_commands(void **state)
{
	(void)state;
	struct shell sh;
	shell_init(&sh, &ops, print, NULL);
	type(&sh, "caps  alice\r");
	assert_string_equal(ran, "caps/2/alice");
	assert_string_equal(out, "caps  alice\n" SHELL_PROMPT);
	type(&sh, "log\r"); /* no level: the command shows the current one */
	assert_string_equal(ran, "log/1/");
	type(&sh, "log warn\r");
	assert_string_equal(ran, "log/2/warn");
	type(&sh, "audit --jsonl\r");
	assert_string_equal(ran, "audit/2/--jsonl");
	type(&sh, "frob\r");
	assert_non_null(strstr(out, "unknown command 'frob': try 'help'\n"));
	type(&sh, "help\r");
	assert_non_null(
	    strstr(out, "  poweroff               switch the machine off\n"));
	assert_non_null(
	    strstr(out, "  audit [--jsonl]        diff the live audit"));
	assert_non_null(strstr(out, "  domain [NAME [ACTION]] list the guest "
				    "domains or show one; ACTION pause, "
				    "resume or restart"));
	type(&sh, "domain\r");
	assert_string_equal(ran, "domain/1/");
	type(&sh, "domain guest0\r");
	assert_string_equal(ran, "domain/2/guest0");
	type(&sh, "domain guest0 restart\r");
	assert_string_equal(ran, "domain/3/guest0");
	type(&sh, "iommu\r");
	assert_string_equal(ran, "iommu/1/");
	type(&sh, "iommu faults\r");
	assert_string_equal(ran, "iommu/2/faults");
	type(&sh, "help\r");
	assert_non_null(strstr(out, "  iommu [faults]         the IOMMU "
				    "server's clients"));
}

/* Each wrong use says what is wrong with it, and runs nothing. */
static void test_shell_argument_errors(void **state)
{
	(void)state;
	static const struct {
		const char *typed, *said;
	} cases[] = {
	    {"caps\r", "caps: takes one argument, a thread name (none "
		       "given); usage: caps NAME\n"},
	    {"caps alice bob\r", "caps: takes one argument, a thread name "
				 "(2 given); usage: caps NAME\n"},
	    {"caps 1 2 3 4 5 6 7 8 9 10\r",
	     "caps: takes one argument, a thread name (10 given); usage: "
	     "caps NAME\n"},
	    {"ps now\r", "ps: takes no arguments (1 given); usage: ps\n"},
	    {"stats a b\r", "stats: takes no arguments (2 given); usage: "
			    "stats\n"},
	    {"log a b\r", "log: takes at most one argument, a level (2 "
			  "given); usage: log [LEVEL]\n"},
	    {"log loud\r", "log: unknown level 'loud': expected one of "
			   "error, warn, info, debug\n"},
	    {"audit -x\r", "audit: unknown option '-x': expected --jsonl; "
			   "usage: audit [--jsonl]\n"},
	    {"audit --jsonl x\r", "audit: takes at most one argument, "
				  "--jsonl (2 given); usage: audit "
				  "[--jsonl]\n"},
	    {"reboot now\r", "reboot: takes no arguments (1 given); usage: "
			     "reboot\n"},
	    {"domain guest0 pause now\r",
	     "domain: takes at most two arguments, a domain name and an "
	     "action (3 given); usage: domain [NAME [ACTION]]\n"},
	    {"domain guest0 stop\r",
	     "domain: unknown action 'stop': expected one of pause, resume, "
	     "restart\n"},
	    {"domain guest0 PAUSE\r",
	     "domain: unknown action 'PAUSE': expected one of pause, "
	     "resume, restart\n"},
	    {"iommu fault\r", "iommu: unknown option 'fault': expected "
			      "faults; usage: iommu [faults]\n"},
	    {"iommu faults all\r", "iommu: takes at most one argument, "
				   "faults (2 given); usage: iommu "
				   "[faults]\n"},
	};
	struct shell sh;
	shell_init(&sh, &ops, print, NULL);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		type(&sh, cases[i].typed);
		assert_string_equal(ran, "");
		char want[200];
		snprintf(want, sizeof(want), "%s%s", cases[i].said,
			 SHELL_PROMPT);
		assert_string_equal(strchr(out, '\n') + 1, want);
	}
}

static void test_shell_backspace_edits(void **state)
{
	(void)state;
	struct shell sh;
	shell_init(&sh, &ops, print, NULL);
	type(&sh, "pz\x7fs\r");
	assert_string_equal(ran, "ps/1/");
	assert_non_null(strstr(out, "pz\b \bs"));
	type(&sh, "ps\x1b[D\x1b[Dx\r"); /* the editor's: arrows edit */
	assert_string_equal(ran, "");
	assert_non_null(strstr(out, "unknown command 'xps'"));
}

static void test_shell_tab_completes(void **state)
{
	(void)state;
	struct shell sh;
	shell_init(&sh, &ops, print, NULL);
	type(&sh, "ca\tb\t\r"); /* command, then a thread name */
	assert_string_equal(ran, "caps/2/bob");
	type(&sh, "log d\t\r");
	assert_string_equal(ran, "log/2/debug");
	type(&sh, "audit \t\r");
	assert_string_equal(ran, "audit/2/--jsonl");
	type(&sh, "caps \t\t");
	assert_non_null(strstr(out, "\nalice  bob  root  \n"));
	type(&sh, "\x03r\t"); /* reboot and root are not both commands */
	assert_non_null(strstr(out, "reboot "));
	type(&sh, "\x03ps \t"); /* ps takes nothing: nothing offered */
	assert_string_equal(out, "^C\n" SHELL_PROMPT "ps \a");
}

/* After `domain `: a domain's name (not a thread's), then an action. */
static void test_shell_tab_completes_domains(void **state)
{
	(void)state;
	struct shell sh;
	shell_init(&sh, &ops, print, NULL);
	type(&sh, "do\tw\tp\t\r");
	assert_string_equal(ran, "domain/3/web");
	assert_non_null(strstr(out, "domain web pause "));
	type(&sh, "domain g\t");
	assert_non_null(strstr(out, "domain guest")); /* what both share */
	type(&sh, "\t");
	assert_non_null(strstr(out, "\nguest0  guest1  \n"));
	type(&sh, "0 re\t\t");
	assert_non_null(strstr(out, "\nresume  restart  \n"));
	type(&sh, "\x15"
		  "domain web pause \t"); /* nothing after the action */
	assert_string_equal(strrchr(out, 'e'), "e \a");
}

/* ---- guest domains ---- */

static struct domains doms;
static unsigned guest0, guest1;

static void domains_setup(void)
{
	mux_init(&m);
	assert_int_equal(mux_add_client(&m, "alice"), 1); /* no domain */
	guest0 = (unsigned)mux_add_client(&m, "guest0");
	guest1 = (unsigned)mux_add_client(&m, "guest1");
	domains_init(&doms, &m);
	out[0] = '\0';
}

/* `domain` split as the shell splits it; returns the client to wake. */
static unsigned domain_cmd(const char *a1, const char *a2)
{
	char *argv[] = {"domain", (char *)a1, (char *)a2};
	int argc = a1 == NULL ? 1 : a2 == NULL ? 2 : 3;

	out[0] = '\0';
	return domains_command(&doms, argc, argv, print, NULL);
}

static uint32_t dom_report(unsigned client, uint32_t state, uint32_t running,
			   uint32_t vcpus)
{
	uint32_t command = 99;
	assert_int_equal(
	    domains_report(&doms, client, state, running, vcpus, &command),
	    DOMAINCTL_OK);
	return command;
}

/* A client is a domain once it reports, and ps lists it from then on. */
static void test_domains_are_clients_that_reported(void **state)
{
	(void)state;
	domains_setup();
	assert_int_equal(domains_list(&doms, print, NULL), 0);
	assert_string_equal(out, "");
	domain_cmd(NULL, NULL);
	assert_string_equal(out, "domain: none: no VMM has reported a guest "
				 "domain to the console\n");
	assert_int_equal(dom_report(guest1, DOMAINCTL_RUNNING, 2, 2),
			 DOMAINCTL_NONE);
	assert_int_equal(dom_report(guest0, DOMAINCTL_PAUSED, 0, 1),
			 DOMAINCTL_NONE);
	out[0] = '\0';
	assert_int_equal(domains_list(&doms, print, NULL), 2);
	assert_string_equal(out, "DOMAIN           STATE      VCPUS  VMM\n"
				 "guest0           paused     0/1    guest0\n"
				 "guest1           running    2/2    guest1\n");
	domain_cmd("guest1", NULL);
	assert_string_equal(out, "DOMAIN           STATE      VCPUS  VMM\n"
				 "guest1           running    2/2    guest1\n");
	dom_report(guest1, DOMAINCTL_OFF, 0, 2);
	domain_cmd(NULL, NULL);
	assert_non_null(strstr(out, "guest1           off        0/2"));
}

/* A report from no client, or one that cannot be true, records nothing. */
static void test_domains_refuse_bad_reports(void **state)
{
	(void)state;
	uint32_t command = 7;
	domains_setup();
	assert_int_equal(domains_report(&doms, 0, 1, 1, 1, &command),
			 DOMAINCTL_NOT_A_CLIENT);
	assert_int_equal(command, DOMAINCTL_NONE);
	assert_int_equal(domains_report(&doms, 4, 1, 1, 1, &command),
			 DOMAINCTL_NOT_A_CLIENT);
	assert_int_equal(domains_report(&doms, guest0, 0, 0, 1, &command),
			 DOMAINCTL_BAD_REPORT);
	assert_int_equal(domains_report(&doms, guest0, 4, 0, 1, &command),
			 DOMAINCTL_BAD_REPORT);
	assert_int_equal(domains_report(&doms, guest0, 1, 2, 1, &command),
			 DOMAINCTL_BAD_REPORT);
	assert_int_equal(domains_list(&doms, print, NULL), 0);
}

/* Commands queue in order, each handed to the VMM with one report; the
 * shell says what it asked, and whose VMM to wake. */
static void test_domain_commands_queue_for_the_vmm(void **state)
{
	(void)state;
	domains_setup();
	dom_report(guest0, DOMAINCTL_RUNNING, 1, 1);
	assert_int_equal(domain_cmd("guest0", "pause"), guest0);
	assert_string_equal(out, "domain guest0: pause requested\n");
	assert_int_equal(domain_cmd("guest0", "resume"), guest0);
	assert_string_equal(out, "domain guest0: resume requested\n");
	assert_int_equal(dom_report(guest0, DOMAINCTL_RUNNING, 1, 1),
			 DOMAINCTL_PAUSE);
	assert_int_equal(dom_report(guest0, DOMAINCTL_PAUSED, 0, 1),
			 DOMAINCTL_RESUME);
	assert_int_equal(dom_report(guest0, DOMAINCTL_RUNNING, 1, 1),
			 DOMAINCTL_NONE);
	assert_int_equal(domain_cmd("guest0", "restart"), guest0);
	assert_string_equal(out, "domain guest0: restart requested\n");
	assert_int_equal(dom_report(guest0, DOMAINCTL_RUNNING, 1, 1),
			 DOMAINCTL_RESTART);
	/* Another domain's queue is its own. */
	dom_report(guest1, DOMAINCTL_RUNNING, 1, 1);
	domain_cmd("guest1", "pause");
	assert_int_equal(dom_report(guest0, DOMAINCTL_RUNNING, 1, 1),
			 DOMAINCTL_NONE);
	assert_int_equal(dom_report(guest1, DOMAINCTL_RUNNING, 1, 1),
			 DOMAINCTL_PAUSE);
}

/* A VMM that takes nothing: past DOMAINS_QUEUE the shell refuses. */
static void test_domain_commands_refused_when_the_queue_is_full(void **state)
{
	(void)state;
	domains_setup();
	dom_report(guest0, DOMAINCTL_RUNNING, 1, 1);
	for (unsigned i = 0; i < DOMAINS_QUEUE; i++) {
		assert_int_equal(domain_cmd("guest0", "pause"), guest0);
	}
	assert_int_equal(domain_cmd("guest0", "resume"), 0);
	assert_string_equal(out, "domain: guest0 has 4 requests its VMM has "
				 "not taken yet; refused\n");
	for (unsigned i = 0; i < DOMAINS_QUEUE; i++) {
		assert_int_equal(dom_report(guest0, DOMAINCTL_RUNNING, 1, 1),
				 DOMAINCTL_PAUSE);
	}
	assert_int_equal(dom_report(guest0, DOMAINCTL_RUNNING, 1, 1),
			 DOMAINCTL_NONE);
}

/* Names that are no domain: precise, and nothing is queued. */
static void test_domain_unknown_names(void **state)
{
	(void)state;
	domains_setup();
	dom_report(guest0, DOMAINCTL_RUNNING, 1, 1);
	assert_int_equal(domain_cmd("nobody", "pause"), 0);
	assert_string_equal(out, "domain: no domain is named 'nobody' "
				 "(domain lists them)\n");
	assert_int_equal(domain_cmd("alice", "pause"), 0);
	assert_string_equal(out, "domain: no domain is named 'alice': alice "
				 "is a console client that has not reported "
				 "as a domain's VMM (domain lists the "
				 "domains)\n");
	assert_int_equal(domain_cmd("guest1", NULL), 0); /* not reported */
	assert_non_null(strstr(out, "no domain is named 'guest1': guest1 is"));
	assert_int_equal(domain_cmd("guest0", "stop"), 0); /* shell's job */
	assert_string_equal(out, "");
	assert_int_equal(dom_report(guest0, DOMAINCTL_RUNNING, 1, 1),
			 DOMAINCTL_NONE);
}

static void offer_into_out(void *arg, const char *name)
{
	(void)arg;
	strcat(out, name);
	strcat(out, " ");
}

static void test_domain_names_and_words(void **state)
{
	(void)state;
	domains_setup();
	dom_report(guest1, DOMAINCTL_RUNNING, 1, 1);
	out[0] = '\0';
	domains_names(&doms, offer_into_out, NULL);
	assert_string_equal(out, "guest1 ");
	assert_int_equal(domains_action("pause"), DOMAINCTL_PAUSE);
	assert_int_equal(domains_action("resume"), DOMAINCTL_RESUME);
	assert_int_equal(domains_action("restart"), DOMAINCTL_RESTART);
	assert_int_equal(domains_action("none"), DOMAINCTL_NONE);
	assert_int_equal(domains_action(""), DOMAINCTL_NONE);
	assert_string_equal(domains_state_name(DOMAINCTL_PAUSED), "paused");
	assert_string_equal(domains_state_name(9), "?");
	assert_string_equal(domains_action_name(DOMAINCTL_RESTART), "restart");
}

/* ---- audit diff ---- */

static struct audit_diff d;
static unsigned reports;
static char first[256], last[256];

static void report(void *ctx, const char *line)
{
	(void)ctx;
	if (reports++ == 0) {
		snprintf(first, sizeof(first), "%s", line);
	}
	snprintf(last, sizeof(last), "%s", line);
}

static void live(const char *holder, uint64_t cptr, const char *type,
		 uint64_t object, const char *rights, uint64_t badge)
{
	struct audit_entry e = {
	    .cptr = cptr, .depth = 64, .object = object, .badge = badge};
	strcpy(e.holder, holder);
	strcpy(e.type, type);
	strcpy(e.rights, rights);
	audit_live(&d, &e);
}

static const char expected[] = "a 1 64 endpoint endpoint:s r--- 0x0\n"
			       "b 2 64 endpoint endpoint:s -wg- 0x3\n"
			       "b 3 64 frame frame:x rw-- 0x0\n";

static void load(void)
{
	reports = 0;
	first[0] = last[0] = '\0';
	assert_int_equal(
	    audit_begin(&d, expected, sizeof(expected), report, NULL), 0);
}

static void test_audit_ok(void **state)
{
	(void)state;
	load();
	live("b", 3, "frame", 7, "rw--", 0);
	live("a", 1, "endpoint", 5, "r---", 0);
	live("b", 2, "endpoint", 5, "-wg-", 3);
	assert_int_equal(audit_finish(&d), 0);
	assert_int_equal(reports, 0);
	assert_int_equal(d.nexpected, 3);
}

static void test_audit_names_missing_unexpected_inconsistent(void **state)
{
	(void)state;
	load();
	live("a", 1, "endpoint", 5, "r---", 0);
	live("b", 2, "endpoint", 6, "-wg-", 3); /* not the same endpoint */
	live("b", 4, "tcb", 9, "rwgx", 0);	/* not in the spec */
	/* Streamed: the unexpected one is said as it arrives. */
	assert_int_equal(reports, 1);
	assert_string_equal(first, "unexpected: b cptr 4 (depth 64): tcb "
				   "0000000000000009 rights rwgx");
	assert_int_equal(audit_finish(&d), 3);
	assert_int_equal(d.missing, 1);
	assert_int_equal(d.unexpected, 1);
	assert_int_equal(d.inconsistent, 1);
	assert_string_equal(last,
			    "inconsistent: b cptr 2 (depth 64): endpoint "
			    "endpoint:s rights -wg- badge 0x3: 'endpoint:s' "
			    "is object 0000000000000006 here but "
			    "0000000000000005 elsewhere");
}

static void test_audit_one_object_under_two_names(void **state)
{
	(void)state;
	load();
	live("a", 1, "endpoint", 5, "r---", 0);
	live("b", 2, "endpoint", 5, "-wg-", 3);
	live("b", 3, "frame", 5, "rw--", 0); /* frame:x is the endpoint? */
	assert_int_equal(audit_finish(&d), 1);
	assert_string_equal(last, "inconsistent: b cptr 3 (depth 64): frame "
				  "frame:x rights rw--: object "
				  "0000000000000005 is both 'endpoint:s' and "
				  "'frame:x'");
}

static void test_audit_duplicates_match_in_order(void **state)
{
	(void)state;
	static const char twice[] = "a 1 64 frame f:1 rw-- 0x0\n"
				    "a 1 64 frame f:2 rw-- 0x0\n";
	reports = 0;
	assert_int_equal(audit_begin(&d, twice, sizeof(twice), report, NULL),
			 0);
	live("a", 1, "frame", 10, "rw--", 0);
	live("a", 1, "frame", 11, "rw--", 0);
	live("a", 1, "frame", 12, "rw--", 0); /* a third: unexpected */
	assert_int_equal(audit_finish(&d), 1);
	assert_int_equal(d.unexpected, 1);
	assert_int_equal(d.x[0].object, 10);
	assert_int_equal(d.x[1].object, 11);
}

static void test_audit_rejects_a_bad_line(void **state)
{
	(void)state;
	static const char bad[] = "a 1 64 endpoint endpoint:s r--- 0x0\n"
				  "b two 64 frame f rw-- 0x0\n";
	assert_int_equal(audit_begin(&d, bad, sizeof(bad), report, NULL), 2);
}

/* Far past the old limit of 1024 entries (a 63-client system has 1706):
 * the expected side is indexed, the live side streamed. */
static char big[AUDIT_MAX_EXPECTED * 48];

static size_t big_set(unsigned n)
{
	size_t len = 0;
	for (unsigned i = 0; i < n; i++) {
		len += (size_t)snprintf(big + len, sizeof(big) - len,
					"c%u %u 64 frame frame:%u rw-- 0x0\n",
					i % 63, i, i);
	}
	return len;
}

static void test_audit_handles_large_systems(void **state)
{
	(void)state;
	char holder[8];
	size_t len = big_set(5000);
	reports = 0;
	assert_int_equal(audit_begin(&d, big, len, report, NULL), 0);
	assert_int_equal(d.nexpected, 5000);
	for (unsigned i = 5000; i-- > 0;) { /* in another order */
		snprintf(holder, sizeof(holder), "c%u", i % 63);
		live(holder, i, "frame", 1000 + i, "rw--", 0);
	}
	live("c0", 99999, "frame", 7, "rw--", 0);
	assert_int_equal(audit_finish(&d), 1);
	assert_int_equal(d.nlive, 5001);
	assert_string_equal(first, "unexpected: c0 cptr 99999 (depth 64): "
				   "frame 0000000000000007 rights rw--");
	/* The largest set it indexes, and one more: refused whole. */
	len = big_set(AUDIT_MAX_EXPECTED);
	assert_int_equal(audit_begin(&d, big, len, report, NULL), 0);
	len = big_set(AUDIT_MAX_EXPECTED + 1);
	assert_int_equal(audit_begin(&d, big, len, report, NULL), -1);
}

static void test_audit_jsonl_is_what_capaudit_reads(void **state)
{
	(void)state;
	char line[256];
	struct audit_entry e = {.holder = "alice",
				.type = "endpoint",
				.rights = "-wg-",
				.cptr = 4,
				.depth = 64,
				.object = 0xab,
				.badge = 17};
	/* libcairn's cairn_audit_print_jsonl() format, byte for byte. */
	audit_jsonl(line, sizeof(line), &e);
	assert_string_equal(line, "{\"holder\": \"alice\", \"cptr\": 4, "
				  "\"depth\": 64, \"type\": \"endpoint\", "
				  "\"object\": \"00000000000000ab\", "
				  "\"rights\": \"-wg-\", \"badge\": 17}");
	strcpy(e.holder, "a\"b\\c\x01");
	audit_jsonl(line, sizeof(line), &e);
	assert_string_equal(line, "{\"holder\": \"a\\\"b\\\\c\\u0001\", "
				  "\"cptr\": 4, \"depth\": 64, \"type\": "
				  "\"endpoint\", \"object\": "
				  "\"00000000000000ab\", \"rights\": \"-wg-\", "
				  "\"badge\": 17}");
}

/* ---- the IOMMU server's reports (iommus.c) ---- */

static void test_iommus_only_the_server_reports(void **state)
{
	(void)state;
	static struct iommus t;
	const uint64_t v[6] = {
	    0 | 1 << 8 | 1 << 16, 0x10 | 1 << 16, 0x10, 0, 0, 0};

	iommus_init(&t);
	assert_int_equal(
	    iommus_report(&t, "alice", IOMMUS_DEVICE, "left", v, ""),
	    IOMMUS_NOT_THE_SERVER);
	assert_int_equal(iommus_report(&t, NULL, IOMMUS_DEVICE, "left", v, ""),
			 IOMMUS_NOT_THE_SERVER);
	assert_int_equal(t.rows, 0);
	assert_int_equal(
	    iommus_report(&t, "iommu", IOMMUS_DEVICE, "left", v, ""),
	    IOMMUS_OK);
	assert_int_equal(t.rows, 1);
}

static void test_iommus_refuse_malformed_reports(void **state)
{
	(void)state;
	static struct iommus t;
	const uint64_t bad_index[6] = {8, 0, 0, 0, 0, 0};
	const uint64_t bad_mode[6] = {4 << 8, 0, 0, 0, 0, 0};
	const uint64_t bad_effective[6] = {3 << 16, 0, 0, 0, 0, 0};
	const uint64_t bad_devfn[6] = {0, 0x100, 0, 0, 0, 0};
	const uint64_t ok[6] = {0};

	iommus_init(&t);
	assert_int_equal(
	    iommus_report(&t, "iommu", IOMMUS_DEVICE, "c", bad_index, ""),
	    IOMMUS_MALFORMED);
	assert_int_equal(
	    iommus_report(&t, "iommu", IOMMUS_DEVICE, "c", bad_mode, ""),
	    IOMMUS_MALFORMED);
	assert_int_equal(
	    iommus_report(&t, "iommu", IOMMUS_DEVICE, "c", bad_effective, ""),
	    IOMMUS_MALFORMED);
	assert_int_equal(
	    iommus_report(&t, "iommu", IOMMUS_DEVICE, "c", bad_devfn, ""),
	    IOMMUS_MALFORMED);
	assert_int_equal(iommus_report(&t, "iommu", IOMMUS_DEVICE, "", ok, ""),
			 IOMMUS_MALFORMED);
	assert_int_equal(iommus_report(&t, "iommu", 3, "c", ok, "x"),
			 IOMMUS_MALFORMED);
	assert_int_equal(iommus_report(&t, "iommu", IOMMUS_FAULT, "c", ok, ""),
			 IOMMUS_MALFORMED);
	assert_int_equal(t.rows + t.events, 0);
}

static void iommus_run(const struct iommus *t, const char *a1)
{
	char *argv[] = {"iommu", (char *)a1};

	out[0] = '\0';
	iommus_command(t, a1 == NULL ? 1 : 2, argv, print, NULL);
}

static void test_iommus_table_and_updates(void **state)
{
	(void)state;
	static struct iommus t;
	/* left: share-pt, device 00:02.0 at SID 0x10; right: share-pt asked,
	 * sync-pt in force, 00:03.0, 5 mappings, 2 faults; gone: listed but
	 * not present. */
	const uint64_t left[6] = {
	    0 | 1 << 8 | 1 << 16, 0x10 | 1 << 16, 0x10, 0, 0, 0};
	const uint64_t right[6] = {
	    0 | 1 << 8 | 2 << 16, 0x18 | 1 << 16, 0x18, 5, 2, 0};
	const uint64_t gone[6] = {
	    1 | 2 << 8 | 2 << 16, 0, 0xffffffffU, 0, 0, 2};

	iommus_init(&t);
	iommus_run(&t, NULL);
	assert_string_equal(out, "iommu: no reports (no IOMMU server, or it "
				 "has no clients)\n");
	assert_int_equal(
	    iommus_report(&t, "iommu", IOMMUS_DEVICE, "left", left, ""), 0);
	assert_int_equal(
	    iommus_report(&t, "iommu", IOMMUS_DEVICE, "right", right, ""), 0);
	assert_int_equal(
	    iommus_report(&t, "iommu", IOMMUS_DEVICE, "right", gone, ""), 0);
	iommus_run(&t, NULL);
	assert_non_null(strstr(out, "CLIENT           REQUESTED  EFFECTIVE  "
				    "DEVICE   SID    MAPPINGS  FAULTS  "
				    "STATE\n"));
	assert_non_null(strstr(out, "left             share-pt   share-pt   "
				    "00:02.0  0x10   0         0       ok\n"));
	assert_non_null(strstr(out, "right            share-pt   sync-pt    "
				    "00:03.0  0x18   5         2       ok\n"));
	assert_non_null(strstr(out, "right            sync-pt    sync-pt    "
				    "-        -      0         0       not "
				    "present\n"));
	/* A later report replaces the row. */
	const uint64_t more[6] = {
	    0 | 1 << 8 | 1 << 16, 0x10 | 1 << 16, 0x10, 0, 7, 0};
	assert_int_equal(
	    iommus_report(&t, "iommu", IOMMUS_DEVICE, "left", more, ""), 0);
	assert_int_equal(t.rows, 3);
	iommus_run(&t, NULL);
	assert_non_null(strstr(out, "00:02.0  0x10   0         7       ok\n"));
}

static void test_iommus_keep_the_last_faults(void **state)
{
	(void)state;
	static struct iommus t;
	const uint64_t v[6] = {0};
	char text[40];

	iommus_init(&t);
	iommus_run(&t, "faults");
	assert_string_equal(out, "iommu: no DMA faults\n");
	for (unsigned i = 0; i < IOMMUS_EVENTS + 3; i++) {
		snprintf(text, sizeof(text), "fault number %u", i);
		assert_int_equal(
		    iommus_report(&t, "iommu", IOMMUS_FAULT, "c", v, text), 0);
	}
	iommus_run(&t, "faults");
	assert_null(strstr(out, "fault number 2\n"));
	assert_non_null(strstr(out, "fault number 3\nfault number 4\n"));
	assert_non_null(strstr(out, "fault number 18\niommu: 19 DMA faults "
				    "reported, the last 16 shown\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_lines_are_whole_and_named, setup),
	    cmocka_unit_test_setup(test_round_robin_fairness, setup),
	    cmocka_unit_test_setup(test_room_for_every_connection, setup),
	    cmocka_unit_test_setup(test_colour_names, setup),
	    cmocka_unit_test_setup(test_log_level_filters_the_consoles_notices,
				   setup),
	    cmocka_unit_test_setup(test_focus_line_names_who_has_the_keyboard,
				   setup),
	    cmocka_unit_test_setup(test_full_queue_drops_and_says_so, setup),
	    cmocka_unit_test_setup(test_long_lines_are_cut, setup),
	    cmocka_unit_test_setup(
		test_ctrl_a_three_times_cycles_interactive_clients, setup),
	    cmocka_unit_test_setup(test_one_or_two_ctrl_a_are_input, setup),
	    cmocka_unit_test(test_shell_runs_and_checks_commands),
	    cmocka_unit_test(test_shell_argument_errors),
	    cmocka_unit_test(test_shell_backspace_edits),
	    cmocka_unit_test(test_shell_tab_completes),
	    cmocka_unit_test(test_shell_tab_completes_domains),
	    cmocka_unit_test(test_domains_are_clients_that_reported),
	    cmocka_unit_test(test_domains_refuse_bad_reports),
	    cmocka_unit_test(test_domain_commands_queue_for_the_vmm),
	    cmocka_unit_test(
		test_domain_commands_refused_when_the_queue_is_full),
	    cmocka_unit_test(test_domain_unknown_names),
	    cmocka_unit_test(test_domain_names_and_words),
	    cmocka_unit_test(test_audit_ok),
	    cmocka_unit_test(test_audit_names_missing_unexpected_inconsistent),
	    cmocka_unit_test(test_audit_one_object_under_two_names),
	    cmocka_unit_test(test_audit_duplicates_match_in_order),
	    cmocka_unit_test(test_audit_rejects_a_bad_line),
	    cmocka_unit_test(test_audit_handles_large_systems),
	    cmocka_unit_test(test_audit_jsonl_is_what_capaudit_reads),
	    cmocka_unit_test(test_iommus_only_the_server_reports),
	    cmocka_unit_test(test_iommus_refuse_malformed_reports),
	    cmocka_unit_test(test_iommus_table_and_updates),
	    cmocka_unit_test(test_iommus_keep_the_last_faults),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
