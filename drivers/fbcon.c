/* SPDX-License-Identifier: MIT */
/*
 * fbcon.c - the framebuffer text console (see fbcon.h).
 *
 * State: a grid of cells (glyph | colour << 16) that mirrors what the back
 * buffer shows, a second grid of what video memory shows, the cursor, and
 * the current line's bytes since its last '\n'. Each write appends to the
 * line and redraws it from its first cell in the colour fbcon_classify gives
 * the text so far; cells whose glyph and colour did not change are skipped,
 * so the redraw costs little beyond the comparison. Wrapping is lazy: a line
 * that exactly fills a row does not leave an empty row behind it.
 *
 * Flushing: a scroll moves the whole back buffer (fb_scroll_up), but only
 * the cells that now differ from what video memory shows are copied there,
 * run by run along each row. Log lines look alike (blank right halves,
 * columns of the same digits in a table), so a scroll typically copies a
 * fraction of the screen; writing video memory is the expensive part
 * (uncached on real hardware, a slow path per store in QEMU's TCG). When
 * even that is slow, scrolls move several rows at once (adapt_step), so a
 * burst of output costs about SCROLL_BUDGET_US per line whatever the
 * screen; fbcon_set_scroll_step(1) keeps it to one row at a time.
 *
 * Built into the kernel and into the host tests; drivers/fbcon_boot.c is
 * the kernel's part (fbcon_init, the clock).
 */
#include <stddef.h>
#include <stdint.h>

#include "fb.h"
#include "fbcon.h"
#include "kerrno.h"
#include "kstring.h"

#define LINE_MAX_BYTES 1024   /* a longer line is drawn in pieces, keeping the first piece's colour */
#define RUN_GAP_CELLS 4	      /* flush runs of changed cells separated by fewer unchanged ones as one */
#define SCROLL_BUDGET_US 1000 /* adaptive scrolling: scroll + flush time to aim for per text row */
#define US_PER_S 1000000
#define TAB_STOP 8
#define ASCII_DEL 0x7f
#define COLOR_SHIFT 16
#define CELL(glyph, color) ((uint32_t)(glyph) | ((uint32_t)(color) << COLOR_SHIFT))

static const struct {
	uint32_t rgb;
	int bold;
} palette[FBCON_COLORS] = {
	[FBCON_NORMAL] = { FB_GREY, 0 }, [FBCON_ERROR] = { FB_RED, 0 },	   [FBCON_WARNING] = { FB_YELLOW, 0 },
	[FBCON_OK] = { FB_GREEN, 0 },	 [FBCON_HEADING] = { FB_CYAN, 1 },
};

static struct {
	int ready, enabled, busy;
	uint32_t cols, rows, fw, fh;
	uint32_t *cells;       /* rows * cols: what the back buffer shows */
	uint32_t *shown;       /* rows * cols: what video memory shows */
	uint32_t drow0, drow1; /* rows [drow0, drow1) may differ between cells and shown */
	uint32_t blank;	       /* a space in the normal colour */
	uint32_t fg[FBCON_COLORS], bg;
	uint32_t cx, cy; /* where the next character goes; cx == cols: wrap first */
	/* The current line: line[0..len) is drawn from (seg_col, seg_row); seg_row < 0 once it scrolled off. */
	char line[LINE_MAX_BYTES];
	size_t len;
	int seg_row;
	uint32_t seg_col;
	int continued; /* line[] continues a line longer than LINE_MAX_BYTES */
	enum fbcon_color cont_color;
	uint32_t step_fixed; /* fbcon_set_scroll_step: rows per scroll, 0 for adaptive */
	uint32_t step_auto;  /* the adaptive step, from what flushes after a scroll cost */
	int scrolled;	     /* this write scrolled... */
	uint64_t scroll_t0;  /* ...starting at this TSC stamp */
	int cursor;	     /* fbcon_show_cursor: draw a cursor where the next character goes */
	int cursor_drawn;    /* it is on screen now, at (cur_c, cur_r) */
	uint32_t cur_c, cur_r;
} con;

/* What scrolls are timed with (fbcon_set_clock); none: they are not. */
static const struct fbcon_clock *clock;

void fbcon_set_clock(const struct fbcon_clock *c)
{
	clock = c;
}

static uint64_t clock_ticks(void)
{
	return clock ? clock->ticks() : 0;
}

