/* SPDX-License-Identifier: MIT */
/*
 * fb.c - the GOP framebuffer: pixel formats, a back buffer in RAM, glyphs,
 * and dirty-rectangle flushes to video memory (see fb.h).
 *
 * The back buffer holds one 32-bit word per visible pixel, already in the
 * mode's format, rows of exactly width words. A flush converts nothing for
 * 32-bit modes (one copy per row, or one copy for the whole screen when the
 * rows are contiguous in video memory) and narrows each word to 2 or 3
 * bytes for 16- and 24-bit bit-mask modes. Video memory is written only
 * here, in flush_rect, and never read.
 *
 * Built into the kernel and into the host tests, which give it a fake
 * framebuffer in host memory; both install the allocator it takes memory
 * from (fb_set_allocator).
 */
#include <stddef.h>
#include <stdint.h>

#include "fb.h"
#include "kerrno.h"
#include "kstring.h"

#define BITS_PER_BYTE 8
#define CHANNEL_MAX 0xffu /* an 8-bit colour channel */
#define RGB_RED_SHIFT 16
#define RGB_GREEN_SHIFT 8
#define RGB_BLUE_SHIFT 0
#define PIXEL_BYTES_MAX 4
#define GLYPH_ROW_BYTES_MAX 4 /* glyphs up to 32 pixels wide */

/* One colour channel of the mode: value bits at shift, bits wide. */
struct channel {
	uint32_t shift, bits;
};

static struct {
	int ready;
	uint32_t width, height, pitch; /* pitch: pixels per scan line in video memory */
	uint32_t bpp;		       /* bytes per pixel in video memory */
	uint32_t format;
	struct channel r, g, b;
	uint8_t *vram;
	uint32_t *back; /* width * height pixels */
	const struct fb_font *font;
	int dirty;
	uint32_t dx0, dy0, dx1, dy1; /* [dx0, dx1) x [dy0, dy1) */
} fb;

static fb_alloc_fn alloc_hook;

void fb_set_allocator(fb_alloc_fn fn)
{
	alloc_hook = fn;
}

void *fb_alloc(size_t bytes)
{
	return alloc_hook && bytes ? alloc_hook(bytes) : NULL;
}

/*
 * Bulk moves: plain 64-bit loads and stores, eight per round. Real hardware
 * combines them in its write-combining buffers as it would rep movs; QEMU's
 * TCG runs them about as fast as the host copies memory, while it runs each
 * iteration of a rep-prefixed string instruction separately (4 MiB of
 * rep movsb took ~150 ms per frame there).
 */
typedef uint64_t __attribute__((may_alias, aligned(4))) u64_alias;
#define WORDS_PER_U64 2
#define UNROLL 8

/* Copy n words; a forward copy, so also right for overlapping ranges when dst < src. */
static void copy_words(uint32_t *dst, const uint32_t *src, size_t n)
{
	u64_alias *d = (u64_alias *)dst;
	const u64_alias *s = (const u64_alias *)src;
	size_t q = n / WORDS_PER_U64;

	for (; q >= UNROLL; q -= UNROLL, d += UNROLL, s += UNROLL) {
		d[0] = s[0];
		d[1] = s[1];
		d[2] = s[2];
		d[3] = s[3];
		d[4] = s[4];
		d[5] = s[5];
		d[6] = s[6];
		d[7] = s[7];
	}
	while (q--)
		*d++ = *s++;
	if (n % WORDS_PER_U64)
		*(uint32_t *)d = *(const uint32_t *)s;
}

/* Fill n words with v. */
static void fill_words(uint32_t *p, uint32_t v, size_t n)
{
	u64_alias *d = (u64_alias *)p;
	uint64_t vv = ((uint64_t)v << 32) | v;
	size_t q = n / WORDS_PER_U64;

	for (; q >= UNROLL; q -= UNROLL, d += UNROLL) {
		d[0] = vv;
		d[1] = vv;
		d[2] = vv;
		d[3] = vv;
		d[4] = vv;
		d[5] = vv;
		d[6] = vv;
		d[7] = vv;
	}
	while (q--)
		*d++ = vv;
	if (n % WORDS_PER_U64)
		*(uint32_t *)d = v;
}

