/* SPDX-License-Identifier: MIT */
/*
 * screenphys.c - the physical address space as a column of the layout
 * screen: from 0 to the top of the highest range the iomem tree knows (the
 * highest BAR, on QEMU), each top-level range of the tree a box on the same
 * broken log axis as the kernel column (core/screencol.c), RAM, firmware,
 * ACPI and MMIO/PCI in their own colours, holes drawn broken.
 *
 * A real machine has more top-level ranges than the column has rows; then
 * neighbours are merged, the smallest pair first, and the box says how many
 * ranges it stands for, so the large landmarks (RAM, the PCI hole, ECAM,
 * 64-bit BARs) stay boxes of their own.
 */
#include "iomem.h"
#include "iomemreport.h"
#include "kprintf.h"
#include "kstring.h"
#include "mmreport.h"
#include "screen.h"

static uint32_t kind_rgb(unsigned kind)
{
	switch (kind) {
	case IOK_RAM:
		return 0x3fa34d;
	case IOK_ACPI:
	case IOK_ACPI_TABLE:
		return 0x2fb5b5;
	case IOK_NVS:
		return 0x1f6f6f;
	case IOK_UNUSABLE:
		return 0x555555;
	case IOK_PMEM:
		return 0xe0e040;
	case IOK_RT_CODE:
		return 0xb04fd9;
	case IOK_RT_DATA:
		return 0xd9a0f2;
	case IOK_FW_MMIO:
		return 0x9a9a9a;
	case IOK_FLASH:
		return 0xa0522d;
	case IOK_ECAM:
		return 0x6a5acd;
	case IOK_WINDOW:
		return 0x4682b4;
	case IOK_BAR:
	case IOK_ROM:
		return 0x3a8fb7;
	case IOK_FB:
		return 0x7f7f7f;
	case IOK_LAPIC:
	case IOK_IOAPIC:
	case IOK_HPET:
		return 0xcd853f;
	default:
		return 0x8c3a3a; /* reserved and the rest */
	}
}

size_t col_physical_items(struct col_item *items, size_t cap)
{
	int count;
	const struct iomem_node *t = iomem_nodes(0, &count);
	uint64_t at = 0;
	size_t n = 0;
	char sz[24];

	for (int i = 0; i < count && n + 2 < cap; i++) {
		struct col_item *it;

		if (t[i].depth)
			continue;
		if (t[i].start < at)
			continue; /* overlaps the previous top-level range (flagged in the tree): drawn once */
		if (t[i].start > at)
			col_gap(&items[n++], at, t[i].start, " hole");
		it = &items[n++];
		memset(it, 0, sizeof(*it));
		it->start = t[i].start;
		it->end = t[i].end + 1;
		it->kind = COL_REGION;
		it->rgb = kind_rgb(t[i].kind);
		it->rss = COL_NO_RSS;
		kstrlcpy(it->label, t[i].name, sizeof(it->label));
		mm_fmt_size(it->end - it->start, sz, sizeof(sz));
		kstrlcpy(it->note, sz, sizeof(it->note));
		at = it->end;
	}
	return n;
}

/* Merge items[a] and items[a + 1] (the rest moves up). */
static size_t merge_pair(struct col_item *items, size_t n, size_t a)
{
	struct col_item *x = &items[a], *y = &items[a + 1];
	uint64_t xs = x->end - x->start, ys = y->end - y->start;
	unsigned parts = 0;
	char base[COL_LABEL], sz[24];
	const struct col_item *big = xs >= ys ? x : y;

	/* "System RAM +3": the larger part's name and how many ranges joined it. */
	kstrlcpy(base, big->label, sizeof(base));
	for (char *p = base; *p; p++)
		if (p[0] == ' ' && p[1] == '+' && p[2] >= '0' && p[2] <= '9') {
			parts = (unsigned)(p[2] - '0');
			for (char *q = p + 3; *q >= '0' && *q <= '9'; q++)
				parts = parts * 10 + (unsigned)(*q - '0');
			*p = 0;
			break;
		}
	parts += 1;
	x->kind = big->kind == COL_GAP ? COL_REGION : big->kind;
	x->rgb = big->kind == COL_GAP ? (xs >= ys ? y->rgb : x->rgb) : big->rgb;
	ksnprintf(x->label, sizeof(x->label), "%.*s +%u", (int)(sizeof(x->label) - 8), base, parts);
	x->end = y->end;
	ksnprintf(x->note, sizeof(x->note), "%s span", mm_fmt_size(x->end - x->start, sz, sizeof(sz)));
	memmove(y, y + 1, (n - a - 2) * sizeof(*items));
	return n - 1;
}

size_t col_fit_physical(struct col_item *items, size_t n, size_t rows)
{
	while (n > rows && n > 1) {
		size_t best = 0;
		uint64_t best_size = UINT64_MAX;

		/* The pair covering the fewest bytes; never two holes' worth of nothing into a region. */
		for (size_t a = 0; a + 1 < n; a++) {
			uint64_t s = items[a + 1].end - items[a].start;

			if (items[a].kind == COL_GAP && items[a + 1].kind == COL_GAP)
				s = 0;
			if (s < best_size) {
				best_size = s;
				best = a;
			}
		}
		n = merge_pair(items, n, best);
	}
	return n;
}
