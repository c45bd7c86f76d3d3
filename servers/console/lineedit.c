#include "lineedit.h"

#include <stdio.h>
#include <string.h>

#define CTRL(c) ((c)&0x1f)
#define ESC	0x1b
#define DEL	0x7f
#define BELL	"\a"

enum key {
	KEY_NONE,
	KEY_LEFT,
	KEY_RIGHT,
	KEY_HOME,
	KEY_END,
	KEY_UP,
	KEY_DOWN,
	KEY_DELETE,
};

static void out(struct lineedit *e, const char *s)
{
	e->print(e->ctx, s);
}

/* Moves the terminal's cursor n columns left (negative: right). */
static void move(struct lineedit *e, long n)
{
	char seq[24];

	if (n != 0) {
		snprintf(seq, sizeof(seq), "\x1b[%ld%c", n > 0 ? n : -n,
			 n > 0 ? 'D' : 'C');
		out(e, seq);
	}
}

/* The screen's cursor is at column `from` of the line, which changed from
 * there on: prints the new tail, clears what the old one left, and puts the
 * cursor back at e->cur. */
static void refresh_from(struct lineedit *e, size_t from)
{
	e->line[e->len] = '\0';
	out(e, e->line + from);
	out(e, "\x1b[K");
	move(e, (long)(e->len - e->cur));
}

void lineedit_draw(struct lineedit *e)
{
	e->line[e->len] = '\0';
	out(e, e->prompt);
	out(e, e->line);
	move(e, (long)(e->len - e->cur));
}

/* Clears the screen line and draws it again. */
static void redraw(struct lineedit *e)
{
	out(e, "\r\x1b[K");
	lineedit_draw(e);
}

void lineedit_init(struct lineedit *e, const char *prompt,
		   void (*print)(void *ctx, const char *s),
		   lineedit_complete_fn complete, void *ctx)
{
	memset(e, 0, sizeof(*e));
	e->prompt = prompt;
	e->print = print;
	e->complete = complete;
	e->ctx = ctx;
}

static void clear_line(struct lineedit *e)
{
	e->len = e->cur = 0;
	e->line[0] = '\0';
	e->too_long = false;
	e->browse = 0;
}

void lineedit_start(struct lineedit *e)
{
	clear_line(e);
	out(e, e->prompt);
}

/* Replaces the whole line (history) and shows it, cursor at its end. */
static void set_line(struct lineedit *e, const char *text, bool too_long)
{
	snprintf(e->line, sizeof(e->line), "%s", text);
	e->too_long = too_long;
	e->len = e->cur = strlen(e->line);
	redraw(e);
}

/* Inserts n bytes at the cursor; false (and a bell) if they do not fit. */
static bool insert(struct lineedit *e, const char *s, size_t n)
{
	if (e->len + n > LINEEDIT_MAX - 1) {
		out(e, BELL);
		return false;
	}
	memmove(e->line + e->cur + n, e->line + e->cur, e->len - e->cur);
	memcpy(e->line + e->cur, s, n);
	e->len += n;
	e->cur += n;
	e->line[e->len] = '\0';
	if (e->cur == e->len) {
		out(e, e->line + e->cur - n); /* at the end: an echo */
	} else {
		refresh_from(e, e->cur - n);
	}
	return true;
}

/* Deletes [from, to) of the line; the cursor goes to from. */
static void delete_range(struct lineedit *e, size_t from, size_t to)
{
	if (from >= to) {
		return;
	}
	bool last = to == e->len && e->cur == to && to - from == 1;
	if (last) {
		out(e, "\b \b"); /* the one at the end: as every shell does */
	} else {
		move(e, (long)e->cur - (long)from);
	}
	memmove(e->line + from, e->line + to, e->len - to);
	e->len -= to - from;
	e->cur = from;
	if (!last) {
		refresh_from(e, from);
	}
}

static void history_add(struct lineedit *e)
{
	if (e->len == 0 ||
	    (e->nhist > 0 && strcmp(e->hist[e->newest], e->line) == 0)) {
		return;
	}
	e->newest = e->nhist == 0 ? 0 : (e->newest + 1) % LINEEDIT_HISTORY;
	memcpy(e->hist[e->newest], e->line, e->len + 1);
	if (e->nhist < LINEEDIT_HISTORY) {
		e->nhist++;
	}
}

static const char *history_get(const struct lineedit *e, unsigned back)
{
	return e
	    ->hist[(e->newest + LINEEDIT_HISTORY - back) % LINEEDIT_HISTORY];
}