/* A contiguous run of 1 bits, or 0; stores where it starts and how long it is. */
static int mask_channel(uint32_t mask, struct channel *c)
{
	uint32_t shift = 0, bits = 0;

	if (!mask)
		return 0;
	while (!(mask & (1u << shift)))
		shift++;
	while (shift + bits < 32 && (mask & (1u << (shift + bits))))
		bits++;
	if (bits < 32 && (mask >> (shift + bits)) != 0)
		return 0; /* not contiguous */
	c->shift = shift;
	c->bits = bits;
	return 1;
}

/* Bytes that hold every bit of mask: 1..4. */
static uint32_t mask_bytes(uint32_t mask)
{
	uint32_t top = 0;

	for (uint32_t i = 0; i < 32; i++)
		if (mask & (1u << i))
			top = i + 1;
	return (top + BITS_PER_BYTE - 1) / BITS_PER_BYTE;
}

static int setup_format(const struct boot_fb *bfb)
{
	static const struct channel byte0 = { 0, BITS_PER_BYTE }, byte1 = { 8, BITS_PER_BYTE },
				    byte2 = { 16, BITS_PER_BYTE };

	fb.format = bfb->format;
	switch (bfb->format) {
	case FB_RGBX: /* bytes R, G, B, reserved */
	case FB_BGRX: /* bytes B, G, R, reserved */
		fb.r = bfb->format == FB_RGBX ? byte0 : byte2;
		fb.g = byte1;
		fb.b = bfb->format == FB_RGBX ? byte2 : byte0;
		fb.bpp = PIXEL_BYTES_MAX;
		return 0;
	case FB_BITMASK:
		if (!mask_channel(bfb->mask_r, &fb.r) || !mask_channel(bfb->mask_g, &fb.g) ||
		    !mask_channel(bfb->mask_b, &fb.b))
			return -EINVAL;
		if ((bfb->mask_r & bfb->mask_g) || (bfb->mask_r & bfb->mask_b) || (bfb->mask_g & bfb->mask_b) ||
		    ((bfb->mask_r | bfb->mask_g | bfb->mask_b) & bfb->mask_x))
			return -EINVAL;
		fb.bpp = mask_bytes(bfb->mask_r | bfb->mask_g | bfb->mask_b | bfb->mask_x);
		return fb.bpp >= 2 ? 0 : -EINVAL; /* 8-bit colour is not worth a console */
	default:
		return -ENODEV;
	}
}

uint64_t fb_vram(void)
{
	return fb.ready ? (uint64_t)(uintptr_t)fb.vram : 0;
}

int fb_init(const struct boot_fb *bfb, uint64_t virt)
{
	uint64_t need;
	uint32_t *back;
	int err;

	fb.ready = 0;
	if (!bfb || bfb->format == FB_NONE || !bfb->base || !virt)
		return -ENODEV;
	if (!bfb->width || !bfb->height || bfb->pitch_pixels < bfb->width)
		return -EINVAL;
	err = setup_format(bfb);
	if (err)
		return err;
	/* The last row needs only width pixels, but GOP sizes cover whole scan lines anyway. */
	need = ((uint64_t)bfb->pitch_pixels * (bfb->height - 1) + bfb->width) * fb.bpp;
	if (need > bfb->size)
		return -EINVAL;
	fb.width = bfb->width;
	fb.height = bfb->height;
	fb.pitch = bfb->pitch_pixels;
	fb.vram = (uint8_t *)(uintptr_t)virt;
	fb.font = (fb.width > FB_SMALL_FONT_MAX_W || fb.height > FB_SMALL_FONT_MAX_H) ? &fb_font_16x32 : &fb_font_8x16;
	if (!fb.font)
		return -ENOENT;
	if (fb.font->row_bytes > GLYPH_ROW_BYTES_MAX || fb.font->width > fb.font->row_bytes * BITS_PER_BYTE)
		return -EINVAL;
	back = fb_alloc((size_t)fb.width * fb.height * sizeof(uint32_t));
	if (!back)
		return -ENOMEM;
	fb.back = back;
	fill_words(fb.back, fb_color(FB_BLACK), (size_t)fb.width * fb.height);
	fb.dirty = 0;
	fb.ready = 1;
	return 0;
}

int fb_ready(void)
{
	return fb.ready;
}

uint32_t fb_width(void)
{
	return fb.ready ? fb.width : 0;
}

uint32_t fb_height(void)
{
	return fb.ready ? fb.height : 0;
}

uint32_t fb_font_w(void)
{
	return fb.ready ? fb.font->width : 0;
}

