/* SPDX-License-Identifier: MIT */
/*
 * screenqr.c - the run's result as QR codes on the layout screen, so a
 * phone can carry it away from a machine without a serial cable (as
 * PassMark's MemTest86 does with its results).
 *
 * The text (screenqr_text) is a few "key: value" lines: tests passed and
 * failed and the failed names, RAM and the map's totals, the CPU, the
 * firmware, the faults ring 3 made. It goes into as few codes as the space
 * at the right of the results panel allows (core/lib/qr.c: byte mode, level M);
 * when one code would be too fine to read it is split, each part starting
 * with "Atlas result i/n". Each part is also a {"rec":"qr"} record, and the
 * codes' place a {"rec":"screen","panel":"qr"} record.
 */
#include "screenqr.h"

#include "bootreport.h"
#include "cpu.h"
#include "fb.h"
#include "heap.h"
#include "json.h"
#include "kernel.h"
#include "kstring.h"
#include "memmap.h"
#include "mmreport.h"
#include "physmap.h"
#include "procsnap.h"
#include "qr.h"
#include "record.h"
#include "tests.h"

#define QR_TEXT_MAX 1024
#define QR_PARTS_MAX 4
#define QR_MAX_VERSION 12 /* coarser codes are easier to read off a screen */
#define QR_SCALE_MIN 2	  /* pixels per module */
#define QR_SCALE_MAX 4
#define QR_GAP_MODULES 2 /* between two codes, besides their quiet zones */
#define QR_HEADER_MAX 24 /* "Atlas result 1/4\n" */
#define QR_DARK_RGB 0x000000
#define QR_LIGHT_RGB 0xffffff

size_t screenqr_text(char *buf, size_t size)
{
	size_t nreg, used = 0;
	const struct mm_region *reg = memmap_regions(&nreg, NULL);
	uint64_t ram = 0, described = 0, faults;
	unsigned run = tests_run(), failed = tests_failed();
	const struct cpu_features *c = cpu();
	const char *brand = c->brand;
	char sz[24];

	while (*brand == ' ')
		brand++;
	procsnap_faults(&nreg, &faults);
	reg = memmap_regions(&nreg, NULL);
	for (size_t i = 0; i < nreg; i++) {
		described += reg[i].end - reg[i].start;
		if (efi_mem_type_is_ram(reg[i].type))
			ram += reg[i].end - reg[i].start;
	}
#define ADD(...) used += (size_t)ksnprintf(used < size ? buf + used : NULL, used < size ? size - used : 0, __VA_ARGS__)
	ADD("tests: %u passed, %u failed\n", run - failed, failed);
	if (failed) {
		ADD("failed:");
		for (unsigned i = 0; i < failed; i++) {
			const char *name = tests_failed_name(i);

			if (!name) {
				ADD(" (+%u more)", failed - i);
				break;
			}
			ADD(" %s", name);
		}
		ADD("\n");
	}
	ADD("RAM: %llu bytes (%s)\n", (unsigned long long)ram, mm_fmt_size(ram, sz, sizeof(sz)));
	ADD("map: %zu regions, %llu bytes not RAM (reserved, MMIO)\n", nreg, (unsigned long long)(described - ram));
	ADD("CPU: %s %s\n", c->vendor, brand);
	ADD("firmware: %s rev 0x%x, UEFI %u.%u\n", g_boot->fw_vendor, g_boot->fw_revision, g_boot->uefi_revision >> 16,
	    (g_boot->uefi_revision & 0xffff) / 10);
	ADD("faults: %llu caught in %llu processes\n", (unsigned long long)faults,
	    (unsigned long long)procsnap_exits());
#undef ADD
	return used;
}

/* The part i of n of text[0..len): its header and its share of the bytes, into out. Returns its length. */
static size_t part(const char *text, size_t len, unsigned i, unsigned n, char *out, size_t size)
{
	size_t per = (len + n - 1) / n, from = per * i,
	       k = (size_t)ksnprintf(out, size, "Atlas result %u/%u\n", i + 1, n);
	size_t take = from < len ? (len - from < per ? len - from : per) : 0;

	if (k + take >= size)
		take = size - k - 1;
	memcpy(out + k, text + from, take);
	out[k + take] = 0;
	return k + take;
}

