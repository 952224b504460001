/* SPDX-License-Identifier: MIT */
/*
 * conlog.c - the console log (see conlog.h).
 *
 * Positions are byte counts since setup (64-bit, never wrap in practice), so
 * "is line n still intact" is one comparison: its start is not older than
 * the highest position ever written minus text_cap. Line n starts at
 * starts[n % max_lines] and ends where line n + 1 starts (or at head for the
 * unfinished line).
 *
 * The console's bytes go through a parser of their own (vtparse.c). Text
 * is kept; the unfinished line is edited as a terminal edits the row it is
 * on (carriage return, backspace, cursor left and right, erase and
 * insert/delete characters), so a line a program redrew is kept as it ended
 * up; a move to another row ends the line; the alternate screen keeps
 * nothing; every other sequence is dropped. Appending at the end of the
 * line is the fast path; an edit decodes the unfinished line, changes it
 * and writes it back in place.
 */
#include "conlog.h"

#include "kstring.h"
#include "vtparse.h"

#define CONLOG_EDIT_COLS 1024 /* columns of the unfinished line an edit in place reaches */
#define TAB_STOP 8

static struct {
	char *text;
	size_t cap;
	uint64_t *starts;
	size_t max;
	uint64_t head;	      /* bytes of the log so far: the unfinished line ends here */
	uint64_t high;	      /* the highest head ever: bytes before high - cap are overwritten */
	uint64_t first, next; /* lines [first, next) are complete; next is the unfinished one */
	uint64_t floor;	      /* ED 3: the scrollback starts at this line */
	uint64_t written;     /* bytes given to conlog_write */
	int ready;
	struct vtparse parser;
	uint32_t col;	  /* the cursor's column in the unfinished line */
	uint32_t cols;	  /* columns the unfinished line takes (tabs to the next multiple of 8) */
	uint32_t saved;	  /* DECSC's column */
	uint32_t last_cp; /* for REP */
	int alt;	  /* on the alternate screen: nothing is kept */
} lg;

static uint32_t edit[CONLOG_EDIT_COLS]; /* the unfinished line, decoded for an edit */

void conlog_setup(char *text, size_t text_cap, uint64_t *starts, size_t max_lines)
{
	memset(&lg, 0, sizeof(lg));
	if (!text || !text_cap || !starts || max_lines < 2)
		return;
	lg.text = text;
	lg.cap = text_cap;
	lg.starts = starts;
	lg.max = max_lines;
	lg.starts[0] = 0;
	vtparse_init(&lg.parser);
	lg.ready = 1;
}

int conlog_ready(void)
{
	return lg.ready;
}

static uint64_t start_of(uint64_t n)
{
	return lg.starts[n % lg.max];
}

/* The oldest byte still in the ring. */
static uint64_t oldest(void)
{
	return lg.high > lg.cap ? lg.high - lg.cap : 0;
}

static void end_line(void)
{
	lg.next++;
	if (lg.next - lg.first + 1 > lg.max)
		lg.first++;
	lg.starts[lg.next % lg.max] = lg.head;
	lg.col = lg.cols = 0;
}

/* One byte at the end of the unfinished line. */
static void put_byte(char c)
{
	lg.text[lg.head % lg.cap] = c;
	lg.head++;
	if (lg.head <= lg.high)
		return; /* rewriting the unfinished line: nothing older is overwritten */
	lg.high = lg.head;
	while (lg.first < lg.next && start_of(lg.first) < oldest())
		lg.first++;
	/* One line longer than the whole ring keeps its end. */
	if (lg.first == lg.next && start_of(lg.next) < oldest())
		lg.starts[lg.next % lg.max] = oldest();
}

