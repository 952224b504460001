/* SPDX-License-Identifier: MIT */
/*
 * screen.c - the layout screen (include/screen.h draws its plan): what a
 * person in front of a PC without a serial cable sees when the run ends.
 *
 * The physical map is drawn twice: once by type, where each type's share of
 * the bar is exactly its share of the pages (the screendump tests measure
 * it against the memtype records), and once in address order, where widths
 * are logarithmic so that a 4 KiB ACPI table next to 2 GiB of RAM is still
 * a visible box, and holes (addresses no descriptor covers) are dark.
 *
 * Drawing goes to the back buffer with the console switched off, and one
 * fb_present_all puts it on screen; the console's text grid keeps
 * recording, so switching the console back on shows everything said since.
 */
#include "screen.h"

#include "fb.h"
#include "fbcon.h"
#include "json.h"
#include "kernel.h"
#include "kstring.h"
#include "memmap.h"
#include "mmreport.h"
#include "options.h"
#include "physmap.h"
#include "picture.h"
#include "procsnap.h"
#include "record.h"
#include "screenqr.h"
#include "tests.h"
#include "tsc.h"

#define BG_RGB 0x000000
#define TITLE_BG_RGB 0x203a5c
#define HEAD_RGB FB_CYAN
#define TEXT_RGB 0xd0d0d0
#define HOLE_RGB 0x202020
#define UNKNOWN_TYPE_RGB 0xd0d0d0
#define LEGEND_CHARS 36	   /* one legend entry */
#define KCOL_ADDR_CHARS 18 /* "FFFFFFFF_80000000 " */
#define KCOL_BOX_CHARS 22
#define KCOL_NOTE_CHARS 13
#define PHYS_ADDR_CHARS 18 /* "00000000_FEE00000 " */
#define PHYS_BOX_CHARS 20
#define PCOL_BOX_CHARS 20
#define PCOL_SPACE_CHARS 2
#define MAX_BAR_ITEMS 256
#define MAX_COL_ITEMS 128

/* One colour per UEFI memory type (docs/records.md lists them). */
static const uint32_t type_rgb[EFI_MAX_MEMORY_TYPE] = {
	[EFI_RESERVED_MEMORY_TYPE] = 0x8c3a3a,
	[EFI_LOADER_CODE] = 0xd98c1f,
	[EFI_LOADER_DATA] = 0xf2c14e,
	[EFI_BOOT_SERVICES_CODE] = 0x4f7fd9,
	[EFI_BOOT_SERVICES_DATA] = 0x8fb3f2,
	[EFI_RUNTIME_SERVICES_CODE] = 0xb04fd9,
	[EFI_RUNTIME_SERVICES_DATA] = 0xd9a0f2,
	[EFI_CONVENTIONAL_MEMORY] = 0x3fa34d,
	[EFI_UNUSABLE_MEMORY] = 0x555555,
	[EFI_ACPI_RECLAIM_MEMORY] = 0x2fb5b5,
	[EFI_ACPI_MEMORY_NVS] = 0x1f6f6f,
	[EFI_MEMORY_MAPPED_IO] = 0x9a9a9a,
	[EFI_MEMORY_MAPPED_IO_PORT_SPACE] = 0x6a6a6a,
	[EFI_PAL_CODE] = 0xa0522d,
	[EFI_PERSISTENT_MEMORY] = 0xe0e040,
	[EFI_UNACCEPTED_MEMORY] = 0xff77aa,
};

static int shown;

static uint32_t rgb_of_type(uint32_t t)
{
	return t < EFI_MAX_MEMORY_TYPE ? type_rgb[t] : UNKNOWN_TYPE_RGB;
}

static void panel_record(const char *panel, uint32_t x, uint32_t y, uint32_t w, uint32_t h, const char *text)
{
	struct jrec r;

	jrec_begin(&r, "screen");
	jrec_str(&r, "panel", panel);
	jrec_u64(&r, "x", x);
	jrec_u64(&r, "y", y);
	jrec_u64(&r, "w", w);
	jrec_u64(&r, "h", h);
	if (text)
		jrec_str(&r, "text", text);
	report_emit(&r);
}

