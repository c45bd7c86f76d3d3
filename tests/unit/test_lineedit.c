/* The control shell's line editor (servers/console/lineedit.c): every key,
 * what the line becomes and what the terminal is sent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lineedit.h"

#define PROMPT "> "

static struct lineedit e;
static char out[16384];
static char ran[LINEEDIT_MAX]; /* the last line Enter gave */
static int lines;	       /* how many Enter gave */

static void print(void *ctx, const char *s)
{
	(void)ctx;
	strncat(out, s, sizeof(out) - strlen(out) - 1);
}

/* Candidates by word: commands for word 0, names for word 1. */
static const char *const words0[] = {"ps", "poweroff", "caps", "stats"};
static const char *const words1[] = {"alice", "alfred", "bob"};

static void complete(void *ctx, struct lineedit *le, const char *line,
		     unsigned word)
{
	(void)ctx, (void)line;
	if (word == 0) {
		for (size_t i = 0; i < 4; i++) {
			lineedit_offer(le, words0[i]);
		}
	} else if (word == 1) {
		for (size_t i = 0; i < 3; i++) {
			lineedit_offer(le, words1[i]);
		}
	}
}

static int setup(void **state)
{
	(void)state;
	lineedit_init(&e, PROMPT, print, complete, NULL);
	lineedit_start(&e);
	out[0] = ran[0] = '\0';
	lines = 0;
	return 0;
}

/* Types s (bytes, escapes included); out holds only what this caused. */
static void type(const char *s)
{
	out[0] = '\0';
	for (; *s != '\0'; s++) {
		if (lineedit_feed(&e, *s) == LINEEDIT_LINE) {
			snprintf(ran, sizeof(ran), "%s", e.line);
			lines++;
			lineedit_start(&e);
		}
	}
}

/* The line being edited, and the cursor. */
static void assert_line(const char *text, size_t cur)
{
	e.line[e.len] = '\0';
	assert_string_equal(e.line, text);
	assert_int_equal(e.cur, cur);
}

#define LEFT  "\x1b[D"
#define RIGHT "\x1b[C"
#define UP    "\x1b[A"
#define DOWN  "\x1b[B"

static void test_typing_echoes_and_enter_gives_the_line(void **state)
{
	(void)state;
	type("ps");
	assert_string_equal(out, "ps");
	type("\r");
	assert_string_equal(ran, "ps");
	assert_string_equal(out, "\n" PROMPT);
	type("a\r\nb\n"); /* CR LF is one Enter; a lone LF is one too */
	assert_int_equal(lines, 3);
	assert_string_equal(ran, "b");
}

static void test_left_moves_and_inserts_in_the_middle(void **state)
{
	(void)state;
	/* The bug this editor fixes: this ran "ps\x1b[D\x1b[Dx". */
	type("ps" LEFT LEFT "x");
	assert_line("xps", 1);
	/* Left twice, then the tail reprinted, cleared, cursor back. */
	assert_string_equal(out, "ps\x1b[1D\x1b[1Dxps\x1b[K\x1b[2D");
	type("\r");
	assert_string_equal(ran, "xps");
	type("ab\x1bOD\x1bODc"); /* SS3 (application mode) arrows */
	assert_line("cab", 1);
	type(LEFT LEFT); /* stops at the start, says nothing */
	assert_line("cab", 0);
	assert_string_equal(out, "\x1b[1D");
}

static void test_right_and_ctrl_b_ctrl_f(void **state)
{
	(void)state;
	type("ab\x02\x02\x06x"); /* Ctrl-B twice, Ctrl-F once */
	assert_line("axb", 2);
	type(RIGHT RIGHT); /* the second one is past the end: nothing */
	assert_line("axb", 3);
	assert_string_equal(out, "\x1b[1C");
	type("\x1bOD\x1bOCy");
	assert_line("axby", 4);
}

static void test_home_in_every_form(void **state)
{
	(void)state;
	static const char *const home[] = {"\x1b[H", "\x1b[1~", "\x1b[7~",
					   "\x1bOH"};
	for (size_t i = 0; i < 4; i++) {
		type("\x05\x15" /* Ctrl-E, Ctrl-U: an empty line */
		     "bc");
		type(home[i]);
		assert_line("bc", 0);
		assert_string_equal(out, "\x1b[2D");
		type("a");
		assert_line("abc", 1);
	}
}

