/* SPDX-License-Identifier: MIT */
/*
 * test_fb.c - host tests for drivers/fb.c and drivers/fbcon.c.
 *
 * The "video memory" is a host buffer filled with a sentinel byte, so a test
 * can tell exactly which bytes a flush wrote; the back buffer and fbcon's
 * grids come from a calloc-based allocator installed with fb_set_allocator.
 * The fonts are the ones the kernel links (build/font.c from tools/psf2c.py).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fb.h"
#include "fbcon.h"
#include "kerrno.h"

#define SENTINEL 0xa5
#define MAX_ALLOCS 16
#define FAKE_BASE 0x80000000ull /* a physical address for boot_fb.base; never dereferenced */

static void *allocs[MAX_ALLOCS];
static int nallocs;
static int fail_alloc;

static void *test_alloc(size_t bytes)
{
	void *p;

	if (fail_alloc || nallocs == MAX_ALLOCS)
		return NULL;
	p = calloc(1, bytes);
	allocs[nallocs++] = p;
	return p;
}

/* The fake video memory of the current test. */
static uint8_t *vram;
static size_t vram_size;
static struct boot_fb mode;

static int teardown(void **state)
{
	(void)state;
	for (int i = 0; i < nallocs; i++)
		free(allocs[i]);
	nallocs = 0;
	fail_alloc = 0;
	free(vram);
	vram = NULL;
	return 0;
}

static struct boot_fb make_mode(uint32_t w, uint32_t h, uint32_t pitch, uint32_t format, uint32_t bpp)
{
	struct boot_fb m = { 0 };

	m.base = FAKE_BASE;
	m.width = w;
	m.height = h;
	m.pitch_pixels = pitch;
	m.format = format;
	m.size = (uint64_t)pitch * h * bpp;
	return m;
}

/* Allocate the sentinel-filled video memory for m and fb_init it. */
static void start(struct boot_fb m)
{
	mode = m;
	vram_size = (size_t)m.size;
	vram = malloc(vram_size);
	assert_non_null(vram);
	memset(vram, SENTINEL, vram_size);
	fb_set_allocator(test_alloc);
	assert_int_equal(fb_init(&mode, (uint64_t)(uintptr_t)vram), 0);
	assert_true(fb_ready());
}

static void start_bgrx(uint32_t w, uint32_t h)
{
	start(make_mode(w, h, w, FB_BGRX, 4));
}

static uint8_t *px_addr(uint32_t x, uint32_t y)
{
	return vram + ((size_t)y * mode.pitch_pixels + x) * fb_bytes_per_pixel();
}

/* The pixel at (x, y) of the fake video memory, little endian. */
static uint32_t vpx(uint32_t x, uint32_t y)
{
	const uint8_t *p = px_addr(x, y);
	uint32_t v = 0;

	for (uint32_t k = 0; k < fb_bytes_per_pixel(); k++)
		v |= (uint32_t)p[k] << (8 * k);
	return v;
}

/* Has no byte of the pixel at (x, y) been written? */
static int untouched(uint32_t x, uint32_t y)
{
	const uint8_t *p = px_addr(x, y);

	for (uint32_t k = 0; k < fb_bytes_per_pixel(); k++)
		if (p[k] != SENTINEL)
			return 0;
	return 1;
}

/* Every pixel of the screen outside [x0, x1) x [y0, y1) still holds the sentinel. */
static void assert_untouched_outside(uint32_t x0, uint32_t y0, uint32_t x1, uint32_t y1)
{
	for (uint32_t y = 0; y < mode.height; y++)
		for (uint32_t x = 0; x < mode.width; x++)
			if (x < x0 || x >= x1 || y < y0 || y >= y1)
				if (!untouched(x, y))
					fail_msg("pixel (%u,%u) outside [%u,%u)x[%u,%u) was written", x, y, x0, x1, y0,
						 y1);
}