static uint32_t draw_title(uint32_t W)
{
	uint32_t fw = fb_font_w(), fh = fb_font_h();
	size_t nreg;
	const struct mm_region *reg = memmap_regions(&nreg, NULL);
	uint64_t ram = 0;
	char text[160], sz[24];

	for (size_t i = 0; i < nreg; i++)
		if (efi_mem_type_is_ram(reg[i].type))
			ram += reg[i].end - reg[i].start;
	ksnprintf(text, sizeof(text), "Atlas - memory layout | %s | %s RAM | %ux%u", g_boot->fw_vendor,
		  mm_fmt_size(ram, sz, sizeof(sz)), fb_width(), fb_height());
	fb_fill_rect(0, 0, W, fh, TITLE_BG_RGB);
	fb_draw_text_max(fw, 0, text, W / fw - 2, FB_WHITE, TITLE_BG_RGB);
	{
		struct jrec r;
		char rgb[8];

		ksnprintf(rgb, sizeof(rgb), "#%06x", TITLE_BG_RGB);
		jrec_begin(&r, "screen");
		jrec_str(&r, "panel", "title");
		jrec_u64(&r, "x", fw);
		jrec_u64(&r, "y", 0);
		jrec_u64(&r, "w", (uint32_t)strlen(text) * fw);
		jrec_u64(&r, "h", fh);
		jrec_str(&r, "text", text);
		jrec_str(&r, "font", fb_font()->name);
		jrec_u64(&r, "font_w", fw);
		jrec_u64(&r, "font_h", fh);
		jrec_u64(&r, "screen_w", W);
		jrec_u64(&r, "screen_h", fb_height());
		jrec_str(&r, "bg", rgb);
		report_emit(&r);
	}
	return fh + fh / 2;
}

/* Per-type totals of the normalized map, in pages (what the memtype records say). */
static void type_totals(uint64_t *pages)
{
	size_t nreg;
	const struct mm_region *reg = memmap_regions(&nreg, NULL);

	memset(pages, 0, sizeof(uint64_t) * (EFI_MAX_MEMORY_TYPE + 1));
	for (size_t i = 0; i < nreg; i++) {
		uint32_t t = reg[i].type < EFI_MAX_MEMORY_TYPE ? reg[i].type : EFI_MAX_MEMORY_TYPE;

		pages[t] += (reg[i].end - reg[i].start) >> EFI_PAGE_SHIFT;
	}
}

static void type_record(uint32_t t, uint64_t pages, uint32_t px)
{
	struct jrec r;
	char rgb[8];

	ksnprintf(rgb, sizeof(rgb), "#%06x", rgb_of_type(t));
	jrec_begin(&r, "screen_type");
	jrec_str(&r, "type", efi_mem_type_name(t));
	jrec_str(&r, "rgb", rgb);
	jrec_u64(&r, "pages", pages);
	jrec_u64(&r, "px", px);
	report_emit(&r);
}

/* Bar by type: the types in descending order of size, widths proportional. */
static void bar_by_type(uint32_t x, uint32_t y, uint32_t w, uint32_t h, const uint64_t *pages, uint32_t *order,
			uint32_t ntypes)
{
	uint64_t v[EFI_MAX_MEMORY_TYPE + 1];
	uint32_t px[EFI_MAX_MEMORY_TYPE + 1];

	for (uint32_t i = 0; i < ntypes; i++)
		v[i] = pages[order[i]];
	if (pic_bar_widths(v, ntypes, w, px))
		return;
	for (uint32_t i = 0; i < ntypes; i++) {
		fb_fill_rect(x, y, px[i], h, rgb_of_type(order[i]));
		type_record(order[i], pages[order[i]], px[i]);
		x += px[i];
	}
}