uint32_t fb_font_h(void)
{
	return fb.ready ? fb.font->height : 0;
}

const struct fb_font *fb_font(void)
{
	return fb.ready ? fb.font : NULL;
}

uint32_t fb_bytes_per_pixel(void)
{
	return fb.ready ? fb.bpp : 0;
}

/* An 8-bit channel value scaled to c->bits bits, at its place in the pixel. */
static uint32_t scale_channel(uint32_t v8, const struct channel *c)
{
	uint64_t max = (1ull << c->bits) - 1, v;

	if (c->bits <= BITS_PER_BYTE)
		v = v8 >> (BITS_PER_BYTE - c->bits);
	else
		v = (v8 * max + CHANNEL_MAX / 2) / CHANNEL_MAX;
	return (uint32_t)(v << c->shift);
}

uint32_t fb_color(uint32_t rgb)
{
	return scale_channel((rgb >> RGB_RED_SHIFT) & CHANNEL_MAX, &fb.r) |
	       scale_channel((rgb >> RGB_GREEN_SHIFT) & CHANNEL_MAX, &fb.g) |
	       scale_channel((rgb >> RGB_BLUE_SHIFT) & CHANNEL_MAX, &fb.b);
}

uint32_t fb_glyph_index(uint32_t cp)
{
	const struct fb_font *f = fb.font;

	if (!f)
		return 0;
	return cp < FB_FONT_MAP ? f->map[cp] : f->replacement;
}

/* Grow the dirty rectangle by [x, x+w) x [y, y+h), already clipped. */
static void mark(uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
	if (!w || !h)
		return;
	if (!fb.dirty) {
		fb.dx0 = x;
		fb.dy0 = y;
		fb.dx1 = x + w;
		fb.dy1 = y + h;
		fb.dirty = 1;
		return;
	}
	if (x < fb.dx0)
		fb.dx0 = x;
	if (y < fb.dy0)
		fb.dy0 = y;
	if (x + w > fb.dx1)
		fb.dx1 = x + w;
	if (y + h > fb.dy1)
		fb.dy1 = y + h;
}

int fb_dirty(uint32_t *x0, uint32_t *y0, uint32_t *x1, uint32_t *y1)
{
	if (!fb.ready || !fb.dirty)
		return 0;
	*x0 = fb.dx0;
	*y0 = fb.dy0;
	*x1 = fb.dx1;
	*y1 = fb.dy1;
	return 1;
}

void fb_pixel(uint32_t x, uint32_t y, uint32_t rgb)
{
	if (!fb.ready || x >= fb.width || y >= fb.height)
		return;
	fb.back[(size_t)y * fb.width + x] = fb_color(rgb);
	mark(x, y, 1, 1);
}

/* Clip [x, x+w) x [y, y+h) to the screen; 0 when nothing is left. */
static int clip(uint32_t x, uint32_t y, uint32_t *w, uint32_t *h)
{
	if (x >= fb.width || y >= fb.height || !*w || !*h)
		return 0;
	if (*w > fb.width - x)
		*w = fb.width - x;
	if (*h > fb.height - y)
		*h = fb.height - y;
	return 1;
}

static void fill_pixels(uint32_t x, uint32_t y, uint32_t w, uint32_t h, uint32_t pixel)
{
	if (!clip(x, y, &w, &h))
		return;
	if (x == 0 && w == fb.width) {
		fill_words(fb.back + (size_t)y * fb.width, pixel, (size_t)w * h);
	} else {
		for (uint32_t r = 0; r < h; r++)
			fill_words(fb.back + (size_t)(y + r) * fb.width + x, pixel, w);
	}
	mark(x, y, w, h);
}

void fb_fill_rect(uint32_t x, uint32_t y, uint32_t w, uint32_t h, uint32_t rgb)
{
	if (fb.ready)
		fill_pixels(x, y, w, h, fb_color(rgb));
}