static void test_rgbx_bgrx(void **state)
{
	(void)state;
	start(make_mode(16, 8, 16, FB_RGBX, 4));
	/* Bytes R, G, B, X: little-endian 0xXXBBGGRR. */
	assert_int_equal(fb_color(0x123456), 0x563412);
	assert_int_equal(fb_color(0xff0000), 0x0000ff);
	assert_int_equal(fb_bytes_per_pixel(), 4);
	fb_pixel(3, 2, 0x123456);
	fb_flush();
	assert_int_equal(px_addr(3, 2)[0], 0x12);
	assert_int_equal(px_addr(3, 2)[1], 0x34);
	assert_int_equal(px_addr(3, 2)[2], 0x56);
	assert_int_equal(px_addr(3, 2)[3], 0);
	teardown(NULL);

	start(make_mode(16, 8, 16, FB_BGRX, 4));
	/* Bytes B, G, R, X: little-endian 0xXXRRGGBB. */
	assert_int_equal(fb_color(0x123456), 0x123456);
	fb_pixel(3, 2, 0x123456);
	fb_flush();
	assert_int_equal(px_addr(3, 2)[0], 0x56);
	assert_int_equal(px_addr(3, 2)[1], 0x34);
	assert_int_equal(px_addr(3, 2)[2], 0x12);
	assert_int_equal(px_addr(3, 2)[3], 0);
}

static void test_bitmask_565(void **state)
{
	struct boot_fb m = make_mode(20, 10, 24, FB_BITMASK, 2);

	(void)state;
	m.mask_r = 0xf800;
	m.mask_g = 0x07e0;
	m.mask_b = 0x001f;
	start(m);
	assert_int_equal(fb_bytes_per_pixel(), 2);
	assert_int_equal(fb_color(0xffffff), 0xffff);
	assert_int_equal(fb_color(0xff0000), 0xf800);
	assert_int_equal(fb_color(0x00ff00), 0x07e0);
	assert_int_equal(fb_color(0x0000ff), 0x001f);
	/* Top bits kept: 0x80 is 16 of 31 in 5 bits and 32 of 63 in 6. */
	assert_int_equal(fb_color(0x808080), (16u << 11) | (32u << 5) | 16u);
	fb_fill_rect(0, 0, 20, 10, 0xff8000);
	fb_flush();
	for (uint32_t y = 0; y < 10; y++) {
		for (uint32_t x = 0; x < 20; x++)
			assert_int_equal(vpx(x, y), (31u << 11) | (32u << 5));
		for (uint32_t x = 20; x < 24; x++)
			assert_true(untouched(x, y)); /* padding of a 16-bit mode */
	}
}

static void test_bitmask_other_depths(void **state)
{
	struct boot_fb m = make_mode(8, 4, 8, FB_BITMASK, 3);

	(void)state;
	/* 24 bits per pixel, blue in the low byte, no reserved bits. */
	m.mask_r = 0xff0000;
	m.mask_g = 0x00ff00;
	m.mask_b = 0x0000ff;
	start(m);
	assert_int_equal(fb_bytes_per_pixel(), 3);
	assert_int_equal(fb_color(0x123456), 0x123456);
	fb_pixel(7, 3, 0x123456);
	fb_flush();
	assert_int_equal(vpx(7, 3), 0x123456);
	assert_untouched_outside(7, 3, 8, 4);
	teardown(NULL);

	/* 10 bits per channel: 8-bit values scale to the full 10-bit range. */
	m = make_mode(8, 4, 8, FB_BITMASK, 4);
	m.mask_r = 0x3ff00000;
	m.mask_g = 0x000ffc00;
	m.mask_b = 0x000003ff;
	m.mask_x = 0xc0000000;
	start(m);
	assert_int_equal(fb_bytes_per_pixel(), 4);
	assert_int_equal(fb_color(0xffffff), 0x3fffffff);
	assert_int_equal(fb_color(0x000000), 0);
	assert_int_equal(fb_color(0x0000ff), 0x3ff);
	assert_int_equal(fb_color(0x000080), (0x80 * 0x3ff + 127) / 255);
}

