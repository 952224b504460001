/* SPDX-License-Identifier: MIT */
/*
 * test_vt.c - host tests for the console's terminal: the escape-sequence
 * parser (drivers/vtparse.c), the screen model (drivers/vt.c) and what the
 * console log keeps of a terminal session (drivers/conlog.c).
 *
 * The screens expected here were read off tmux 3.3a (Debian 12), fed the
 * same bytes in a pane of the same size with `stty raw` (capture-pane), and
 * the program transcripts were recorded on the host with script(1) from
 * Debian's busybox 1.35: vi, less, top and the shell's line editor as they
 * drew on an xterm-like terminal. Where tmux parts from xterm and Linux the
 * case says so, and what xterm and the Linux console do is expected.
 */
#include "unit.h"

#include <stdio.h>
#include <string.h>

#include "conlog.h"
#include "kerrno.h"
#include "vt.h"
#include "vtparse.h"

#define MAX_COLS 80
#define MAX_ROWS 24

/* ---- the parser ---------------------------------------------------------------------------- */

/* Everything the parser makes of s, one action after another. */
static int parse_all(const char *s, size_t n, struct vtp_action *out, int max)
{
	struct vtparse p;
	int k = 0;

	vtparse_init(&p);
	for (size_t i = 0; i < n; i++) {
		struct vtp_action a[2];
		int got = vtparse_byte(&p, (uint8_t)s[i], a);

		for (int j = 0; j < got && k < max; j++)
			out[k++] = a[j];
	}
	return k;
}

static int parse_str(const char *s, struct vtp_action *out, int max)
{
	return parse_all(s, strlen(s), out, max);
}

static void test_parse_text_and_utf8(void **state)
{
	static const char s[] = "A\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e"
				"\xc3(\x80\xed\xa0\x80\xc0\xaf\xe2\x82";
	struct vtp_action a[32];
	static const uint32_t want[] = {
		'A', 0xe9, 0x20ac, 0x1d11e, VTP_REPLACEMENT, '(', VTP_REPLACEMENT, VTP_REPLACEMENT, VTP_REPLACEMENT
	};
	int n;

	(void)state;
	n = parse_all(s, sizeof(s) - 1, a, 32);
	/* A, é, €, U+1D11E; a lead byte cut short by '(' (U+FFFD, then the '('), a stray continuation byte,
	 * a surrogate and an overlong form each one U+FFFD; the unfinished € at the end is nothing yet. */
	assert_int_equal(n, sizeof(want) / sizeof(want[0]));
	for (int i = 0; i < n; i++) {
		assert_int_equal(a[i].kind, VTP_PRINT);
		assert_int_equal(a[i].cp, want[i]);
	}
	/* A control in the middle of a sequence: U+FFFD, then the control. */
	n = parse_str("\xe2\x82\n", a, 32);
	assert_int_equal(n, 2);
	assert_int_equal(a[0].cp, VTP_REPLACEMENT);
	assert_int_equal(a[1].kind, VTP_EXECUTE);
	assert_int_equal(a[1].final, '\n');
}

static void test_parse_sequences(void **state)
{
	struct vtp_action a[16];
	int n;

	(void)state;
	n = parse_str("\033[12;34H\033[?1049h\033[>c\033[ q\033[38:5:196m\033[m", a, 16);
	assert_int_equal(n, 6);
	assert_int_equal(a[0].kind, VTP_CSI);
	assert_int_equal(a[0].final, 'H');
	assert_int_equal(a[0].nparams, 2);
	assert_int_equal(a[0].params[0], 12);
	assert_int_equal(a[0].params[1], 34);
	assert_int_equal(a[1].private_mark, '?');
	assert_int_equal(a[1].params[0], 1049);
	assert_int_equal(a[2].private_mark, '>');
	assert_int_equal(a[2].nparams, 0);
	assert_int_equal(a[3].intermediate, ' ');
	assert_int_equal(a[3].final, 'q');
	assert_int_equal(a[4].nparams, 3);
	assert_int_equal(a[4].sub, (1u << 1) | (1u << 2)); /* 5 and 196 followed a ':' */
	assert_int_equal(a[4].params[2], 196);
	assert_int_equal(a[5].nparams, 0);
	assert_int_equal(vtp_param(&a[5], 0, 1), 1);
	/* Empty parameters count (as 0, the default); huge ones saturate; the 17th and later are dropped. */
	n = parse_str("\033[;5;99999999r\033[1;2;3;4;5;6;7;8;9;10;11;12;13;14;15;16;17;18m", a, 16);
	assert_int_equal(n, 2);
	assert_int_equal(a[0].nparams, 3);
	assert_int_equal(vtp_param(&a[0], 0, 7), 7);
	assert_int_equal(a[0].params[2], VTP_PARAM_MAX);
	assert_int_equal(a[1].nparams, VTP_MAX_PARAMS);
	assert_int_equal(a[1].params[15], 16);
	/* ESC with an intermediate, and alone. */
	n = parse_str("\033(B\0337\033c", a, 16);
	assert_int_equal(n, 3);
	assert_int_equal(a[0].kind, VTP_ESC);
	assert_int_equal(a[0].intermediate, '(');
	assert_int_equal(a[0].final, 'B');
	assert_int_equal(a[1].final, '7');
	assert_int_equal(a[2].final, 'c');
}