/* Tick label under the address bar, when it does not run into the previous one. */
static void tick(uint32_t x, uint32_t y, uint64_t addr, uint32_t *free_x)
{
	char label[24], sz[24];
	uint32_t fw = fb_font_w();

	if (x < *free_x)
		return;
	if (addr)
		mm_fmt_size(addr, sz, sizeof(sz));
	ksnprintf(label, sizeof(label), "|%s", addr ? sz : "0");
	*free_x = fb_draw_text(x, y, label, TEXT_RGB, BG_RGB) + fw;
	{
		struct jrec r;

		jrec_begin(&r, "screen_tick");
		jrec_hex(&r, "addr", addr);
		jrec_u64(&r, "x", x);
		jrec_u64(&r, "y", y);
		jrec_str(&r, "text", label);
		report_emit(&r);
	}
}

/*
 * Addresses worth a tick under the address bar: the first box at or above
 * each is labelled with its start (when its label has room).
 */
static const uint64_t tick_marks[] = {
	1ULL << 20, 16ULL << 20, 256ULL << 20, 1ULL << 30,   2ULL << 30, 3ULL << 30,
	4ULL << 30, 16ULL << 30, 64ULL << 30,  256ULL << 30, 1ULL << 40,
};

/* Bar by address: descriptors and holes in order, widths by log2 of the size. */
static void bar_by_address(uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
	static uint64_t v[MAX_BAR_ITEMS], start[MAX_BAR_ITEMS];
	static uint32_t px[MAX_BAR_ITEMS], type[MAX_BAR_ITEMS];
	size_t nreg, n = 0, mark = 0;
	const struct mm_region *reg = memmap_regions(&nreg, NULL);
	uint64_t at = 0;
	uint32_t free_x = 0;

	for (size_t i = 0; i < nreg && n + 2 < MAX_BAR_ITEMS; i++) {
		if (reg[i].start > at) {
			start[n] = at;
			type[n] = UINT32_MAX; /* hole */
			v[n++] = pic_log_weight(reg[i].start - at);
		}
		start[n] = reg[i].start;
		type[n] = reg[i].type;
		v[n++] = pic_log_weight(reg[i].end - reg[i].start);
		at = reg[i].end;
	}
	if (pic_bar_widths(v, n, w, px))
		return;
	for (size_t i = 0; i < n; i++) {
		fb_fill_rect(x, y, px[i], h, type[i] == UINT32_MAX ? HOLE_RGB : rgb_of_type(type[i]));
		if (px[i] > 2)
			fb_fill_rect(x + px[i] - 1, y, 1, h, BG_RGB); /* separate neighbours of one type */
		if (i == 0 || (mark < ARRAY_SIZE(tick_marks) && start[i] >= tick_marks[mark])) {
			while (mark < ARRAY_SIZE(tick_marks) && start[i] >= tick_marks[mark])
				mark++;
			tick(x, y + h + 2, start[i], &free_x);
		}
		x += px[i];
	}
	/* The end of the last descriptor, right-aligned under the bar's end. */
	if (n) {
		char label[24], sz[24];
		uint32_t fw = fb_font_w(), lw;

		ksnprintf(label, sizeof(label), "%s|", mm_fmt_size(at, sz, sizeof(sz)));
		lw = (uint32_t)strlen(label) * fw;
		if (x >= lw && x - lw >= free_x)
			fb_draw_text(x - lw, y + h + 2, label, TEXT_RGB, BG_RGB);
	}
	panel_record("memmap_address_bar", x - w, y, w, h, NULL);
}