static void test_init_errors(void **state)
{
	struct boot_fb m = make_mode(16, 8, 16, FB_BGRX, 4);
	uint8_t buf[16 * 8 * 4];

	(void)state;
	memset(buf, SENTINEL, sizeof(buf));
	fb_set_allocator(test_alloc);
	assert_int_equal(fb_init(NULL, 1), -ENODEV);
	m.format = FB_NONE;
	assert_int_equal(fb_init(&m, (uint64_t)(uintptr_t)buf), -ENODEV);
	assert_false(fb_ready());
	assert_int_equal(fb_width(), 0);
	m.format = FB_BGRX;
	assert_int_equal(fb_init(&m, 0), -ENODEV);
	m.pitch_pixels = 15; /* pitch < width */
	assert_int_equal(fb_init(&m, (uint64_t)(uintptr_t)buf), -EINVAL);
	m.pitch_pixels = 16;
	m.size = sizeof(buf) - 1; /* the pixels do not fit */
	assert_int_equal(fb_init(&m, (uint64_t)(uintptr_t)buf), -EINVAL);
	m.size = sizeof(buf);
	m.format = FB_BITMASK;
	m.mask_r = 0xf0f000; /* not contiguous */
	m.mask_g = 0x00000f;
	m.mask_b = 0x000f00;
	assert_int_equal(fb_init(&m, (uint64_t)(uintptr_t)buf), -EINVAL);
	m.mask_r = 0x0000ff0; /* overlaps green */
	m.mask_g = 0x00000ff;
	m.mask_b = 0xff00000;
	assert_int_equal(fb_init(&m, (uint64_t)(uintptr_t)buf), -EINVAL);
	m.mask_r = 0;
	assert_int_equal(fb_init(&m, (uint64_t)(uintptr_t)buf), -EINVAL);
	m.format = FB_BGRX;
	fail_alloc = 1;
	assert_int_equal(fb_init(&m, (uint64_t)(uintptr_t)buf), -ENOMEM);
	assert_false(fb_ready());
	fail_alloc = 0;
	assert_int_equal(fb_init(&m, (uint64_t)(uintptr_t)buf), 0);
	assert_true(fb_ready());
	/* Nothing reaches video memory before the first flush. */
	for (size_t i = 0; i < sizeof(buf); i++)
		assert_int_equal(buf[i], SENTINEL);
}

static void test_pitch_padding_never_written(void **state)
{
	(void)state;
	start(make_mode(1366, 24, 1376, FB_BGRX, 4));
	assert_int_equal(fb_width(), 1366);
	fb_fill_rect(0, 0, 5000, 5000, 0xffffff); /* clipped */
	fb_draw_text(1360, 4, "clipped at the edge", 0xff0000, 0x000000);
	fb_present_all();
	fb_scroll_up(16, 0x00ff00);
	fb_flush();
	for (uint32_t y = 0; y < 24; y++) {
		for (uint32_t x = 1366; x < 1376; x++)
			assert_true(untouched(x, y));
		assert_false(untouched(1365, y));
	}
	assert_int_equal(vpx(0, 0), 0xffffff);
	assert_int_equal(vpx(1365, 23), 0x00ff00);
	/* Beyond the last row's width nothing was written either (size is pitch * height). */
	assert_int_equal(vram[vram_size - 1], SENTINEL);
}

/* Font bit (r, c) of glyph g; bold ORs in the bit to the left, as a one-pixel smear. */
static int font_bit(const struct fb_font *f, uint32_t g, uint32_t r, uint32_t c, int bold)
{
	const uint8_t *row = f->glyphs + (size_t)g * f->glyph_bytes + (size_t)r * f->row_bytes;
	int on = (row[c / 8] >> (7 - c % 8)) & 1;

	if (bold && c > 0)
		on |= (row[(c - 1) / 8] >> (7 - (c - 1) % 8)) & 1;
	return on;
}

/* Check the glyph for cp at pixel (x, y) of video memory against the font bitmap, bit for bit. */
static void assert_glyph_style(uint32_t x, uint32_t y, uint32_t cp, uint32_t fg, uint32_t bg, int bold)
{
	const struct fb_font *f = fb_font();
	uint32_t g = fb_glyph_index(cp);

	assert_true(g < f->nglyphs);
	for (uint32_t r = 0; r < f->height; r++)
		for (uint32_t c = 0; c < f->width; c++) {
			int on = font_bit(f, g, r, c, bold);

			if (vpx(x + c, y + r) != (on ? fb_color(fg) : fb_color(bg)))
				fail_msg("glyph U+%04X row %u column %u: expected %s", cp, r, c, on ? "ink" : "paper");
		}
}

static void assert_glyph_at(uint32_t x, uint32_t y, uint32_t cp, uint32_t fg, uint32_t bg)
{
	assert_glyph_style(x, y, cp, fg, bg, 0);
}