static int starts_with(const char *s, size_t n, const char *prefix)
{
	size_t k = strlen(prefix);

	return n >= k && !memcmp(s, prefix, k);
}

static char lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

/* Does s[0..n) contain word (lower case) in any case? */
static int contains_nocase(const char *s, size_t n, const char *word)
{
	size_t k = strlen(word);

	for (size_t i = 0; i + k <= n; i++) {
		size_t j = 0;

		while (j < k && lower(s[i + j]) == word[j])
			j++;
		if (j == k)
			return 1;
	}
	return 0;
}

enum fbcon_color fbcon_classify(const char *s, size_t n)
{
	size_t indent = 0;

	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		n--;
	while (indent < n && s[indent] == ' ')
		indent++;
	if (starts_with(s, n, "*** ") || starts_with(s, n, "panic:") || starts_with(s + indent, n - indent, "not ok"))
		return FBCON_ERROR;
	if (contains_nocase(s, n, "warning"))
		return FBCON_WARNING;
	if (starts_with(s + indent, n - indent, "ok "))
		return FBCON_OK;
	if (starts_with(s, n, "Atlas") || (n && s[n - 1] == ':'))
		return FBCON_HEADING;
	return FBCON_NORMAL;
}

static void draw_cell(uint32_t c, uint32_t r)
{
	uint32_t v = con.cells[(size_t)r * con.cols + c], color = FBCON_CELL_COLOR(v);

	fb_draw_glyph(c * con.fw, r * con.fh, FBCON_CELL_GLYPH(v), con.fg[color], con.bg, palette[color].bold);
}

static void touch_rows(uint32_t r0, uint32_t r1)
{
	if (con.drow0 >= con.drow1) {
		con.drow0 = r0;
		con.drow1 = r1;
		return;
	}
	if (r0 < con.drow0)
		con.drow0 = r0;
	if (r1 > con.drow1)
		con.drow1 = r1;
}

static void put_cell(uint32_t c, uint32_t r, uint32_t v)
{
	uint32_t *cell = &con.cells[(size_t)r * con.cols + c];

	if (*cell == v)
		return;
	*cell = v;
	if (con.enabled)
		draw_cell(c, r);
	touch_rows(r, r + 1);
}

static void fill_cells(uint32_t *p, size_t n, uint32_t v)
{
	while (n--)
		*p++ = v;
}

/* Text rows a scroll moves: the fixed step, or the adaptive one. */
static uint32_t scroll_step(void)
{
	uint32_t n = con.step_fixed ? con.step_fixed : con.step_auto;

	return n < 1 ? 1 : n > con.rows ? con.rows : n;
}

/*
 * Everything up by scroll_step() text rows: the grid, and the back buffer by
 * memmove (never video memory). Returns the rows moved.
 */
static uint32_t scroll(void)
{
	uint32_t n = scroll_step();
	size_t moved = (size_t)(con.rows - n) * con.cols;

	if (!con.scrolled)
		con.scroll_t0 = clock_ticks();
	/* A forward word loop: the kernel's memmove goes byte by byte. */
	for (size_t i = 0; i < moved; i++)
		con.cells[i] = con.cells[i + (size_t)n * con.cols];
	fill_cells(con.cells + moved, (size_t)n * con.cols, con.blank);
	if (con.enabled)
		fb_scroll_up(n * con.fh, FB_BLACK);
	touch_rows(0, con.rows);
	con.seg_row -= (int)n;
	con.scrolled = 1;
	return n;
}

/* Copy the cells that differ from what video memory shows, in runs along each row. */
static void flush_cells(void)
{
	for (uint32_t r = con.drow0; r < con.drow1; r++) {
		uint32_t *cells = con.cells + (size_t)r * con.cols, *shown = con.shown + (size_t)r * con.cols;
		uint32_t c = 0;

		while (c < con.cols) {
			uint32_t start, end, same = 0;

			while (c < con.cols && cells[c] == shown[c])
				c++;
			if (c == con.cols)
				break;
			start = end = c;
			/* Extend the run while the gaps of unchanged cells stay short. */
			for (; c < con.cols && same < RUN_GAP_CELLS; c++) {
				if (cells[c] != shown[c]) {
					shown[c] = cells[c];
					end = c + 1;
					same = 0;
				} else {
					same++;
				}
			}
			fb_flush_rect(start * con.fw, r * con.fh, (end - start) * con.fw, con.fh);
		}
	}
	con.drow0 = con.drow1 = 0;
	fb_mark_clean();
}

