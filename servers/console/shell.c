#include "shell.h"

#include "domains.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const char *const levels[] = {"error", "warn", "info", "debug"};
#define NLEVELS (sizeof(levels) / sizeof(levels[0]))

struct command {
	const char *name;
	int min_args, max_args; /* after the name */
	const char *usage;
	const char *help;
	size_t op;	    /* offset of its callback in struct shell_ops */
	const char *what;   /* its argument, for errors */
	const char *option; /* the one literal argument it takes, if any */
};

#define OP(f)	offsetof(struct shell_ops, f)
#define OP_HELP ((size_t)-1) /* the shell's own */

static const struct command commands[] = {
    {"help", 0, 0, "help", "list the commands", OP_HELP, NULL, NULL},
    {"ps", 0, 0, "ps",
     "every thread with its state and priority, then the guest domains", OP(ps),
     NULL, NULL},
    {"caps", 1, 1, "caps NAME", "the live capabilities thread NAME holds",
     OP(caps), "a thread name", NULL},
    {"audit", 0, 1, "audit [--jsonl]",
     "diff the live audit against the system's spec; --jsonl prints it "
     "for tools/capaudit diff",
     OP(audit), "--jsonl", "--jsonl"},
    {"stats", 0, 0, "stats",
     "IPC calls and CPU time per thread, idle time per CPU, console lines",
     OP(stats), NULL, NULL},
    {"log", 0, 1, "log [LEVEL]",
     "show or set the console's log level (error, warn, info, debug)", OP(log),
     "a level", NULL},
    {"poweroff", 0, 0, "poweroff", "switch the machine off", OP(poweroff), NULL,
     NULL},
    {"reboot", 0, 0, "reboot", "reset the machine", OP(reboot), NULL, NULL},
    {"domain", 0, 2, "domain [NAME [ACTION]]",
     "list the guest domains or show one; ACTION pause, resume or restart "
     "asks its VMM to do that",
     OP(domain), "a domain name and an action", NULL},
    {"iommu", 0, 1, "iommu [faults]",
     "the IOMMU server's clients: modes asked for and in force, devices "
     "(address, StreamID), mappings, faults; 'faults': the last DMA faults",
     OP(iommu), "faults", "faults"},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static __attribute__((format(printf, 2, 3))) void say(struct shell *sh,
						      const char *fmt, ...)
{
	char buf[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	sh->print(sh->ctx, buf);
}

static const struct command *find(const char *name, size_t len)
{
	for (size_t i = 0; i < NCOMMANDS; i++) {
		if (strlen(commands[i].name) == len &&
		    strncmp(commands[i].name, name, len) == 0) {
			return &commands[i];
		}
	}
	return NULL;
}

/* The editor's output: the console's print, with the console's context. */
static void edit_print(void *ctx, const char *s)
{
	struct shell *sh = ctx;

	sh->print(sh->ctx, s);
}

/* ---- completion ---- */

static void offer(void *arg, const char *name)
{
	lineedit_offer(arg, name);
}

/* Tab after `domain `: a domain's name, then an action. */
static void complete_domain(struct shell *sh, struct lineedit *e, unsigned word)
{
	if (word == 1 && sh->ops->domain_names != NULL) {
		sh->ops->domain_names(sh->ctx, offer, e);
	} else if (word == 2) {
		for (unsigned i = DOMAINCTL_PAUSE; i < DOMAINCTL_COMMANDS;
		     i++) {
			lineedit_offer(e, domains_action_name(i));
		}
	}
}

/* Tab: command names first; then what the command's argument can be. */
static void complete(void *ctx, struct lineedit *e, const char *line,
		     unsigned word)
{
	struct shell *sh = ctx;

	if (word == 0) {
		for (size_t i = 0; i < NCOMMANDS; i++) {
			lineedit_offer(e, commands[i].name);
		}
		return;
	}
	while (*line == ' ') {
		line++;
	}
	const struct command *c = find(line, strcspn(line, " "));
	if (c != NULL && c->op == OP(domain)) {
		complete_domain(sh, e, word);
		return;
	}
	if (c == NULL || word != 1) {
		return;
	}
	if (c->op == OP(caps) && sh->ops->names != NULL) {
		sh->ops->names(sh->ctx, offer, e);
	} else if (c->op == OP(log)) {
		for (size_t i = 0; i < NLEVELS; i++) {
			lineedit_offer(e, levels[i]);
		}
	} else if (c->option != NULL) {
		lineedit_offer(e, c->option);
	}
}

void shell_init(struct shell *sh, const struct shell_ops *ops,
		void (*print)(void *ctx, const char *s), void *ctx)
{
	memset(sh, 0, sizeof(*sh));
	sh->ops = ops;
	sh->print = print;
	sh->ctx = ctx;
	lineedit_init(&sh->edit, SHELL_PROMPT, edit_print, complete, sh);
}

void shell_prompt(struct shell *sh)
{
	lineedit_start(&sh->edit);
}

void shell_redraw(struct shell *sh)
{
	lineedit_draw(&sh->edit);
}

int shell_log_level(const char *name)
{
	for (size_t i = 0; i < NLEVELS; i++) {
		if (strcmp(name, levels[i]) == 0) {
			return (int)i;
		}
	}
	return -1;
}

const char *shell_log_name(unsigned level)
{
	return level < NLEVELS ? levels[level] : "?";
}

static void help(struct shell *sh)
{
	for (size_t i = 0; i < NCOMMANDS; i++) {
		say(sh, "  %-22s %s\n", commands[i].usage, commands[i].help);
	}
	say(sh, "Keys: arrows, Home/End, Tab completes, Up/Down history, "
		"Ctrl-U/W/K delete, Ctrl-C cancels, Ctrl-L redraws; "
		"Ctrl-A three times moves the keyboard to the next client\n");
}

/* Splits at spaces: argc counts every word, argv keeps the first
 * SHELL_ARGS_MAX. */
static int split(char *line, char **argv)
{
	int argc = 0;

	for (char *p = strtok(line, " \t"); p != NULL;
	     p = strtok(NULL, " \t")) {
		if (argc < SHELL_ARGS_MAX) {
			argv[argc] = p;
		}
		argc++;
	}
	return argc;
}

/* The number of arguments given is within the command's range; else says
 * how many it takes. */
static bool count_ok(struct shell *sh, const struct command *c, int given)
{
	char count[24] = "none given";

	if (given >= c->min_args && given <= c->max_args) {
		return true;
	}
	if (given > 0) {
		snprintf(count, sizeof(count), "%d given", given);
	}
	if (c->max_args == 0) {
		say(sh, "%s: takes no arguments (%s); usage: %s\n", c->name,
		    count, c->usage);
	} else {
		say(sh, "%s: takes %s%s argument%s, %s (%s); usage: %s\n",
		    c->name, c->min_args == c->max_args ? "" : "at most ",
		    c->max_args == 1 ? "one" : "two",
		    c->max_args == 1 ? "" : "s", c->what, count, c->usage);
	}
	return false;
}

/* The arguments' values: a level, an action, the one option. */
static bool values_ok(struct shell *sh, const struct command *c, int given,
		      char **argv)
{
	if (c->op == OP(log) && shell_log_level(argv[1]) < 0) {
		say(sh,
		    "log: unknown level '%s': expected one of error, warn, "
		    "info, debug\n",
		    argv[1]);
		return false;
	}
	if (c->op == OP(domain) && given == 2 &&
	    domains_action(argv[2]) == DOMAINCTL_NONE) {
		say(sh,
		    "domain: unknown action '%s': expected one of pause, "
		    "resume, restart\n",
		    argv[2]);
		return false;
	}
	if (c->option != NULL && strcmp(argv[1], c->option) != 0) {
		say(sh, "%s: unknown option '%s': expected %s; usage: %s\n",
		    c->name, argv[1], c->option, c->usage);
		return false;
	}
	return true;
}

static bool arguments_ok(struct shell *sh, const struct command *c, int argc,
			 char **argv)
{
	int given = argc - 1;

	return count_ok(sh, c, given) &&
	       (given == 0 || values_ok(sh, c, given, argv));
}

static void run(struct shell *sh, char *line)
{
	char *argv[SHELL_ARGS_MAX];
	int argc = split(line, argv);

	if (argc == 0) {
		return;
	}
	const struct command *c = find(argv[0], strlen(argv[0]));
	if (c == NULL) {
		say(sh, "unknown command '%s': try 'help'\n", argv[0]);
		return;
	}
	if (!arguments_ok(sh, c, argc, argv)) {
		return;
	}
	if (c->op == OP_HELP) {
		help(sh);
		return;
	}
	shell_cmd f = *(const shell_cmd *)((const char *)sh->ops + c->op);
	f(sh->ctx, argc, argv);
}

void shell_feed(struct shell *sh, char c)
{
	char line[SHELL_LINE_MAX];

	if (lineedit_feed(&sh->edit, c) != LINEEDIT_LINE) {
		return;
	}
	memcpy(line, sh->edit.line, sizeof(line));
	run(sh, line);
	lineedit_start(&sh->edit);
}