/* opaque = 0 leaves the background pixels of the cell as they are (text over a picture). */
static void draw_glyph(uint32_t x, uint32_t y, uint32_t g, uint32_t fg_pixel, uint32_t bg_pixel, int bold, int opaque)
{
	const struct fb_font *f = fb.font;
	const uint8_t *rows;
	uint32_t w, h, nbits;

	if (!fb.ready)
		return;
	w = f->width;
	h = f->height;
	if (!clip(x, y, &w, &h))
		return;
	if (g >= f->nglyphs)
		g = f->replacement;
	rows = f->glyphs + (size_t)g * f->glyph_bytes;
	nbits = f->row_bytes * BITS_PER_BYTE;
	for (uint32_t r = 0; r < h; r++) {
		uint32_t *dst = fb.back + (size_t)(y + r) * fb.width + x;
		uint32_t bits = 0;

		for (uint32_t i = 0; i < f->row_bytes; i++)
			bits = (bits << BITS_PER_BYTE) | rows[r * f->row_bytes + i];
		if (bold)
			bits |= bits >> 1;
		for (uint32_t c = 0; c < w; c++) {
			if ((bits >> (nbits - 1 - c)) & 1)
				dst[c] = fg_pixel;
			else if (opaque)
				dst[c] = bg_pixel;
		}
	}
	mark(x, y, w, h);
}

void fb_draw_glyph(uint32_t x, uint32_t y, uint32_t g, uint32_t fg_pixel, uint32_t bg_pixel, int bold)
{
	draw_glyph(x, y, g, fg_pixel, bg_pixel, bold, 1);
}

/* UTF-8 lead bytes and their payload masks. */
#define UTF8_CONT_MASK 0xc0
#define UTF8_CONT 0x80
#define UTF8_CONT_BITS 6
#define UTF8_CONT_PAYLOAD 0x3f
#define UTF8_MAX_CP 0x10ffff
#define UTF8_SURROGATE_FIRST 0xd800
#define UTF8_SURROGATE_LAST 0xdfff

uint32_t fb_utf8_next(const char *s, size_t n, size_t *len)
{
	static const struct {
		uint8_t mask, lead, payload;
		uint32_t min; /* smallest code point that needs this length (overlong check) */
	} forms[] = {
		{ 0x80, 0x00, 0x7f, 0 },
		{ 0xe0, 0xc0, 0x1f, 0x80 },
		{ 0xf0, 0xe0, 0x0f, 0x800 },
		{ 0xf8, 0xf0, 0x07, 0x10000 },
	};
	const unsigned char *u = (const unsigned char *)s;

	*len = 1;
	for (size_t k = 0; k < sizeof(forms) / sizeof(forms[0]); k++) {
		uint32_t cp;

		if ((u[0] & forms[k].mask) != forms[k].lead)
			continue;
		if (k + 1 > n)
			return FB_BAD_UTF8;
		cp = u[0] & forms[k].payload;
		for (size_t i = 1; i <= k; i++) {
			if ((u[i] & UTF8_CONT_MASK) != UTF8_CONT)
				return FB_BAD_UTF8;
			cp = (cp << UTF8_CONT_BITS) | (u[i] & UTF8_CONT_PAYLOAD);
		}
		if (cp < forms[k].min || cp > UTF8_MAX_CP || (cp >= UTF8_SURROGATE_FIRST && cp <= UTF8_SURROGATE_LAST))
			return FB_BAD_UTF8;
		*len = k + 1;
		return cp;
	}
	return FB_BAD_UTF8; /* a stray continuation byte or 0xf8..0xff */
}

/* Glyphs s[0..n) draws (control characters draw none). */
static uint32_t text_glyphs(const char *s, size_t n)
{
	uint32_t count = 0;

	for (size_t i = 0; i < n;) {
		size_t len;
		uint32_t cp = fb_utf8_next(s + i, n - i, &len);

		i += len;
		count += cp >= ' ' && cp != 0x7f;
	}
	return count;
}

uint32_t fb_draw_text_max(uint32_t x, uint32_t y, const char *s, uint32_t max_chars, uint32_t fg, uint32_t bg)
{
	uint32_t fgp, bgp, drawn = 0, cut = UINT32_MAX;
	size_t n;

	if (!fb.ready || !s)
		return x;
	fgp = fb_color(fg);
	bgp = bg == FB_NO_BG ? 0 : fb_color(bg);
	n = strlen(s);
	/* Text that does not fit ends in FB_ELLIPSIS, so a cut name reads as cut. */
	if (max_chars && text_glyphs(s, n) > max_chars)
		cut = max_chars - 1;
	for (size_t i = 0; i < n && x < fb.width && drawn < max_chars;) {
		size_t len;
		uint32_t cp = fb_utf8_next(s + i, n - i, &len);

		i += len;
		if (cp < ' ' || cp == 0x7f)
			continue;
		if (drawn == cut)
			cp = FB_ELLIPSIS;
		draw_glyph(x, y, fb_glyph_index(cp), fgp, bgp, 0, bg != FB_NO_BG);
		x += fb.font->width;
		drawn++;
	}
	return x;
}

