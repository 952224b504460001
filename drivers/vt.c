/* SPDX-License-Identifier: MIT */
/*
 * vt.c - the console's terminal: the screen model (see vt.h): the grid, text,
 * controls, ESC sequences and modes; drivers/vt_csi.c acts on the CSI ones.
 *
 * Positions follow xterm: the cursor stays on the last column after a
 * character is written there, with wrap_pending set, and the next
 * character wraps first; so a line that exactly fills a row leaves no empty
 * row behind it. Erasing fills with the current background (xterm's
 * background colour erase). Every change marks its rows dirty; scrolls are
 * announced first (hooks->scrolled), so a picture of the grid can move
 * instead of being redrawn.
 */
#include "vt.h"
#include "vtscreen.h"

#include "kerrno.h"
#include "kstring.h"

#define TAB_STOP 8

/* ---- the grid ---------------------------------------------------------------------------- */

static struct vt_cell *at(const struct vt *vt, uint32_t c, uint32_t r)
{
	return &vt->screen[(size_t)r * vt->cols + c];
}

void vt_touch(struct vt *vt, uint32_t r0, uint32_t r1)
{
	if (vt->dirty0 >= vt->dirty1) {
		vt->dirty0 = r0;
		vt->dirty1 = r1;
		return;
	}
	if (r0 < vt->dirty0)
		vt->dirty0 = r0;
	if (r1 > vt->dirty1)
		vt->dirty1 = r1;
}

struct vt_cell vt_blank(const struct vt *vt)
{
	struct vt_cell b = { ' ', VT_DEFAULT_FG, vt->pen.bg, 0, 0 };

	return b;
}

struct vt_cell vt_cell_at(const struct vt *vt, uint32_t col, uint32_t row)
{
	struct vt_cell b = { ' ', VT_DEFAULT_FG, VT_DEFAULT_BG, 0, 0 };

	if (!vt->screen || col >= vt->cols || row >= vt->rows)
		return b;
	return *at(vt, col, row);
}

/* Cells [c0, c1) of row r blank. */
void vt_erase_cells(struct vt *vt, uint32_t r, uint32_t c0, uint32_t c1)
{
	struct vt_cell b = vt_blank(vt), *p = at(vt, 0, r);

	for (uint32_t c = c0; c < c1 && c < vt->cols; c++)
		p[c] = b;
	vt_touch(vt, r, r + 1);
}

void vt_erase_rows(struct vt *vt, uint32_t r0, uint32_t r1)
{
	for (uint32_t r = r0; r < r1 && r < vt->rows; r++)
		vt_erase_cells(vt, r, 0, vt->cols);
}

int vt_take_dirty(struct vt *vt, uint32_t *r0, uint32_t *r1)
{
	if (vt->dirty0 >= vt->dirty1)
		return 0;
	*r0 = vt->dirty0;
	*r1 = vt->dirty1 < vt->rows ? vt->dirty1 : vt->rows;
	vt->dirty0 = vt->dirty1 = 0;
	return 1;
}

/*
 * Rows [top, bottom] up by n (n < 0: down by -n): the rows moved out are
 * lost, the rows moved in blank.
 */
void vt_scroll(struct vt *vt, uint32_t top, uint32_t bottom, int n)
{
	uint32_t height = bottom - top + 1, k = (uint32_t)(n < 0 ? -n : n);
	size_t row = vt->cols;

	if (!n || top > bottom || bottom >= vt->rows)
		return;
	if (k > height)
		k = height;
	n = n < 0 ? -(int)k : (int)k;
	if (vt->hooks && vt->hooks->scrolled)
		vt->hooks->scrolled(vt, top, bottom, n);
	if (n > 0) {
		/* A forward copy: the kernel's memmove goes byte by byte. */
		struct vt_cell *dst = at(vt, 0, top), *src = at(vt, 0, top + k);

		for (size_t i = 0; i < (size_t)(height - k) * row; i++)
			dst[i] = src[i];
		vt_erase_rows(vt, bottom + 1 - k, bottom + 1);
	} else {
		struct vt_cell *base = at(vt, 0, top);

		for (size_t i = (size_t)(height - k) * row; i-- > 0;)
			base[i + (size_t)k * row] = base[i];
		vt_erase_rows(vt, top, top + k);
	}
	vt_touch(vt, top, bottom + 1);
	if (vt->log.active && n > 0) {
		vt->log.start -= (int64_t)k * vt->cols;
		vt->log.end -= (int64_t)k * vt->cols;
	}
}

/* ---- the log line ------------------------------------------------------------------------ */

static int full_region(const struct vt *vt)
{
	return vt->top == 0 && vt->bottom == vt->rows - 1;
}