static void test_glyph_matches_font(void **state)
{
	uint32_t set = 0;

	(void)state;
	start_bgrx(800, 600);
	assert_ptr_equal(fb_font(), &fb_font_8x16);
	assert_int_equal(fb_font_w(), 8);
	assert_int_equal(fb_font_h(), 16);
	/* The font has ink for 'A' and paper around it: the comparison means something. */
	for (uint32_t i = 0; i < fb_font()->glyph_bytes; i++)
		set |= fb_font()->glyphs[fb_glyph_index('A') * fb_font()->glyph_bytes + i];
	assert_int_not_equal(set, 0);
	assert_int_equal(fb_draw_text(3 * 8, 2 * 16, "A~ \xc3\xa9", 0xffff55, 0x000080), 7 * 8);
	fb_flush();
	assert_glyph_at(3 * 8, 2 * 16, 'A', 0xffff55, 0x000080);
	assert_glyph_at(4 * 8, 2 * 16, '~', 0xffff55, 0x000080);
	assert_glyph_at(5 * 8, 2 * 16, ' ', 0xffff55, 0x000080);
	assert_glyph_at(6 * 8, 2 * 16, 0xe9, 0xffff55, 0x000080); /* U+00E9 from UTF-8 */
	assert_int_not_equal(fb_glyph_index(0xe9), fb_glyph_index('e'));
	/* Only the cells drawn were flushed. */
	assert_untouched_outside(3 * 8, 2 * 16, 7 * 8, 3 * 16);
	/* Every printable ASCII character has a glyph of its own, not the replacement. */
	for (uint32_t cp = 0x21; cp < 0x7f; cp++)
		assert_int_not_equal(fb_glyph_index(cp), fb_font()->replacement);
	assert_int_equal(fb_glyph_index(0x4e00), fb_font()->replacement);
	teardown(NULL);

	/* Above 1920x1080 the 16x32 font. */
	start_bgrx(2560, 64);
	assert_ptr_equal(fb_font(), &fb_font_16x32);
	assert_int_equal(fb_font_w(), 16);
	assert_int_equal(fb_font_h(), 32);
	fb_draw_text(2560 - 16, 32, "Wx", 0xffffff, 0x000000); /* 'x' falls off the right edge */
	fb_flush();
	assert_glyph_at(2560 - 16, 32, 'W', 0xffffff, 0x000000);
	assert_untouched_outside(2560 - 16, 32, 2560, 64);
}

/* fb_draw_text_max stops after max_chars glyphs; FB_NO_BG keeps what was under the paper. */
static void test_text_max_and_no_bg(void **state)
{
	const uint32_t under = 0x3a6ea5;

	(void)state;
	start_bgrx(800, 600);
	assert_int_equal(fb_draw_text_max(0, 0, "abcdef", 3, 0xffffff, 0x000000), 3 * 8);
	assert_int_equal(fb_draw_text_max(0, 16, "abc", 0, 0xffffff, 0x000000), 0);
	fb_fill_rect(0, 32, 8, 16, under);
	fb_draw_text_max(0, 32, "A", 1, 0xffffff, FB_NO_BG);
	fb_flush();
	assert_glyph_at(0, 0, 'a', 0xffffff, 0x000000);
	assert_glyph_at(8, 0, 'b', 0xffffff, 0x000000);
	assert_glyph_at(2 * 8, 0, FB_ELLIPSIS, 0xffffff, 0x000000); /* cut: the last cell says so */
	assert_untouched_outside(0, 0, 3 * 8, 48);		    /* 'd' onwards never drawn */
	/* Text that fits exactly is not cut. */
	assert_int_equal(fb_draw_text_max(0, 48, "xyz", 3, 0xffffff, 0x000000), 3 * 8);
	fb_flush();
	assert_glyph_at(2 * 8, 48, 'z', 0xffffff, 0x000000);
	assert_glyph_at(0, 32, 'A', 0xffffff, under); /* the paper is the rectangle's colour */
}