uint32_t fb_draw_text(uint32_t x, uint32_t y, const char *s, uint32_t fg, uint32_t bg)
{
	return fb_draw_text_max(x, y, s, UINT32_MAX, fg, bg);
}

void fb_scroll_up(uint32_t rows, uint32_t bg)
{
	size_t total, dist;

	if (!fb.ready || !rows)
		return;
	if (rows >= fb.height) {
		fill_pixels(0, 0, fb.width, fb.height, fb_color(bg));
		return;
	}
	/* Rows [rows, height) up to row 0: one forward copy in RAM. */
	dist = (size_t)rows * fb.width;
	total = (size_t)fb.height * fb.width;
	copy_words(fb.back, fb.back + dist, total - dist);
	fill_pixels(0, fb.height - rows, fb.width, rows, fb_color(bg));
	mark(0, 0, fb.width, fb.height);
}

void fb_scroll_band(uint32_t y0, uint32_t y1, int32_t dy, uint32_t bg)
{
	uint32_t k = (uint32_t)(dy < 0 ? -dy : dy), w = fb.width;

	if (!fb.ready || !dy || y0 >= y1 || y1 > fb.height)
		return;
	if (k >= y1 - y0) {
		fill_pixels(0, y0, w, y1 - y0, fb_color(bg));
		return;
	}
	if (dy < 0) {
		/* Up: rows [y0 + k, y1) to y0, a forward copy. */
		copy_words(fb.back + (size_t)y0 * w, fb.back + (size_t)(y0 + k) * w, (size_t)(y1 - y0 - k) * w);
		fill_pixels(0, y1 - k, w, k, fb_color(bg));
	} else {
		/* Down: row by row from the bottom, so no source row is overwritten before it is read. */
		for (uint32_t y = y1; y-- > y0 + k;)
			copy_words(fb.back + (size_t)y * w, fb.back + (size_t)(y - k) * w, w);
		fill_pixels(0, y0, w, k, fb_color(bg));
	}
	mark(0, y0, w, y1 - y0);
}

/* Copy [x0, x1) x [y0, y1) of the back buffer to video memory: the only writer of video memory. */
static void flush_rect(uint32_t x0, uint32_t y0, uint32_t x1, uint32_t y1)
{
	size_t vpitch = (size_t)fb.pitch * fb.bpp; /* bytes per scan line in video memory */

	if (fb.bpp == PIXEL_BYTES_MAX && x0 == 0 && x1 == fb.width && fb.pitch == fb.width) {
		copy_words((uint32_t *)(fb.vram + y0 * vpitch), fb.back + (size_t)y0 * fb.width,
			   (size_t)(y1 - y0) * fb.width);
		return;
	}
	for (uint32_t y = y0; y < y1; y++) {
		const uint32_t *src = fb.back + (size_t)y * fb.width + x0;
		uint8_t *dst = fb.vram + y * vpitch + (size_t)x0 * fb.bpp;
		uint32_t n = x1 - x0;

		if (fb.bpp == PIXEL_BYTES_MAX) {
			copy_words((uint32_t *)dst, src, n);
		} else if (fb.bpp == 2) {
			uint16_t *d16 = (uint16_t *)dst;

			for (uint32_t i = 0; i < n; i++)
				d16[i] = (uint16_t)src[i];
		} else {
			for (uint32_t i = 0; i < n; i++)
				for (uint32_t k = 0; k < fb.bpp; k++)
					dst[i * fb.bpp + k] = (uint8_t)(src[i] >> (k * BITS_PER_BYTE));
		}
	}
}

void fb_flush(void)
{
	if (!fb.ready || !fb.dirty)
		return;
	flush_rect(fb.dx0, fb.dy0, fb.dx1, fb.dy1);
	fb.dirty = 0;
}

void fb_flush_rect(uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
	if (fb.ready && clip(x, y, &w, &h))
		flush_rect(x, y, x + w, y + h);
}

void fb_mark_clean(void)
{
	fb.dirty = 0;
}

void fb_present_all(void)
{
	if (!fb.ready)
		return;
	flush_rect(0, 0, fb.width, fb.height);
	fb.dirty = 0;
}