static void history_up(struct lineedit *e)
{
	if (e->browse == e->nhist) {
		out(e, BELL);
		return;
	}
	if (e->browse == 0) {
		e->line[e->len] = '\0';
		memcpy(e->draft, e->line, e->len + 1);
		e->draft_too_long = e->too_long;
	}
	set_line(e, history_get(e, e->browse++), false);
}

static void history_down(struct lineedit *e)
{
	if (e->browse == 0) {
		out(e, BELL);
		return;
	}
	e->browse--;
	if (e->browse == 0) {
		set_line(e, e->draft, e->draft_too_long);
	} else {
		set_line(e, history_get(e, e->browse - 1), false);
	}
}

/* ---- completion ---- */

void lineedit_offer(struct lineedit *e, const char *candidate)
{
	size_t have = e->cur - e->word_start;

	if (strncmp(candidate, e->line + e->word_start, have) != 0) {
		return;
	}
	if (e->listing) {
		out(e, candidate);
		out(e, "  ");
		return;
	}
	if (e->matches++ == 0) {
		snprintf(e->common, sizeof(e->common), "%s", candidate);
		return;
	}
	size_t i = 0;
	while (e->common[i] != '\0' && e->common[i] == candidate[i]) {
		i++;
	}
	e->common[i] = '\0';
}

static void complete(struct lineedit *e)
{
	unsigned word = 0;
	bool in_word = false;
	char before[LINEEDIT_MAX];

	if (e->complete == NULL) {
		out(e, BELL);
		return;
	}
	/* The word ends at the cursor; count the words before it. */
	e->word_start = 0;
	for (size_t i = 0; i < e->cur; i++) {
		bool space = e->line[i] == ' ';
		if (space && in_word) {
			word++;
		}
		if (space) {
			e->word_start = i + 1;
		}
		in_word = !space;
	}
	memcpy(before, e->line, e->cur);
	before[e->cur] = '\0';
	if (e->tab_again) {
		/* A second Tab: show the candidates, then the line again. */
		e->listing = true;
		out(e, "\n");
		e->complete(e->ctx, e, before, word);
		e->listing = false;
		out(e, "\n");
		redraw(e); /* "\r" ESC[K: a redrawn prompt, not a fresh one */
		return;
	}
	e->matches = 0;
	e->complete(e->ctx, e, before, word);
	size_t have = e->cur - e->word_start, full = strlen(e->common);
	if (e->matches == 0) {
		out(e, BELL);
		return;
	}
	if (full > have) {
		insert(e, e->common + have, full - have);
	}
	if (e->matches == 1) {
		if (e->cur == e->len) {
			insert(e, " ", 1);
		}
		return;
	}
	if (full == have) {
		out(e, BELL); /* nothing more in common */
	}
	e->tab_again = true; /* ambiguous: the next Tab lists them */
}

/* ---- keys ---- */

static void key(struct lineedit *e, enum key k)
{
	switch (k) {
	case KEY_LEFT:
		if (e->cur > 0) {
			e->cur--;
			move(e, 1);
		}
		break;
	case KEY_RIGHT:
		if (e->cur < e->len) {
			e->cur++;
			move(e, -1);
		}
		break;
	case KEY_HOME:
		move(e, (long)e->cur);
		e->cur = 0;
		break;
	case KEY_END:
		move(e, (long)e->cur - (long)e->len);
		e->cur = e->len;
		break;
	case KEY_UP:
		history_up(e);
		break;
	case KEY_DOWN:
		history_down(e);
		break;
	case KEY_DELETE:
		delete_range(e, e->cur, e->cur < e->len ? e->cur + 1 : e->cur);
		break;
	case KEY_NONE:
		break;
	}
}

/* The final byte of ESC [ ... or ESC O ...; param is the first number. */
static enum key sequence_key(char final, unsigned param)
{
	switch (final) {
	case 'A':
		return KEY_UP;
	case 'B':
		return KEY_DOWN;
	case 'C':
		return KEY_RIGHT;
	case 'D':
		return KEY_LEFT;
	case 'H':
		return KEY_HOME;
	case 'F':
		return KEY_END;
	case '~':
		/* VT220 editing keys: rxvt sends 7/8, xterm and linux 1/4. */
		if (param == 1 || param == 7) {
			return KEY_HOME;
		}
		if (param == 4 || param == 8) {
			return KEY_END;
		}
		return param == 3 ? KEY_DELETE : KEY_NONE;
	default:
		return KEY_NONE; /* F-keys, Insert, Page Up...: swallowed */
	}
}

/* A byte inside an escape sequence; false if it ended the sequence
 * without belonging to it (the caller then takes it as a key). */