/* Pixel rows of the cursor bar, at the bottom of its cell. */
#define CURSOR_ROWS 2

/* Take the cursor off the screen: redraw the cell under it from the grid. */
static void cursor_erase(void)
{
	if (!con.cursor_drawn)
		return;
	con.cursor_drawn = 0;
	if (!con.enabled)
		return;
	draw_cell(con.cur_c, con.cur_r);
	fb_flush_rect(con.cur_c * con.fw, con.cur_r * con.fh, con.fw, con.fh);
}

/* Draw the cursor where the next character goes (after a full row: the start of the next). */
static void cursor_draw(void)
{
	uint32_t c = con.cx, r = con.cy;

	if (!con.cursor || !con.enabled)
		return;
	if (c >= con.cols) {
		c = r + 1 < con.rows ? 0 : con.cols - 1;
		r = r + 1 < con.rows ? r + 1 : r;
	}
	con.cur_c = c;
	con.cur_r = r;
	con.cursor_drawn = 1;
	fb_fill_rect(c * con.fw, r * con.fh + con.fh - CURSOR_ROWS, con.fw, CURSOR_ROWS, palette[FBCON_NORMAL].rgb);
	fb_flush_rect(c * con.fw, r * con.fh, con.fw, con.fh);
	fb_mark_clean();
}

void fbcon_show_cursor(int on)
{
	if (!con.ready || con.busy)
		return;
	if (!on)
		cursor_erase();
	con.cursor = on;
	if (on && !con.cursor_drawn)
		cursor_draw();
}

void fbcon_put_glyph(uint32_t col, uint32_t row, uint32_t cp, enum fbcon_color color, int inverse)
{
	if (!con.ready || col >= con.cols || row >= con.rows || color >= FBCON_COLORS)
		return;
	fb_draw_glyph(col * con.fw, row * con.fh, fb_glyph_index(cp), inverse ? con.bg : con.fg[color],
		      inverse ? con.fg[color] : con.bg, palette[color].bold);
}

/* One cell at (*c, *r), wrapping (and scrolling) first when the row is full. */
static void emit(uint32_t *c, int *r, uint32_t v)
{
	if (*c >= con.cols) {
		*c = 0;
		if (++*r >= (int)con.rows)
			*r -= (int)scroll();
	}
	if (*r >= 0)
		put_cell(*c, (uint32_t)*r, v);
	(*c)++;
}

/* (Re)draw the current line from its first cell; leaves the cursor after it. */
static void render_line(void)
{
	enum fbcon_color color = con.continued ? con.cont_color : fbcon_classify(con.line, con.len);
	uint32_t c = con.seg_col;
	int r = con.seg_row;

	for (size_t i = 0; i < con.len;) {
		size_t len;
		uint32_t cp = fb_utf8_next(con.line + i, con.len - i, &len);

		i += len;
		if (cp == '\t') {
			do
				emit(&c, &r, CELL(fb_glyph_index(' '), color));
			while (c % TAB_STOP && c < con.cols);
		} else if (cp >= ' ' && cp != ASCII_DEL) {
			emit(&c, &r, CELL(fb_glyph_index(cp), color));
		}
	}
	con.cx = c;
	con.cy = r < 0 ? 0 : (uint32_t)r;
	con.cont_color = color;
}

static void newline(void)
{
	render_line();
	con.len = 0;
	con.continued = 0;
	con.cx = 0;
	if (++con.cy >= con.rows)
		con.cy -= scroll();
	con.seg_row = (int)con.cy;
	con.seg_col = 0;
}

/*
 * A write that scrolled took cost ticks from its first scroll to the end of
 * its flush: aim for SCROLL_BUDGET_US per text row scrolled, by scrolling
 * more rows at once when that is slow (at most half the screen). Without a
 * clock (none set, as in the host tests, or one not calibrated yet) the step
 * stays 1.
 */
static void adapt_step(uint64_t cost)
{
	uint64_t budget = (clock ? clock->hz() : 0) / (US_PER_S / SCROLL_BUDGET_US), want;
	uint32_t max = con.rows / 2 ? con.rows / 2 : 1;

	if (!budget)
		return;
	want = cost / budget + 1;
	if (want > max)
		want = max;
	/* Halfway there, rounding towards want: one slow flush is not a trend, yet 2 can come back to 1. */
	if (want > con.step_auto)
		con.step_auto = (con.step_auto + (uint32_t)want + 1) / 2;
	else
		con.step_auto = (con.step_auto + (uint32_t)want) / 2;
}