static void test_utf8(void **state)
{
	size_t len;

	(void)state;
	assert_int_equal(fb_utf8_next("A", 1, &len), 'A');
	assert_int_equal(len, 1);
	assert_int_equal(fb_utf8_next("\xc3\xa9", 2, &len), 0xe9);
	assert_int_equal(len, 2);
	assert_int_equal(fb_utf8_next("\xe2\x82\xac", 3, &len), 0x20ac);
	assert_int_equal(len, 3);
	assert_int_equal(fb_utf8_next("\xf0\x9f\x98\x80", 4, &len), 0x1f600);
	assert_int_equal(len, 4);
	/* Malformed: one byte, the replacement character. */
	assert_int_equal(fb_utf8_next("\xc3", 1, &len), FB_BAD_UTF8); /* cut short */
	assert_int_equal(len, 1);
	assert_int_equal(fb_utf8_next("\xc3\x41", 2, &len), FB_BAD_UTF8);
	assert_int_equal(len, 1);
	assert_int_equal(fb_utf8_next("\xc0\x80", 2, &len), FB_BAD_UTF8);	  /* overlong NUL */
	assert_int_equal(fb_utf8_next("\xed\xa0\x80", 3, &len), FB_BAD_UTF8);	  /* surrogate */
	assert_int_equal(fb_utf8_next("\xf4\x90\x80\x80", 4, &len), FB_BAD_UTF8); /* > U+10FFFF */
	assert_int_equal(fb_utf8_next("\x80", 1, &len), FB_BAD_UTF8);
	assert_int_equal(fb_utf8_next("\xff", 1, &len), FB_BAD_UTF8);
	assert_int_equal(len, 1);
}

static void test_dirty_rect_flush(void **state)
{
	uint32_t x0, y0, x1, y1;

	(void)state;
	start_bgrx(64, 48);
	assert_false(fb_dirty(&x0, &y0, &x1, &y1));
	fb_fill_rect(10, 20, 5, 6, 0xffffff);
	assert_true(fb_dirty(&x0, &y0, &x1, &y1));
	assert_int_equal(x0, 10);
	assert_int_equal(y0, 20);
	assert_int_equal(x1, 15);
	assert_int_equal(y1, 26);
	fb_flush();
	assert_false(fb_dirty(&x0, &y0, &x1, &y1));
	assert_untouched_outside(10, 20, 15, 26);
	for (uint32_t y = 20; y < 26; y++)
		for (uint32_t x = 10; x < 15; x++)
			assert_int_equal(vpx(x, y), 0xffffff);
	/* A second flush with nothing dirty writes nothing. */
	memset(vram, SENTINEL, vram_size);
	fb_flush();
	assert_untouched_outside(0, 0, 0, 0);
	/* Two pixels: the bounding box is flushed, nothing outside it. */
	fb_pixel(2, 3, 0xff0000);
	fb_pixel(6, 9, 0x00ff00);
	fb_pixel(64, 0, 0x0000ff); /* off screen: ignored */
	assert_true(fb_dirty(&x0, &y0, &x1, &y1));
	assert_int_equal(x0, 2);
	assert_int_equal(y0, 3);
	assert_int_equal(x1, 7);
	assert_int_equal(y1, 10);
	fb_flush();
	assert_untouched_outside(2, 3, 7, 10);
	assert_int_equal(vpx(2, 3), 0xff0000);
	assert_int_equal(vpx(6, 9), 0x00ff00);
	assert_int_equal(vpx(3, 3), 0); /* black from the back buffer, inside the box */
	/* fb_flush_rect copies exactly what it is asked to, dirty or not. */
	memset(vram, SENTINEL, vram_size);
	fb_flush_rect(60, 40, 10, 10);
	assert_untouched_outside(60, 40, 64, 48);
	assert_int_equal(vpx(63, 47), 0);
}

static void test_scroll(void **state)
{
	uint32_t x0, y0, x1, y1;

	(void)state;
	start(make_mode(40, 64, 48, FB_BGRX, 4));
	for (uint32_t y = 0; y < 64; y++)
		fb_fill_rect(0, y, 40, 1, 0x010101 * y);
	fb_present_all();
	assert_false(fb_dirty(&x0, &y0, &x1, &y1));
	fb_scroll_up(16, 0x0000ff);
	assert_true(fb_dirty(&x0, &y0, &x1, &y1));
	assert_int_equal(x0, 0);
	assert_int_equal(y0, 0);
	assert_int_equal(x1, 40);
	assert_int_equal(y1, 64);
	/* Scrolling moved the back buffer only: video memory is unchanged until the flush. */
	assert_int_equal(vpx(5, 0), 0);
	fb_flush();
	for (uint32_t y = 0; y < 64; y++)
		for (uint32_t x = 0; x < 40; x++)
			assert_int_equal(vpx(x, y), y < 48 ? 0x010101 * (y + 16) : 0x0000ff);
	for (uint32_t y = 0; y < 64; y++)
		for (uint32_t x = 40; x < 48; x++)
			assert_true(untouched(x, y));
	/* Scrolling by the whole height or more clears. */
	fb_scroll_up(64, 0x00ff00);
	fb_flush();
	assert_int_equal(vpx(0, 0), 0x00ff00);
	assert_int_equal(vpx(39, 63), 0x00ff00);
}

