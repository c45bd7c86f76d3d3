/*
 * Output multiplexing and input focus for the console server; portable (no
 * system calls), so host unit tests drive it directly.
 *
 * Output: each client's text is cut into lines (at '\n', or when a line
 * reaches MUX_LINE_MAX); complete lines wait in the client's own queue and
 * leave one per client per turn, prefixed "name: ". A full queue drops the
 * client's further lines (counted) and, once room returns, says how many
 * with "[name: N lines dropped]": a flooding client delays nobody.
 * Input: Ctrl-A three times in a row moves the focus to the next
 * interactive client (the shell, client 0, always takes a turn), announced
 * at every log level; anything else goes to the focused client only.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Client 0 is the console itself (the shell), then one per connection the
 * spec can give a provider (spec.MAX_PEERS - 1, badges 1..63): a client
 * without a slot would have its ring never read. */
#define MUX_MAX_CLIENTS 64
#define MUX_NAME_MAX	16
#define MUX_LINE_MAX	200
#define MUX_QUEUE_LINES 8
#define MUX_INPUT_MAX	128
#define MUX_CTRL_A	0x01

struct mux_line {
	bool raw; /* the console's own notice: no name prefix */
	char text[MUX_LINE_MAX + 1];
};

struct mux_client {
	char name[MUX_NAME_MAX];
	bool interactive;
	char partial[MUX_LINE_MAX + 1];
	size_t partial_len;
	struct mux_line queue[MUX_QUEUE_LINES];
	unsigned head, queued;
	unsigned long unreported_drops;
	char input[MUX_INPUT_MAX];
	size_t input_len;
	/* statistics */
	unsigned long lines, bytes, dropped, input_bytes, input_dropped;
};

struct mux {
	struct mux_client client[MUX_MAX_CLIENTS];
	unsigned count;
	unsigned focus;
	unsigned ctrl_a; /* Ctrl-A presses in a row so far */
	unsigned next;	 /* round robin: whose line goes next */
	bool colour;	 /* names in ANSI colour (an interactive terminal) */
	unsigned level;	 /* the console's own notices up to this MUX_LOG_* */
};

/* Levels of the console's own notices (the shell's `log LEVEL`). */
enum mux_log {
	MUX_LOG_ERROR = 0, /* a corrupt ring; where the input goes */
	MUX_LOG_WARN = 1,  /* lines dropped */
	MUX_LOG_INFO = 2,  /* the default level */
	MUX_LOG_DEBUG = 3, /* a client asked for input the first time */
};

enum mux_route {
	MUX_CONSUMED = 0, /* kept (for a client, or the focus switch) */
	MUX_TO_SHELL = 1, /* the shell has the focus: feed it this char */
};

void mux_init(struct mux *m);

/* A client's index (1..), or -1 if MUX_MAX_CLIENTS are there already. */
int mux_add_client(struct mux *m, const char *name);
unsigned mux_client_count(const struct mux *m);
void mux_set_interactive(struct mux *m, unsigned client);

void mux_write(struct mux *m, unsigned client, const char *data, size_t len);

/* A line from the console itself (client 0), printed without a prefix if
 * level is within m->level. */
void mux_notice(struct mux *m, enum mux_log level, const char *text);

/* The next line to transmit ("name: text\n"), or 0 if none is pending. */
size_t mux_next_output(struct mux *m, char *out, size_t cap);

enum mux_route mux_input(struct mux *m, char c);

/* While a client has the keyboard, the one line that says which (the
 * console keeps it at the bottom of the screen, where the shell's prompt
 * is otherwise); 0 and nothing written while the shell has it. */
size_t mux_focus_line(const struct mux *m, char *out, size_t cap);

/* Takes what was typed for client (at most cap - 1 bytes, NUL-ended). */
size_t mux_read_input(struct mux *m, unsigned client, char *out, size_t cap);