static void test_parse_strings_and_aborts(void **state)
{
	static const char s[] = "\033]0;a title\aX"   /* OSC ended by BEL */
				"\033]2;t\033\\Y"     /* ... by ST */
				"\033P1$r;q\033\\Z"   /* DCS */
				"\033[1;2\030W"	      /* CAN aborts a CSI */
				"\033[1\033[2JV"      /* ESC starts over */
				"\033[1\nU"	      /* a control inside a CSI is executed */
				"\033]8;;x\033[31mT"; /* ESC ends a string and begins a sequence */
	struct vtp_action a[16];
	int n = parse_all(s, sizeof(s) - 1, a, 16);
	static const char want[] = "XYZWJVEU m T";
	int i = 0;

	(void)state;
	for (int k = 0; k < n; k++) {
		char got = a[k].kind == VTP_PRINT   ? (char)a[k].cp :
			   a[k].kind == VTP_CSI	    ? (char)a[k].final :
			   a[k].kind == VTP_EXECUTE ? 'E' :
						      '?';

		if (got == 'E' && a[k].final == '\n')
			got = 'E';
		assert_true(i < (int)sizeof(want) - 1);
		while (want[i] == ' ')
			i++;
		if (got != want[i])
			fail_msg("action %d: '%c', expected '%c'", k, got, want[i]);
		i++;
	}
	assert_int_equal(i, sizeof(want) - 1);
}

/* ---- the screen model ---------------------------------------------------------------------- */

static struct vt vt;
static struct vt_cell grid_main[MAX_COLS * MAX_ROWS], grid_alt[MAX_COLS * MAX_ROWS];
static char replies[256];
static size_t nreplies;
static int scrolls, scroll_top, scroll_bottom, scroll_n;

static void on_reply(struct vt *t, const char *s, size_t n)
{
	(void)t;
	assert_true(nreplies + n < sizeof(replies));
	memcpy(replies + nreplies, s, n);
	nreplies += n;
	replies[nreplies] = 0;
}

static void on_scroll(struct vt *t, uint32_t top, uint32_t bottom, int n)
{
	(void)t;
	scrolls++;
	scroll_top = (int)top;
	scroll_bottom = (int)bottom;
	scroll_n = n;
}

/* The kernel console's rule, short: "ok " green (10), "*" red bold (9). */
static void on_classify(const char *s, size_t n, uint8_t *fg, uint8_t *attr)
{
	*fg = VT_DEFAULT_FG;
	*attr = 0;
	if (n >= 3 && !memcmp(s, "ok ", 3))
		*fg = 10;
	else if (n && s[0] == '*') {
		*fg = 9;
		*attr = VT_ATTR_BOLD;
	}
}

static const struct vt_hooks hooks = { on_reply, on_scroll, on_classify };

static void start(uint32_t cols, uint32_t rows)
{
	assert_int_equal(vt_init(&vt, cols, rows, grid_main, grid_alt, &hooks), 0);
	nreplies = 0;
	replies[0] = 0;
	scrolls = 0;
}

static void put(const char *s)
{
	vt_write(&vt, s, strlen(s));
}

/* Row r as text, trailing blanks trimmed; code points past ASCII as '?'. */
static const char *row(uint32_t r)
{
	static char buf[MAX_COLS + 1];
	size_t n = 0;

	for (uint32_t c = 0; c < vt.cols; c++) {
		uint32_t ch = vt_cell_at(&vt, c, r).ch;

		buf[n++] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
	}
	while (n && buf[n - 1] == ' ')
		n--;
	buf[n] = 0;
	return buf;
}

struct screen_case {
	const char *name;
	const char *bytes;
	const char *rows[MAX_ROWS];
	uint32_t cx, cy;
};

struct program_case {
	const char *name;
	uint32_t cols, rows;
	const char *bytes;
	const char *screen[MAX_ROWS];
	uint32_t cx, cy;
};

static void assert_screen(const char *name, const char *const *want, uint32_t cx, uint32_t cy)
{
	for (uint32_t r = 0; r < vt.rows; r++) {
		const char *w = want[r] ? want[r] : "";

		if (strcmp(row(r), w))
			fail_msg("%s: row %u is \"%s\", expected \"%s\"", name, r, row(r), w);
	}
	if (vt.cx != cx || vt.cy != cy)
		fail_msg("%s: cursor at %u,%u, expected %u,%u", name, vt.cx, vt.cy, cx, cy);
}

