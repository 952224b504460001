/* SPDX-License-Identifier: MIT */
/*
 * fb.h - drawing on the GOP framebuffer through a back buffer in RAM.
 *
 * Everything is drawn into the back buffer (one 32-bit word per pixel, in
 * the mode's own pixel format, no padding columns), and the rectangle that
 * changed since the last flush is copied to video memory by fb_flush. Video
 * memory is only ever written, never read: it is mapped write-combining, and
 * reading it back is slow on real hardware (uncached) and pointless.
 *
 * Colours are 0xRRGGBB everywhere in this API; fb_color() turns one into the
 * mode's pixel (RGBX, BGRX or any bit mask, 16, 24 or 32 bits per pixel).
 *
 * One framebuffer, no locking: single CPU, and nobody draws from interrupt
 * handlers. Every function does nothing (or returns 0) before fb_init
 * succeeded, so callers need not check.
 */
#ifndef ATLAS_FB_H
#define ATLAS_FB_H

#include <stddef.h>
#include <stdint.h>

#include "boot_info.h"

/* Code points U+0000..U+00FF have a direct glyph table; others get the replacement glyph. */
#define FB_FONT_MAP 256

/*
 * A bitmap font, generated from a PSF console font by tools/psf2c.py into
 * build/font.c. Glyph g's row r is glyphs[g * glyph_bytes + r * row_bytes ..],
 * row_bytes bytes, the most significant bit of the first byte leftmost.
 */
struct fb_font {
	const char *name;     /* "Lat2-Terminus16" */
	uint32_t width;	      /* cell width in pixels */
	uint32_t height;      /* cell height in pixels */
	uint32_t row_bytes;   /* (width + 7) / 8 */
	uint32_t glyph_bytes; /* row_bytes * height */
	uint32_t nglyphs;
	const uint8_t *glyphs;
	uint16_t replacement;	   /* glyph for code points the font cannot show */
	uint16_t map[FB_FONT_MAP]; /* code point -> glyph */
};

/*
 * build/font.c (tools/psf2c.py): Lat2-Terminus16 (8x16) and
 * Lat2-Terminus32x16 (16x32). Weak, so that a kernel linked without the
 * generated file still links; fb_init then fails with -ENOENT.
 */
extern const struct fb_font fb_font_8x16 __attribute__((weak));
extern const struct fb_font fb_font_16x32 __attribute__((weak));

/* Up to this many pixels wide and high the console uses 8x16 glyphs, above it 16x32. */
#define FB_SMALL_FONT_MAX_W 1920
#define FB_SMALL_FONT_MAX_H 1080

/* Some colours, 0xRRGGBB. */
#define FB_BLACK 0x000000
#define FB_GREY 0xc0c0c0
#define FB_WHITE 0xffffff
#define FB_RED 0xff5555
#define FB_GREEN 0x55ff55
#define FB_YELLOW 0xffff55
#define FB_CYAN 0x55ffff
/* As fb_draw_text's bg: draw only the glyphs' set pixels, over whatever is there. */
#define FB_NO_BG 0xff000000u

/*
 * Where the back buffer (and fbcon's text grid) come from: bytes of zeroed
 * memory, or NULL. fbcon_init installs one that takes contiguous pages from
 * the PMM and uses them through the direct map; host tests install their
 * own. Set it before fb_init.
 */
typedef void *(*fb_alloc_fn)(size_t bytes);
void fb_set_allocator(fb_alloc_fn fn);
/* Memory from the allocator fb_init uses, for fbcon. NULL when there is none or it failed. */
void *fb_alloc(size_t bytes);

/*
 * Take over the framebuffer bfb describes, whose video memory is mapped at
 * virt (write-combining): check the geometry (pitch_pixels >= width, the
 * pixels fit in size), work out the pixel format, pick the console font
 * (8x16 up to 1920x1080, 16x32 above), allocate the back buffer and clear it
 * to black. Nothing is written to video memory until the first flush.
 * Returns 0, -ENODEV (FB_NONE, no base or virt), -EINVAL (bad geometry or
 * masks), -ENOENT (no font linked in) or -ENOMEM. May be called again (the host tests do); the old back
 * buffer is not freed.
 */
int fb_init(const struct boot_fb *bfb, uint64_t virt);

