/* SPDX-License-Identifier: MIT */
/*
 * screen.h - the layout screen: the pictures of the memory layout drawn on
 * the framebuffer at the end of the run (screen=layout, the default).
 *
 *   +--------------------------------------------------------------+
 *   | title                                                        |
 *   | physical memory: bar by type (proportional), bar by address |
 *   | (log widths, holes dark), legend with totals                 |
 *   +-------------------+-----------+------------------------------+
 *   | kernel address    | physical  | processes: seed 001 columns, |
 *   | space (seed 002   | address   | RSS as a fill                |
 *   | column, log       | space     +------------------------------+
 *   | heights, broken   | (iomem    | results: tests, faults       |
 *   | gaps, guards)     | tree)     | caught                       |
 *   +-------------------+-----------+------------------------------+
 *
 * Every panel and every column box is also described by a JSON record
 * ({"rec":"screen"}, {"rec":"screen_type"}, {"rec":"screen_box"}; see
 * docs/records.md), so tests can find them in a screendump.
 */
#ifndef ATLAS_SCREEN_H
#define ATLAS_SCREEN_H

#include <stddef.h>
#include <stdint.h>

/*
 * Turn the console off and draw the layout screen, when there is a
 * framebuffer and screen=layout. The console keeps recording text; screen_hide
 * (or the monitor's first key) brings it back. Returns 1 when drawn.
 */
int screen_show(void);

/* Draw the layout screen whatever screen= says (the monitor's `screen`). Returns 1 when drawn. */
int screen_draw(void);

/* Give the framebuffer back to the console (redrawn from its text grid). */
void screen_hide(void);

/* 1 while the layout screen is up. */
int screen_shown(void);

/* One box of a column picture (core/report/screencol.c). */
enum col_kind {
	COL_REGION, /* mapped: filled with its colour */
	COL_GUARD,  /* deliberately unmapped page(s): hatched red */
	COL_GAP,    /* nothing mapped: dark, drawn broken (the axis skips) */
};

#define COL_LABEL 40

struct col_item {
	uint64_t start, end; /* [start, end); end 0 means 2^64 */
	enum col_kind kind;
	uint32_t rgb;
	uint64_t rss; /* bytes resident, or COL_NO_RSS */
	char label[COL_LABEL];
	char note[COL_LABEL]; /* size, permissions, ... (right of or inside the box) */
};

#define COL_NO_RSS UINT64_MAX

/* Where and how to draw a column. */
struct col_geom {
	uint32_t x_addr; /* start addresses left of the box, at x_addr; 0 = inside the box */
	uint32_t x, y, w, h;
	uint32_t x_note;   /* notes right of the box at x_note; 0 = inside the box */
	const char *panel; /* for the screen_box records: "kernel", "process" */
	int pid;	   /* for process columns */
};

/*
 * Draw items[0..n) (ascending addresses) as one column, high addresses on
 * top, heights on a broken log axis (picture.h), and emit one screen_box
 * record per box. Returns 0 or -ENOSPC when the boxes cannot get one text
 * row each (nothing drawn then).
 */
int col_draw(const struct col_item *items, size_t n, const struct col_geom *g);

/*
 * Fill *it as the gap [start, end) (end 0: 2^64): drawn dark and broken,
 * labelled "~ SIZE" followed by what ("" or " gap", " hole", ...).
 */
void col_gap(struct col_item *it, uint64_t start, uint64_t end, const char *what);

/* The kernel half as column items: regions and the gaps between them. Returns the count (<= cap). */
size_t col_kernel_items(struct col_item *items, size_t cap);

/*
 * Merge items until at most rows remain (same-named regions with the gaps
 * between them first, then the kernel stacks with their guards). Returns the
 * new count.
 */
size_t col_fit(struct col_item *items, size_t n, size_t rows);

/*
 * core/screenphys.c: the physical address space as column items (the iomem
 * tree's top-level ranges and the holes between them, 0 to the top of the
 * highest range), and a fit that merges neighbours (the smallest pair first)
 * until at most rows remain. Both return the count.
 */
size_t col_physical_items(struct col_item *items, size_t cap);
size_t col_fit_physical(struct col_item *items, size_t n, size_t rows);

struct proc_snap;
/* A finished process's parts as column items, gaps included. Returns the count (<= cap). */
size_t col_process_items(const struct proc_snap *s, struct col_item *items, size_t cap);

#endif
