#include "shell.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const char *const levels[] = {"error", "warn", "info", "debug"};

struct command {
	const char *name;
	int args; /* exact count after the name */
	const char *usage;
	const char *help;
	size_t op; /* offset of its callback in struct shell_ops */
	const char *arg_error;
};

#define OP(f)	offsetof(struct shell_ops, f)
#define OP_HELP ((size_t)-1) /* the shell's own */

static const struct command commands[] = {
    {"help", 0, "help", "list the commands", OP_HELP, NULL},
    {"ps", 0, "ps", "components with their state and priority", OP(ps), NULL},
    {"caps", 1, "caps NAME", "the live capabilities NAME holds", OP(caps),
     "expected a component name"},
    {"audit", 0, "audit", "diff the live audit against the system's spec",
     OP(audit), NULL},
    {"stats", 0, "stats", "IPC counts, interrupts, CPU share, console lines",
     OP(stats), NULL},
    {"log", 1, "log LEVEL",
     "set the console's log level (error, warn, "
     "info, debug)",
     OP(log), "expected a level"},
    {"poweroff", 0, "poweroff", "switch the machine off", OP(poweroff), NULL},
    {"reboot", 0, "reboot", "reset the machine", OP(reboot), NULL},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void printf_sh(struct shell *sh, const char *fmt, const char *a,
		      const char *b)
{
	char buf[160];

	snprintf(buf, sizeof(buf), fmt, a, b);
	sh->print(sh->ctx, buf);
}

void shell_init(struct shell *sh, const struct shell_ops *ops,
		void (*print)(void *ctx, const char *s), void *ctx)
{
	memset(sh, 0, sizeof(*sh));
	sh->ops = ops;
	sh->print = print;
	sh->ctx = ctx;
}

void shell_prompt(struct shell *sh)
{
	sh->print(sh->ctx, SHELL_PROMPT);
}

void shell_redraw(struct shell *sh)
{
	sh->line[sh->len] = '\0';
	shell_prompt(sh);
	sh->print(sh->ctx, sh->line);
}

int shell_log_level(const char *name)
{
	for (int i = 0; i < 4; i++) {
		if (strcmp(name, levels[i]) == 0) {
			return i;
		}
	}
	return -1;
}

static void help(struct shell *sh)
{
	for (size_t i = 0; i < NCOMMANDS; i++) {
		printf_sh(sh, "  %-10s %s\n", commands[i].usage,
			  commands[i].help);
	}
}

static int split(char *line, char **argv)
{
	int argc = 0;

	for (char *p = strtok(line, " \t"); p != NULL && argc < SHELL_ARGS_MAX;
	     p = strtok(NULL, " \t")) {
		argv[argc++] = p;
	}
	return argc;
}

static bool arguments_ok(struct shell *sh, const struct command *c, int argc,
			 char **argv)
{
	char what[96];

	if (argc - 1 != c->args) {
		snprintf(what, sizeof(what), "%s",
			 c->args ? c->arg_error : "takes no arguments");
		printf_sh(sh, "%s: %s", c->name, what);
		printf_sh(sh, "; usage: %s\n", c->usage, NULL);
		return false;
	}
	if (c->op == OP(log) && shell_log_level(argv[1]) < 0) {
		printf_sh(sh, "log: unknown level '%s': expected one of %s\n",
			  argv[1], "error, warn, info, debug");
		return false;
	}
	return true;
}

static void run(struct shell *sh)
{
	char *argv[SHELL_ARGS_MAX];

	sh->line[sh->len] = '\0';
	int argc = split(sh->line, argv);
	if (argc == 0) {
		return;
	}
	for (size_t i = 0; i < NCOMMANDS; i++) {
		const struct command *c = &commands[i];
		if (strcmp(argv[0], c->name) != 0) {
			continue;
		}
		if (!arguments_ok(sh, c, argc, argv)) {
			return;
		}
		if (c->op == OP_HELP) {
			help(sh);
			return;
		}
		shell_cmd f =
		    *(const shell_cmd *)((const char *)sh->ops + c->op);
		f(sh->ctx, argc, argv);
		return;
	}
	printf_sh(sh, "unknown command '%s': try 'help'\n", argv[0], NULL);
}

void shell_feed(struct shell *sh, char c)
{
	if (c == '\r' || c == '\n') {
		sh->print(sh->ctx, "\n");
		run(sh);
		sh->len = 0;
		shell_prompt(sh);
	} else if (c == 0x7f || c == '\b') {
		if (sh->len > 0) {
			sh->len--;
			sh->print(sh->ctx, "\b \b");
		}
	} else if (c >= ' ' && c < 0x7f && sh->len < SHELL_LINE_MAX - 1) {
		char echo[2] = {c, '\0'};
		sh->line[sh->len++] = c;
		sh->print(sh->ctx, echo);
	}
}
