/* SPDX-License-Identifier: MIT */
/*
 * monitor_log.c - the monitor's `log` command: a pager over the console log
 * (drivers/conlog.c), with the keys of less(1):
 *
 *   Space f PgDn     next page          b PgUp        previous page
 *   Enter j Down     next line          k Up          previous line
 *   g Home <         first line         G End >       last page
 *   /TEXT Enter      search forward (any case)
 *   n                next match         N             previous match
 *   q Esc            back to the prompt
 *
 * The page is drawn on the framebuffer (fbcon_view_draw) and, when `log`
 * was typed on the serial terminal, written to the UART as a screenful after
 * a clear-screen sequence. Both go around kprintf on purpose: the pager's pages are not
 * part of the run and must not grow the log they show.
 */
#include "conlog.h"
#include "fbcon.h"
#include "kbd.h"
#include "kernel.h"
#include "kstring.h"
#include "monitor.h"
#include "serial.h"
#include "x86.h"

#define SERIAL_PAGE_ROWS 24 /* a terminal's rows: the serial page is this minus the status line */
#define SERIAL_LINE_MAX 160 /* bytes of a line sent to the terminal */
#define STATUS_MAX 160
#define PATTERN_MAX 64
#define ASCII_DEL 0x7f
#define PERCENT 100
static const char serial_clear_seq[] = "\x1b[H\x1b[2J";

struct pager {
	uint64_t top, mark; /* mark: the line of the last match, UINT64_MAX for none */
	uint64_t shown;	    /* lines the last page showed */
	char pattern[PATTERN_MAX];
	const char *note; /* a word for the status line ("pattern not found") */
	int on_serial;	  /* `log` was typed on the serial terminal (or there is no screen): page there too */
	int prompting;	  /* typing a search pattern into entry */
	char entry[PATTERN_MAX];
	size_t entry_len;
};

static void status_text(const struct pager *p, char *buf, size_t size)
{
	uint64_t first = conlog_first(), end = conlog_end(), last = p->top + (p->shown ? p->shown : 1);
	uint64_t total = end - first;

	if (last > end)
		last = end;
	if (p->prompting) {
		ksnprintf(buf, size, "/%s", p->entry);
		return;
	}
	ksnprintf(buf, size, "log: lines %llu-%llu of %llu (%llu%%)%s%s%s%s  q quits, / searches, n/N next/previous",
		  (unsigned long long)(p->top - first + 1), (unsigned long long)(last - first),
		  (unsigned long long)total, (unsigned long long)(total ? (last - first) * PERCENT / total : PERCENT),
		  p->pattern[0] ? " /" : "", p->pattern, p->note ? " - " : "", p->note ? p->note : "");
}

/* The page for a serial terminal: a clear screen, SERIAL_PAGE_ROWS - 1 lines, the status line. */
static uint64_t serial_page(const struct pager *p, const char *status)
{
	char text[SERIAL_LINE_MAX + 2];
	uint64_t n = p->top, end = conlog_end();
	int rows = 0;

	serial_write(serial_clear_seq, sizeof(serial_clear_seq) - 1);
	for (; n < end && rows < SERIAL_PAGE_ROWS - 1; n++, rows++) {
		long len = conlog_line(n, text, SERIAL_LINE_MAX + 1);
		size_t have = len < 0 ? 0 : strlen(text);

		text[have] = '\n';
		serial_write(text, have + 1);
	}
	serial_write(status, strlen(status));
	return n - p->top;
}

static void draw(struct pager *p)
{
	char status[STATUS_MAX];
	uint64_t fb_shown = 0, serial_shown = 0;

	status_text(p, status, sizeof(status));
	if (fbcon_ready())
		fb_shown = fbcon_view_draw(p->top, status, p->mark) - p->top;
	if (p->on_serial)
		serial_shown = serial_page(p, status);
	p->shown = fb_shown ? fb_shown : serial_shown;
	if (!p->shown)
		p->shown = 1;
	p->note = NULL;
}

/* Text rows of the framebuffer console (0 without one). */
static uint32_t screen_rows(void)
{
	uint32_t cols, rows;

	fbcon_size(&cols, &rows);
	return rows;
}

/* The top line that shows the log's last page. */
static uint64_t last_page(void)
{
	uint64_t end = conlog_end(), first = conlog_first();

	if (fbcon_ready())
		return fbcon_view_back(end, screen_rows() - 1);
	return end - first > SERIAL_PAGE_ROWS - 1 ? end - (SERIAL_PAGE_ROWS - 1) : first;
}