static void put_utf8(uint32_t cp)
{
	if (cp < 0x80) {
		put_byte((char)cp);
	} else if (cp < 0x800) {
		put_byte((char)(0xc0 | (cp >> 6)));
		put_byte((char)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		put_byte((char)(0xe0 | (cp >> 12)));
		put_byte((char)(0x80 | ((cp >> 6) & 0x3f)));
		put_byte((char)(0x80 | (cp & 0x3f)));
	} else {
		put_byte((char)(0xf0 | (cp >> 18)));
		put_byte((char)(0x80 | ((cp >> 12) & 0x3f)));
		put_byte((char)(0x80 | ((cp >> 6) & 0x3f)));
		put_byte((char)(0x80 | (cp & 0x3f)));
	}
}

/*
 * The unfinished line as code points in edit[], tabs as the blanks they
 * stand for. Returns its columns, or -1 when it has more than
 * CONLOG_EDIT_COLS (then it cannot be edited in place).
 */
static long decode_line(void)
{
	struct vtparse p;
	struct vtp_action a[2];
	uint32_t n = 0;

	vtparse_init(&p);
	for (uint64_t at = start_of(lg.next); at < lg.head; at++) {
		int k = vtparse_byte(&p, (uint8_t)lg.text[at % lg.cap], a);

		for (int j = 0; j < k; j++) {
			uint32_t want = n + 1;

			if (a[j].kind == VTP_EXECUTE && a[j].final == C0_HT)
				want = (n | (TAB_STOP - 1)) + 1;
			else if (a[j].kind != VTP_PRINT)
				continue;
			if (want > CONLOG_EDIT_COLS)
				return -1;
			while (n < want)
				edit[n++] = a[j].kind == VTP_PRINT ? a[j].cp : ' ';
		}
	}
	return n;
}

/* Write edit[0..n) back as the unfinished line. */
static void encode_line(uint32_t n)
{
	lg.head = start_of(lg.next);
	for (uint32_t i = 0; i < n; i++)
		put_utf8(edit[i]);
	lg.cols = n;
}

/*
 * Decode the unfinished line for an edit that reaches column need - 1.
 * Returns its columns, or -1 when it is too long to edit: then it is ended
 * as it is and the edit applies to a new, empty line.
 */
static long edit_begin(uint32_t need)
{
	long n = decode_line();

	if (need > CONLOG_EDIT_COLS)
		return -1;
	if (n < 0) {
		end_line();
		return 0;
	}
	return n;
}

static void put_cp(uint32_t cp)
{
	long n;

	lg.last_cp = cp;
	if (lg.alt)
		return;
	if (lg.col >= lg.cols) {
		/* At or past the end: the fast path, blanks for a gap the cursor skipped. */
		while (lg.cols < lg.col) {
			put_byte(' ');
			lg.cols++;
		}
		put_utf8(cp);
		lg.col = ++lg.cols;
		return;
	}
	n = edit_begin(lg.col + 1);
	if (n < 0)
		return;
	while ((uint32_t)n <= lg.col)
		edit[n++] = ' ';
	edit[lg.col] = cp;
	encode_line((uint32_t)n);
	lg.col++;
}

static void tab(void)
{
	uint32_t stop = (lg.col | (TAB_STOP - 1)) + 1;

	if (!lg.alt && lg.col == lg.cols) {
		put_byte('\t');
		lg.cols = stop;
	}
	lg.col = stop;
}

/* The cursor went to another row: the line so far is kept, and text goes on a new one. */
static void break_line(void)
{
	if (!lg.alt && lg.head > start_of(lg.next)) {
		uint32_t col = lg.col;

		end_line();
		lg.col = col;
	}
}

/* EL 0 (from the cursor to the end), 1 (from the start to the cursor), 2 (all). */
static void erase_in_line(uint32_t mode)
{
	long n;

	if (lg.alt || (mode == 0 && lg.col >= lg.cols))
		return;
	if (mode == 2) {
		lg.head = start_of(lg.next);
		lg.cols = 0;
		return;
	}
	n = edit_begin(0);
	if (n <= 0)
		return;
	if (mode == 0) {
		encode_line(lg.col);
		return;
	}
	for (uint32_t i = 0; i <= lg.col && i < (uint32_t)n; i++)
		edit[i] = ' ';
	encode_line((uint32_t)n);
}

/* ICH (insert blanks), DCH (delete) and ECH (erase) of count cells at the cursor. */
static void edit_cells(uint8_t op, uint32_t count)
{
	long n;
	uint32_t at = lg.col;

	if (lg.alt || at >= lg.cols)
		return;
	n = edit_begin(0);
	if (n <= 0 || at >= (uint32_t)n)
		return;
	if (op == '@') {
		uint32_t grow = count > CONLOG_EDIT_COLS - (uint32_t)n ? CONLOG_EDIT_COLS - (uint32_t)n : count;

		for (uint32_t i = (uint32_t)n; i-- > at;)
			edit[i + grow] = edit[i];
		for (uint32_t i = 0; i < grow; i++)
			edit[at + i] = ' ';
		n += grow;
	} else if (op == 'P') {
		uint32_t gone = count > (uint32_t)n - at ? (uint32_t)n - at : count;

		for (uint32_t i = at; i + gone < (uint32_t)n; i++)
			edit[i] = edit[i + gone];
		n -= gone;
	} else {
		for (uint32_t i = at; i < at + count && i < (uint32_t)n; i++)
			edit[i] = ' ';
	}
	encode_line((uint32_t)n);
}

static void screen_switch(int alt, int cursor)
{
	if (alt == lg.alt)
		return;
	if (alt) {
		break_line();
		if (cursor)
			lg.saved = lg.col;
		lg.alt = 1;
		return;
	}
	lg.alt = 0;
	if (cursor)
		lg.col = lg.saved;
}

static void csi(const struct vtp_action *a)
{
	uint32_t n = vtp_param(a, 0, 1), p0 = a->nparams ? a->params[0] : 0;

	if (a->private_mark == '?') {
		for (unsigned i = 0; i < a->nparams && (a->final == 'h' || a->final == 'l'); i++) {
			uint32_t m = a->params[i];

			if (m == 47 || m == 1047 || m == 1049)
				screen_switch(a->final == 'h', m == 1049);
		}
		return;
	}
	if (a->private_mark || a->intermediate)
		return;
	switch (a->final) {
	case 'C':
	case 'a':
		lg.col += n;
		break;
	case 'D':
		lg.col = lg.col > n ? lg.col - n : 0;
		break;
	case 'G':
	case '`':
		lg.col = n - 1;
		break;
	case 'A':
	case 'B':
	case 'e':
	case 'd':
	case 'S':
	case 'T':
		break_line();
		break;
	case 'E':
	case 'F':
	case 'L':
	case 'M':
	case 'r':
		break_line();
		lg.col = 0;
		break;
	case 'H':
	case 'f':
		break_line();
		lg.col = vtp_param(a, 1, 1) - 1;
		break;
	case 'J':
		if (p0 == 0)
			erase_in_line(0);
		else if (p0 == 3)
			lg.floor = lg.next; /* the saved lines are gone from the scrollback */
		else
			break_line();
		break;
	case 'K':
		erase_in_line(p0);
		break;
	case '@':
	case 'P':
	case 'X':
		edit_cells(a->final, n);
		break;
	case 'b':
		for (uint32_t i = 0; i < n && lg.last_cp && i < CONLOG_EDIT_COLS; i++)
			put_cp(lg.last_cp);
		break;
	case 's':
		lg.saved = lg.col;
		break;
	case 'u':
		lg.col = lg.saved;
		break;
	default:
		break; /* colours, modes, reports: not text */
	}
}

static void esc(const struct vtp_action *a)
{
	if (a->intermediate)
		return;
	switch (a->final) {
	case '7':
		lg.saved = lg.col;
		break;
	case '8':
		lg.col = lg.saved;
		break;
	case 'D':
	case 'M':
		break_line();
		break;
	case 'E':
		break_line();
		lg.col = 0;
		break;
	case 'c':
		lg.alt = 0;
		break_line();
		lg.col = 0;
		break;
	default:
		break;
	}
}

static void execute(uint8_t c)
{
	switch (c) {
	case C0_LF:
	case C0_VT:
	case C0_FF:
		if (!lg.alt)
			end_line();
		lg.col = 0;
		break;
	case C0_CR:
		lg.col = 0;
		break;
	case C0_BS:
		if (lg.col)
			lg.col--;
		break;
	case C0_HT:
		tab();
		break;
	default:
		break;
	}
}

void conlog_write(const char *s, size_t n)
{
	struct vtp_action a[2];

	if (!lg.ready)
		return;
	lg.written += n;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		int k;

		/* Printable ASCII at the end of the line, outside any sequence: most of what is written. */
		if (c >= 0x20 && c < 0x7f && !lg.parser.state && !lg.parser.need && lg.col == lg.cols && !lg.alt) {
			put_byte((char)c);
			lg.col = ++lg.cols;
			lg.last_cp = c;
			continue;
		}
		k = vtparse_byte(&lg.parser, c, a);
		for (int j = 0; j < k; j++) {
			if (a[j].kind == VTP_PRINT)
				put_cp(a[j].cp);
			else if (a[j].kind == VTP_EXECUTE)
				execute(a[j].final);
			else if (a[j].kind == VTP_CSI)
				csi(&a[j]);
			else if (a[j].kind == VTP_ESC)
				esc(&a[j]);
		}
	}
}