static uint32_t draw_memmap(uint32_t y, uint32_t W)
{
	uint32_t fw = fb_font_w(), fh = fb_font_h(), m = fw, bw = W - 2 * m;
	uint64_t pages[EFI_MAX_MEMORY_TYPE + 1], total = 0, ram = 0;
	uint32_t order[EFI_MAX_MEMORY_TYPE + 1], ntypes = 0, per_row, x, row = 0;
	size_t nreg;
	char text[160], sz[24], sz2[24], name[16];

	memmap_regions(&nreg, NULL);
	type_totals(pages);
	for (uint32_t t = 0; t <= EFI_MAX_MEMORY_TYPE; t++) {
		if (!pages[t])
			continue;
		total += pages[t];
		order[ntypes++] = t;
	}
	/* Largest first (insertion sort over at most 17). */
	for (uint32_t i = 1; i < ntypes; i++)
		for (uint32_t j = i; j > 0 && pages[order[j]] > pages[order[j - 1]]; j--) {
			uint32_t t = order[j];

			order[j] = order[j - 1];
			order[j - 1] = t;
		}
	for (uint32_t t = 0; t < EFI_MAX_MEMORY_TYPE; t++)
		if (efi_mem_type_is_ram(t))
			ram += pages[t];
	/* Ranges that are not RAM (reserved, MMIO such as the PCIe ECAM window) are described, not memory: say so. */
	ksnprintf(text, sizeof(text),
		  "Physical memory: %lu regions: %s RAM, %s not RAM (*). By type (widths proportional):",
		  (unsigned long)nreg, mm_fmt_size(ram << EFI_PAGE_SHIFT, sz, sizeof(sz)),
		  mm_fmt_size((total - ram) << EFI_PAGE_SHIFT, sz2, sizeof(sz2)));
	fb_draw_text_max(m, y, text, W / fw - 2, HEAD_RGB, BG_RGB);
	panel_record("memmap_heading", m, y, (uint32_t)strlen(text) * fw, fh, text);
	y += fh + 2;
	bar_by_type(m, y, bw, 2 * fh, pages, order, ntypes);
	panel_record("memmap_bar", m, y, bw, 2 * fh, NULL);
	y += 2 * fh + 4;
	fb_draw_text_max(m, y,
			 "By address, 0 at the left (widths log2 of the size; dark = holes no descriptor covers):",
			 W / fw - 2, HEAD_RGB, BG_RGB);
	y += fh + 2;
	bar_by_address(m, y, bw, fh);
	y += 2 * fh + 6;
	/* Legend: swatch, type, total, share. */
	per_row = bw / (LEGEND_CHARS * fw);
	if (!per_row)
		per_row = 1;
	for (uint32_t i = 0; i < ntypes; i++) {
		uint32_t t = order[i];
		uint64_t tenths = total ? pages[t] * 1000 / total : 0;

		x = m + (i % per_row) * LEGEND_CHARS * fw;
		row = i / per_row;
		fb_fill_rect(x, y + row * fh + 2, 2 * fw, fh - 4, rgb_of_type(t));
		ksnprintf(name, sizeof(name), "%s%s", efi_mem_type_short(t),
			  t < EFI_MAX_MEMORY_TYPE && efi_mem_type_is_ram(t) ? "" : "*");
		ksnprintf(text, sizeof(text), "%-12s %9s %3llu.%llu%%", name,
			  mm_fmt_size(pages[t] << EFI_PAGE_SHIFT, sz, sizeof(sz)), (unsigned long long)(tenths / 10),
			  (unsigned long long)(tenths % 10));
		fb_draw_text_max(x + 3 * fw, y + row * fh, text, LEGEND_CHARS - 4, TEXT_RGB, BG_RGB);
	}
	panel_record("legend", m, y, bw, (row + 1) * fh, NULL);
	return y + (row + 1) * fh + fh / 2;
}

/* The columns' items, one column at a time (14 KiB; the drawing is not reentrant). */
static struct col_item col_items[MAX_COL_ITEMS];

static void draw_kernel(uint32_t x, uint32_t y, uint32_t h)
{
	struct col_item *items = col_items;
	uint32_t fw = fb_font_w(), fh = fb_font_h();
	struct col_geom g = {
		.x_addr = x,
		.x = x + KCOL_ADDR_CHARS * fw,
		.y = y + 2 * fh,
		.w = KCOL_BOX_CHARS * fw,
		.h = h > 2 * fh ? h - 2 * fh : 0,
		.panel = "kernel",
		.pid = -1,
	};
	size_t n = col_kernel_items(items, MAX_COL_ITEMS);

	g.x_note = g.x + g.w + fw;
	fb_draw_text_max(x, y, "Kernel address space (seed 002, log axis):",
			 KCOL_ADDR_CHARS + KCOL_BOX_CHARS + KCOL_NOTE_CHARS, HEAD_RGB, BG_RGB);
	n = col_fit(items, n, g.h / fh);
	if (col_draw(items, n, &g))
		fb_draw_text_max(x, g.y, "(screen too small for the kernel column)", KCOL_ADDR_CHARS + KCOL_BOX_CHARS,
				 TEXT_RGB, BG_RGB);
	panel_record("kernel", g.x, g.y, g.w, g.h, NULL);
	panel_record("kernel_addresses", g.x_addr, g.y, KCOL_ADDR_CHARS * fw, g.h, NULL);
}

