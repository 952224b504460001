/* SPDX-License-Identifier: MIT */
/*
 * vt.c - the console's terminal: the screen model (see vt.h).
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

#include "kerrno.h"
#include "kprintf.h"
#include "kstring.h"

#define TAB_STOP 8
#define C0_BS 0x08
#define C0_HT 0x09
#define C0_LF 0x0a
#define C0_VT 0x0b
#define C0_FF 0x0c
#define C0_CR 0x0d
#define PALETTE_ANSI 16
#define CUBE_FIRST 16
#define CUBE_SIZE 6
#define GREY_FIRST 232
#define GREY_STEPS 24
#define RGB(r, g, b) (((uint32_t)(r) << 16) | ((uint32_t)(g) << 8) | (uint32_t)(b))

/* The console's 16 colours: the VGA text palette, with the light grey the console always had. */
static const uint32_t ansi16[PALETTE_ANSI] = {
	0x000000, 0xaa0000, 0x00aa00, 0xaa5500, 0x0000aa, 0xaa00aa, 0x00aaaa, 0xc0c0c0,
	0x555555, 0xff5555, 0x55ff55, 0xffff55, 0x5555ff, 0xff55ff, 0x55ffff, 0xffffff,
};
static const uint8_t cube_level[CUBE_SIZE] = { 0, 95, 135, 175, 215, 255 };

uint32_t vt_palette_rgb(uint8_t i)
{
	if (i < PALETTE_ANSI)
		return ansi16[i];
	if (i < GREY_FIRST) {
		uint32_t k = i - CUBE_FIRST;

		return RGB(cube_level[k / 36], cube_level[(k / 6) % 6], cube_level[k % 6]);
	}
	return RGB(8 + 10 * (i - GREY_FIRST), 8 + 10 * (i - GREY_FIRST), 8 + 10 * (i - GREY_FIRST));
}

static uint32_t cube_index(uint8_t v)
{
	return v < 48 ? 0 : v < 115 ? 1 : (uint32_t)(v - 35) / 40;
}

static uint32_t dist2(uint32_t rgb, uint8_t r, uint8_t g, uint8_t b)
{
	int dr = (int)(rgb >> 16) - r, dg = (int)((rgb >> 8) & 0xff) - g, db = (int)(rgb & 0xff) - b;

	return (uint32_t)(dr * dr + dg * dg + db * db);
}

uint8_t vt_rgb_index(uint8_t r, uint8_t g, uint8_t b)
{
	uint8_t cube = (uint8_t)(CUBE_FIRST + 36 * cube_index(r) + 6 * cube_index(g) + cube_index(b));
	uint32_t avg = ((uint32_t)r + g + b) / 3, step = avg < 8 ? 0 : (avg - 8) / 10;
	uint8_t grey = (uint8_t)(GREY_FIRST + (step >= GREY_STEPS ? GREY_STEPS - 1 : step));

	return dist2(vt_palette_rgb(grey), r, g, b) < dist2(vt_palette_rgb(cube), r, g, b) ? grey : cube;
}

/* ---- the grid ---------------------------------------------------------------------------- */

static struct vt_cell *at(const struct vt *vt, uint32_t c, uint32_t r)
{
	return &vt->screen[(size_t)r * vt->cols + c];
}

static void touch(struct vt *vt, uint32_t r0, uint32_t r1)
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
static void erase_cells(struct vt *vt, uint32_t r, uint32_t c0, uint32_t c1)
{
	struct vt_cell b = vt_blank(vt), *p = at(vt, 0, r);

	for (uint32_t c = c0; c < c1 && c < vt->cols; c++)
		p[c] = b;
	touch(vt, r, r + 1);
}

static void erase_rows(struct vt *vt, uint32_t r0, uint32_t r1)
{
	for (uint32_t r = r0; r < r1 && r < vt->rows; r++)
		erase_cells(vt, r, 0, vt->cols);
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
static void scroll(struct vt *vt, uint32_t top, uint32_t bottom, int n)
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
		erase_rows(vt, bottom + 1 - k, bottom + 1);
	} else {
		struct vt_cell *base = at(vt, 0, top);

		for (size_t i = (size_t)(height - k) * row; i-- > 0;)
			base[i + (size_t)k * row] = base[i];
		erase_rows(vt, top, top + k);
	}
	touch(vt, top, bottom + 1);
	if (vt->log.active && n > 0)
		vt->log.start -= (int64_t)k * vt->cols;
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
	vt->log.start = (int64_t)vt->cy * vt->cols + vt->cx;
}

