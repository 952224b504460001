/* SPDX-License-Identifier: MIT */
/*
 * screencol.c - seed 002's and seed 001's columns on the framebuffer.
 *
 * A column stacks boxes, high addresses on top. Sizes in one column span
 * 4 KiB guard pages to 127 TiB holes, so heights are logarithmic (every box
 * at least one text row, the rest shared by log2 of the size: picture.h)
 * and gaps are drawn broken, with zig-zag edges, so nobody reads the
 * heights as linear. Each box is labelled with its real start address and
 * size, and reported as a {"rec":"screen_box"} record with its pixels.
 */
#include "fb.h"
#include "json.h"
#include "kernel.h"
#include "kerrno.h"
#include "kstring.h"
#include "kvm.h"
#include "memlayout.h"
#include "mmreport.h"
#include "paging.h"
#include "picture.h"
#include "procsnap.h"
#include "record.h"
#include "screen.h"

#define COL_MAX 256
#define GAP_RGB 0x1c1c1c
#define GAP_EDGE_RGB 0x9a9a9a
#define GUARD_RGB 0x000000
#define GUARD_HATCH_RGB 0xd03030
#define BORDER_RGB 0x606060
#define TEXT_RGB 0xffffff
#define DIM_TEXT_RGB 0xb0b0b0
#define ZIGZAG 4 /* pixels: amplitude and half period of a broken edge */
#define HATCH 6	 /* pixels between hatch lines */

/* Kernel regions by name prefix; the rest get the default. */
static const struct {
	const char *prefix;
	uint32_t rgb;
} kcolors[] = {
	{ "[direct map]", 0x3a6ea5 }, { "[recursive]", 0x2f8f8f }, { "[ktext]", 0xc0504d },
	{ "[krodata]", 0xd9883a },    { "[kdata]", 0xc9b03a },	   { "[kbss]", 0xa89830 },
	{ "[kheap]", 0x4caf50 },      { "[kstack", 0x8e6bbf },	   { "[framebuffer]", 0x7f7f7f },
};
#define KDEFAULT_RGB 0x5f7f9f

static const uint32_t seg_rgb[SEG_KINDS] = {
	[SEG_HEADERS] = 0x8a7a9a, [SEG_TEXT] = 0xc0504d, [SEG_RODATA] = 0xd9883a, [SEG_DATA] = 0xc9b03a,
	[SEG_BSS] = 0xa89830,	  [SEG_HEAP] = 0x4caf50, [SEG_MMAP] = 0x3a9ad9,	  [SEG_STACK] = 0x8e6bbf,
};

static int starts_with(const char *s, const char *p)
{
	return !strncmp(s, p, strlen(p));
}

static uint32_t kregion_rgb(const char *name)
{
	for (size_t i = 0; i < sizeof(kcolors) / sizeof(kcolors[0]); i++)
		if (starts_with(name, kcolors[i].prefix))
			return kcolors[i].rgb;
	return KDEFAULT_RGB;
}

/* Darker shade for the non-resident part of a box. */
static uint32_t dim(uint32_t rgb)
{
	uint32_t r = (rgb >> 16) & 0xff, g = (rgb >> 8) & 0xff, b = rgb & 0xff;

	return ((r * 2 / 5) << 16) | ((g * 2 / 5) << 8) | (b * 2 / 5);
}

static uint64_t item_size(const struct col_item *it)
{
	return it->end - it->start; /* end 0 (2^64) wraps to the right size */
}

void col_gap(struct col_item *it, uint64_t start, uint64_t end, const char *what)
{
	char sz[24];

	memset(it, 0, sizeof(*it));
	it->start = start;
	it->end = end;
	it->kind = COL_GAP;
	it->rgb = GAP_RGB;
	it->rss = COL_NO_RSS;
	ksnprintf(it->label, sizeof(it->label), "~ %s%s", mm_fmt_size(end - start, sz, sizeof(sz)), what);
}