/* The physical address space, 0 to the top of the highest range (BAR), on the kernel column's axis. */
static void draw_physical(uint32_t x, uint32_t y, uint32_t h)
{
	struct col_item *items = col_items;
	uint32_t fw = fb_font_w(), fh = fb_font_h();
	struct col_geom g = {
		.x_addr = x,
		.x = x + PHYS_ADDR_CHARS * fw,
		.y = y + 2 * fh,
		.w = PHYS_BOX_CHARS * fw,
		.h = h > 2 * fh ? h - 2 * fh : 0,
		.x_note = 0,
		.panel = "physical",
		.pid = -1,
	};
	size_t n = col_physical_items(items, MAX_COL_ITEMS);

	fb_draw_text_max(x, y, "Physical address space (log axis):", PHYS_ADDR_CHARS + PHYS_BOX_CHARS, HEAD_RGB,
			 BG_RGB);
	n = col_fit_physical(items, n, g.h / fh);
	if (!n || col_draw(items, n, &g))
		fb_draw_text_max(x, g.y, "(no room for the physical column)", PHYS_ADDR_CHARS + PHYS_BOX_CHARS,
				 TEXT_RGB, BG_RGB);
	panel_record("physical", g.x, g.y, g.w, g.h, NULL);
}

static void draw_processes(uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
	struct col_item *items = col_items;
	uint32_t fw = fb_font_w(), fh = fb_font_h(), step = (PCOL_BOX_CHARS + PCOL_SPACE_CHARS) * fw;
	size_t nsnap, shown_n = 0;
	const struct proc_snap *snaps = procsnap_list(&nsnap);
	char text[64];

	fb_draw_text_max(x, y, "Processes at exit (seed 001; bright = resident, dark = not touched):", w / fw, HEAD_RGB,
			 BG_RGB);
	if (!nsnap) {
		fb_draw_text_max(x, y + fh, "(no process ran)", w / fw, TEXT_RGB, BG_RGB);
		return;
	}
	for (size_t i = 0; i < nsnap && (shown_n + 1) * step <= w + PCOL_SPACE_CHARS * fw; i++) {
		const struct proc_snap *s = &snaps[i];
		struct col_geom g = {
			.x = x + (uint32_t)shown_n * step,
			.y = y + 3 * fh,
			.w = PCOL_BOX_CHARS * fw,
			.h = h > 3 * fh ? h - 3 * fh : 0,
			.panel = "process",
			.pid = s->pid,
		};
		size_t n = col_process_items(s, items, MAX_COL_ITEMS);

		ksnprintf(text, sizeof(text), "pid %d %s", s->pid, s->name);
		fb_draw_text_max(g.x, y + fh, text, PCOL_BOX_CHARS, FB_WHITE, BG_RGB);
		panel_record("process_header", g.x, y + fh, PCOL_BOX_CHARS * fw, fh, text);
		if (s->signal)
			ksnprintf(text, sizeof(text), "killed, signal %d", s->signal);
		else
			ksnprintf(text, sizeof(text), "exit %d", s->exit_code);
		fb_draw_text_max(g.x, y + 2 * fh, text, PCOL_BOX_CHARS, s->signal ? FB_YELLOW : TEXT_RGB, BG_RGB);
		if (col_draw(items, n, &g))
			continue;
		shown_n++;
	}
}