static void go(struct pager *p, uint64_t top)
{
	uint64_t first = conlog_first(), bottom = last_page();

	if (top > bottom)
		top = bottom;
	p->top = top < first ? first : top;
}

static void find(struct pager *p, int dir)
{
	uint64_t from;
	long long hit;

	if (!p->pattern[0]) {
		p->note = "no pattern yet (/ starts a search)";
		return;
	}
	if (p->mark != UINT64_MAX)
		from = dir > 0 ? p->mark + 1 : p->mark - (p->mark > 0);
	else
		from = dir > 0 ? p->top : p->top - (p->top > 0);
	hit = conlog_search(from, dir, p->pattern);
	if (hit < 0 || (dir < 0 && p->mark != UINT64_MAX && (uint64_t)hit >= p->mark)) {
		p->note = "pattern not found";
		return;
	}
	p->mark = (uint64_t)hit;
	p->top = p->mark;
	go(p, p->top);
}

/* One key while typing a pattern: Enter searches, Esc cancels, Backspace erases. */
static void prompt_key(struct pager *p, int key)
{
	if (key == '\r' || key == '\n') {
		p->prompting = 0;
		if (p->entry_len)
			kstrlcpy(p->pattern, p->entry, sizeof(p->pattern));
		p->mark = UINT64_MAX;
		find(p, 1);
	} else if (key == KEY_ESC) {
		p->prompting = 0;
	} else if (key == '\b' || key == ASCII_DEL) {
		if (p->entry_len)
			p->entry[--p->entry_len] = 0;
	} else if (key >= ' ' && key < ASCII_DEL && p->entry_len + 1 < sizeof(p->entry)) {
		p->entry[p->entry_len++] = (char)key;
		p->entry[p->entry_len] = 0;
	}
}

/* One key of the pager; 1 when it quits. */
static int pager_key(struct pager *p, int key)
{
	uint64_t page = p->shown > 1 ? p->shown - 1 : 1;

	switch (KEY_CODE(key)) {
	case 'q':
	case 'Q':
	case KEY_ESC:
		return 1;
	case ' ':
	case 'f':
	case KEY_PGDN:
		go(p, p->top + page);
		break;
	case 'b':
	case KEY_PGUP:
		go(p, fbcon_ready() ? fbcon_view_back(p->top, screen_rows() - 1) : p->top > page ? p->top - page : 0);
		break;
	case '\r':
	case '\n':
	case 'j':
	case KEY_DOWN:
		go(p, p->top + 1);
		break;
	case 'k':
	case KEY_UP:
		go(p, p->top > 0 ? p->top - 1 : 0);
		break;
	case 'g':
	case '<':
	case KEY_HOME:
		go(p, 0);
		break;
	case 'G':
	case '>':
	case KEY_END:
		go(p, UINT64_MAX);
		break;
	case '/':
		p->prompting = 1;
		p->entry[0] = 0;
		p->entry_len = 0;
		break;
	case 'n':
		find(p, 1);
		break;
	case 'N':
		find(p, -1);
		break;
	default:
		break;
	}
	return 0;
}

void monitor_log(const char *pattern)
{
	struct pager p;

	if (!conlog_ready()) {
		kprintf("log: there is no console log (no memory for it at boot)\n");
		return;
	}
	if (!fbcon_ready() && !serial_present()) {
		kprintf("log: no screen and no serial port to show it on\n");
		return;
	}
	memset(&p, 0, sizeof(p));
	p.mark = UINT64_MAX;
	/*
	 * The pages go where the command was typed: a keyboard's user looks at
	 * the screen, and the serial transcript (records included) stays clean.
	 */
	p.on_serial = serial_present() && (kbd_last_source() == KBD_SRC_SERIAL || !fbcon_ready());
	go(&p, UINT64_MAX);
	if (pattern) {
		kstrlcpy(p.pattern, pattern, sizeof(p.pattern));
		p.top = conlog_first();
		find(&p, 1);
	}
	for (;;) {
		int key;

		draw(&p);
		while ((key = kbd_read()) < 0)
			pause();
		if (p.prompting) {
			prompt_key(&p, key);
			continue;
		}
		if (pager_key(&p, key))
			break;
	}
	if (fbcon_ready())
		fbcon_view_end();
	if (p.on_serial)
		serial_write(serial_clear_seq, sizeof(serial_clear_seq) - 1);
}