static void test_end_in_every_form(void **state)
{
	(void)state;
	static const char *const end[] = {"\x1b[F", "\x1b[4~", "\x1b[8~",
					  "\x1bOF", "\x05" /* Ctrl-E */};
	for (size_t i = 0; i < 5; i++) {
		type("\x15"
		     "ab\x1b[H");
		type(end[i]);
		assert_line("ab", 2);
		assert_string_equal(out, "\x1b[2C");
		type("c");
		assert_line("abc", 3);
	}
}

static void test_backspace_and_del(void **state)
{
	(void)state;
	type("pz\x7f");
	assert_line("p", 1);
	assert_string_equal(out, "pz\b \b");
	type("sx\b"); /* Ctrl-H too */
	assert_line("ps", 2);
	type("abc" LEFT "\x7f");
	assert_line("psac", 3);
	assert_string_equal(out, "abc\x1b[1D\x1b[1Dc\x1b[K\x1b[1D");
	type("\x1b[H\x7f"); /* at the start: nothing */
	assert_line("psac", 0);
}

static void test_delete_and_ctrl_d_take_the_char_under_the_cursor(void **state)
{
	(void)state;
	type("abc\x1b[H\x1b[3~");
	assert_line("bc", 0);
	assert_string_equal(out, "abc\x1b[3Dbc\x1b[K\x1b[2D");
	type("\x04");
	assert_line("c", 0);
	type("\x1b[F\x1b[3~\x04"); /* at the end: nothing to delete */
	assert_line("c", 1);
}

static void test_ctrl_u_kills_before_the_cursor(void **state)
{
	(void)state;
	type("reboot\x15");
	assert_line("", 0);
	assert_string_equal(out, "reboot\x1b[6D\x1b[K");
	type("caps bob" LEFT LEFT LEFT "\x15");
	assert_line("bob", 0);
	type("\r");
	assert_string_equal(ran, "bob");
}

static void test_ctrl_k_kills_after_the_cursor(void **state)
{
	(void)state;
	type("caps bob" LEFT LEFT LEFT LEFT "\x0b");
	assert_line("caps", 4);
	assert_string_equal(strstr(out, "\x1b[K"), "\x1b[K");
}

static void test_ctrl_w_kills_a_word(void **state)
{
	(void)state;
	type("caps alice\x17");
	assert_line("caps ", 5);
	type("bob  \x17");
	assert_line("caps ", 5);
	type("\x17\x17");
	assert_line("", 0);
	type("a b c" LEFT LEFT "\x17"); /* the word before the cursor only */
	assert_line("a  c", 2);
}

static void test_ctrl_c_cancels_the_line(void **state)
{
	(void)state;
	type("reboot" LEFT LEFT);
	type("\x03");
	assert_int_equal(lines, 0);
	assert_line("", 0);
	/* The cursor goes to the end first, so ^C follows the whole line. */
	assert_string_equal(out, "\x1b[2C^C\n" PROMPT);
	type("\r");
	assert_int_equal(lines, 1);
	assert_string_equal(ran, "");
}

static void test_ctrl_l_clears_and_redraws(void **state)
{
	(void)state;
	type("caps a" LEFT);
	type("\x0c");
	assert_string_equal(out,
			    "\x1b[H\x1b[2J\r\x1b[K" PROMPT "caps a\x1b[1D");
	assert_line("caps a", 5);
}

static void test_history_walks_previous_lines(void **state)
{
	(void)state;
	type("ps\rstats\rstats\r"); /* a repeated line is kept once */
	type("au" UP);
	assert_line("stats", 5);
	assert_string_equal(out, "au\r\x1b[K" PROMPT "stats");
	type(UP);
	assert_line("ps", 2);
	type(UP); /* no older line: a bell, the line stays */
	assert_line("ps", 2);
	assert_string_equal(out, "\a");
	type(DOWN);
	assert_line("stats", 5);
	type(DOWN); /* back to what was being typed */
	assert_line("au", 2);
	type(DOWN);
	assert_string_equal(out, "\a");
	type("\x10\x10\x0e"); /* Ctrl-P, Ctrl-P, Ctrl-N */
	assert_line("stats", 5);
	type("\x1bOA"); /* SS3 Up */
	assert_line("ps", 2);
	type("\r");
	assert_string_equal(ran, "ps");
}

static void test_history_is_a_bounded_ring(void **state)
{
	(void)state;
	char cmd[16];
	for (int i = 0; i < LINEEDIT_HISTORY + 4; i++) {
		snprintf(cmd, sizeof(cmd), "cmd%d\r", i);
		type(cmd);
	}
	for (int i = 0; i < LINEEDIT_HISTORY; i++) {
		type(UP);
	}
	assert_line("cmd4", 4); /* the oldest kept: 0..3 fell off */
	type(UP);
	assert_string_equal(out, "\a");
	assert_line("cmd4", 4);
}

