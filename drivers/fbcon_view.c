/* SPDX-License-Identifier: MIT */
/*
 * fbcon_view.c - the console log (conlog.h) on the framebuffer: the
 * scrollback that Shift+PgUp/PgDn page through, and the page the monitor's
 * `log` pager draws.
 *
 * A view is drawn with the console switched off (fbcon_enable(0)), from the
 * log's text, straight into the back buffer, then presented whole: the
 * console's own grid keeps recording meanwhile, and switching the console
 * back on redraws it. Log lines wrap at the right edge, each in the colour
 * fbcon_classify gives it, as the console drew them.
 */
#include "conlog.h"
#include "fb.h"
#include "fbcon.h"
#include "kbd.h"
#include "kprintf.h"
#include "kstring.h"

#define VIEW_LINE_MAX 2048 /* bytes of one log line a view shows; longer lines are cut */
#define TAB_STOP 8

static char line[VIEW_LINE_MAX];

/* The console's text grid (0 x 0 before fbcon_setup). */
static uint32_t grid_cols(void)
{
	uint32_t cols, rows;

	fbcon_size(&cols, &rows);
	return cols;
}

static uint32_t grid_rows(void)
{
	uint32_t cols, rows;

	fbcon_size(&cols, &rows);
	return rows;
}

/* Screen rows log line s[0..n) takes at cols columns (at least 1). */
static uint32_t rows_of(const char *s, size_t n, uint32_t cols)
{
	uint32_t cells = 0;

	for (size_t i = 0; i < n;) {
		size_t len;
		uint32_t cp = fb_utf8_next(s + i, n - i, &len);

		i += len;
		if (cp == '\t')
			cells += TAB_STOP - cells % TAB_STOP;
		else if (cp >= ' ' && cp != 0x7f)
			cells++;
	}
	return cells ? (cells + cols - 1) / cols : 1;
}

/* Draw log line n from screen row r, at most max rows of it; the highlighted line in inverse. Returns rows used. */
static uint32_t draw_line(uint64_t n, uint32_t r, uint32_t max, int inverse)
{
	uint32_t cols = grid_cols(), c = 0, used = 1;
	long len = conlog_line(n, line, sizeof(line));
	size_t have;
	enum fbcon_color color;

	if (len < 0)
		return 0;
	have = strlen(line);
	color = fbcon_classify(line, have);
	for (size_t i = 0; i < have;) {
		size_t k;
		uint32_t cp = fb_utf8_next(line + i, have - i, &k), cells = 1;

		i += k;
		if (cp == '\t') {
			cells = TAB_STOP - c % TAB_STOP;
			cp = ' ';
		} else if (cp < ' ' || cp == 0x7f) {
			continue;
		}
		while (cells--) {
			if (c == cols) {
				if (used == max)
					return used;
				c = 0;
				used++;
			}
			fbcon_put_glyph(c++, r + used - 1, cp, color, inverse);
		}
	}
	if (inverse) /* the whole row, so a short line still stands out */
		while (c < cols)
			fbcon_put_glyph(c++, r + used - 1, ' ', color, 1);
	return used;
}

uint64_t fbcon_view_draw(uint64_t top, const char *status, uint64_t mark)
{
	uint32_t rows = grid_rows(), text_rows, r = 0;
	uint64_t n = top, end = conlog_end();

	if (!rows)
		return top;
	fbcon_enable(0);
	text_rows = status && rows > 1 ? rows - 1 : rows;
	fb_fill_rect(0, 0, fb_width(), fb_height(), FB_BLACK);
	if (n < conlog_first())
		n = conlog_first();
	for (; n < end && r < text_rows; n++) {
		long len = conlog_line(n, line, sizeof(line));
		uint32_t need = len < 0 ? 1 : rows_of(line, strlen(line), grid_cols());

		if (r + need > text_rows && r > 0)
			break; /* shown from its start on the next page */
		r += draw_line(n, r, text_rows - r, n == mark);
	}
	if (status && rows > 1) {
		uint32_t c = 0;

		for (const char *p = status; *p && c < grid_cols(); p++)
			fbcon_put_glyph(c++, rows - 1, (unsigned char)*p, FBCON_NORMAL, 1);
		while (c < grid_cols())
			fbcon_put_glyph(c++, rows - 1, ' ', FBCON_NORMAL, 1);
	}
	fb_present_all();
	fb_mark_clean();
	return n;
}

uint64_t fbcon_view_back(uint64_t from, uint32_t screen_rows)
{
	uint64_t n = from, first = conlog_first();
	uint32_t rows = 0;

	while (n > first) {
		long len = conlog_line(n - 1, line, sizeof(line));
		uint32_t need = len < 0 ? 1 : rows_of(line, strlen(line), grid_cols());

		if (rows + need > screen_rows)
			break;
		rows += need;
		n--;
	}
	return n == from && n > first ? n - 1 : n;
}

void fbcon_view_end(void)
{
	fbcon_enable(1);
}

/* ---- Shift+PgUp / Shift+PgDn on the live console ------------------------------- */

static struct {
	int active;
	uint64_t top;
} sb;

static void sb_draw(void)
{
	char status[96];
	uint64_t end = conlog_end();

	ksnprintf(status, sizeof(status), "scrollback: line %llu of %llu; Shift+PgUp/PgDn page, any other key returns",
		  (unsigned long long)(sb.top - conlog_scroll_first() + 1),
		  (unsigned long long)(end - conlog_scroll_first()));
	fbcon_view_draw(sb.top, status, UINT64_MAX);
}

int fbcon_scroll_key(int key)
{
	uint32_t half = grid_rows() / 2 ? grid_rows() / 2 : 1;
	uint64_t bottom;

	if (!fbcon_ready() || !conlog_ready())
		return 0;
	bottom = fbcon_view_back(conlog_end(), grid_rows() - 1);
	if (key == (KEY_PGUP | KEY_MOD_SHIFT)) {
		uint64_t top = fbcon_view_back(sb.active ? sb.top : bottom, half);

		if (top < conlog_scroll_first()) /* not before the last ED 3 ("clear") */
			top = conlog_scroll_first();
		if (!sb.active && top >= bottom)
			return 1; /* nothing above the screen */
		sb.top = top;
		sb.active = 1;
		sb_draw();
		return 1;
	}
	if (key == (KEY_PGDN | KEY_MOD_SHIFT)) {
		if (!sb.active)
			return 1; /* already at the bottom */
		for (uint32_t i = 0; i < half && sb.top < bottom; i++)
			sb.top++;
		if (sb.top >= bottom) {
			sb.active = 0;
			fbcon_view_end();
		} else {
			sb_draw();
		}
		return 1;
	}
	if (sb.active) {
		sb.active = 0;
		fbcon_view_end();
	}
	return 0;
}

int fbcon_scrolled_back(void)
{
	return sb.active;
}