/* What busybox 1.35's programs sent to a terminal on the host (script(1)), and the screen tmux made of it. */
static const struct program_case programs[] = {
	{ "vi2",
	  40,
	  10,
	  "\033[?1049h\033[H\033[J\033[1;1Hline 1 of the file\033[2;1Hline 2 of the file\033[3;1Hline "
	  "3 of the file\033[4;1Hline 4 of the file\033[5;1Hline 5 of the file\033[6;1Hline 6 of the f"
	  "ile\033[7;1Hline 7 of the file\033[8;1Hline 8 of the file\033[9;1Hline 9 of the file\033[1;"
	  "1H\033[10;1H\033[K- f20.txt 1/20 5%\033[1;1H\033[10;1H\033[K- f20.txt 2/20 10%\033[1;1H\033"
	  "[10;1H\033[K- f20.txt 3/20 15%\033[1;1H\033[10;1H\033[K- f20.txt 4/20 20%\033[1;1H\033[10;1"
	  "H\033[K- f20.txt 5/20 25%\033[1;1H\033[10;1H\033[K- f20.txt 6/20 30%\033[1;1H\033[10;1H\033"
	  "[K- f20.txt 7/20 35%\033[1;1H\033[10;1H\033[K- f20.txt 8/20 40%\033[1;1H\033[10;1H\033[K- f"
	  "20.txt 9/20 45%\033[1;1H\033[10;1H\033[K- f20.txt 10/20 50%\033[1;1H\033[10;1H\033[K- f20.t"
	  "xt 11/20 55%\033[1;1H\033[10;1H\033[K- f20.txt 12/20 60%\033[1;1H\033[1;6H9\033[2;6H10 of t"
	  "he file\033[3;6H11 of the file\033[4;6H12 of the file\033[5;6H13 of the file\033[6;6H14 of "
	  "the file\033[7;6H15 of the file\033[8;6H16 of the file\033[9;6H17 of the file\033[5;1H\033["
	  "10;1H\033[K- f20.txt 13/20 65%\033[5;1H\033[5;7H4\033[6;7H5\033[7;7H6\033[8;7H7\033[9;7H8\033"
	  "[5;1H\033[10;1H\033[KDelete 1 lines (20 chars) from [D]\033[5;1H\033[10;1H\033[K- f20.txt ["
	  "Modified] 13/19 68%\033[5;1H\033[10;1H\033[KI f20.txt [Modified] 13/20 65%\033[5;1H\033[5;1"
	  "Hnew text           \033[6;7H4\033[7;7H5\033[8;7H6\033[9;7H7\033[5;8H\033[10;1H\033[K- f20."
	  "txt [Modified] 13/20 65%\033[5;8H\033[10;1H\033[K- f20.txt [Modified] 12/20 60%\033[5;8H\033"
	  "[10;1H\033[K- f20.txt [Modified] 11/20 55%\033[5;8H\033[10;1H\033[K- f20.txt [Modified] 10/"
	  "20 50%\033[5;8H\033[10;1H\033[K- f20.txt [Modified] 9/20 45%\033[5;8H\033[10;1H\033[K- f20."
	  "txt [Modified] 8/20 40%\033[5;8H\033[10;1H\033[K- f20.txt [Modified] 7/20 35%\033[5;8H\033["
	  "10;1H\033[K- f20.txt [Modified] 6/20 30%\033[5;8H\033[10;1H\033[K- f20.txt [Modified] 5/20 "
	  "25%\033[5;8H\033[1;6H1\033[2;6H2 of the file \033[3;6H3 of the file \033[4;6H4 of the file "
	  "\033[5;1Hline 5 of the file\033[6;6H6 of the file \033[7;6H7 of the file \033[8;6H8 of the "
	  "file \033[9;6H9 of the file \033[4;8H\033[10;1H\033[K- f20.txt [Modified] 4/20 20%\033[4;8H"
	  "\033[4;8Hf the file \033[4;8H",
	  { "line 1 of the file", "line 2 of the file", "line 3 of the file", "line 4 f the file", "line 5 of the file",
	    "line 6 of the file", "line 7 of the file", "line 8 of the file", "line 9 of the file",
	    "- f20.txt [Modified] 4/20 20%" },
	  7,
	  3 },
	{ "less",
	  40,
	  10,
	  "\033[0;0H\033[Kline 1 of the file\r\n\033[Kline 2 of the file\r\n\033[Kline 3 of the file\r"
	  "\n\033[Kline 4 of the file\r\n\033[Kline 5 of the file\r\n\033[Kline 6 of the file\r\n\033["
	  "Kline 7 of the file\r\n\033[Kline 8 of the file\r\n\033[Kline 9 of the file\r\n\033[10;0H\033"
	  "[K\033[7mf20.txt\033[m\033[0;0H\033[Kline 10 of the file\r\n\033[Kline 11 of the file\r\n\033"
	  "[Kline 12 of the file\r\n\033[Kline 13 of the file\r\n\033[Kline 14 of the file\r\n\033[Kli"
	  "ne 15 of the file\r\n\033[Kline 16 of the file\r\n\033[Kline 17 of the file\r\n\033[Kline 1"
	  "8 of the file\r\n\033[10;0H\033[K:\033[0;0H\033[Kline 9 of the file\r\n\033[Kline 10 of the"
	  " file\r\n\033[Kline 11 of the file\r\n\033[Kline 12 of the file\r\n\033[Kline 13 of the fil"
	  "e\r\n\033[Kline 14 of the file\r\n\033[Kline 15 of the file\r\n\033[Kline 16 of the file\r\n"
	  "\033[Kline 17 of the file\r\n\033[10;0H\033[K:\033[10;0H\033[K/\033[10;2H1\033[10;3H[\033[1"
	  "0;4H0\033[10;5H5\033[10;6H]\033[10;7H\033[0;0H\033[Kline \033[7m10\033[m of the file\r\n\033"
	  "[Kline 11 of the file\r\n\033[Kline 12 of the file\r\n\033[Kline 13 of the file\r\n\033[Kli"
	  "ne 14 of the file\r\n\033[Kline \033[7m15\033[m of the file\r\n\033[Kline 16 of the file\r\n"
	  "\033[Kline 17 of the file\r\n\033[Kline 18 of the file\r\n\033[10;0H\033[K:",
	  { "line 10 of the file", "line 11 of the file", "line 12 of the file", "line 13 of the file",
	    "line 14 of the file", "line 15 of the file", "line 16 of the file", "line 17 of the file",
	    "line 18 of the file", ":" },
	  1,
	  9 },
	{ "top2",
	  40,
	  8,
	  "\033[H\033[JMem: 2586508K used, 22097156K free, 956\r\nCPU:  95% usr   4% sys   0% nic   0%"
	  " id\r\nLoad average: 6.44 4.52 2.86 9/167 2622\r\n\033[7m  PID  PPID USER     STAT   VSZ %V"
	  "SZ %CP\033[m\r\n 2550  2342 root     R    20.0t81920%  2\r\n32344  2079 root     S    1743m"
	  "   7%  19\r\n 2596  2595 root     R    50204   0%  19\r\n 2219  2217 root     R    60752   "
	  "0%   5\r\033[H\033[JMem: 2599372K used, 22084292K free, 956\r\nCPU:  84% usr  15% sys   0% "
	  "nic   0% id\r\nLoad average: 6.65 4.60 2.89 8/168 2683\r\n\033[7m  PID  PPID USER     STAT "
	  "  VSZ %VSZ %CP\033[m\r\n32344  2079 root     R    1743m   7%  25\r\n 2550  2342 root     R "
	  "   20.0t81920%  2\r\n 2219  2217 root     R     156m   1%   8\r\n    1     0 root     S<   "
	  "52116   0%   1\r",
	  { "Mem: 2599372K used, 22084292K free, 956", "CPU:  84% usr  15% sys   0% nic   0% id",
	    "Load average: 6.65 4.60 2.89 8/168 2683", "  PID  PPID USER     STAT   VSZ %VSZ %CP",
	    "32344  2079 root     R    1743m   7%  25", " 2550  2342 root     R    20.0t81920%  2",
	    " 2219  2217 root     R     156m   1%   8", "    1     0 root     S<   52116   0%   1" },
	  0,
	  7 },
	{ "sh2",
	  30,
	  6,
	  "\r\n\r\nBusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) built-in shell (ash)\r\nEnter 'help'"
	  " for a list of built-in commands.\r\n\r\n$ \033[6necho hi\r\nhi\r\n$ \033[6nab\b\033[J\bxa\b"
	  "a\r\nsh: xa: not found\r\n$ \033[6na long command line that wra\r\r\nps around\b\b\bXund\b\b"
	  "\bYund\b\b\bnd\033[J\b\b",
	  { "$ echo hi", "hi", "$ xa", "sh: xa: not found", "$ a long command line that wra", "ps aroXYnd" },
	  8,
	  5 },
};

