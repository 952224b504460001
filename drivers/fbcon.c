/* SPDX-License-Identifier: MIT */
/*
 * fbcon.c - the framebuffer text console (see fbcon.h).
 *
 * What the console shows is decided by the terminal model (drivers/vt.c):
 * text, escape sequences, the cursor. This file draws it. Three grids of
 * cells: the model's (what should be shown), `drawn` (what the back buffer
 * holds) and `shown` (what video memory holds). After each write the cells
 * of the rows the model changed are drawn where they differ from `drawn`,
 * and the cells where `drawn` differs from `shown` are copied to video
 * memory, run by run along each row. A scroll moves the back buffer and
 * `drawn` with it (the model announces it, hooks.scrolled), so after a
 * scroll only the new line is drawn, and only the cells that now differ
 * from video memory are copied. Log lines look alike (blank right halves,
 * columns of the same digits), so a scroll typically copies a fraction of
 * the screen; writing video memory is the expensive part (uncached on real
 * hardware, a slow path per store in QEMU's TCG). When even that is slow,
 * a line feed at the bottom scrolls several rows at once (adapt_step), so
 * a burst of output costs about SCROLL_BUDGET_US per line whatever the
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
#include "vt.h"

#define RUN_GAP_CELLS 4	      /* flush runs of changed cells separated by fewer unchanged ones as one */
#define SCROLL_BUDGET_US 1000 /* adaptive scrolling: scroll + flush time to aim for per text row */
#define US_PER_S 1000000
#define PALETTE 256
#define BOLD_BRIGHT 8	/* bold makes colours 0-7 their bright 8-15, as on the Linux console */
#define CURSOR_ROWS 2	/* pixel rows of the cursor bar, at the bottom of its cell */
#define UNDERLINE_ROW 1 /* the underline: the cell's last pixel row but this many */

/* The line colours as palette indices and attributes. */
static const struct {
	uint8_t fg, attr;
} class_style[FBCON_COLORS] = {
	[FBCON_NORMAL] = { 7, 0 },
	[FBCON_ERROR] = { 9, 0 },
	[FBCON_WARNING] = { 11, 0 },
	[FBCON_OK] = { 10, 0 },
	[FBCON_HEADING] = { 14, VT_ATTR_BOLD },
};