uint64_t conlog_first(void)
{
	return lg.first;
}

uint64_t conlog_scroll_first(void)
{
	return lg.floor > lg.first ? lg.floor : lg.first;
}

uint64_t conlog_end(void)
{
	if (!lg.ready)
		return 0;
	return lg.next + (lg.head > start_of(lg.next));
}

long conlog_line(uint64_t n, char *buf, size_t size)
{
	uint64_t start, end;
	size_t len, copy;

	if (!lg.ready || n < lg.first || n >= conlog_end())
		return -1;
	start = start_of(n);
	end = n < lg.next ? start_of(n + 1) : lg.head;
	len = (size_t)(end - start);
	copy = size ? (len < size - 1 ? len : size - 1) : 0;
	for (size_t i = 0; i < copy; i++)
		buf[i] = lg.text[(start + i) % lg.cap];
	if (size)
		buf[copy] = 0;
	return (long)len;
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Does line n contain pat (any case)? Compared in the ring, so lines of any length work. */
static int line_has(uint64_t n, const char *pat, size_t plen)
{
	uint64_t start = start_of(n), end = n < lg.next ? start_of(n + 1) : lg.head;

	for (uint64_t at = start; at + plen <= end; at++) {
		size_t j = 0;

		while (j < plen && lower(lg.text[(at + j) % lg.cap]) == lower(pat[j]))
			j++;
		if (j == plen)
			return 1;
	}
	return 0;
}

long long conlog_search(uint64_t from, int dir, const char *pat)
{
	size_t plen = strlen(pat);
	uint64_t end = conlog_end();

	if (!lg.ready || !plen)
		return -1;
	if (dir > 0) {
		for (uint64_t n = from < lg.first ? lg.first : from; n < end; n++)
			if (line_has(n, pat, plen))
				return (long long)n;
		return -1;
	}
	if (from >= end)
		from = end ? end - 1 : 0;
	for (uint64_t n = from + 1; n-- > lg.first;)
		if (line_has(n, pat, plen))
			return (long long)n;
	return -1;
}

uint64_t conlog_bytes_written(void)
{
	return lg.written;
}

size_t conlog_text_cap(void)
{
	return lg.cap;
}

size_t conlog_lines_cap(void)
{
	return lg.max;
}