size_t col_kernel_items(struct col_item *items, size_t cap)
{
	size_t nreg, n = 0;
	const struct kregion *reg = kvm_regions(&nreg);
	uint64_t at = KERNEL_HALF;
	char sz[24], perm[8];

	for (size_t i = 0; i < nreg && n + 2 < cap; i++) {
		const struct kregion *r = &reg[i];
		struct col_item *it;

		if (r->start > at)
			col_gap(&items[n++], at, r->start, " gap");
		it = &items[n++];
		memset(it, 0, sizeof(*it));
		it->start = r->start;
		it->end = r->end;
		it->rss = COL_NO_RSS;
		if (r->kind == KR_GUARD) {
			it->kind = COL_GUARD;
			it->rgb = GUARD_RGB;
			kstrlcpy(it->label, "guard page", sizeof(it->label));
		} else {
			it->kind = COL_REGION;
			it->rgb = kregion_rgb(r->name);
			kstrlcpy(it->label, r->name, sizeof(it->label));
		}
		ksnprintf(it->note, sizeof(it->note), "%s %s", mm_fmt_size(r->end - r->start, sz, sizeof(sz)),
			  mm_perm_str(r, perm));
		at = r->end;
	}
	if (at && n < cap)
		col_gap(&items[n++], at, 0, " gap");
	return n;
}

/* Replace items[a..b] by one item spanning them, labelled label. */
static size_t merge(struct col_item *items, size_t n, size_t a, size_t b, const char *label, uint32_t rgb)
{
	struct col_item *it = &items[a];
	uint64_t end = items[b].end;
	char sz[24];

	it->end = end;
	it->kind = COL_REGION;
	it->rgb = rgb;
	it->rss = COL_NO_RSS;
	kstrlcpy(it->label, label, sizeof(it->label));
	ksnprintf(it->note, sizeof(it->note), "%s span", mm_fmt_size(item_size(it), sz, sizeof(sz)));
	memmove(&items[a + 1], &items[b + 1], (n - b - 1) * sizeof(*items));
	return n - (b - a);
}

size_t col_fit(struct col_item *items, size_t n, size_t rows)
{
	char label[COL_LABEL];

	/* Same-named regions with only gaps between them: "[direct map] x3". */
	for (size_t a = 0; n > rows && a < n; a++) {
		size_t b = a, count = 1;

		if (items[a].kind != COL_REGION)
			continue;
		for (size_t j = a + 1; j < n; j++) {
			if (items[j].kind == COL_GAP)
				continue;
			if (items[j].kind != COL_REGION || strcmp(items[j].label, items[a].label))
				break;
			b = j;
			count++;
		}
		if (b > a) {
			ksnprintf(label, sizeof(label), "%s x%lu", items[a].label, (unsigned long)count);
			n = merge(items, n, a, b, label, items[a].rgb);
		}
	}
	/* Kernel stacks and their guard pages: one box. */
	for (size_t a = 0; n > rows && a < n; a++) {
		size_t b = a, stacks = 0;

		if (items[a].kind != COL_GUARD && !starts_with(items[a].label, "[kstack"))
			continue;
		for (size_t j = a; j < n && (items[j].kind == COL_GUARD || starts_with(items[j].label, "[kstack"));
		     j++) {
			b = j;
			stacks += items[j].kind != COL_GUARD;
		}
		if (b > a) {
			ksnprintf(label, sizeof(label), "[kstacks] x%lu, guarded", (unsigned long)stacks);
			n = merge(items, n, a, b, label, kregion_rgb("[kstack"));
		}
	}
	return n;
}

