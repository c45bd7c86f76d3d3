#include "mux.h"

#include <stdio.h>
#include <string.h>

void mux_init(struct mux *m)
{
	memset(m, 0, sizeof(*m));
	strcpy(m->client[0].name, "console");
	m->client[0].interactive = true;
	m->count = 1;
	m->level = MUX_LOG_INFO;
}

int mux_add_client(struct mux *m, const char *name)
{
	if (m->count == MUX_MAX_CLIENTS) {
		return -1;
	}
	struct mux_client *c = &m->client[m->count];
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "%s", name);
	return (int)m->count++;
}

unsigned mux_client_count(const struct mux *m)
{
	return m->count;
}

void mux_set_interactive(struct mux *m, unsigned client)
{
	char notice[64];

	if (client < m->count && !m->client[client].interactive) {
		m->client[client].interactive = true;
		snprintf(notice, sizeof(notice), "[console: %s takes input]",
			 m->client[client].name);
		mux_notice(m, MUX_LOG_DEBUG, notice);
	}
}

static void enqueue(struct mux_client *c, bool raw, const char *text)
{
	struct mux_line *l = &c->queue[(c->head + c->queued) % MUX_QUEUE_LINES];

	l->raw = raw;
	snprintf(l->text, sizeof(l->text), "%s", text);
	c->queued++;
}

/* A complete line: queued, or dropped when the queue is full. The drop
 * notice (a warning) needs a slot of its own, ahead of the line that
 * follows it. */
static void finish_line(struct mux_client *c, bool warn)
{
	unsigned room = MUX_QUEUE_LINES - c->queued;
	unsigned need = c->unreported_drops && warn ? 2 : 1;

	c->partial[c->partial_len] = '\0';
	c->partial_len = 0;
	if (room < need) {
		c->dropped++;
		c->unreported_drops++;
		return;
	}
	if (c->unreported_drops && warn) {
		char notice[MUX_LINE_MAX + 1];
		snprintf(notice, sizeof(notice), "[%s: %lu lines dropped]",
			 c->name, c->unreported_drops);
		enqueue(c, true, notice);
	}
	c->unreported_drops = 0;
	enqueue(c, false, c->partial);
	c->lines++;
}

void mux_write(struct mux *m, unsigned client, const char *data, size_t len)
{
	if (client >= m->count) {
		return;
	}
	struct mux_client *c = &m->client[client];
	c->bytes += len;
	for (size_t i = 0; i < len; i++) {
		if (data[i] == '\n') {
			finish_line(c, m->level >= MUX_LOG_WARN);
			continue;
		}
		c->partial[c->partial_len++] = data[i];
		if (c->partial_len == MUX_LINE_MAX) {
			finish_line(c, m->level >=
					   MUX_LOG_WARN); /* too long: cut, the
							     rest follows */
		}
	}
}

void mux_notice(struct mux *m, enum mux_log level, const char *text)
{
	struct mux_client *c = &m->client[0];

	if ((unsigned)level > m->level) {
		return;
	}
	if (c->queued == MUX_QUEUE_LINES) {
		c->dropped++;
		return;
	}
	enqueue(c, true, text);
}

size_t mux_next_output(struct mux *m, char *out, size_t cap)
{
	for (unsigned k = 0; k < m->count; k++) {
		unsigned i = (m->next + k) % m->count;
		struct mux_client *c = &m->client[i];
		if (c->queued == 0) {
			continue;
		}
		const struct mux_line *l = &c->queue[c->head];
		int n;
		if (l->raw) {
			n = snprintf(out, cap, "%s\n", l->text);
		} else if (m->colour) {
			/* One of six colours per client, by its index. */
			n = snprintf(out, cap, "\x1b[%um%s\x1b[0m: %s\n",
				     31 + i % 6, c->name, l->text);
		} else {
			n = snprintf(out, cap, "%s: %s\n", c->name, l->text);
		}
		c->head = (c->head + 1) % MUX_QUEUE_LINES;
		c->queued--;
		m->next = i + 1;
		return n < 0 ? 0 : ((size_t)n < cap ? (size_t)n : cap - 1);
	}
	return 0;
}

static void switch_focus(struct mux *m)
{
	char notice[64];
	unsigned f = m->focus;

	do {
		f = (f + 1) % m->count;
	} while (!m->client[f].interactive);
	m->focus = f;
	snprintf(notice, sizeof(notice), "[console: input to %s]",
		 f == 0 ? "shell" : m->client[f].name);
	/* At every level: whoever types must know where the keys go. */
	mux_notice(m, MUX_LOG_ERROR, notice);
}

size_t mux_focus_line(const struct mux *m, char *out, size_t cap)
{
	int n;

	if (m->focus == 0 || cap == 0) {
		return 0;
	}
	/* Reverse video on a terminal: it must not pass for client output. */
	n = snprintf(out, cap,
		     "%s[%s has the keyboard; Ctrl-A three times moves it]%s",
		     m->colour ? "\x1b[7m" : "", m->client[m->focus].name,
		     m->colour ? "\x1b[0m" : "");
	return n < 0 ? 0 : ((size_t)n < cap ? (size_t)n : cap - 1);
}

static void deliver(struct mux_client *c, char ch)
{
	if (c->input_len == MUX_INPUT_MAX) {
		c->input_dropped++;
		return;
	}
	c->input[c->input_len++] = ch;
	c->input_bytes++;
}

enum mux_route mux_input(struct mux *m, char c)
{
	if (c == MUX_CTRL_A) {
		if (++m->ctrl_a == 3) {
			m->ctrl_a = 0;
			switch_focus(m);
		}
		return MUX_CONSUMED;
	}
	/* One or two Ctrl-A then something else: they were input too. */
	unsigned held = m->ctrl_a;
	m->ctrl_a = 0;
	if (m->focus == 0) {
		return MUX_TO_SHELL; /* the shell ignores control characters */
	}
	while (held-- > 0) {
		deliver(&m->client[m->focus], MUX_CTRL_A);
	}
	deliver(&m->client[m->focus], c);
	return MUX_CONSUMED;
}

size_t mux_read_input(struct mux *m, unsigned client, char *out, size_t cap)
{
	if (client >= m->count || cap == 0) {
		return 0;
	}
	struct mux_client *c = &m->client[client];
	size_t n = c->input_len < cap - 1 ? c->input_len : cap - 1;
	memcpy(out, c->input, n);
	out[n] = '\0';
	memmove(c->input, c->input + n, c->input_len - n);
	c->input_len -= n;
	return n;
}