/* How to lay the codes out: parts side by side, version and scale; 0 when nothing fits. */
struct plan {
	unsigned parts, version, scale, side; /* side: one code's square with its quiet zone, pixels */
};

static int make_plan(size_t len, uint32_t w, uint32_t h, struct plan *p)
{
	for (unsigned scale = QR_SCALE_MAX; scale >= QR_SCALE_MIN; scale--) {
		for (unsigned parts = 1; parts <= QR_PARTS_MAX; parts++) {
			size_t need = (len + parts - 1) / parts + QR_HEADER_MAX;
			unsigned v = QR_VERSION_MIN, side;

			while (v <= QR_MAX_VERSION && qr_capacity((int)v) < need)
				v++;
			if (v > QR_MAX_VERSION)
				continue;
			side = (QR_SIZE(v) + 2 * QR_QUIET_ZONE) * scale;
			if (side <= h && parts * side + (parts - 1) * QR_GAP_MODULES * scale <= w) {
				p->parts = parts;
				p->version = v;
				p->scale = scale;
				p->side = side;
				return 1;
			}
		}
	}
	return 0;
}

static void draw_symbol(const struct qr *sym, uint32_t x0, uint32_t y0, unsigned scale)
{
	uint32_t side = (uint32_t)(sym->size + 2 * QR_QUIET_ZONE) * scale;

	fb_fill_rect(x0, y0, side, side, QR_LIGHT_RGB);
	for (int y = 0; y < sym->size; y++)
		for (int x = 0; x < sym->size; x++)
			if (qr_module(sym, x, y))
				fb_fill_rect(x0 + (uint32_t)(x + QR_QUIET_ZONE) * scale,
					     y0 + (uint32_t)(y + QR_QUIET_ZONE) * scale, scale, scale, QR_DARK_RGB);
}

uint32_t screenqr_draw(uint32_t x, uint32_t y, uint32_t w, uint32_t h)
{
	static char text[QR_TEXT_MAX], piece[QR_TEXT_MAX];
	size_t len = screenqr_text(text, sizeof(text));
	struct qr *sym; /* ~70 KiB, for the length of the drawing: not on the stack, not for the whole run */
	struct plan p = { 0 };
	uint32_t used, at;
	struct jrec r;

	if (len >= sizeof(text))
		len = sizeof(text) - 1;
	/* At most half the panel's width goes to the codes; the results text keeps the rest. */
	sym = make_plan(len, w / 2, h, &p) ? kmalloc(sizeof(*sym)) : NULL;
	if (!sym) {
		jrec_begin(&r, "qr");
		jrec_u64(&r, "parts", 0);
		jrec_str(&r, "why", p.parts ? "no memory for the code" : "no room for a readable code");
		report_emit(&r);
		return 0;
	}
	used = p.parts * p.side + (p.parts - 1) * QR_GAP_MODULES * p.scale;
	at = x + w - used;
	for (unsigned i = 0; i < p.parts; i++) {
		size_t n = part(text, len, i, p.parts, piece, sizeof(piece));

		if (qr_encode((const uint8_t *)piece, n, (int)p.version, (int)p.version, QR_MASK_AUTO, sym))
			continue;
		draw_symbol(sym, at, y, p.scale);
		jrec_begin(&r, "qr");
		jrec_u64(&r, "part", i + 1);
		jrec_u64(&r, "parts", p.parts);
		jrec_u64(&r, "version", (uint64_t)sym->version);
		jrec_u64(&r, "mask", (uint64_t)sym->mask);
		jrec_u64(&r, "scale", p.scale);
		jrec_u64(&r, "x", at);
		jrec_u64(&r, "y", y);
		jrec_u64(&r, "side", p.side);
		jrec_str(&r, "text", piece);
		report_emit(&r);
		at += p.side + QR_GAP_MODULES * p.scale;
	}
	kfree(sym);
	jrec_begin(&r, "screen");
	jrec_str(&r, "panel", "qr");
	jrec_u64(&r, "x", x + w - used);
	jrec_u64(&r, "y", y);
	jrec_u64(&r, "w", used);
	jrec_u64(&r, "h", p.side);
	report_emit(&r);
	return used;
}