size_t col_process_items(const struct proc_snap *s, struct col_item *items, size_t cap)
{
	uint64_t at = 0;
	size_t n = 0;
	char sz[24], rss[24], kind[24];

	for (size_t i = 0; i < s->nseg && n + 2 < cap; i++) {
		const struct seg_snap *g = &s->seg[i];
		struct col_item *it;

		if (g->start > at)
			col_gap(&items[n++], at, g->start, at ? "" : " null guard");
		it = &items[n++];
		memset(it, 0, sizeof(*it));
		it->start = g->start;
		it->end = g->end;
		it->kind = COL_REGION;
		it->rgb = seg_rgb[g->kind];
		it->rss = g->rss;
		if (g->tid)
			ksnprintf(kind, sizeof(kind), "%s:%d", seg_kind_name(g->kind), g->tid);
		else
			kstrlcpy(kind, seg_kind_name(g->kind), sizeof(kind));
		ksnprintf(it->label, sizeof(it->label), "%s %c%c%c %s", kind, g->prot & VM_READ ? 'r' : '-',
			  g->prot & VM_WRITE ? 'w' : '-', g->prot & VM_EXEC ? 'x' : '-',
			  mm_fmt_size(g->end - g->start, sz, sizeof(sz)));
		ksnprintf(it->note, sizeof(it->note), "rss %s", mm_fmt_size(g->rss, rss, sizeof(rss)));
		at = g->end;
	}
	if (at < USER_END && n < cap)
		col_gap(&items[n++], at, USER_END, "");
	return n;
}

/* A broken edge: a zig-zag across [x, x+w) around row y. */
static void zigzag(uint32_t x, uint32_t y, uint32_t w)
{
	for (uint32_t i = 0; i < w; i++) {
		uint32_t phase = i % (2 * ZIGZAG), dy = phase < ZIGZAG ? phase : 2 * ZIGZAG - phase;

		fb_pixel(x + i, y + dy, GAP_EDGE_RGB);
	}
}

static void hatch(uint32_t x, uint32_t y, uint32_t w, uint32_t h, uint32_t rgb)
{
	for (uint32_t r = 0; r < h; r++)
		for (uint32_t c = (r % HATCH); c < w; c += HATCH)
			fb_pixel(x + c, y + r, rgb);
}

static void outline(uint32_t x, uint32_t y, uint32_t w, uint32_t h, uint32_t rgb)
{
	fb_fill_rect(x, y, w, 1, rgb);
	fb_fill_rect(x, y + h - 1, w, 1, rgb);
	fb_fill_rect(x, y, 1, h, rgb);
	fb_fill_rect(x + w - 1, y, 1, h, rgb);
}

static void addr_str(uint64_t a, char *buf, size_t size)
{
	ksnprintf(buf, size, "%08llX_%08llX", (unsigned long long)(a >> 32), (unsigned long long)(a & 0xffffffffu));
}

static void box_record(const struct col_geom *g, const struct col_item *it, uint32_t y, uint32_t h)
{
	static const char *const kinds[] = { [COL_REGION] = "region", [COL_GUARD] = "guard", [COL_GAP] = "gap" };
	struct jrec r;
	char rgb[8];

	ksnprintf(rgb, sizeof(rgb), "#%06x", it->rgb);
	jrec_begin(&r, "screen_box");
	jrec_str(&r, "panel", g->panel);
	if (g->pid >= 0)
		jrec_u64(&r, "pid", (uint64_t)g->pid);
	jrec_str(&r, "kind", kinds[it->kind]);
	jrec_str(&r, "label", it->label);
	jrec_hex(&r, "start", it->start);
	jrec_hex(&r, "end", it->end);
	jrec_u64(&r, "x", g->x);
	jrec_u64(&r, "y", y);
	jrec_u64(&r, "w", g->w);
	jrec_u64(&r, "h", h);
	jrec_str(&r, "rgb", rgb);
	if (it->rss != COL_NO_RSS)
		jrec_u64(&r, "rss", it->rss);
	report_emit(&r);
}