static void test_vt_busybox_programs(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(programs) / sizeof(programs[0]); i++) {
		const struct program_case *p = &programs[i];

		start(p->cols, p->rows);
		put(p->bytes);
		assert_screen(p->name, p->screen, p->cx, p->cy);
		/* The same bytes one at a time: sequences split anywhere give the same screen. */
		start(p->cols, p->rows);
		for (const char *b = p->bytes; *b; b++)
			vt_write(&vt, b, 1);
		assert_screen(p->name, p->screen, p->cx, p->cy);
	}
}

/*
 * One sequence or mode per case, on a 20 x 10 screen. The texts use CR LF:
 * tmux was fed them with `stty raw`, and the console's own line feed returns
 * the carriage as well (new-line mode, tested below).
 */
static const struct screen_case sequences[] = {
	/* as tmux 3.3a shows it */
	{ "wrap",
	  "0123456789abcdefghij0123456789abcdefghij0123456789abcdefghijXY\r\nxxxxxxxxxxxxxxxxxxxx\r\nn"
	  "ext",
	  { "0123456789abcdefghij", "0123456789abcdefghij", "0123456789abcdefghij", "XY", "xxxxxxxxxxxxxxxxxxxx",
	    "next" },
	  4,
	  5 },
	/* as tmux 3.3a shows it */
	{ "cursor",
	  "\033[5;5H*\033[2A+\033[3B-\033[10C>\033[4D<\033[G|\033[8G#\033[3d@\033[99;99H!\033[H^\033[E"
	  "(\033[2F)",
	  { ")", "(", "     +  @", "", "    *", "|     -#      <  >", "", "", "", "                   !" },
	  1,
	  0 },
	/* as tmux 3.3a shows it */
	{ "erase",
	  "abcdefghijklmnopqrst\r\nabcdefghijklmnopqrst\r\nabcdefghijklmnopqrst\r\nabcdefghijklmnopqrs"
	  "t\r\nabcdefghijklmnopqrst\r\n\033[3;10H\033[K\033[2;5H\033[1K\033[4;1H\033[2K\033[5;15H\033"
	  "[J\033[1;3H\033[1J",
	  { "   defghijklmnopqrst", "     fghijklmnopqrst", "abcdefghi", "", "abcdefghijklmn" },
	  2,
	  0 },
	/* tmux differs: see test_vt_where_tmux_differs */
	{ "edit",
	  "abcdefghijklmnopqrst\r\nabcdefghijklmnopqrst\r\nabcdefghijklmnopqrst\r\nabcdefghijklmnopqrs"
	  "t\r\n\033[1;3H\033[2@\033[2;3H\033[3P\033[3;5H\033[4X\033[4;18H\033[5@",
	  { "ab  cdefghijklmnopqr", "abfghijklmnopqrst", "abcd    ijklmnopqrst", "abcdefghijklmnopq" },
	  17,
	  3 },
	/* as tmux 3.3a shows it */
	{ "lines",
	  "row1\r\nrow2\r\nrow3\r\nrow4\r\nrow5\r\nrow6\r\nrow7\r\nrow8\r\nend\033[3;1H\033[2L\033[6;4"
	  "H\033[M\033[H\033[3M",
	  { "", "row3", "row5", "row6", "row7", "row8" },
	  0,
	  0 },
	/* as tmux 3.3a shows it */
	{ "region",
	  "row1\r\nrow2\r\nrow3\r\nrow4\r\nrow5\r\nrow6\r\nrow7\r\n\033[2;5r\033[5;1H\nA\nB\nC\033[2;1"
	  "H\033M\033Mup\033[r\033[9;1Hbottom\r\nscrolled",
	  { "row1", "up", "", "row5", "A", "row6", "row7", "", "bottom", "scrolled" },
	  8,
	  9 },
	/* as tmux 3.3a shows it */
	{ "region_su",
	  "row1\r\nrow2\r\nrow3\r\nrow4\r\nrow5\r\nrow6\r\nrow7\r\n\033[3;6r\033[2S\033[T\033[1;1Htop",
	  { "top1", "row2", "", "row5", "row6", "", "row7" },
	  3,
	  0 },
	/* as tmux 3.3a shows it */
	{ "save",
	  "\033[3;4Hone\0337\033[31m\033[6;1Htwo\0338three\033[1;1H\033[s\033[8;8H4\033[u5",
	  { "5", "", "   onethree", "", "", "two", "", "       4" },
	  1,
	  0 },
	/* tmux differs: see test_vt_where_tmux_differs */
	{ "tabs",
	  "a\tb\tc\r\n\033[3g\033[5G\033H\033[15G\033H\r\tx\ty\tz\r\n\tq\033[Zw\033[2Iv",
	  { "a       b       c", "    x         y    z", "    w              v" },
	  19,
	  2 },
	/* as tmux 3.3a shows it */
	{ "insert", "abcdef\033[4h\033[1;3HXY\033[4lZ", { "abXYZdef" }, 5, 0 },
	/* as tmux 3.3a shows it */
	{ "origin",
	  "row1\r\nrow2\r\nrow3\r\nrow4\r\nrow5\r\nrow6\r\nrow7\r\nrow8\r\n\033[3;6r\033[?6h\033[1;1Ho"
	  "1\033[9;2Ho2\033[?6l\033[1;1Hp\033[r",
	  { "pow1", "row2", "o1w3", "row4", "row5", "ro26", "row7", "row8" },
	  0,
	  0 },
	/* as tmux 3.3a shows it */
	{ "rep", "ab\033[3b\r\n-\033[15b", { "abbbb", "----------------" }, 16, 1 },
	/* as tmux 3.3a shows it */
	{ "alt", "main text\r\nline2\033[?1049halt screen\033[5;5Hxx\033[?1049l!", { "main text", "line2!" }, 6, 1 },
	/* as tmux 3.3a shows it */
	{ "alt47", "main\033[?47halt\033[?47l?", { "main   ?" }, 8, 0 },
	/* as tmux 3.3a shows it */
	{ "nowrap",
	  "\033[?7l0123456789abcdefghijXYZ\r\n\033[?7h0123456789abcdefghijXYZ",
	  { "0123456789abcdefghiZ", "0123456789abcdefghij", "XYZ" },
	  3,
	  2 },
	/* as tmux 3.3a shows it */
	{ "ris", "junk\033[5;5r\033[?6h\033cfresh", { "fresh" }, 5, 0 },
	/* as tmux 3.3a shows it */
	{ "decaln",
	  "\033#8\033[3;3H\033[K",
	  { "EEEEEEEEEEEEEEEEEEEE", "EEEEEEEEEEEEEEEEEEEE", "EE", "EEEEEEEEEEEEEEEEEEEE", "EEEEEEEEEEEEEEEEEEEE",
	    "EEEEEEEEEEEEEEEEEEEE", "EEEEEEEEEEEEEEEEEEEE", "EEEEEEEEEEEEEEEEEEEE", "EEEEEEEEEEEEEEEEEEEE",
	    "EEEEEEEEEEEEEEEEEEEE" },
	  2,
	  2 },
	/* tmux differs: see test_vt_where_tmux_differs */
	{ "bs_wrap", "0123456789abcdefghij\b\bX", { "0123456789abcdefgXij" }, 18, 0 },
	/* as tmux 3.3a shows it */
	{ "nel_ind", "abc\033Dd\033Ee", { "abc", "   d", "e" }, 1, 2 },
	/* as tmux 3.3a shows it */
	{ "osc", "\033]0;title\aA\033]2;x\033\\B\033P1$r\033\\C\033[1;2\030D\033[?1;2$pE", { "ABCDE" }, 5, 0 },
	/* tmux differs: see test_vt_where_tmux_differs */
	{ "cub_at_wrap", "0123456789abcdefghij\033[Dz", { "0123456789abcdefghzj" }, 19, 0 },
};