void fbcon_set_scroll_step(uint32_t rows)
{
	con.step_fixed = rows;
}

void fbcon_write(const char *s, size_t n)
{
	if (!con.ready || !s)
		return;
	if (con.busy)
		return; /* called from inside a write (a fault while drawing): serial has it */
	con.busy = 1;
	cursor_erase();
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n') {
			newline();
			continue;
		}
		if (s[i] == '\r')
			continue;
		if (con.len == sizeof(con.line)) {
			/* Draw what we have and carry on from the cursor, in the same colour. */
			render_line();
			con.len = 0;
			con.continued = 1;
			con.seg_row = (int)con.cy;
			con.seg_col = con.cx;
		}
		con.line[con.len++] = s[i];
	}
	if (con.len)
		render_line();
	if (con.enabled) {
		flush_cells();
		if (con.scrolled)
			adapt_step(clock_ticks() - con.scroll_t0);
		cursor_draw();
	}
	con.scrolled = 0;
	con.busy = 0;
}

/* Video memory now shows the whole grid. */
static void all_shown(void)
{
	for (size_t i = 0; i < (size_t)con.rows * con.cols; i++)
		con.shown[i] = con.cells[i];
	con.drow0 = con.drow1 = 0;
}

/* Redraw the whole screen from the grid. */
static void repaint(void)
{
	fb_fill_rect(0, 0, fb_width(), fb_height(), FB_BLACK);
	for (uint32_t r = 0; r < con.rows; r++)
		for (uint32_t c = 0; c < con.cols; c++)
			draw_cell(c, r);
	fb_present_all();
	all_shown();
	con.cursor_drawn = 0;
	cursor_draw();
}

void fbcon_enable(int on)
{
	if (!con.ready || con.busy)
		return;
	if (on && !con.enabled) {
		con.enabled = 1;
		repaint();
	} else if (!on) {
		con.enabled = 0;
		con.cursor_drawn = 0; /* whoever draws now owns the screen */
	}
}

void fbcon_clear(void)
{
	if (!con.ready || con.busy)
		return;
	fill_cells(con.cells, (size_t)con.rows * con.cols, con.blank);
	con.cx = con.cy = 0;
	con.seg_row = 0;
	con.seg_col = 0;
	con.len = 0;
	con.continued = 0;
	con.cursor_drawn = 0;
	if (con.enabled) {
		fb_fill_rect(0, 0, fb_width(), fb_height(), FB_BLACK);
		fb_present_all();
		all_shown();
	}
}

int fbcon_setup(void)
{
	uint32_t *cells;

	con.ready = 0;
	if (!fb_ready() || !fb_font_w() || !fb_font_h())
		return -ENODEV;
	con.fw = fb_font_w();
	con.fh = fb_font_h();
	con.cols = fb_width() / con.fw;
	con.rows = fb_height() / con.fh;
	if (!con.cols || !con.rows)
		return -ENODEV;
	/* Both grids in one allocation: cells, then shown. */
	cells = fb_alloc((size_t)con.cols * con.rows * sizeof(uint32_t) * 2);
	if (!cells)
		return -ENOMEM;
	con.cells = cells;
	con.shown = cells + (size_t)con.cols * con.rows;
	for (int i = 0; i < FBCON_COLORS; i++)
		con.fg[i] = fb_color(palette[i].rgb);
	con.bg = fb_color(FB_BLACK);
	con.blank = CELL(fb_glyph_index(' '), FBCON_NORMAL);
	con.busy = 0;
	con.step_auto = 1;
	con.scrolled = 0;
	con.enabled = 1;
	con.cursor = 0;
	con.ready = 1;
	fbcon_clear();
	return 0;
}

int fbcon_ready(void)
{
	return con.ready;
}

void fbcon_size(uint32_t *cols, uint32_t *rows)
{
	*cols = con.ready ? con.cols : 0;
	*rows = con.ready ? con.rows : 0;
}

void fbcon_cursor(uint32_t *col, uint32_t *row)
{
	*col = con.ready ? con.cx : 0;
	*row = con.ready ? con.cy : 0;
}

uint32_t fbcon_cell(uint32_t col, uint32_t row)
{
	if (!con.ready || col >= con.cols || row >= con.rows)
		return 0;
	return con.cells[(size_t)row * con.cols + col];
}