/* Colour the log line as its text so far says; recolour its cells when that changed. */
static void log_classify(struct vt *vt)
{
	uint8_t fg = VT_DEFAULT_FG, attr = 0;
	int64_t end = (int64_t)vt->cy * vt->cols + vt->cx + vt->wrap_pending;

	if (!vt->log.active || !vt->log.grew)
		return;
	vt->log.grew = 0;
	if (vt->hooks && vt->hooks->classify)
		vt->hooks->classify(vt->log.text, vt->log.len, &fg, &attr);
	if (fg == vt->log.fg && attr == vt->log.attr)
		return;
	vt->log.fg = fg;
	vt->log.attr = attr;
	for (int64_t i = vt->log.start < 0 ? 0 : vt->log.start; i < end; i++) {
		struct vt_cell *c = &vt->screen[i];

		c->fg = fg;
		c->attr = attr;
	}
	touch(vt, vt->log.start < 0 ? 0 : (uint32_t)(vt->log.start / vt->cols), vt->cy + 1);
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

static void go(struct vt *vt, uint32_t c, uint32_t r)
{
	vt->cx = c < vt->cols ? c : vt->cols - 1;
	vt->cy = r < vt->rows ? r : vt->rows - 1;
	vt->wrap_pending = 0;
}

/* Line feed: down a row, scrolling the region at its bottom line. */
static void line_feed(struct vt *vt)
{
	vt->wrap_pending = 0;
	if (vt->cy == vt->bottom) {
		uint32_t n = 1;

		/* The full main screen may scroll several rows at once (the console's adaptive step). */
		if (!vt->alt_active && full_region(vt) && vt->lf_step > 1)
			n = vt->lf_step < vt->rows ? vt->lf_step : vt->rows;
		scroll(vt, vt->top, vt->bottom, (int)n);
		vt->cy = vt->bottom + 1 - n;
	} else if (vt->cy + 1 < vt->rows) {
		vt->cy++;
	}
}

static void reverse_index(struct vt *vt)
{
	vt->wrap_pending = 0;
	if (vt->cy == vt->top)
		scroll(vt, vt->top, vt->bottom, -1);
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
static void insert_cells(struct vt *vt, uint32_t c, uint32_t n)
{
	struct vt_cell *p = at(vt, 0, vt->cy);

	if (n > vt->cols - c)
		n = vt->cols - c;
	for (uint32_t i = vt->cols; i-- > c + n;)
		p[i] = p[i - n];
	erase_cells(vt, vt->cy, c, c + n);
}

static void print(struct vt *vt, uint32_t cp)
{
	if (vt->log.active) {
		if (vt->log.cr)
			vt->log.active = 0; /* text over text: no longer a plain line */
		else
			log_add(vt, cp);
	}
	if (vt->wrap_pending && vt->autowrap) {
		vt->cx = 0;
		line_feed(vt);
	}
	vt->wrap_pending = 0;
	if (vt->insert)
		insert_cells(vt, vt->cx, 1);
	*at(vt, vt->cx, vt->cy) = pen_cell(vt, cp);
	touch(vt, vt->cy, vt->cy + 1);
	vt->last_cp = cp;
	if (vt->cx + 1 < vt->cols)
		vt->cx++;
	else if (vt->autowrap)
		vt->wrap_pending = 1;
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

static void tab_forward(struct vt *vt, uint32_t n)
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

static void tab_back(struct vt *vt, uint32_t n)
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
		tab_forward(vt, 1);
		return; /* a tab keeps a log line plain */
	case C0_LF:
	case C0_VT:
	case C0_FF:
		log_classify(vt);
		line_feed(vt);
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

static void save_cursor(struct vt *vt)
{
	struct vt_saved *s = &vt->saved[vt->alt_active];

	s->cx = vt->cx;
	s->cy = vt->cy;
	s->pen = vt->pen;
	s->wrap_pending = vt->wrap_pending;
	s->origin = vt->origin;
	s->valid = 1;
}

static void restore_cursor(struct vt *vt)
{
	struct vt_saved *s = &vt->saved[vt->alt_active];

	if (!s->valid) {
		/* Nothing saved: home, default colours, as xterm does. */
		memset(&vt->pen, 0, sizeof(vt->pen));
		vt->pen.fg = VT_DEFAULT_FG;
		vt->origin = 0;
		go(vt, 0, 0);
		return;
	}
	vt->pen = s->pen;
	vt->origin = s->origin;
	go(vt, s->cx, s->cy);
	vt->wrap_pending = s->wrap_pending && vt->cx == vt->cols - 1;
}

static void use_screen(struct vt *vt, int alt, int clear)
{
	if (!vt->alt || vt->alt_active == alt)
		return;
	vt->alt_active = (uint8_t)alt;
	vt->screen = alt ? vt->alt : vt->main;
	if (clear)
		erase_rows(vt, 0, vt->rows);
	touch(vt, 0, vt->rows);
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
	erase_rows(vt, 0, vt->rows);
	vt->screen = screen;
	if (vt->alt_active)
		erase_rows(vt, 0, vt->rows);
	touch(vt, 0, vt->rows);
	go(vt, 0, 0);
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
		erase_rows(vt, 0, rows);
		vt->screen = main;
	}
	return 0;
}

/* ---- CSI --------------------------------------------------------------------------------- */

static void reply(struct vt *vt, const char *fmt, uint32_t a, uint32_t b)
{
	char buf[VT_REPLY_MAX];
	int n = ksnprintf(buf, sizeof(buf), fmt, a, b);

	if (vt->hooks && vt->hooks->reply && n > 0)
		vt->hooks->reply(vt, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* The row a CUP/VPA parameter (1-based) means: inside the region in origin mode. */
static uint32_t row_param(const struct vt *vt, uint32_t p)
{
	uint32_t r = p - 1;

	if (!vt->origin)
		return r;
	r += vt->top;
	return r > vt->bottom ? vt->bottom : r;
}

/* The bounds a vertical move stays within: the region when the cursor is in it. */
static void vertical_bounds(const struct vt *vt, uint32_t *lo, uint32_t *hi)
{
	int inside = vt->cy >= vt->top && vt->cy <= vt->bottom;

	*lo = inside || vt->origin ? vt->top : 0;
	*hi = inside || vt->origin ? vt->bottom : vt->rows - 1;
}

static void cursor_up(struct vt *vt, uint32_t n)
{
	uint32_t lo, hi;

	vertical_bounds(vt, &lo, &hi);
	go(vt, vt->cx, vt->cy >= lo + n ? vt->cy - n : lo);
}

static void cursor_down(struct vt *vt, uint32_t n)
{
	uint32_t lo, hi;

	vertical_bounds(vt, &lo, &hi);
	go(vt, vt->cx, vt->cy + n <= hi ? vt->cy + n : hi);
}

/* ED: 0 cursor to end, 1 start to cursor, 2 all; 3 (the saved lines) leaves the screen alone. */
static void erase_display(struct vt *vt, uint32_t mode)
{
	if (mode == 0) {
		erase_cells(vt, vt->cy, vt->cx, vt->cols);
		erase_rows(vt, vt->cy + 1, vt->rows);
	} else if (mode == 1) {
		erase_rows(vt, 0, vt->cy);
		erase_cells(vt, vt->cy, 0, vt->cx + 1);
	} else if (mode == 2) {
		erase_rows(vt, 0, vt->rows);
	}
}

static void erase_line(struct vt *vt, uint32_t mode)
{
	if (mode == 0)
		erase_cells(vt, vt->cy, vt->cx, vt->cols);
	else if (mode == 1)
		erase_cells(vt, vt->cy, 0, vt->cx + 1);
	else if (mode == 2)
		erase_cells(vt, vt->cy, 0, vt->cols);
}

static void delete_cells(struct vt *vt, uint32_t n)
{
	struct vt_cell *p = at(vt, 0, vt->cy);

	if (n > vt->cols - vt->cx)
		n = vt->cols - vt->cx;
	for (uint32_t i = vt->cx; i + n < vt->cols; i++)
		p[i] = p[i + n];
	erase_cells(vt, vt->cy, vt->cols - n, vt->cols);
}

/* IL (n > 0) and DL (n < 0): lines at and below the cursor, inside the region; the cursor goes to column 1. */
static void insert_lines(struct vt *vt, int n)
{
	if (vt->cy < vt->top || vt->cy > vt->bottom)
		return;
	scroll(vt, vt->cy, vt->bottom, -n);
	go(vt, 0, vt->cy);
}

/* SGR 38/48: the colour that parameters from i (after the 38 or 48) give; returns parameters used. */
static unsigned extended_color(const struct vtp_action *a, unsigned i, int *color)
{
	unsigned subs = 0;

	*color = -1;
	if (i >= a->nparams)
		return 0;
	while (i + subs < a->nparams && (a->sub >> (i + subs)) & 1)
		subs++;
	if (a->params[i] == 5 && i + 1 < a->nparams) {
		*color = a->params[i + 1] > 255 ? -1 : a->params[i + 1];
		return 2;
	}
	if (a->params[i] == 2) {
		unsigned skip = subs >= 5 ? 1 : 0; /* 38:2:CS:R:G:B names a colour space first */

		if (i + 3 + skip < a->nparams) {
			const uint16_t *v = &a->params[i + 1 + skip];

			if (v[0] <= 255 && v[1] <= 255 && v[2] <= 255)
				*color = vt_rgb_index((uint8_t)v[0], (uint8_t)v[1], (uint8_t)v[2]);
			return 4 + skip;
		}
		return a->nparams - i;
	}
	return 1;
}

static void sgr(struct vt *vt, const struct vtp_action *a)
{
	struct vt_pen *p = &vt->pen;
	unsigned n = a->nparams ? a->nparams : 1;

	for (unsigned i = 0; i < n; i++) {
		uint32_t v = a->params[i];
		int color;

		if (v == 0) {
			memset(p, 0, sizeof(*p));
			p->fg = VT_DEFAULT_FG;
		} else if (v == 1) {
			p->attr |= VT_ATTR_BOLD;
		} else if (v == 4 || v == 21) {
			p->attr |= VT_ATTR_UNDERLINE;
		} else if (v == 7) {
			p->reverse = 1;
		} else if (v == 22) {
			p->attr &= (uint8_t)~VT_ATTR_BOLD;
		} else if (v == 24) {
			p->attr &= (uint8_t)~VT_ATTR_UNDERLINE;
		} else if (v == 27) {
			p->reverse = 0;
		} else if (v >= 30 && v <= 37) {
			p->fg = (uint8_t)(v - 30);
		} else if (v == 39) {
			p->fg = VT_DEFAULT_FG;
		} else if (v >= 40 && v <= 47) {
			p->bg = (uint8_t)(v - 40);
		} else if (v == 49) {
			p->bg = VT_DEFAULT_BG;
		} else if (v >= 90 && v <= 97) {
			p->fg = (uint8_t)(v - 90 + 8);
		} else if (v >= 100 && v <= 107) {
			p->bg = (uint8_t)(v - 100 + 8);
		} else if (v == 38 || v == 48) {
			i += extended_color(a, i + 1, &color);
			if (color >= 0 && v == 38)
				p->fg = (uint8_t)color;
			else if (color >= 0)
				p->bg = (uint8_t)color;
		}
		/* 2 (faint), 3 (italic), 5 (blink), 8, 9 and the rest: the font has no way to show them. */
	}
}

/* DECSET / DECRST (CSI ? Pm h / l). */
static void private_mode(struct vt *vt, uint32_t mode, int on)
{
	switch (mode) {
	case 1:
		vt->app_cursor_keys = (uint8_t)on;
		break;
	case 6:
		vt->origin = (uint8_t)on;
		go(vt, 0, on ? vt->top : 0);
		break;
	case 7:
		vt->autowrap = (uint8_t)on;
		if (!on)
			vt->wrap_pending = 0;
		break;
	case 25:
		vt->cursor_visible = (uint8_t)on;
		break;
	case 47:
		use_screen(vt, on, 0);
		break;
	case 1047:
		if (!on && vt->alt_active)
			erase_rows(vt, 0, vt->rows);
		use_screen(vt, on, 0);
		break;
	case 1048:
		on ? save_cursor(vt) : restore_cursor(vt);
		break;
	case 1049:
		if (!vt->alt)
			break;
		if (on) {
			if (vt->alt_active)
				break;
			save_cursor(vt);
			use_screen(vt, 1, 1);
		} else {
			if (!vt->alt_active)
				break;
			use_screen(vt, 0, 0);
			restore_cursor(vt);
		}
		break;
	default:
		break; /* mouse, bracketed paste, blinking: not for this console */
	}
}

static void csi(struct vt *vt, const struct vtp_action *a)
{
	uint32_t n = vtp_param(a, 0, 1), p0 = a->nparams ? a->params[0] : 0;

	if (a->private_mark == '?') {
		if (a->final == 'h' || a->final == 'l')
			for (unsigned i = 0; i < a->nparams; i++)
				private_mode(vt, a->params[i], a->final == 'h');
		return;
	}
	if (a->private_mark || (a->intermediate && a->final != 'p'))
		return; /* secondary DA, DECSCUSR, ...: nothing to do */
	switch (a->final) {
	case '@':
		vt->wrap_pending = 0;
		insert_cells(vt, vt->cx, n);
		break;
	case 'A':
		cursor_up(vt, n);
		break;
	case 'B':
	case 'e':
		cursor_down(vt, n);
		break;
	case 'C':
	case 'a':
		go(vt, vt->cx + n < vt->cols ? vt->cx + n : vt->cols - 1, vt->cy);
		break;
	case 'D':
		go(vt, vt->cx > n ? vt->cx - n : 0, vt->cy);
		break;
	case 'E':
		cursor_down(vt, n);
		vt->cx = 0;
		break;
	case 'F':
		cursor_up(vt, n);
		vt->cx = 0;
		break;
	case 'G':
	case '`':
		go(vt, n - 1, vt->cy);
		break;
	case 'H':
	case 'f':
		go(vt, vtp_param(a, 1, 1) - 1, row_param(vt, n));
		break;
	case 'I':
		vt->wrap_pending = 0;
		tab_forward(vt, n);
		break;
	case 'J':
		vt->wrap_pending = 0;
		erase_display(vt, p0);
		break;
	case 'K':
		vt->wrap_pending = 0;
		erase_line(vt, p0);
		break;
	case 'L':
		insert_lines(vt, (int)n);
		break;
	case 'M':
		insert_lines(vt, -(int)n);
		break;
	case 'P':
		vt->wrap_pending = 0;
		delete_cells(vt, n);
		break;
	case 'S':
		scroll(vt, vt->top, vt->bottom, (int)n);
		break;
	case 'T':
		if (a->nparams <= 1)
			scroll(vt, vt->top, vt->bottom, -(int)n);
		break;
	case 'X':
		vt->wrap_pending = 0;
		erase_cells(vt, vt->cy, vt->cx, vt->cx + n);
		break;
	case 'Z':
		vt->wrap_pending = 0;
		tab_back(vt, n);
		break;
	case 'b':
		for (uint32_t i = 0; i < n && vt->last_cp && i < vt->cols * vt->rows; i++)
			print(vt, vt->last_cp);
		break;
	case 'c':
		if (!p0)
			reply(vt, "\033[?6c", 0, 0); /* a VT102, as the Linux console says */
		break;
	case 'd':
		go(vt, vt->cx, row_param(vt, n));
		break;
	case 'g':
		if (p0 == 0 && vt->cx < VT_MAX_COLS)
			vt->tabs[vt->cx / 8] &= (uint8_t) ~(1u << (vt->cx % 8));
		else if (p0 == 3)
			memset(vt->tabs, 0, sizeof(vt->tabs));
		break;
	case 'h':
	case 'l':
		for (unsigned i = 0; i < a->nparams; i++) {
			if (a->params[i] == 4)
				vt->insert = a->final == 'h';
			else if (a->params[i] == 20)
				vt->newline = a->final == 'h';
		}
		break;
	case 'm':
		sgr(vt, a);
		break;
	case 'n':
		if (p0 == 5)
			reply(vt, "\033[0n", 0, 0);
		else if (p0 == 6)
			reply(vt, "\033[%u;%uR", vt->cy + 1 - (vt->origin ? vt->top : 0), vt->cx + 1);
		break;
	case 'r': {
		uint32_t top = vtp_param(a, 0, 1) - 1, bottom = vtp_param(a, 1, vt->rows) - 1;

		if (bottom >= vt->rows)
			bottom = vt->rows - 1;
		if (top < bottom) {
			vt->top = top;
			vt->bottom = bottom;
			go(vt, 0, vt->origin ? top : 0);
		}
		break;
	}
	case 's':
		save_cursor(vt);
		break;
	case 'u':
		restore_cursor(vt);
		break;
	default:
		break; /* window operations, DECSTR, ...: ignored */
	}
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
		touch(vt, 0, vt->rows);
		go(vt, 0, 0);
		return;
	}
	if (a->intermediate)
		return; /* character sets (ESC ( B, ...): the font has one */
	switch (a->final) {
	case '7':
		save_cursor(vt);
		break;
	case '8':
		restore_cursor(vt);
		break;
	case 'D':
		line_feed(vt);
		break;
	case 'E':
		line_feed(vt);
		vt->cx = 0;
		break;
	case 'M':
		reverse_index(vt);
		break;
	case 'H':
		if (vt->cx < VT_MAX_COLS)
			vt->tabs[vt->cx / 8] |= (uint8_t)(1u << (vt->cx % 8));
		break;
	case 'Z':
		reply(vt, "\033[?6c", 0, 0);
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
				print(vt, a->cp);
				continue;
			}
			if (a->kind == VTP_EXECUTE) {
				execute(vt, a->final);
				continue;
			}
			log_classify(vt);
			vt->log.active = 0; /* a sequence inside the line: its colours are its own */
			if (a->kind == VTP_CSI)
				csi(vt, a);
			else if (a->kind == VTP_ESC)
				esc(vt, a);
		}
	}
	log_classify(vt);
}