/* 1 once fb_init succeeded. */
int fb_ready(void);
/* Where the framebuffer is mapped (the kernel's MMIO window), 0 before fb_init succeeded. */
uint64_t fb_vram(void);
/* Visible size in pixels (0 without a framebuffer). */
uint32_t fb_width(void);
uint32_t fb_height(void);
/* The console font's cell size in pixels (0 without a framebuffer). */
uint32_t fb_font_w(void);
uint32_t fb_font_h(void);
/* The console font (NULL without a framebuffer). */
const struct fb_font *fb_font(void);
/* Bytes per pixel in video memory (2, 3 or 4). */
uint32_t fb_bytes_per_pixel(void);

/* 0xRRGGBB as a pixel of the current mode (the only place colours are converted). */
uint32_t fb_color(uint32_t rgb);

/* The glyph for a code point in the console font: its map, else the replacement. */
uint32_t fb_glyph_index(uint32_t cp);

/* A code point that stands for a malformed UTF-8 byte. */
#define FB_BAD_UTF8 0xfffd

/*
 * Decode the UTF-8 character at s[0..n), n > 0: stores its length (1..4) in
 * *len and returns the code point. A byte that does not start a well-formed
 * sequence (overlong, surrogate, beyond U+10FFFF, cut short) counts as one
 * character, FB_BAD_UTF8.
 */
uint32_t fb_utf8_next(const char *s, size_t n, size_t *len);

/* Set one pixel; outside the screen does nothing. */
void fb_pixel(uint32_t x, uint32_t y, uint32_t rgb);

/* Fill a rectangle, clipped to the screen. */
void fb_fill_rect(uint32_t x, uint32_t y, uint32_t w, uint32_t h, uint32_t rgb);

/*
 * Draw s (UTF-8; a malformed byte shows as the replacement glyph) in the
 * console font with its top left corner at pixel (x, y), on one line: no
 * wrapping, control characters are skipped, glyphs are clipped at the edges.
 * bg FB_NO_BG leaves the pixels around the glyphs alone.
 * Returns the x just after the last glyph.
 */
uint32_t fb_draw_text(uint32_t x, uint32_t y, const char *s, uint32_t fg, uint32_t bg);

/*
 * What fb_draw_text_max puts last when it cuts text: U+00BB (>>), which the
 * console fonts have within the directly mapped U+0000..U+00FF (an ellipsis,
 * U+2026, would fall back to the replacement glyph).
 */
#define FB_ELLIPSIS 0x00bb

/*
 * fb_draw_text, but at most max_chars glyphs (for text that must stay inside
 * a box); text longer than that shows its first max_chars - 1 glyphs and
 * FB_ELLIPSIS.
 */
uint32_t fb_draw_text_max(uint32_t x, uint32_t y, const char *s, uint32_t max_chars, uint32_t fg, uint32_t bg);

/*
 * Draw glyph g of the console font at pixel (x, y) with fg/bg already
 * converted by fb_color(); bold smears each row one pixel to the right.
 * Clipped at the edges. For fbcon, which converts its palette once.
 */
void fb_draw_glyph(uint32_t x, uint32_t y, uint32_t g, uint32_t fg_pixel, uint32_t bg_pixel, int bold);

/*
 * Move the whole back buffer up by rows pixel rows (a memmove in RAM, never
 * a read of video memory), fill the rows that come free at the bottom with
 * bg, and mark the whole screen dirty.
 */
void fb_scroll_up(uint32_t rows, uint32_t bg);

/*
 * Move the back buffer's pixel rows [y0, y1) by dy rows (dy < 0: up, > 0:
 * down) inside that band, fill the rows that come free with bg, and mark
 * the band dirty: a scrolling region's scroll, in RAM.
 */
void fb_scroll_band(uint32_t y0, uint32_t y1, int32_t dy, uint32_t bg);

/* Copy the dirty rectangle of the back buffer to video memory and forget it. */
void fb_flush(void);
/* Copy [x, x+w) x [y, y+h) of the back buffer to video memory now (clipped), dirty or not. */
void fb_flush_rect(uint32_t x, uint32_t y, uint32_t w, uint32_t h);
/* Forget the dirty rectangle without copying it: for a caller that flushed what it changed itself. */
void fb_mark_clean(void);
/* Copy the whole back buffer to video memory. */
void fb_present_all(void);

/* The dirty rectangle [x0, x1) x [y0, y1); returns 0 when nothing is dirty (for tests). */
int fb_dirty(uint32_t *x0, uint32_t *y0, uint32_t *x1, uint32_t *y1);

#endif
