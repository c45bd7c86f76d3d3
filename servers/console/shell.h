/*
 * The control shell's command parser; portable (commands are callbacks,
 * editing is lineedit.c), so host unit tests drive it directly. It checks
 * each command's argument count (and `log`'s level, `audit`'s option,
 * `domain`'s action) and prints the error and usage itself; a callback runs
 * only for a well-formed command.
 */
#pragma once

#include "lineedit.h"

#include <stddef.h>

#define SHELL_LINE_MAX LINEEDIT_MAX
#define SHELL_ARGS_MAX 8
#define SHELL_PROMPT   "cairn> "

typedef void (*shell_cmd)(void *ctx, int argc, char **argv);

struct shell_ops {
	shell_cmd ps, caps, audit, stats, log, poweroff, reboot, domain, iommu;
	/* Every thread's name (what `ps` lists), for Tab after `caps `:
	 * calls offer(arg, name) for each. */
	void (*names)(void *ctx, void (*offer)(void *arg, const char *name),
		      void *arg);
	/* Every domain's name, for Tab after `domain `, the same way. */
	void (*domain_names)(void *ctx,
			     void (*offer)(void *arg, const char *name),
			     void *arg);
};

struct shell {
	const struct shell_ops *ops;
	void (*print)(void *ctx, const char *s);
	void *ctx;
	struct lineedit edit;
};

void shell_init(struct shell *sh, const struct shell_ops *ops,
		void (*print)(void *ctx, const char *s), void *ctx);

/* A fresh prompt, the line empty. */
void shell_prompt(struct shell *sh);

/* The prompt again, with what has been typed so far and the cursor where
 * it was (after other output cleared the screen line). */
void shell_redraw(struct shell *sh);

/* One typed byte: edited (lineedit.c), the line run at Enter. */
void shell_feed(struct shell *sh, char c);

/* The levels `log` accepts, most severe first; -1 if name is not one. */
int shell_log_level(const char *name);
/* The name of level (0..3), or "?". */
const char *shell_log_name(unsigned level);
