/*
 * The control shell's line editor and command parser; portable (commands
 * are callbacks), so host unit tests drive it directly. It checks each
 * command's arguments and prints the error and usage itself; a callback
 * runs only for a well-formed command.
 */
#pragma once

#include <stddef.h>

#define SHELL_LINE_MAX 128
#define SHELL_ARGS_MAX 8
#define SHELL_PROMPT   "cairn> "

typedef void (*shell_cmd)(void *ctx, int argc, char **argv);

struct shell_ops {
	shell_cmd ps, caps, audit, stats, log, poweroff, reboot;
};

struct shell {
	const struct shell_ops *ops;
	void (*print)(void *ctx, const char *s);
	void *ctx;
	char line[SHELL_LINE_MAX];
	size_t len;
};

void shell_init(struct shell *sh, const struct shell_ops *ops,
		void (*print)(void *ctx, const char *s), void *ctx);
void shell_prompt(struct shell *sh);

/* The prompt again, with what has been typed so far. */
void shell_redraw(struct shell *sh);

/* One typed character: echoed, edited (backspace), run at Enter. */
void shell_feed(struct shell *sh, char c);

/* The levels `log` accepts, most severe first; -1 if name is not one. */
int shell_log_level(const char *name);