static void draw_box(const struct col_geom *g, const struct col_item *it, uint32_t y, uint32_t h)
{
	uint32_t fw = fb_font_w(), fh = fb_font_h(), cols = g->w > 2 * fw ? g->w / fw - 1 : 0;
	uint32_t tx = g->x + fw / 2, ty = y + (h > fh ? (h - fh) / 2 : 0);
	int two_lines = h >= 2 * fh && !g->x_note;
	char buf[24];

	switch (it->kind) {
	case COL_GAP:
		fb_fill_rect(g->x, y, g->w, h, GAP_RGB);
		zigzag(g->x, y, g->w);
		if (h > ZIGZAG + 1)
			zigzag(g->x, y + h - ZIGZAG - 1, g->w);
		fb_draw_text_max(tx, ty, it->label, cols, DIM_TEXT_RGB, FB_NO_BG);
		break;
	case COL_GUARD:
		fb_fill_rect(g->x, y, g->w, h, GUARD_RGB);
		hatch(g->x, y, g->w, h, GUARD_HATCH_RGB);
		outline(g->x, y, g->w, h, GUARD_HATCH_RGB);
		fb_draw_text_max(tx, ty, it->label, cols, TEXT_RGB, FB_NO_BG);
		break;
	case COL_REGION: {
		uint64_t size = item_size(it);
		uint32_t filled = g->w;

		if (it->rss != COL_NO_RSS) {
			/* Resident bytes as a fill from the left, at least a pixel when any. */
			filled = size ? (uint32_t)((it->rss >> PAGE_SHIFT) * g->w / (size >> PAGE_SHIFT)) : 0;
			if (it->rss && !filled)
				filled = 1;
		}
		fb_fill_rect(g->x, y, g->w, h, dim(it->rgb));
		fb_fill_rect(g->x, y, filled, h, it->rgb);
		outline(g->x, y, g->w, h, BORDER_RGB);
		if (two_lines) {
			/* Two lines, or three when the box holds three whole rows: never a row cut in half. */
			int three = h >= 3 * fh;

			ty = y + (h - (three ? 3 : 2) * fh) / 2;
			fb_draw_text_max(tx, ty, it->label, cols, TEXT_RGB, FB_NO_BG);
			ksnprintf(buf, sizeof(buf), "%llx", (unsigned long long)it->start);
			fb_draw_text_max(tx, ty + fh, it->note, cols, TEXT_RGB, FB_NO_BG);
			if (three)
				fb_draw_text_max(tx, ty + 2 * fh, buf, cols, DIM_TEXT_RGB, FB_NO_BG);
		} else {
			fb_draw_text_max(tx, ty, it->label, cols, TEXT_RGB, FB_NO_BG);
		}
		break;
	}
	}
	if (g->x_note && it->kind != COL_GAP && h >= fh)
		fb_draw_text_max(g->x_note, ty, it->note, COL_LABEL, DIM_TEXT_RGB, FB_NO_BG);
	if (g->x_addr && h >= fh) {
		addr_str(it->start, buf, sizeof(buf));
		fb_draw_text_max(g->x_addr, y + h - fh, buf, COL_LABEL, DIM_TEXT_RGB, FB_NO_BG);
	}
}

int col_draw(const struct col_item *items, size_t n, const struct col_geom *g)
{
	static uint64_t sizes[COL_MAX];
	static uint32_t heights[COL_MAX];
	uint32_t y = g->y;
	char top[24];
	int err;

	if (n > COL_MAX)
		return -ENOSPC;
	for (size_t i = 0; i < n; i++)
		sizes[i] = item_size(&items[i]);
	err = pic_column_heights(sizes, n, g->h, fb_font_h(), heights);
	if (err)
		return err;
	if (g->x_addr && n && g->y >= fb_font_h()) {
		/* The top edge's address: the end of the highest box. */
		uint64_t end = items[n - 1].end;

		if (end)
			addr_str(end, top, sizeof(top));
		else
			ksnprintf(top, sizeof(top), "top (2^64)");
		fb_draw_text_max(g->x_addr, g->y - fb_font_h(), top, COL_LABEL, DIM_TEXT_RGB, FB_NO_BG);
	}
	for (size_t k = n; k-- > 0;) {
		draw_box(g, &items[k], y, heights[k]);
		box_record(g, &items[k], y, heights[k]);
		y += heights[k];
	}
	return 0;
}
