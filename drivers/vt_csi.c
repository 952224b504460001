/* SPDX-License-Identifier: MIT */
/*
 * vt_csi.c - the console terminal's control sequences (CSI) and its
 * palette: what each final byte does to the screen model, through the
 * model's operations (vtscreen.h). See vt.h for the model and docs/files.md
 * for the list of sequences.
 */
#include "vt.h"
#include "vtscreen.h"

#include "kprintf.h"
#include "kstring.h"

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

/* ---- CSI --------------------------------------------------------------------------------- */

void vt_reply(struct vt *vt, const char *fmt, uint32_t a, uint32_t b)
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
	vt_go(vt, vt->cx, vt->cy >= lo + n ? vt->cy - n : lo);
}

static void cursor_down(struct vt *vt, uint32_t n)
{
	uint32_t lo, hi;

	vertical_bounds(vt, &lo, &hi);
	vt_go(vt, vt->cx, vt->cy + n <= hi ? vt->cy + n : hi);
}

/* ED: 0 cursor to end, 1 start to cursor, 2 all; 3 (the saved lines) leaves the screen alone. */
static void erase_display(struct vt *vt, uint32_t mode)
{
	if (mode == 0) {
		vt_erase_cells(vt, vt->cy, vt->cx, vt->cols);
		vt_erase_rows(vt, vt->cy + 1, vt->rows);
	} else if (mode == 1) {
		vt_erase_rows(vt, 0, vt->cy);
		vt_erase_cells(vt, vt->cy, 0, vt->cx + 1);
	} else if (mode == 2) {
		vt_erase_rows(vt, 0, vt->rows);
	}
}

static void erase_line(struct vt *vt, uint32_t mode)
{
	if (mode == 0)
		vt_erase_cells(vt, vt->cy, vt->cx, vt->cols);
	else if (mode == 1)
		vt_erase_cells(vt, vt->cy, 0, vt->cx + 1);
	else if (mode == 2)
		vt_erase_cells(vt, vt->cy, 0, vt->cols);
}

static void delete_cells(struct vt *vt, uint32_t n)
{
	struct vt_cell *p = &vt->screen[(size_t)vt->cy * vt->cols];

	if (n > vt->cols - vt->cx)
		n = vt->cols - vt->cx;
	for (uint32_t i = vt->cx; i + n < vt->cols; i++)
		p[i] = p[i + n];
	vt_erase_cells(vt, vt->cy, vt->cols - n, vt->cols);
}

/* IL (n > 0) and DL (n < 0): lines at and below the cursor, inside the region; the cursor goes to column 1. */
static void insert_lines(struct vt *vt, int n)
{
	if (vt->cy < vt->top || vt->cy > vt->bottom)
		return;
	vt_scroll(vt, vt->cy, vt->bottom, -n);
	vt_go(vt, 0, vt->cy);
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
		vt_go(vt, 0, on ? vt->top : 0);
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
		vt_use_screen(vt, on, 0);
		break;
	case 1047:
		if (!on && vt->alt_active)
			vt_erase_rows(vt, 0, vt->rows);
		vt_use_screen(vt, on, 0);
		break;
	case 1048:
		on ? vt_save_cursor(vt) : vt_restore_cursor(vt);
		break;
	case 1049:
		if (!vt->alt)
			break;
		if (on) {
			if (vt->alt_active)
				break;
			vt_save_cursor(vt);
			vt_use_screen(vt, 1, 1);
		} else {
			if (!vt->alt_active)
				break;
			vt_use_screen(vt, 0, 0);
			vt_restore_cursor(vt);
		}
		break;
	default:
		break; /* mouse, bracketed paste, blinking: not for this console */
	}
}

void vt_csi(struct vt *vt, const struct vtp_action *a)
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
		vt_insert_cells(vt, vt->cx, n);
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
		vt_go(vt, vt->cx + n < vt->cols ? vt->cx + n : vt->cols - 1, vt->cy);
		break;
	case 'D':
		vt_go(vt, vt->cx > n ? vt->cx - n : 0, vt->cy);
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
		vt_go(vt, n - 1, vt->cy);
		break;
	case 'H':
	case 'f':
		vt_go(vt, vtp_param(a, 1, 1) - 1, row_param(vt, n));
		break;
	case 'I':
		vt->wrap_pending = 0;
		vt_tab_forward(vt, n);
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
		vt_scroll(vt, vt->top, vt->bottom, (int)n);
		break;
	case 'T':
		if (a->nparams <= 1)
			vt_scroll(vt, vt->top, vt->bottom, -(int)n);
		break;
	case 'X':
		vt->wrap_pending = 0;
		vt_erase_cells(vt, vt->cy, vt->cx, vt->cx + n);
		break;
	case 'Z':
		vt->wrap_pending = 0;
		vt_tab_back(vt, n);
		break;
	case 'b':
		for (uint32_t i = 0; i < n && vt->last_cp && i < vt->cols * vt->rows; i++)
			vt_print(vt, vt->last_cp);
		break;
	case 'c':
		if (!p0)
			vt_reply(vt, "\033[?6c", 0, 0); /* a VT102, as the Linux console says */
		break;
	case 'd':
		vt_go(vt, vt->cx, row_param(vt, n));
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
			vt_reply(vt, "\033[0n", 0, 0);
		else if (p0 == 6)
			vt_reply(vt, "\033[%u;%uR", vt->cy + 1 - (vt->origin ? vt->top : 0), vt->cx + 1);
		break;
	case 'r': {
		uint32_t top = vtp_param(a, 0, 1) - 1, bottom = vtp_param(a, 1, vt->rows) - 1;

		if (bottom >= vt->rows)
			bottom = vt->rows - 1;
		if (top < bottom) {
			vt->top = top;
			vt->bottom = bottom;
			vt_go(vt, 0, vt->origin ? top : 0);
		}
		break;
	}
	case 's':
		vt_save_cursor(vt);
		break;
	case 'u':
		vt_restore_cursor(vt);
		break;
	default:
		break; /* window operations, DECSTR, ...: ignored */
	}
}