static struct {
	int ready, enabled, busy;
	uint32_t cols, rows, fw, fh;
	struct vt vt;
	struct vt_cell *drawn; /* rows * cols: what the back buffer shows */
	struct vt_cell *shown; /* rows * cols: what video memory shows */
	uint32_t drow0, drow1; /* rows [drow0, drow1) may differ between drawn and shown */
	uint32_t pixel[PALETTE];
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
/* Where the terminal's answers go (fbcon_set_reply). */
static fbcon_reply_fn reply_fn;

void fbcon_set_clock(const struct fbcon_clock *c)
{
	clock = c;
}

void fbcon_set_reply(fbcon_reply_fn fn)
{
	reply_fn = fn;
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

void fbcon_class_style(enum fbcon_color color, uint8_t *fg, uint8_t *attr)
{
	if ((unsigned)color >= FBCON_COLORS)
		color = FBCON_NORMAL;
	*fg = class_style[color].fg;
	*attr = class_style[color].attr;
}

/* ---- the terminal's hooks ------------------------------------------------------------------ */

static void vt_classify(const char *s, size_t n, uint8_t *fg, uint8_t *attr)
{
	fbcon_class_style(fbcon_classify(s, n), fg, attr);
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

/* The model moves rows [top, bottom] by n: move the back buffer and `drawn` the same way. */
static void vt_scrolled(struct vt *vt, uint32_t top, uint32_t bottom, int n)
{
	uint32_t k = (uint32_t)(n < 0 ? -n : n), height = bottom - top + 1;
	struct vt_cell *band = con.drawn + (size_t)top * con.cols, b = vt_blank(vt);
	size_t moved = (size_t)(height - k) * con.cols, row = con.cols;

	if (!con.enabled)
		return; /* the screen is someone else's: enabling redraws it all */
	if (!con.scrolled)
		con.scroll_t0 = clock_ticks();
	con.scrolled = 1;
	if (top == 0 && bottom == con.rows - 1 && n > 0)
		fb_scroll_up(k * con.fh, FB_BLACK);
	else
		fb_scroll_band(top * con.fh, (bottom + 1) * con.fh, -n * (int32_t)con.fh, FB_BLACK);
	/* What the back buffer now holds: the band moved, the vacated rows black (blank in the default colours). */
	b.bg = VT_DEFAULT_BG;
	if (n > 0) {
		for (size_t i = 0; i < moved; i++)
			band[i] = band[i + k * row];
		for (size_t i = moved; i < (size_t)height * row; i++)
			band[i] = b;
	} else {
		for (size_t i = moved; i-- > 0;)
			band[i + k * row] = band[i];
		for (size_t i = 0; i < (size_t)k * row; i++)
			band[i] = b;
	}
	touch_rows(top, bottom + 1);
}

static void vt_reply(struct vt *vt, const char *s, size_t n)
{
	(void)vt;
	if (reply_fn)
		reply_fn(s, n);
}

static const struct vt_hooks hooks = {
	.reply = vt_reply,
	.scrolled = vt_scrolled,
	.classify = vt_classify,
};

/* ---- drawing --------------------------------------------------------------------------------- */

static void draw_cell_value(uint32_t c, uint32_t r, struct vt_cell v)
{
	uint8_t fg = v.fg;

	if ((v.attr & VT_ATTR_BOLD) && fg < BOLD_BRIGHT)
		fg += BOLD_BRIGHT;
	fb_draw_glyph(c * con.fw, r * con.fh, fb_glyph_index(v.ch), con.pixel[fg], con.pixel[v.bg],
		      (v.attr & VT_ATTR_BOLD) != 0);
	if (v.attr & VT_ATTR_UNDERLINE)
		fb_fill_rect(c * con.fw, r * con.fh + con.fh - 1 - UNDERLINE_ROW, con.fw, 1, vt_palette_rgb(fg));
}

/* Redraw a cell of the back buffer from `drawn` (under the cursor). */
static void redraw_cell(uint32_t c, uint32_t r)
{
	draw_cell_value(c, r, con.drawn[(size_t)r * con.cols + c]);
}

/* Draw the model's cells of rows [r0, r1) that the back buffer does not show yet. */
static void draw_rows(uint32_t r0, uint32_t r1)
{
	for (uint32_t r = r0; r < r1; r++) {
		struct vt_cell *d = con.drawn + (size_t)r * con.cols;
		int changed = 0;

		for (uint32_t c = 0; c < con.cols; c++) {
			struct vt_cell v = vt_cell_at(&con.vt, c, r);

			if (vt_cell_eq(v, d[c]))
				continue;
			d[c] = v;
			draw_cell_value(c, r, v);
			changed = 1;
		}
		if (changed)
			touch_rows(r, r + 1);
	}
}

/* Copy the cells that differ from what video memory shows, in runs along each row. */
static void flush_cells(void)
{
	for (uint32_t r = con.drow0; r < con.drow1; r++) {
		struct vt_cell *cells = con.drawn + (size_t)r * con.cols, *shown = con.shown + (size_t)r * con.cols;
		uint32_t c = 0;

		while (c < con.cols) {
			uint32_t start, end, same = 0;

			while (c < con.cols && vt_cell_eq(cells[c], shown[c]))
				c++;
			if (c == con.cols)
				break;
			start = end = c;
			/* Extend the run while the gaps of unchanged cells stay short. */
			for (; c < con.cols && same < RUN_GAP_CELLS; c++) {
				if (!vt_cell_eq(cells[c], shown[c])) {
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

/* Take the cursor off the screen: redraw the cell under it. */
static void cursor_erase(void)
{
	if (!con.cursor_drawn)
		return;
	con.cursor_drawn = 0;
	if (!con.enabled)
		return;
	redraw_cell(con.cur_c, con.cur_r);
	fb_flush_rect(con.cur_c * con.fw, con.cur_r * con.fh, con.fw, con.fh);
}

/* Draw the cursor where the next character goes, when both its owner and the program want it. */
static void cursor_draw(void)
{
	uint32_t c = con.vt.cx, r = con.vt.cy;
	struct vt_cell v;

	if (!con.cursor || !con.vt.cursor_visible || !con.enabled)
		return;
	v = con.drawn[(size_t)r * con.cols + c];
	con.cur_c = c;
	con.cur_r = r;
	con.cursor_drawn = 1;
	/* In the cell's foreground colour, so that it shows on any background. */
	fb_fill_rect(c * con.fw, r * con.fh + con.fh - CURSOR_ROWS, con.fw, CURSOR_ROWS,
		     vt_palette_rgb(v.bg == v.fg ? (uint8_t)VT_DEFAULT_FG : v.fg));
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
	uint32_t fg;

	if (!con.ready || col >= con.cols || row >= con.rows || color >= FBCON_COLORS)
		return;
	fg = con.pixel[class_style[color].fg];
	fb_draw_glyph(col * con.fw, row * con.fh, fb_glyph_index(cp), inverse ? con.pixel[VT_DEFAULT_BG] : fg,
		      inverse ? fg : con.pixel[VT_DEFAULT_BG], (class_style[color].attr & VT_ATTR_BOLD) != 0);
}

/* Text rows a line feed at the bottom scrolls: the fixed step, or the adaptive one. */
static uint32_t scroll_step(void)
{
	uint32_t n = con.step_fixed ? con.step_fixed : con.step_auto;

	return n < 1 ? 1 : n > con.rows ? con.rows : n;
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
	uint32_t r0, r1;

	if (!con.ready || !s)
		return;
	if (con.busy)
		return; /* called from inside a write (a fault while drawing): serial has it */
	con.busy = 1;
	cursor_erase();
	con.vt.lf_step = scroll_step();
	vt_write(&con.vt, s, n);
	if (con.enabled) {
		if (vt_take_dirty(&con.vt, &r0, &r1))
			draw_rows(r0, r1);
		flush_cells();
		if (con.scrolled)
			adapt_step(clock_ticks() - con.scroll_t0);
		cursor_draw();
	}
	con.scrolled = 0;
	con.busy = 0;
}

/* Redraw the whole screen from the model. */
static void repaint(void)
{
	uint32_t r0, r1;
	size_t cells = (size_t)con.rows * con.cols;

	fb_fill_rect(0, 0, fb_width(), fb_height(), FB_BLACK);
	for (uint32_t r = 0; r < con.rows; r++)
		for (uint32_t c = 0; c < con.cols; c++) {
			struct vt_cell v = vt_cell_at(&con.vt, c, r);

			con.drawn[(size_t)r * con.cols + c] = v;
			draw_cell_value(c, r, v);
		}
	fb_present_all();
	for (size_t i = 0; i < cells; i++)
		con.shown[i] = con.drawn[i];
	con.drow0 = con.drow1 = 0;
	vt_take_dirty(&con.vt, &r0, &r1);
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
	vt_clear(&con.vt);
	con.cursor_drawn = 0;
	if (con.enabled)
		repaint();
}

int fbcon_setup(void)
{
	struct vt_cell *grids;
	size_t cells;

	con.ready = 0;
	if (!fb_ready() || !fb_font_w() || !fb_font_h())
		return -ENODEV;
	con.fw = fb_font_w();
	con.fh = fb_font_h();
	con.cols = fb_width() / con.fw;
	con.rows = fb_height() / con.fh;
	if (!con.cols || !con.rows)
		return -ENODEV;
	if (con.cols > VT_MAX_COLS)
		con.cols = VT_MAX_COLS;
	cells = (size_t)con.cols * con.rows;
	/* Four grids in one allocation: the main and the alternate screen, drawn, shown. */
	grids = fb_alloc(cells * sizeof(struct vt_cell) * 4);
	if (!grids)
		return -ENOMEM;
	if (vt_init(&con.vt, con.cols, con.rows, grids, grids + cells, &hooks))
		return -EINVAL;
	con.drawn = grids + 2 * cells;
	con.shown = grids + 3 * cells;
	for (int i = 0; i < PALETTE; i++)
		con.pixel[i] = fb_color(vt_palette_rgb((uint8_t)i));
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
	*col = con.ready ? con.vt.cx : 0;
	*row = con.ready ? con.vt.cy : 0;
}

struct vt_cell fbcon_cell(uint32_t col, uint32_t row)
{
	struct vt_cell none = { 0, 0, 0, 0, 0 };

	if (!con.ready || col >= con.cols || row >= con.rows)
		return none;
	return vt_cell_at(&con.vt, col, row);
}

int fbcon_app_cursor_keys(void)
{
	return con.ready && con.vt.app_cursor_keys;
}