static void test_tab_completes_a_unique_command(void **state)
{
	(void)state;
	type("pow\t");
	assert_line("poweroff ", 9);
	assert_string_equal(out, "pow"
				 "eroff ");
	type("\x15  ca\t"); /* leading spaces do not make it an argument */
	assert_line("  caps ", 7);
}

static void test_tab_common_prefix_then_list(void **state)
{
	(void)state;
	type("caps a\t");
	assert_line("caps al", 7); /* alice and alfred share "al" */
	type("\t");
	assert_string_equal(out,
			    "\nalice  alfred  \n\r\x1b[K" PROMPT "caps al");
	assert_line("caps al", 7);
	type("i\t");
	assert_line("caps alice ", 11);
	type("\x15p\t"); /* ps, poweroff: nothing in common to add */
	assert_string_equal(out, "\x1b[11D\x1b[Kp\a");
	type("\t");
	assert_string_equal(out, "\nps  poweroff  \n\r\x1b[K" PROMPT "p");
	type("\x15zz\t"); /* no candidate */
	assert_string_equal(strchr(out, '\a'), "\a");
	assert_line("zz", 2);
	type("\x15"
	     "caps bob x\t"); /* a third word: nothing to offer */
	assert_line("caps bob x", 10);
}

static void test_unknown_sequences_are_swallowed(void **state)
{
	(void)state;
	type("ab"
	     "\x1b[5~"	   /* Page Up */
	     "\x1b[24~"	   /* F12 */
	     "\x1b[2~"	   /* Insert */
	     "\x1bOP"	   /* F1 */
	     "\x1b[?25h"   /* a private mode, as a terminal would answer */
	     "\x1b[1;5C"   /* Ctrl-Right: Right here */
	     "\x1bx"	   /* Alt-x */
	     "\x1b[200~"); /* bracketed paste start */
	assert_line("ab", 2);
	assert_string_equal(out, "ab");
	type("\x1b[\x03"); /* Ctrl-C breaks a sequence off and still cancels */
	assert_line("", 0);
	assert_non_null(strstr(out, "^C"));
	type("\x1b\x1b[Dq"); /* ESC ESC [ D: the second ESC starts over */
	assert_line("q", 1);
}

static void test_a_line_too_long_is_refused(void **state)
{
	(void)state;
	char big[LINEEDIT_MAX + 20];
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	type(big);
	assert_int_equal(e.len, LINEEDIT_MAX - 1);
	assert_non_null(strchr(out, '\a')); /* each refused byte rings */
	type("\r");
	assert_int_equal(lines, 0);
	assert_non_null(strstr(out, "[line too long: more than 127 "
				    "characters; not run]\n" PROMPT));
	type("ps\r"); /* the next line is fine */
	assert_string_equal(ran, "ps");
	type(big);
	type("\x15ps\r"); /* Ctrl-U took what was refused too */
	assert_int_equal(lines, 2);
}

static void test_non_ascii_is_refused(void **state)
{
	(void)state;
	type("a\xc3\xa9");
	assert_line("a", 1);
	assert_string_equal(out, "a\a\a");
}

static void test_draw_restores_the_cursor(void **state)
{
	(void)state;
	type("caps" LEFT LEFT);
	out[0] = '\0';
	lineedit_draw(&e);
	assert_string_equal(out, PROMPT "caps\x1b[2D");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup)
	const struct CMUnitTest tests[] = {
	    T(test_typing_echoes_and_enter_gives_the_line),
	    T(test_left_moves_and_inserts_in_the_middle),
	    T(test_right_and_ctrl_b_ctrl_f),
	    T(test_home_in_every_form),
	    T(test_end_in_every_form),
	    T(test_backspace_and_del),
	    T(test_delete_and_ctrl_d_take_the_char_under_the_cursor),
	    T(test_ctrl_u_kills_before_the_cursor),
	    T(test_ctrl_k_kills_after_the_cursor),
	    T(test_ctrl_w_kills_a_word),
	    T(test_ctrl_c_cancels_the_line),
	    T(test_ctrl_l_clears_and_redraws),
	    T(test_history_walks_previous_lines),
	    T(test_history_is_a_bounded_ring),
	    T(test_tab_completes_a_unique_command),
	    T(test_tab_common_prefix_then_list),
	    T(test_unknown_sequences_are_swallowed),
	    T(test_a_line_too_long_is_refused),
	    T(test_non_ascii_is_refused),
	    T(test_draw_restores_the_cursor),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