/* The text in row r of the console grid, blanks trimmed. */
static void row_text(uint32_t r, char *out, size_t size)
{
	uint32_t cols, rows;
	size_t n = 0;

	fbcon_size(&cols, &rows);
	for (uint32_t c = 0; c < cols && n + 1 < size; c++) {
		uint32_t cp = fbcon_cell(c, r).ch;

		out[n++] = cp >= 0x20 && cp < 0x7f ? (char)cp : '?';
	}
	while (n && out[n - 1] == ' ')
		n--;
	out[n] = 0;
}

/* The palette index a line colour is drawn in. */
static uint8_t class_fg(enum fbcon_color color)
{
	uint8_t fg, attr;

	fbcon_class_style(color, &fg, &attr);
	return fg;
}

static void assert_row(uint32_t r, const char *want)
{
	char got[256];

	row_text(r, got, sizeof(got));
	if (strcmp(got, want))
		fail_msg("console row %u is \"%s\", expected \"%s\"", r, got, want);
}

static void write_str(const char *s)
{
	fbcon_write(s, strlen(s));
}

/* A console of 10 x 3 cells (8x16 font), with 4 spare pixel columns and 8 spare rows. */
static void start_console(void)
{
	uint32_t cols, rows;

	start_bgrx(84, 56);
	assert_int_equal(fbcon_setup(), 0);
	fbcon_size(&cols, &rows);
	assert_int_equal(cols, 10);
	assert_int_equal(rows, 3);
}

static void test_fbcon_wrap(void **state)
{
	uint32_t c, r;

	(void)state;
	start_console();
	/* fbcon_setup cleared video memory once: everything is black, padding included. */
	assert_int_equal(vpx(83, 55), 0);
	write_str("abcdefghijKL");
	assert_row(0, "abcdefghij");
	assert_row(1, "KL");
	fbcon_cursor(&c, &r);
	assert_int_equal(c, 2);
	assert_int_equal(r, 1);
	/* What the grid says is what video memory shows. */
	assert_glyph_at(9 * 8, 0, 'j', FB_GREY, FB_BLACK);
	assert_glyph_at(0, 16, 'K', FB_GREY, FB_BLACK);
	/* A line that exactly fills a row leaves no empty row behind. */
	fbcon_clear();
	write_str("0123456789\nnext");
	assert_row(0, "0123456789");
	assert_row(1, "next");
	/* Tabs go to the next multiple of 8; '\r' returns the carriage, other control characters show nothing. */
	fbcon_clear();
	write_str("a\tb\r\x01\n");
	assert_row(0, "a       b");
	fbcon_cursor(&c, &r);
	assert_int_equal(c, 0);
	assert_int_equal(r, 1);
	/* Nothing was drawn outside the text area (4 columns, 8 rows of padding). */
	for (uint32_t y = 0; y < 56; y++)
		for (uint32_t x = 0; x < 84; x++)
			if (x >= 80 || y >= 48)
				assert_int_equal(vpx(x, y), 0);
}

static void test_fbcon_scroll(void **state)
{
	(void)state;
	start_console();
	write_str("one\ntwo\nthree\nfour");
	assert_row(0, "two");
	assert_row(1, "three");
	assert_row(2, "four");
	assert_glyph_at(0, 0, 't', FB_GREY, FB_BLACK);
	assert_glyph_at(0, 32, 'f', FB_GREY, FB_BLACK);
	assert_glyph_at(3 * 8, 32, 'r', FB_GREY, FB_BLACK);
	assert_glyph_at(4 * 8, 32, ' ', FB_GREY, FB_BLACK);
	/* A long line wraps and scrolls as it goes. */
	write_str("\n0123456789abcdefghijABCDE");
	assert_row(0, "0123456789");
	assert_row(1, "abcdefghij");
	assert_row(2, "ABCDE");
	assert_glyph_at(9 * 8, 16, 'j', FB_GREY, FB_BLACK);
}