/* Start a log line at the cursor when nothing but plain text can have coloured it. */
static void log_begin(struct vt *vt)
{
	const struct vt_pen *p = &vt->pen;

	vt->log.active = !vt->alt_active && full_region(vt) && vt->autowrap && !vt->insert && vt->newline &&
			 p->fg == VT_DEFAULT_FG && p->bg == VT_DEFAULT_BG && !p->attr && !p->reverse;
	vt->log.cr = 0;
	vt->log.grew = 0;
	vt->log.len = 0;
	vt->log.fg = VT_DEFAULT_FG;
	vt->log.attr = 0;
	vt->log.start = vt->log.end = (int64_t)vt->cy * vt->cols + vt->cx;
}

/* The log line reaches the cursor (after a character or a tab). */
static void log_reach(struct vt *vt)
{
	int64_t at = (int64_t)vt->cy * vt->cols + vt->cx + vt->wrap_pending;

	if (vt->log.active && at > vt->log.end)
		vt->log.end = at;
}

/* Colour the log line as its text so far says; recolour its cells when that changed. */
static void log_classify(struct vt *vt)
{
	uint8_t fg = VT_DEFAULT_FG, attr = 0;

	if (!vt->log.active || !vt->log.grew)
		return;
	vt->log.grew = 0;
	if (vt->hooks && vt->hooks->classify)
		vt->hooks->classify(vt->log.text, vt->log.len, &fg, &attr);
	if (fg == vt->log.fg && attr == vt->log.attr)
		return;
	vt->log.fg = fg;
	vt->log.attr = attr;
	for (int64_t i = vt->log.start < 0 ? 0 : vt->log.start; i < vt->log.end; i++) {
		struct vt_cell *c = &vt->screen[i];

		c->fg = fg;
		c->attr = attr;
	}
	if (vt->log.end > 0)
		vt_touch(vt, vt->log.start < 0 ? 0 : (uint32_t)(vt->log.start / vt->cols),
			 (uint32_t)((vt->log.end - 1) / vt->cols) + 1);
}