static void test_vt_sequences(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(sequences) / sizeof(sequences[0]); i++) {
		start(20, 10);
		put(sequences[i].bytes);
		assert_screen(sequences[i].name, sequences[i].rows, sequences[i].cx, sequences[i].cy);
	}
}

/*
 * The cases above where tmux 3.3a parts from xterm and the Linux console,
 * which the console follows:
 *  - edit: ICH of more cells than are left on the row (CSI 5 @ at column
 *    18 of 20): xterm and Linux blank the rest of the row; tmux ignores it;
 *  - tabs: CHT (CSI I) past the last tab stop goes to the last column; tmux
 *    does not move;
 *  - bs_wrap, cub_at_wrap: after the last column is written the cursor is
 *    on that column (with the wrap pending), so BS and CUB go to the column
 *    before it; tmux keeps its cursor past the edge and loses one step.
 * Checked here cell by cell as well.
 */
static void test_vt_where_tmux_differs(void **state)
{
	(void)state;
	start(20, 10);
	put("abcdefghijklmnopqrst\r\n\033[1;18H\033[5@");
	assert_string_equal(row(0), "abcdefghijklmnopq");
	start(20, 10);
	put("0123456789abcdefghij");
	assert_int_equal(vt.cx, 19);
	assert_int_equal(vt.wrap_pending, 1);
	put("\b");
	assert_int_equal(vt.cx, 18);
	assert_int_equal(vt.wrap_pending, 0);
	put("Q");
	assert_string_equal(row(0), "0123456789abcdefghQj");
	assert_int_equal(vt.cx, 19);
	assert_int_equal(vt.cy, 0);
}

static void test_vt_newline_mode(void **state)
{
	(void)state;
	start(20, 10);
	/* A line feed returns the carriage (the kernel's "\n"-ended lines); CSI 20 l makes it a bare line feed. */
	put("a\nb\033[20l\nc\r\n\033[20hd\ne");
	assert_string_equal(row(0), "a");
	assert_string_equal(row(1), "b");
	assert_string_equal(row(2), " c");
	assert_string_equal(row(3), "d");
	assert_string_equal(row(4), "e");
	/* ESC c restores new-line mode. */
	put("\033[20l\033cx\ny");
	assert_string_equal(row(1), "y");
}