static void draw_results(uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
	uint32_t fw = fb_font_w(), fh = fb_font_h(), cols = w / fw, rows = h / fh, r = 0;
	unsigned run = tests_run(), failed = tests_failed();
	size_t nf;
	uint64_t total;
	const struct fault_snap *f = procsnap_faults(&nf, &total);
	char text[192];

	if (rows < 3)
		return;
	fb_draw_text_max(x, y + fh * r++, "Results:", cols, HEAD_RGB, BG_RGB);
	ksnprintf(text, sizeof(text), "tests: %u passed, %u failed", run - failed, failed);
	fb_draw_text_max(x, y + fh * r++, text, cols, failed ? FB_RED : FB_GREEN, BG_RGB);
	for (unsigned i = 0; i < failed && r + 2 < rows; i++) {
		const char *name = tests_failed_name(i);

		if (!name)
			break;
		ksnprintf(text, sizeof(text), "  not ok: %s", name);
		fb_draw_text_max(x, y + fh * r++, text, cols, FB_RED, BG_RGB);
	}
	if (g_boot->tsc.first_user && tsc_hz()) {
		ksnprintf(text, sizeof(text), "efi_main to first ring-3 instruction: %llu ms",
			  (unsigned long long)(tsc_to_ns(g_boot->tsc.first_user - g_boot->tsc.efi_entry) / 1000000));
		fb_draw_text_max(x, y + fh * r++, text, cols, TEXT_RGB, BG_RGB);
	}
	ksnprintf(text, sizeof(text), "ring 3: %llu processes ended, %llu faults caught and survived:",
		  (unsigned long long)procsnap_exits(), (unsigned long long)total);
	fb_draw_text_max(x, y + fh * r++, text, cols, TEXT_RGB, BG_RGB);
	/* The monitor's hint keeps its row. */
	if (g_boot->opts.on_finish == FINISH_MONITOR)
		rows--;
	for (size_t i = 0; i < nf && r < rows; i++) {
		if (r + 1 == rows && i + 1 < total) {
			ksnprintf(text, sizeof(text), "  ... and %llu more", (unsigned long long)(total - i));
			fb_draw_text_max(x, y + fh * r++, text, cols, TEXT_RGB, BG_RGB);
			break;
		}
		ksnprintf(text, sizeof(text), "  %s: %s", f[i].name, f[i].cause);
		fb_draw_text_max(x, y + fh * r++, text, cols, FB_YELLOW, BG_RGB);
	}
	if (g_boot->opts.on_finish == FINISH_MONITOR)
		fb_draw_text_max(x, y + fh * r++, "Press a key for the monitor (its `screen` command comes back here).",
				 cols, FB_CYAN, BG_RGB);
	panel_record("results", x, y, w, r * fh, NULL);
}

int screen_show(void)
{
	if (g_boot->opts.screen != SCREEN_LAYOUT)
		return 0;
	return screen_draw();
}

int screen_draw(void)
{
	uint32_t W = fb_width(), H = fb_height(), fw = fb_font_w(), fh = fb_font_h(), y, kw, xr, wr, hp, wq;

	if (!fb_ready() || !fbcon_ready())
		return 0;
	fbcon_enable(0);
	shown = 1;
	fb_fill_rect(0, 0, W, H, BG_RGB);
	y = draw_title(W);
	y = draw_memmap(y, W);
	kw = (KCOL_ADDR_CHARS + KCOL_BOX_CHARS + KCOL_NOTE_CHARS) * fw;
	if (y + 4 * fh < H) {
		uint32_t lower = H - y - fh / 2;

		draw_kernel(fw, y, lower);
		draw_physical(fw + kw + fw, y, lower);
		xr = fw + kw + fw + (PHYS_ADDR_CHARS + PHYS_BOX_CHARS + 1) * fw;
		wr = W > xr + fw ? W - xr - fw : 0;
		hp = lower * 3 / 5;
		draw_processes(xr, y, wr, hp);
		/* The summary as QR codes at the results panel's right end; the text keeps the rest. */
		wq = screenqr_draw(xr, y + hp + fh / 2, wr, lower - hp - fh / 2);
		draw_results(xr, y + hp + fh / 2, wq ? wr - wq - fw : wr, lower - hp - fh / 2);
	}
	fb_present_all();
	fb_mark_clean();
	return 1;
}

void screen_hide(void)
{
	if (!shown)
		return;
	shown = 0;
	fbcon_enable(1);
}

int screen_shown(void)
{
	return shown;
}
