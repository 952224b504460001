/* SPDX-License-Identifier: MIT */
/*
 * vt.h - the console's terminal: a screen model that understands what
 * programs written for an xterm or the Linux console send, with no drawing
 * in it. drivers/fbcon.c draws it; the host tests read its cells.
 *
 * A grid of cells (code point, colours, attributes), the cursor, the
 * scrolling region and the modes, changed by text and by the sequences of
 * the xterm subset busybox's line editor, vi, less, top and clear use
 * (docs/files.md lists them): cursor moves, erasing, inserting and deleting
 * characters and lines, scrolling regions, index and reverse index, SGR
 * colours (16, 256 and RGB mapped to the 256), cursor visibility, the
 * alternate screen, the device status report and the reset. The bytes are
 * read by drivers/vtparse.c.
 *
 * Two things make it a console as well as a terminal:
 *  - line feed also returns the carriage (new-line mode, which the kernel's
 *    own messages need: they end in '\n' alone); CSI 20 l turns it off;
 *  - a "log line": a line written with the default colours and nothing but
 *    text and tabs takes the colour hooks->classify gives its text so far
 *    (the kernel's messages: errors red, warnings yellow, ...), recoloured
 *    as more of it arrives. Any control or sequence inside the line leaves
 *    its colours as they are.
 *
 * Single CPU, no locking: the caller serialises writes.
 */
#ifndef ATLAS_VT_H
#define ATLAS_VT_H

#include <stddef.h>
#include <stdint.h>

#include "vtparse.h"

#define VT_MAX_COLS 512	 /* tab stops are a bitmap of this many columns */
#define VT_LOG_LINE 1024 /* bytes of a log line that decide its colour */
#define VT_DEFAULT_FG 7	 /* palette index: light grey */
#define VT_DEFAULT_BG 0	 /* black */
#define VT_REPLY_MAX 32	 /* the longest answer: "\033[65535;65535R" */

/* Cell attributes. */
#define VT_ATTR_BOLD 0x01
#define VT_ATTR_UNDERLINE 0x02

/*
 * One character cell. fg and bg are palette indices (0-15 the ANSI colours,
 * 16-231 the 6x6x6 cube, 232-255 the grey ramp), reverse video already
 * applied; bold is drawn by the caller (bright for colours 0-7, and thicker).
 */
struct vt_cell {
	uint32_t ch;
	uint8_t fg, bg, attr, unused;
};

static inline int vt_cell_eq(struct vt_cell a, struct vt_cell b)
{
	return a.ch == b.ch && a.fg == b.fg && a.bg == b.bg && a.attr == b.attr;
}

struct vt;

/* What the terminal tells whoever shows it; every member may be NULL. */
struct vt_hooks {
	/* An answer for the host (DSR, DA): bytes for the terminal's input. */
	void (*reply)(struct vt *vt, const char *s, size_t n);
	/*
	 * Rows [top, bottom] are about to move up (n > 0) or down (n < 0) by
	 * |n| rows, the vacated rows becoming blank: a picture of the grid can
	 * move the same way instead of being redrawn.
	 */
	void (*scrolled)(struct vt *vt, uint32_t top, uint32_t bottom, int n);
	/* The colour (palette index, attributes) of a log line whose text so far is s[0..n). */
	void (*classify)(const char *s, size_t n, uint8_t *fg, uint8_t *attr);
};

struct vt_pen {
	uint8_t fg, bg, attr, reverse;
};

struct vt_saved {
	uint32_t cx, cy;
	struct vt_pen pen;
	uint8_t wrap_pending, origin, valid;
};

struct vt {
	uint32_t cols, rows;
	struct vt_cell *screen;	    /* the grid shown: main or alt */
	struct vt_cell *main, *alt; /* rows * cols each; alt may be NULL (no alternate screen) */
	const struct vt_hooks *hooks;
	void *owner; /* for the hooks */

	uint32_t cx, cy;
	uint8_t wrap_pending; /* the last column was written: the next character wraps first */
	struct vt_pen pen;
	uint32_t top, bottom; /* the scrolling region, inclusive */
	uint8_t autowrap, origin, insert, newline, cursor_visible, alt_active, app_cursor_keys;
	struct vt_saved saved[2]; /* DECSC: one per screen */
	uint8_t tabs[VT_MAX_COLS / 8];
	uint32_t last_cp; /* for REP */
	uint32_t lf_step; /* rows a line feed at the bottom of the full screen scrolls (1 when 0) */
	struct vtparse parser;
	uint32_t dirty0, dirty1; /* rows [dirty0, dirty1) changed since vt_take_dirty */

	struct {
		uint8_t active, cr, grew;
		uint8_t fg, attr;
		int64_t start; /* its first cell, as row * cols + col (negative once scrolled off) */
		int64_t end;   /* one past the last cell it wrote, likewise */
		size_t len;
		char text[VT_LOG_LINE];
	} log;
};

/*
 * Start a terminal of cols x rows (cols <= VT_MAX_COLS) on the grids main
 * and alt (rows * cols cells each; alt NULL: no alternate screen), blank,
 * cursor home, default modes. hooks may be NULL. Returns 0 or -EINVAL.
 */
int vt_init(struct vt *vt, uint32_t cols, uint32_t rows, struct vt_cell *main, struct vt_cell *alt,
	    const struct vt_hooks *hooks);

/* Interpret s[0..n): text, controls, escape sequences (split anywhere). */
void vt_write(struct vt *vt, const char *s, size_t n);

/* ESC c: everything back to the state vt_init left. */
void vt_reset(struct vt *vt);

/* Blank the main screen, cursor home, keeping the modes (the console's own clear). */
void vt_clear(struct vt *vt);

/* The cell at (col, row) of the screen shown (a blank outside the grid). */
struct vt_cell vt_cell_at(const struct vt *vt, uint32_t col, uint32_t row);

/* Rows changed since the last call: [*r0, *r1). Returns 0 when none. */
int vt_take_dirty(struct vt *vt, uint32_t *r0, uint32_t *r1);

/* The blank cell erasing writes with the current colours. */
struct vt_cell vt_blank(const struct vt *vt);

/* The 256-colour palette index nearest to r, g, b (xterm's cube and grey ramp). */
uint8_t vt_rgb_index(uint8_t r, uint8_t g, uint8_t b);

/* The 0xRRGGBB of palette index i: the console's 16 colours, then xterm's cube and grey ramp. */
uint32_t vt_palette_rgb(uint8_t i);

#endif