static void test_vt_sgr(void **state)
{
	struct vt_cell c;

	(void)state;
	start(40, 4);
	put("\033[31ma\033[1;44mb\033[7mc\033[0md\033[38;5;196me\033[48;2;0;0;255mf\033[38:2::0:255:0mg"
	    "\033[39;49mh\033[95;103mi\033[4mj\033[24;22;27mk\033[38;5;300ml\033[m");
	c = vt_cell_at(&vt, 0, 0);
	assert_int_equal(c.fg, 1);
	assert_int_equal(c.bg, VT_DEFAULT_BG);
	assert_int_equal(c.attr, 0);
	c = vt_cell_at(&vt, 1, 0);
	assert_int_equal(c.fg, 1);
	assert_int_equal(c.bg, 4);
	assert_int_equal(c.attr, VT_ATTR_BOLD);
	c = vt_cell_at(&vt, 2, 0); /* reverse: the colours swapped in the cell */
	assert_int_equal(c.fg, 4);
	assert_int_equal(c.bg, 1);
	c = vt_cell_at(&vt, 3, 0);
	assert_int_equal(c.fg, VT_DEFAULT_FG);
	assert_int_equal(c.bg, VT_DEFAULT_BG);
	assert_int_equal(c.attr, 0);
	assert_int_equal(vt_cell_at(&vt, 4, 0).fg, 196);
	assert_int_equal(vt_cell_at(&vt, 5, 0).bg, 21); /* 0,0,255: the cube's blue */
	assert_int_equal(vt_cell_at(&vt, 6, 0).fg, 46); /* the colon form, with its colour space id */
	assert_int_equal(vt_cell_at(&vt, 7, 0).fg, VT_DEFAULT_FG);
	assert_int_equal(vt_cell_at(&vt, 7, 0).bg, VT_DEFAULT_BG);
	assert_int_equal(vt_cell_at(&vt, 8, 0).fg, 13);
	assert_int_equal(vt_cell_at(&vt, 8, 0).bg, 11);
	assert_int_equal(vt_cell_at(&vt, 9, 0).attr, VT_ATTR_UNDERLINE);
	assert_int_equal(vt_cell_at(&vt, 10, 0).attr, 0);
	assert_int_equal(vt_cell_at(&vt, 11, 0).fg, 13); /* index 300 does not exist: unchanged */
	/* Erasing fills with the current background (xterm's BCE). */
	put("\033[42m\033[2K\033[m");
	assert_int_equal(vt_cell_at(&vt, 0, 0).bg, 2);
	assert_int_equal(vt_cell_at(&vt, 39, 0).ch, ' ');
	/* The palette: the console's 16, the cube, the grey ramp; RGB to the nearest. */
	assert_int_equal(vt_palette_rgb(7), 0xc0c0c0);
	assert_int_equal(vt_palette_rgb(9), 0xff5555);
	assert_int_equal(vt_palette_rgb(16), 0x000000);
	assert_int_equal(vt_palette_rgb(196), 0xff0000);
	assert_int_equal(vt_palette_rgb(231), 0xffffff);
	assert_int_equal(vt_palette_rgb(232), 0x080808);
	assert_int_equal(vt_palette_rgb(255), 0xeeeeee);
	assert_int_equal(vt_rgb_index(255, 0, 0), 196);
	assert_int_equal(vt_rgb_index(128, 128, 128), 244);
	assert_int_equal(vt_rgb_index(95, 135, 175), 67);
}

static void test_vt_replies(void **state)
{
	(void)state;
	start(20, 10);
	put("\033[5;7H\033[6n");
	assert_string_equal(replies, "\033[5;7R");
	nreplies = 0;
	/* In origin mode the row counts from the region's top. */
	put("\033[3;8r\033[?6h\033[2;4H\033[6n\033[?6l\033[r");
	assert_string_equal(replies, "\033[2;4R");
	nreplies = 0;
	put("\033[c\033[0c\033[5n\033[>c\033Z");
	assert_string_equal(replies, "\033[?6c\033[?6c\033[0n\033[?6c");
	/* At the last column with the wrap pending, the cursor is on that column. */
	nreplies = 0;
	put("\033[1;1H01234567890123456789\033[6n");
	assert_string_equal(replies, "\033[1;20R");
	/* Huge positions are clamped to the screen. */
	nreplies = 0;
	put("\033[65535;65535H\033[6n");
	assert_string_equal(replies, "\033[10;20R");
}

static void test_vt_cursor_modes_and_screens(void **state)
{
	(void)state;
	start(20, 10);
	assert_int_equal(vt.cursor_visible, 1);
	put("\033[?25l");
	assert_int_equal(vt.cursor_visible, 0);
	put("\033[?25h\033[?1h");
	assert_int_equal(vt.cursor_visible, 1);
	assert_int_equal(vt.app_cursor_keys, 1);
	/* The alternate screen keeps its own cells and cursor; leaving it restores the main screen and cursor. */
	put("\033[?1lmain\033[31m\033[3;5H\033[?1049h");
	assert_int_equal(vt.alt_active, 1);
	assert_string_equal(row(0), "");
	assert_int_equal(vt.cx, 4);
	put("\033[1;1Halt\033[?25l");
	assert_string_equal(row(0), "alt");
	put("\033[?1049l");
	assert_int_equal(vt.alt_active, 0);
	assert_string_equal(row(0), "main");
	assert_int_equal(vt.cx, 4);
	assert_int_equal(vt.cy, 2);
	assert_int_equal(vt.pen.fg, 1); /* DECSC saved the colours too */
	/* Entering it again starts blank. */
	put("\033[?1049h");
	assert_string_equal(row(0), "");
	/* ESC c: out of the alternate screen, everything back to the start. */
	put("x\033[5;6r\033[?7l\033[?25l\033c");
	assert_int_equal(vt.alt_active, 0);
	assert_int_equal(vt.top, 0);
	assert_int_equal(vt.bottom, 9);
	assert_int_equal(vt.autowrap, 1);
	assert_int_equal(vt.cursor_visible, 1);
	assert_string_equal(row(0), "");
	/* Without an alternate grid, ?1049 is ignored and the main screen stays. */
	assert_int_equal(vt_init(&vt, 20, 10, grid_main, NULL, &hooks), 0);
	put("keep\033[?1049hmore");
	assert_string_equal(row(0), "keepmore");
}