static void test_fbcon_scroll_step(void **state)
{
	uint32_t c, r;

	(void)state;
	start_console();
	fbcon_set_scroll_step(2);
	write_str("one\ntwo\nthree\nfour");
	/* The fourth line needed room: two rows went at once, leaving one free below "four". */
	assert_row(0, "three");
	assert_row(1, "four");
	assert_row(2, "");
	fbcon_cursor(&c, &r);
	assert_int_equal(c, 4);
	assert_int_equal(r, 1);
	assert_glyph_at(0, 0, 't', FB_GREY, FB_BLACK);
	assert_glyph_at(0, 16, 'f', FB_GREY, FB_BLACK);
	assert_glyph_at(0, 32, ' ', FB_GREY, FB_BLACK);
	/* A wrapping line scrolls by the step too, and keeps its colour across the jump. */
	write_str("\nok 0123456789abc\n");
	assert_row(0, "ok 0123456");
	assert_row(1, "789abc");
	assert_int_equal(fbcon_cell(0, 0).fg, class_fg(FBCON_OK));
	assert_int_equal(fbcon_cell(5, 1).fg, class_fg(FBCON_OK));
	assert_glyph_at(5 * 8, 16, 'c', FB_GREEN, FB_BLACK);
	/* A step larger than the screen clears it: "x" went with everything else. */
	fbcon_set_scroll_step(99);
	write_str("x\ny\nz\n");
	fbcon_set_scroll_step(0);
	assert_row(0, "y");
	assert_row(1, "z");
	assert_row(2, "");
	assert_glyph_at(0, 0, 'y', FB_GREY, FB_BLACK);
	assert_glyph_at(0, 32, ' ', FB_GREY, FB_BLACK);
}