static void log_add(struct vt *vt, uint32_t cp)
{
	uint8_t b[4];
	size_t k;

	if (cp < 0x80) {
		b[0] = (uint8_t)cp;
		k = 1;
	} else if (cp < 0x800) {
		b[0] = (uint8_t)(0xc0 | (cp >> 6));
		b[1] = (uint8_t)(0x80 | (cp & 0x3f));
		k = 2;
	} else if (cp < 0x10000) {
		b[0] = (uint8_t)(0xe0 | (cp >> 12));
		b[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (uint8_t)(0x80 | (cp & 0x3f));
		k = 3;
	} else {
		b[0] = (uint8_t)(0xf0 | (cp >> 18));
		b[1] = (uint8_t)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (uint8_t)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (uint8_t)(0x80 | (cp & 0x3f));
		k = 4;
	}
	if (vt->log.len <= sizeof(vt->log.text) - k) {
		memcpy(vt->log.text + vt->log.len, b, k);
		vt->log.len += k;
	}
	vt->log.grew = 1;
}

/* ---- cursor and text --------------------------------------------------------------------- */

void vt_go(struct vt *vt, uint32_t c, uint32_t r)
{
	vt->cx = c < vt->cols ? c : vt->cols - 1;
	vt->cy = r < vt->rows ? r : vt->rows - 1;
	vt->wrap_pending = 0;
}

/* Line feed: down a row, scrolling the region at its bottom line. */
void vt_line_feed(struct vt *vt)
{
	vt->wrap_pending = 0;
	if (vt->cy == vt->bottom) {
		uint32_t n = 1;

		/* The full main screen may scroll several rows at once (the console's adaptive step). */
		if (!vt->alt_active && full_region(vt) && vt->lf_step > 1)
			n = vt->lf_step < vt->rows ? vt->lf_step : vt->rows;
		vt_scroll(vt, vt->top, vt->bottom, (int)n);
		vt->cy = vt->bottom + 1 - n;
	} else if (vt->cy + 1 < vt->rows) {
		vt->cy++;
	}
}

void vt_reverse_index(struct vt *vt)
{
	vt->wrap_pending = 0;
	if (vt->cy == vt->top)
		vt_scroll(vt, vt->top, vt->bottom, -1);
	else if (vt->cy > 0)
		vt->cy--;
}

static struct vt_cell pen_cell(const struct vt *vt, uint32_t cp)
{
	struct vt_cell c = { cp, vt->pen.fg, vt->pen.bg, vt->pen.attr, 0 };

	if (vt->pen.reverse) {
		c.fg = vt->pen.bg;
		c.bg = vt->pen.fg;
	}
	if (vt->log.active) {
		c.fg = vt->log.fg;
		c.attr = vt->log.attr;
	}
	return c;
}

/* Cells [c, cols) of the cursor's row move right by n; n blanks come in at c. */
void vt_insert_cells(struct vt *vt, uint32_t c, uint32_t n)
{
	struct vt_cell *p = at(vt, 0, vt->cy);

	if (n > vt->cols - c)
		n = vt->cols - c;
	for (uint32_t i = vt->cols; i-- > c + n;)
		p[i] = p[i - n];
	vt_erase_cells(vt, vt->cy, c, c + n);
}

void vt_print(struct vt *vt, uint32_t cp)
{
	if (vt->log.active) {
		if (vt->log.cr)
			vt->log.active = 0; /* text over text: no longer a plain line */
		else
			log_add(vt, cp);
	}
	if (vt->wrap_pending && vt->autowrap) {
		vt->cx = 0;
		vt_line_feed(vt);
	}
	vt->wrap_pending = 0;
	if (vt->insert)
		vt_insert_cells(vt, vt->cx, 1);
	*at(vt, vt->cx, vt->cy) = pen_cell(vt, cp);
	vt_touch(vt, vt->cy, vt->cy + 1);
	vt->last_cp = cp;
	if (vt->cx + 1 < vt->cols)
		vt->cx++;
	else if (vt->autowrap)
		vt->wrap_pending = 1;
	log_reach(vt);
}

static int tab_set(const struct vt *vt, uint32_t c)
{
	return c < VT_MAX_COLS && (vt->tabs[c / 8] >> (c % 8)) & 1;
}

static void default_tabs(struct vt *vt)
{
	memset(vt->tabs, 0, sizeof(vt->tabs));
	for (uint32_t c = TAB_STOP; c < VT_MAX_COLS; c += TAB_STOP)
		vt->tabs[c / 8] |= (uint8_t)(1u << (c % 8));
}

void vt_tab_forward(struct vt *vt, uint32_t n)
{
	while (n--) {
		do
			vt->cx++;
		while (vt->cx < vt->cols - 1 && !tab_set(vt, vt->cx));
		if (vt->cx >= vt->cols - 1) {
			vt->cx = vt->cols - 1;
			break;
		}
	}
}

void vt_tab_back(struct vt *vt, uint32_t n)
{
	while (n-- && vt->cx > 0) {
		do
			vt->cx--;
		while (vt->cx > 0 && !tab_set(vt, vt->cx));
	}
}

static void execute(struct vt *vt, uint8_t c)
{
	switch (c) {
	case C0_BS:
		if (vt->cx > 0)
			vt->cx--;
		vt->wrap_pending = 0;
		break;
	case C0_HT:
		if (vt->log.active)
			log_add(vt, '\t');
		vt->wrap_pending = 0;
		vt_tab_forward(vt, 1);
		log_reach(vt);
		return; /* a tab keeps a log line plain */
	case C0_LF:
	case C0_VT:
	case C0_FF:
		log_classify(vt);
		vt_line_feed(vt);
		if (vt->newline)
			vt->cx = 0;
		log_begin(vt);
		return;
	case C0_CR:
		vt->cx = 0;
		vt->wrap_pending = 0;
		vt->log.cr = 1; /* plain still if a line feed follows */
		return;
	default:
		return; /* BEL, SO, SI, ...: nothing to show */
	}
	vt->log.active = 0;
}

/* ---- saving, modes, reset ---------------------------------------------------------------- */

void vt_save_cursor(struct vt *vt)
{
	struct vt_saved *s = &vt->saved[vt->alt_active];

	s->cx = vt->cx;
	s->cy = vt->cy;
	s->pen = vt->pen;
	s->wrap_pending = vt->wrap_pending;
	s->origin = vt->origin;
	s->valid = 1;
}

void vt_restore_cursor(struct vt *vt)
{
	struct vt_saved *s = &vt->saved[vt->alt_active];

	if (!s->valid) {
		/* Nothing saved: home, default colours, as xterm does. */
		memset(&vt->pen, 0, sizeof(vt->pen));
		vt->pen.fg = VT_DEFAULT_FG;
		vt->origin = 0;
		vt_go(vt, 0, 0);
		return;
	}
	vt->pen = s->pen;
	vt->origin = s->origin;
	vt_go(vt, s->cx, s->cy);
	vt->wrap_pending = s->wrap_pending && vt->cx == vt->cols - 1;
}

void vt_use_screen(struct vt *vt, int alt, int clear)
{
	if (!vt->alt || vt->alt_active == alt)
		return;
	vt->alt_active = (uint8_t)alt;
	vt->screen = alt ? vt->alt : vt->main;
	if (clear)
		vt_erase_rows(vt, 0, vt->rows);
	vt_touch(vt, 0, vt->rows);
}

static void reset_modes(struct vt *vt)
{
	memset(&vt->pen, 0, sizeof(vt->pen));
	vt->pen.fg = VT_DEFAULT_FG;
	vt->pen.bg = VT_DEFAULT_BG;
	vt->top = 0;
	vt->bottom = vt->rows - 1;
	vt->autowrap = 1;
	vt->origin = 0;
	vt->insert = 0;
	vt->newline = 1;
	vt->cursor_visible = 1;
	vt->app_cursor_keys = 0;
	memset(vt->saved, 0, sizeof(vt->saved));
	default_tabs(vt);
	vt->last_cp = 0;
}

void vt_reset(struct vt *vt)
{
	if (vt->alt_active) {
		vt->alt_active = 0;
		vt->screen = vt->main;
	}
	reset_modes(vt);
	vtparse_init(&vt->parser);
	vt_clear(vt);
}

void vt_clear(struct vt *vt)
{
	struct vt_cell *screen = vt->screen;

	vt->screen = vt->main;
	vt_erase_rows(vt, 0, vt->rows);
	vt->screen = screen;
	if (vt->alt_active)
		vt_erase_rows(vt, 0, vt->rows);
	vt_touch(vt, 0, vt->rows);
	vt_go(vt, 0, 0);
	log_begin(vt);
}

int vt_init(struct vt *vt, uint32_t cols, uint32_t rows, struct vt_cell *main, struct vt_cell *alt,
	    const struct vt_hooks *hooks)
{
	memset(vt, 0, sizeof(*vt));
	if (!cols || !rows || cols > VT_MAX_COLS || !main)
		return -EINVAL;
	vt->cols = cols;
	vt->rows = rows;
	vt->main = vt->screen = main;
	vt->alt = alt;
	vt->hooks = hooks;
	vt->lf_step = 1;
	vt_reset(vt);
	if (alt) {
		vt->screen = alt;
		vt_erase_rows(vt, 0, rows);
		vt->screen = main;
	}
	return 0;
}

static void esc(struct vt *vt, const struct vtp_action *a)
{
	if (a->intermediate == '#' && a->final == '8') {
		/* DECALN: the screen full of E, the region and the cursor reset. */
		struct vt_cell e = { 'E', VT_DEFAULT_FG, VT_DEFAULT_BG, 0, 0 };

		for (size_t i = 0; i < (size_t)vt->rows * vt->cols; i++)
			vt->screen[i] = e;
		vt->top = 0;
		vt->bottom = vt->rows - 1;
		vt_touch(vt, 0, vt->rows);
		vt_go(vt, 0, 0);
		return;
	}
	if (a->intermediate)
		return; /* character sets (ESC ( B, ...): the font has one */
	switch (a->final) {
	case '7':
		vt_save_cursor(vt);
		break;
	case '8':
		vt_restore_cursor(vt);
		break;
	case 'D':
		vt_line_feed(vt);
		break;
	case 'E':
		vt_line_feed(vt);
		vt->cx = 0;
		break;
	case 'M':
		vt_reverse_index(vt);
		break;
	case 'H':
		if (vt->cx < VT_MAX_COLS)
			vt->tabs[vt->cx / 8] |= (uint8_t)(1u << (vt->cx % 8));
		break;
	case 'Z':
		vt_reply(vt, "\033[?6c", 0, 0);
		break;
	case 'c':
		vt_reset(vt);
		break;
	default:
		break; /* keypad modes (= >), single shifts: nothing to show */
	}
}

void vt_write(struct vt *vt, const char *s, size_t n)
{
	struct vtp_action act[2];

	if (!vt->screen)
		return;
	for (size_t i = 0; i < n; i++) {
		int k = vtparse_byte(&vt->parser, (uint8_t)s[i], act);

		for (int j = 0; j < k; j++) {
			const struct vtp_action *a = &act[j];

			if (a->kind == VTP_PRINT) {
				vt_print(vt, a->cp);
				continue;
			}
			if (a->kind == VTP_EXECUTE) {
				execute(vt, a->final);
				continue;
			}
			log_classify(vt);
			vt->log.active = 0; /* a sequence inside the line: its colours are its own */
			if (a->kind == VTP_CSI)
				vt_csi(vt, a);
			else if (a->kind == VTP_ESC)
				esc(vt, a);
		}
	}
	log_classify(vt);
}