static bool escape_byte(struct lineedit *e, char c)
{
	unsigned char u = (unsigned char)c;

	switch (e->esc) {
	case LE_ESC:
		if (c == '[' || c == 'O') {
			e->esc = c == '[' ? LE_CSI : LE_SS3;
			e->param = 0;
			return true;
		}
		e->esc = LE_TEXT;
		/* A control key after ESC is itself; anything else was an
		 * Alt-key (ESC prefix), which means nothing here. */
		return u >= 0x20;
	case LE_CSI:
		if (u >= 0x30 && u <= 0x3f) { /* parameter bytes */
			if (c >= '0' && c <= '9' && e->param < 1000) {
				e->param = e->param * 10 + (unsigned)(c - '0');
			} else if (c == ';' && e->param < 1000) {
				e->param +=
				    1000; /* only the first number counts */
			}
			return true;
		}
		if (u >= 0x20 && u <= 0x2f) { /* intermediate bytes */
			return true;
		}
		e->esc = LE_TEXT;
		if (u >= 0x40 && u <= 0x7e) {
			key(e, sequence_key(c, e->param % 1000));
			return true;
		}
		return false; /* a control key broke the sequence off */
	case LE_SS3:
		e->esc = LE_TEXT;
		if (u >= 0x40 && u <= 0x7e) {
			key(e, sequence_key(c, 0));
			return true;
		}
		return false;
	case LE_TEXT:
		break;
	}
	return false;
}

static enum lineedit_result enter(struct lineedit *e)
{
	out(e, "\n");
	if (e->too_long) {
		char notice[80];
		snprintf(notice, sizeof(notice),
			 "[line too long: more than %d characters; not run]\n",
			 LINEEDIT_MAX - 1);
		out(e, notice);
		lineedit_start(e);
		return LINEEDIT_NONE;
	}
	e->line[e->len] = '\0';
	history_add(e);
	e->browse = 0;
	return LINEEDIT_LINE;
}

/* Ctrl-W: the spaces before the cursor, then the word before them. */
static void delete_word(struct lineedit *e)
{
	size_t from = e->cur;

	while (from > 0 && e->line[from - 1] == ' ') {
		from--;
	}
	while (from > 0 && e->line[from - 1] != ' ') {
		from--;
	}
	delete_range(e, from, e->cur);
}

static enum lineedit_result control(struct lineedit *e, char c)
{
	switch (c) {
	case '\r':
	case '\n':
		return enter(e);
	case CTRL('B'):
		key(e, KEY_LEFT);
		break;
	case CTRL('F'):
		key(e, KEY_RIGHT);
		break;
	case CTRL('E'):
		key(e, KEY_END);
		break;
	case CTRL('P'):
		key(e, KEY_UP);
		break;
	case CTRL('N'):
		key(e, KEY_DOWN);
		break;
	case CTRL('D'):
		key(e, KEY_DELETE);
		break;
	case CTRL('H'):
	case DEL:
		delete_range(e, e->cur > 0 ? e->cur - 1 : 0, e->cur);
		break;
	case CTRL('U'):
		delete_range(e, 0, e->cur);
		e->too_long = false; /* what was refused went with it */
		break;
	case CTRL('K'):
		delete_range(e, e->cur, e->len);
		break;
	case CTRL('W'):
		delete_word(e);
		break;
	case CTRL('C'):
		move(e, (long)e->cur - (long)e->len);
		out(e, "^C\n");
		lineedit_start(e);
		break;
	case CTRL('L'):
		out(e, "\x1b[H\x1b[2J");
		redraw(e);
		break;
	case '\t':
		complete(e);
		return LINEEDIT_NONE; /* keeps tab_again */
	case ESC:
		e->esc = LE_ESC;
		break;
	default:
		break; /* other control characters mean nothing here */
	}
	return LINEEDIT_NONE;
}

enum lineedit_result lineedit_feed(struct lineedit *e, char c)
{
	bool after_cr = e->after_cr;

	e->after_cr = c == '\r';
	if (c == '\n' && after_cr) {
		return LINEEDIT_NONE; /* CR LF: one Enter */
	}
	if (e->esc != LE_TEXT && escape_byte(e, c)) {
		e->tab_again = false;
		return LINEEDIT_NONE;
	}
	bool tab_again = e->tab_again;
	e->tab_again = false;
	if ((unsigned char)c < 0x20 || c == DEL) {
		e->tab_again = tab_again && c == '\t';
		return control(e, c);
	}
	if ((unsigned char)c > DEL) {
		/* Not ASCII: one column may take several bytes, which would
		 * put the cursor arithmetic off; no name needs them. */
		out(e, BELL);
		return LINEEDIT_NONE;
	}
	if (!insert(e, &c, 1)) {
		e->too_long = true;
	}
	return LINEEDIT_NONE;
}