static void test_vt_scroll_hook(void **state)
{
	(void)state;
	start(20, 4);
	put("1\n2\n3\n4\n5");
	assert_int_equal(scrolls, 1);
	assert_int_equal(scroll_top, 0);
	assert_int_equal(scroll_bottom, 3);
	assert_int_equal(scroll_n, 1);
	put("\033[2;3r\033[2;1H\033M");
	assert_int_equal(scrolls, 2);
	assert_int_equal(scroll_top, 1);
	assert_int_equal(scroll_bottom, 2);
	assert_int_equal(scroll_n, -1);
	/* The console's adaptive step: a line feed at the bottom of the full screen scrolls lf_step rows. */
	start(20, 4);
	vt.lf_step = 2;
	put("1\n2\n3\n4\n5");
	assert_int_equal(scroll_n, 2);
	assert_string_equal(row(0), "3");
	assert_string_equal(row(1), "4");
	assert_string_equal(row(2), "5");
	assert_int_equal(vt.cy, 2);
	/* ...but inside a region, one row as asked. */
	put("\033[1;3r\033[3;1H\n");
	assert_int_equal(scroll_n, 1);
}

static void test_vt_log_line_colour(void **state)
{
	(void)state;
	start(10, 6);
	/* Plain text in the default colours takes its line's colour, recoloured as the line grows. */
	put("ok");
	assert_int_equal(vt_cell_at(&vt, 0, 0).fg, VT_DEFAULT_FG);
	put(" 1 and a wrapped tail\n*bad\r\n");
	for (uint32_t c = 0; c < 10; c++)
		assert_int_equal(vt_cell_at(&vt, c, 0).fg, 10);
	assert_int_equal(vt_cell_at(&vt, 5, 1).fg, 10); /* the wrapped part too */
	assert_int_equal(vt_cell_at(&vt, 2, 2).fg, 10);
	/* CR LF keeps a line plain; the colour comes with bold. */
	assert_string_equal(row(3), "*bad");
	assert_int_equal(vt_cell_at(&vt, 0, 3).fg, 9);
	assert_int_equal(vt_cell_at(&vt, 0, 3).attr, VT_ATTR_BOLD);
	/* A sequence in the line: its colours are its own. */
	start(10, 4);
	put("\033[32mok 1\033[m\nok\033[K 2\n");
	assert_int_equal(vt_cell_at(&vt, 0, 0).fg, 2);
	assert_int_equal(vt_cell_at(&vt, 0, 1).fg, VT_DEFAULT_FG);
	/* Overwriting after a CR: the line is no longer a log line. */
	start(10, 4);
	put("abc\rok d\n");
	assert_int_equal(vt_cell_at(&vt, 0, 0).fg, VT_DEFAULT_FG);
	/* A colour still set when a line starts: not a log line either. */
	start(10, 4);
	put("\033[33m\nok 3\n");
	assert_int_equal(vt_cell_at(&vt, 0, 1).fg, 3);
	/* A log line keeps its colour when it scrolls. */
	start(10, 2);
	put("ok 1\nx\ny");
	assert_int_equal(vt_cell_at(&vt, 0, 0).fg, VT_DEFAULT_FG);
	start(10, 2);
	put("ok 12345678901234");
	assert_int_equal(vt_cell_at(&vt, 0, 1).fg, 10);
	put("5678");
	assert_int_equal(vt.log.start, -10);
	assert_int_equal(vt_cell_at(&vt, 0, 0).fg, 10);
}

static void test_vt_hostile_input(void **state)
{
	static const char alphabet[] = "\033[0123456789;?mHJKrL@PMhl\n\r\b\tab\x9b\xc3";
	uint32_t seed = 12345;
	char buf[4096];

	(void)state;
	start(20, 10);
	put("\033[99999@\033[99999P\033[99999L\033[99999M\033[99999X\033[99999S\033[99999T\033[99999b"
	    "\033[0;0H\033[99999;1r\033[5;2r\033[99999I\033[99999Z\033[99999A\033[99999D");
	assert_true(vt.cx < 20 && vt.cy < 10);
	assert_true(vt.top <= vt.bottom && vt.bottom < 10);
	for (int round = 0; round < 200; round++) {
		for (size_t i = 0; i < sizeof(buf); i++) {
			seed = seed * 1103515245u + 12345u;
			/* Mostly ESC, '[', digits and ';' so that long sequences form. */
			buf[i] = alphabet[(seed >> 16) % (sizeof(alphabet) - 1)];
		}
		vt_write(&vt, buf, sizeof(buf));
		assert_true(vt.cx < vt.cols && vt.cy < vt.rows);
		assert_true(vt.top <= vt.bottom && vt.bottom < vt.rows);
		assert_true(vt.log.len <= VT_LOG_LINE);
	}
	assert_int_equal(vt_init(&vt, VT_MAX_COLS + 1, 10, grid_main, NULL, NULL), -EINVAL);
	assert_int_equal(vt_init(&vt, 0, 10, grid_main, NULL, NULL), -EINVAL);
}

/* ---- the console log ---------------------------------------------------------------------- */

static char log_text[8192];
static uint64_t log_starts[64];

static void log_start(void)
{
	conlog_setup(log_text, sizeof(log_text), log_starts, 64);
}

static void log_put(const char *s)
{
	conlog_write(s, strlen(s));
}

