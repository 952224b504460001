/* SPDX-License-Identifier: MIT */
/*
 * fbcon.h - the framebuffer text console: kprintf's second sink, and the
 * screen of the console terminal.
 *
 * What it shows is a terminal (drivers/vt.c): text, and the xterm subset of
 * escape sequences that programs such as busybox's line editor, vi, less and
 * top send (docs/files.md lists them). It is drawn with the console font into
 * fb's back buffer; each fbcon_write ends with one flush of what changed.
 * Lines wrap at the right edge; a new line at the bottom scrolls.
 *
 * The kernel's own lines carry no escape sequences: a line written in the
 * default colours with nothing but text takes the colour fbcon_classify
 * gives it, and is recoloured when more of it arrives, so a line's colour is
 * right once its end is known.
 */
#ifndef ATLAS_FBCON_H
#define ATLAS_FBCON_H

#include <stddef.h>
#include <stdint.h>

#include "boot_info.h"
#include "vt.h"

/* Line colours: palette colours of the terminal (fbcon_class_style). */
enum fbcon_color {
	FBCON_NORMAL,  /* light grey */
	FBCON_ERROR,   /* red: "*** ", "panic:", "not ok" */
	FBCON_WARNING, /* yellow: contains "warning" (any case) */
	FBCON_OK,      /* green: "ok " */
	FBCON_HEADING, /* bold cyan: "Atlas..." or ending with ':' */
	FBCON_COLORS
};

/*
 * The colour for a line s[0..n) (no newline): starting with "*** ", "panic:"
 * or "not ok" red; otherwise containing "warning" (any case) yellow; starting
 * with "ok " green; starting with "Atlas" or ending with ':' (trailing blanks
 * ignored) bold cyan; anything else light grey. "ok" and "not ok" may be
 * indented (TAP subtests).
 */
enum fbcon_color fbcon_classify(const char *s, size_t n);

/* The palette index and attributes (VT_ATTR_*) a line colour is drawn in. */
void fbcon_class_style(enum fbcon_color color, uint8_t *fg, uint8_t *attr);

/*
 * drivers/fbcon_boot.c: take over the boot framebuffer bfb, whose video memory is mapped
 * at virt (write-combining), with fb_init, then fbcon_setup. With
 * report=human it prints one "fb: ..." line saying what it found. Call once.
 * Returns 0, or a negative errno (-ENODEV without a framebuffer: gop=off, no
 * GOP, BltOnly), after which fbcon_write does nothing.
 */
int fbcon_init(const struct boot_fb *bfb, uint64_t virt);

/*
 * The clock scrolls are timed with, for the adaptive step: ticks, and ticks
 * per second (0 while unknown). fbcon_init sets the TSC; without a clock (the
 * host tests) the scroll step stays 1.
 */
struct fbcon_clock {
	uint64_t (*ticks)(void);
	uint64_t (*hz)(void);
};
void fbcon_set_clock(const struct fbcon_clock *c);

/*
 * Attach the console to a framebuffer fb_init has set up: allocate the cell
 * grid (fb_alloc), clear the screen and present it, cursor top left, enabled.
 * Returns 0, -ENODEV (no framebuffer) or -ENOMEM.
 */
int fbcon_setup(void);

/* 1 when fbcon_setup succeeded. */
int fbcon_ready(void);

/*
 * Write s[0..n) to the terminal (UTF-8 text, controls and escape sequences,
 * split anywhere; '\n' also returns the carriage) and flush what changed.
 * Does nothing before fbcon_setup, or when called again from inside itself
 * (a fault while drawing): the serial console still has the text.
 */
void fbcon_write(const char *s, size_t n);

/*
 * Turn drawing off (0) or on (1). While off, text still goes into the cell
 * grid but nothing is drawn, so a picture can own the screen; turning it
 * back on redraws the console from the grid.
 */
void fbcon_enable(int on);

/*
 * Show (1) or hide (0) the text cursor: a bar under the cell where the next
 * character goes, as a terminal shows it at a prompt. Hidden by default; a
 * program can hide it too (CSI ? 25 l), and it shows only when both want it.
 */
void fbcon_show_cursor(int on);

/*
 * Draw code point cp in the console font at text cell (col, row) of the back
 * buffer, in a line colour (inverse: swapped with the background). Leaves the
 * grid alone: for pictures drawn while the console is off (the scrollback
 * view). Nothing is flushed.
 */
void fbcon_put_glyph(uint32_t col, uint32_t row, uint32_t cp, enum fbcon_color color, int inverse);

/*
 * drivers/fbcon_view.c: the console log (conlog.h) as pictures.
 *
 * fbcon_view_draw: switch the console off and draw log lines from top
 * (wrapped at the right edge, coloured as the console colours them; line
 * mark in inverse, UINT64_MAX for none) down to the last row but one, and
 * status in inverse on the last row (NULL: text on every row). Presents the
 * screen. Returns the first line not shown (whole).
 * fbcon_view_back: the line from which the lines before from fill at most
 * screen_rows rows (at least one line back when there is one).
 * fbcon_view_end: give the screen back to the console (redrawn from its grid).
 */
uint64_t fbcon_view_draw(uint64_t top, const char *status, uint64_t mark);
uint64_t fbcon_view_back(uint64_t from, uint32_t screen_rows);
void fbcon_view_end(void);

/*
 * The scrollback on the live console: Shift+PgUp goes back half a screen
 * through the console log (down to its first line), Shift+PgDn forward, back
 * to the live console at the end; any other key leaves it first. Returns 1
 * when key was a scrollback key (consumed), 0 otherwise (pass it on).
 */
int fbcon_scroll_key(int key);
/* 1 while the scrollback is shown instead of the live console. */
int fbcon_scrolled_back(void);

/* Blank the grid and the screen (when enabled), cursor top left. */
void fbcon_clear(void);

/*
 * How many text rows a scroll moves when a new line needs room at the
 * bottom. 0 (the default) adapts: one row while a scroll (the memmove in the
 * back buffer and the flush of what changed) takes under 1 ms, more rows at
 * once when it takes longer (up to half the screen), so that slow video
 * memory costs about 1 ms per line of output (QEMU's TCG writes video memory
 * ~20x slower than RAM: there it settles at 2-4 rows). N > 0 always moves N
 * rows.
 */
void fbcon_set_scroll_step(uint32_t rows);

/* Text grid size and cursor, for tests and reports (0 before fbcon_setup). */
void fbcon_size(uint32_t *cols, uint32_t *rows);
void fbcon_cursor(uint32_t *col, uint32_t *row);
/* The cell at (col, row) of the screen shown; all zero outside the grid or before fbcon_setup. */
struct vt_cell fbcon_cell(uint32_t col, uint32_t row);

/*
 * Where the terminal's answers go: the device status report (CSI 6 n gives
 * "ESC [ row ; col R") and device attributes (CSI c). fn gets them while
 * fbcon_write runs, so it must only queue them (core/fs/console_tty.c puts
 * them into the terminal's input). NULL: they are dropped.
 */
typedef void (*fbcon_reply_fn)(const char *s, size_t n);
void fbcon_set_reply(fbcon_reply_fn fn);

/* 1 while a program asked for application cursor keys (CSI ? 1 h): arrows are then sent as ESC O A... */
int fbcon_app_cursor_keys(void);

#endif