static void test_fbcon_colors(void **state)
{
	static const struct {
		const char *line;
		enum fbcon_color want;
	} cases[] = {
		{ "*** kernel exception 14", FBCON_ERROR },
		{ "panic: mm: out of memory", FBCON_ERROR },
		{ "not ok 3 - boot.x", FBCON_ERROR },
		{ "    not ok 1 - sub", FBCON_ERROR },
		{ "not ok 4 - warning in name", FBCON_ERROR },
		{ "atlas: warning: gop=1x1: no such GOP mode", FBCON_WARNING },
		{ "WARNING: something", FBCON_WARNING },
		{ "ok 1 - boot.higher_half", FBCON_OK },
		{ "    ok 2 - sub", FBCON_OK },
		{ "ok", FBCON_NORMAL },
		{ "okay", FBCON_NORMAL },
		{ "Atlas: kernel running", FBCON_HEADING },
		{ "Firmware memory map:", FBCON_HEADING },
		{ "Firmware memory map:  \r", FBCON_HEADING },
		{ "  backtrace:", FBCON_HEADING },
		{ "Type       Start", FBCON_NORMAL },
		{ "", FBCON_NORMAL },
		{ "**", FBCON_NORMAL },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (fbcon_classify(cases[i].line, strlen(cases[i].line)) != cases[i].want)
			fail_msg("\"%s\": colour %d, expected %d", cases[i].line,
				 fbcon_classify(cases[i].line, strlen(cases[i].line)), cases[i].want);

	start_console();
	/* The colour follows the whole line: grey while it is "Mem", bold cyan once it ends with ':'. */
	write_str("Mem");
	assert_int_equal(fbcon_cell(0, 0).fg, class_fg(FBCON_NORMAL));
	assert_glyph_at(0, 0, 'M', FB_GREY, FB_BLACK);
	write_str(" map:\nok 1\n");
	assert_row(0, "Mem map:");
	for (uint32_t c = 0; c < 8; c++) {
		assert_int_equal(fbcon_cell(c, 0).fg, class_fg(FBCON_HEADING));
		assert_int_equal(fbcon_cell(c, 0).attr, VT_ATTR_BOLD);
	}
	assert_int_equal(fbcon_cell(8, 0).fg, class_fg(FBCON_NORMAL)); /* never written */
	assert_glyph_style(0, 0, 'M', FB_CYAN, FB_BLACK, 1);
	assert_glyph_style(4 * 8, 0, 'm', FB_CYAN, FB_BLACK, 1);
	assert_int_equal(fbcon_cell(0, 1).fg, class_fg(FBCON_OK));
	assert_glyph_at(0, 16, 'o', FB_GREEN, FB_BLACK);
	write_str("panic: x\n"); /* the newline scrolls it up to row 1 */
	assert_row(1, "panic: x");
	assert_glyph_at(0, 16, 'p', FB_RED, FB_BLACK);
}

static void test_fbcon_enable(void **state)
{
	(void)state;
	start_console();
	write_str("shown\n");
	fbcon_enable(0);
	/* A picture owns the screen: fbcon draws nothing, but keeps the text. */
	fb_fill_rect(0, 0, 84, 56, 0xff00ff);
	fb_flush();
	memset(vram, SENTINEL, vram_size);
	write_str("hidden\n");
	assert_untouched_outside(0, 0, 0, 0);
	assert_row(1, "hidden");
	/* Back on: the whole console is redrawn from its grid. */
	fbcon_enable(1);
	assert_glyph_at(0, 0, 's', FB_GREY, FB_BLACK);
	assert_glyph_at(0, 16, 'h', FB_GREY, FB_BLACK);
	assert_int_equal(vpx(83, 55), 0);
}

static void test_fbcon_flush_only_changes(void **state)
{
	(void)state;
	start_console();
	write_str("abc");
	memset(vram, SENTINEL, vram_size);
	write_str("d");
	/* Only the new cell went to video memory. */
	assert_untouched_outside(3 * 8, 0, 4 * 8, 16);
	assert_glyph_at(3 * 8, 0, 'd', FB_GREY, FB_BLACK);
	/* Scrolling copies only the cells whose contents changed. */
	write_str("\nabcX\nabcY");
	memset(vram, SENTINEL, vram_size);
	write_str("\nabcZ");
	/* Rows were "abcd","abcX","abcY" and are now "abcX","abcY","abcZ": only column 3 changed. */
	assert_row(0, "abcX");
	assert_row(2, "abcZ");
	assert_untouched_outside(3 * 8, 0, 4 * 8, 48);
	assert_glyph_at(3 * 8, 0, 'X', FB_GREY, FB_BLACK);
	assert_glyph_at(3 * 8, 32, 'Z', FB_GREY, FB_BLACK);
}

static void test_fbcon_without_fb(void **state)
{
	uint32_t c, r, cols, rows;

	(void)state;
	fb_init(NULL, 0);
	assert_int_equal(fbcon_setup(), -ENODEV);
	assert_false(fbcon_ready());
	write_str("nothing happens\n");
	fbcon_enable(1);
	fbcon_clear();
	fbcon_cursor(&c, &r);
	fbcon_size(&cols, &rows);
	assert_int_equal(cols, 0);
	assert_int_equal(rows, 0);
	assert_int_equal(fbcon_cell(0, 0).ch, 0);
	/* The fb API is inert without a framebuffer too. */
	fb_fill_rect(0, 0, 10, 10, 0xffffff);
	fb_pixel(0, 0, 0xffffff);
	fb_flush();
	fb_present_all();
	assert_int_equal(fb_draw_text(5, 0, "x", 0, 0), 5);
	assert_int_equal(fb_height(), 0);
	assert_null(fb_font());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_rgbx_bgrx, teardown),
		cmocka_unit_test_teardown(test_bitmask_565, teardown),
		cmocka_unit_test_teardown(test_bitmask_other_depths, teardown),
		cmocka_unit_test_teardown(test_init_errors, teardown),
		cmocka_unit_test_teardown(test_pitch_padding_never_written, teardown),
		cmocka_unit_test_teardown(test_glyph_matches_font, teardown),
		cmocka_unit_test_teardown(test_text_max_and_no_bg, teardown),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test_teardown(test_dirty_rect_flush, teardown),
		cmocka_unit_test_teardown(test_scroll, teardown),
		cmocka_unit_test_teardown(test_fbcon_wrap, teardown),
		cmocka_unit_test_teardown(test_fbcon_scroll, teardown),
		cmocka_unit_test_teardown(test_fbcon_scroll_step, teardown),
		cmocka_unit_test_teardown(test_fbcon_colors, teardown),
		cmocka_unit_test_teardown(test_fbcon_enable, teardown),
		cmocka_unit_test_teardown(test_fbcon_flush_only_changes, teardown),
		cmocka_unit_test_teardown(test_fbcon_without_fb, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