/* Lines [from, conlog_end()) joined by '|'. */
static const char *log_lines(uint64_t from)
{
	static char out[4096];
	size_t n = 0;

	out[0] = 0;
	for (uint64_t i = from; i < conlog_end(); i++) {
		char line[512];

		assert_true(conlog_line(i, line, sizeof(line)) >= 0);
		n += (size_t)snprintf(out + n, sizeof(out) - n, "%s%s", i > from ? "|" : "", line);
	}
	return out;
}

static void test_conlog_keeps_what_programs_showed(void **state)
{
	(void)state;
	/* The shell's line editor: the lines as they were entered, a wrapped one as its two rows. */
	log_start();
	log_put(programs[3].bytes);
	assert_string_equal(log_lines(0), "||BusyBox v1.35.0 (Debian 1:1.35.0-4+deb12u1+b1) built-in shell (ash)"
					  "|Enter 'help' for a list of built-in commands.||$ echo hi|hi|$ xa"
					  "|sh: xa: not found|$ a long command line that wra|ps aroXYnd");
	/* vi draws on the alternate screen: nothing of it is kept. */
	log_start();
	log_put("$ vi f20.txt\r\n");
	log_put(programs[0].bytes);
	log_put("\033[?1049l$ ");
	assert_string_equal(log_lines(0), "$ vi f20.txt|$ ");
	/* top draws rows with CR LF on the main screen: each frame's rows, without a colour or a move. */
	log_start();
	log_put(programs[2].bytes);
	assert_int_equal(conlog_end(), 16); /* two frames of 8 rows */
	{
		char line[128];

		conlog_line(3, line, sizeof(line));
		assert_string_equal(line, "  PID  PPID USER     STAT   VSZ %VSZ %CP");
		conlog_line(8, line, sizeof(line));
		assert_string_equal(line, "Mem: 2599372K used, 22084292K free, 956");
	}
	/* No escape, control or stray byte ever reaches the log. */
	for (size_t p = 0; p < sizeof(programs) / sizeof(programs[0]); p++) {
		log_start();
		log_put(programs[p].bytes);
		for (uint64_t i = conlog_first(); i < conlog_end(); i++) {
			char line[512];

			conlog_line(i, line, sizeof(line));
			for (const char *c = line; *c; c++)
				if ((unsigned char)*c < 0x20 && *c != '\t')
					fail_msg("%s: line %llu holds control 0x%02x", programs[p].name,
						 (unsigned long long)i, (unsigned char)*c);
		}
	}
}

static void test_conlog_line_edits(void **state)
{
	(void)state;
	log_start();
	log_put("50%\r60%\n");				    /* CR: the line is rewritten */
	log_put("abcdef\r\033[Kxy\n");			    /* EL 0 after CR */
	log_put("abcdef\033[3D\033[1K\n");		    /* EL 1 blanks to the cursor */
	log_put("abcdef\033[2K\n");			    /* EL 2 empties it */
	log_put("abcdef\033[4G\033[2P\n");		    /* DCH */
	log_put("abcdef\033[3G\033[2@\n");		    /* ICH */
	log_put("abcdef\033[2G\033[3X\n");		    /* ECH */
	log_put("ab\033[3Ccd\n");			    /* CUF past the end leaves blanks */
	log_put("a\tb\033[2Dc\n");			    /* an edit over a tab: the tab is its blanks */
	log_put("\xc3\xa9t\xc3\xa9\b\b\xe2\x82\xac\n");	    /* UTF-8 kept and edited by code point */
	log_put("x\033[31my\033[0m\033]0;t\a\033[?25lz\n"); /* colours, titles, modes dropped */
	log_put("ab\033[3b\n");				    /* REP */
	log_put("one\033[5;1Htwo\033[Athree\n");	    /* a move to another row ends the line, the column stays */
	assert_string_equal(log_lines(0),
			    "60%|xy|    ef||abcf|ab  cdef|a   ef|ab   cd|a      cb|\xc3\xa9\xe2\x82\xac\xc3\xa9|"
			    "xyz|abbbb|one|two|   three");
	/* ED 3 (clear's "erase saved lines"): the scrollback starts after it, the log keeps all. */
	log_put("old\n\033[H\033[2J\033[3Jnew\n");
	assert_int_equal(conlog_scroll_first(), conlog_end() - 1);
	assert_string_equal(log_lines(conlog_scroll_first()), "new");
	assert_int_equal(conlog_first(), 0);
}

static void test_conlog_edit_of_a_long_line(void **state)
{
	char big[3000];

	(void)state;
	log_start();
	/* Longer than an edit in place reaches: the line is kept as it is, the edit starts a new one. */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	log_put(big);
	log_put("\rab\n");
	assert_int_equal(conlog_end(), 2);
	{
		char line[3100];

		assert_int_equal(conlog_line(0, line, sizeof(line)), 2999);
		assert_int_equal(conlog_line(1, line, sizeof(line)), 2);
		assert_string_equal(line, "ab");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_text_and_utf8),
		cmocka_unit_test(test_parse_sequences),
		cmocka_unit_test(test_parse_strings_and_aborts),
		cmocka_unit_test(test_vt_busybox_programs),
		cmocka_unit_test(test_vt_sequences),
		cmocka_unit_test(test_vt_where_tmux_differs),
		cmocka_unit_test(test_vt_newline_mode),
		cmocka_unit_test(test_vt_sgr),
		cmocka_unit_test(test_vt_replies),
		cmocka_unit_test(test_vt_cursor_modes_and_screens),
		cmocka_unit_test(test_vt_scroll_hook),
		cmocka_unit_test(test_vt_log_line_colour),
		cmocka_unit_test(test_vt_hostile_input),
		cmocka_unit_test(test_conlog_keeps_what_programs_showed),
		cmocka_unit_test(test_conlog_line_edits),
		cmocka_unit_test(test_conlog_edit_of_a_long_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
