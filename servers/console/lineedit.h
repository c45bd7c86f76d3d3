/*
 * The control shell's line editor: turns typed bytes (escape sequences
 * included) into an edited line and the terminal output that shows it.
 * Portable and free of system calls, so host unit tests drive every key.
 *
 * Keys: printable characters insert at the cursor; Left/Right (ESC [ D/C,
 * ESC O D/C, Ctrl-B/Ctrl-F), Home (ESC [ H, ESC [ 1 ~, ESC [ 7 ~, ESC O H)
 * and End (ESC [ F, ESC [ 4 ~, ESC [ 8 ~, ESC O F, Ctrl-E) move it;
 * Backspace/DEL delete before it, Delete (ESC [ 3 ~) and Ctrl-D under it;
 * Ctrl-U deletes everything before it, Ctrl-K everything after, Ctrl-W the
 * word before it; Ctrl-C cancels the line; Ctrl-L clears the screen and
 * redraws; Up/Down (and Ctrl-P/Ctrl-N) walk the history; Tab completes.
 * Other CSI and SS3 sequences are swallowed whole, never inserted. Ctrl-A
 * is not a key here: the console's focus switch (mux.c) owns it.
 *
 * Output is text for the console's print(), which turns "\n" into CR LF.
 * A character added at the end of the line is echoed alone, so what was
 * typed appears as typed; other edits print the changed tail and move the
 * cursor back. A full redraw starts with "\r" ESC [ K so harnesses can
 * tell a redrawn prompt from a fresh one (tools/lib/cairn/console.py).
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#define LINEEDIT_MAX	 128 /* bytes of a line, its NUL included */
#define LINEEDIT_HISTORY 16  /* previous lines kept, the oldest dropped */

struct lineedit;

/* Offers the candidates for word number `word` (0: the command) of line
 * (what precedes the cursor, NUL-ended): calls lineedit_offer() for each;
 * the editor keeps those that extend the word being completed. */
typedef void (*lineedit_complete_fn)(void *ctx, struct lineedit *e,
				     const char *line, unsigned word);

enum lineedit_result {
	LINEEDIT_NONE = 0, /* still editing */
	LINEEDIT_LINE = 1, /* Enter: e->line holds the line, NUL-ended */
};

struct lineedit {
	void (*print)(void *ctx, const char *s);
	lineedit_complete_fn complete;
	void *ctx;
	const char *prompt;

	char line[LINEEDIT_MAX];
	size_t len, cur; /* bytes in line; the cursor, 0..len */
	bool too_long;	 /* a byte was refused: Enter will not run it */

	/* Escape sequences: where we are in one, and its first number. */
	enum { LE_TEXT, LE_ESC, LE_CSI, LE_SS3 } esc;
	unsigned param;
	bool after_cr; /* a "\n" right after "\r" is the same Enter */

	/* History: hist[(newest - k) % N] is the k-th previous line (k from
	 * 0); browse is how far back Up has gone (0: the line being typed,
	 * kept in draft meanwhile). */
	char hist[LINEEDIT_HISTORY][LINEEDIT_MAX];
	unsigned nhist, newest, browse;
	char draft[LINEEDIT_MAX];
	bool draft_too_long;

	/* Completion in progress: the word's start, how many candidates
	 * matched and their longest common prefix; listing prints them. */
	bool tab_again; /* the previous key was a Tab that could not finish */
	size_t word_start;
	unsigned matches;
	char common[LINEEDIT_MAX];
	bool listing;
};

void lineedit_init(struct lineedit *e, const char *prompt,
		   void (*print)(void *ctx, const char *s),
		   lineedit_complete_fn complete, void *ctx);

/* An empty line and the prompt (after a line ran, or at start). */
void lineedit_start(struct lineedit *e);

/* The prompt and the line as it is, cursor in place (after other output
 * cleared the screen line). */
void lineedit_draw(struct lineedit *e);

/* One typed byte. */
enum lineedit_result lineedit_feed(struct lineedit *e, char c);

/* For a lineedit_complete_fn: one candidate. */
void lineedit_offer(struct lineedit *e, const char *candidate);
