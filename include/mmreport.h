/* SPDX-License-Identifier: MIT */
/*
 * mmreport.h - what the memory manager tells its reader: the kernel address
 * space (table, /proc/PID/maps lines, a memlayout.h-style diagram), the PMM
 * and heap counters, one page walk made visible, and the page-table cost.
 * Human output and JSON records as report= selects; schema in docs/records-mm.md.
 */
#ifndef ATLAS_MMREPORT_H
#define ATLAS_MMREPORT_H

#include <stddef.h>
#include <stdint.h>

#include "kvm.h"
#include "paging.h"

/* The kernel's regions (guards included): table, maps lines, diagram, {"rec":"kmap"} each. */
void report_kmap(void);

/* Physical pages: free, metadata, used by purpose, free blocks per order; {"rec":"pmm"}. */
void report_pmm(void);

/* Kernel heap: bytes and pages in use, per size class; {"rec":"heap"}. */
void report_heap(void);

/* The 9/9/9/9/12 split of va and the walk through the live kernel tables; {"rec":"walk"}. */
void report_walk(uint64_t va);

/* Page-table pages per level against the bytes they map; {"rec":"ptables"}. */
void report_pt_usage(void);

/*
 * Pure formatters (no kernel state; host-testable with core/lib/fmt.c).
 *
 * mm_fmt_size: bytes in the largest binary unit (B, KiB, MiB, GiB, TiB) that
 * keeps the value at least 1: "4 KiB", "127.5 TiB". Exact values print as
 * integers, others with one decimal rounded to nearest ("1.0 GiB" is not
 * exactly 1 GiB). Returns buf.
 */
const char *mm_fmt_size(uint64_t bytes, char *buf, size_t size);

/* "r-x" for a region: r always when mapped, w = VM_WRITE, x = VM_EXEC; "---" for a guard. Returns buf (>= 4). */
const char *mm_perm_str(const struct kregion *r, char *buf);

/*
 * One /proc/PID/maps line for r, without the newline, exactly as Linux's
 * show_map_vma() lays it out: "%08llx-%08llx rwxp %08llx 00:00 0 ", padded
 * with spaces to 72 columns, one space, then the name (which so starts at
 * column 74). Returns the length the full line would have had.
 */
int mm_maps_line(char *buf, size_t size, const struct kregion *r);

/*
 * The set PTE bits of e at level lvl (4 = PML4 .. 1 = PT) by name, in bit
 * order: "P W U PWT PCD A D PS G NX"; bit 7 is PAT (not PS) at level 1, and
 * bit 12 of a huge leaf is PAT. "-" when none. Returns buf.
 */
const char *mm_pte_flags(pte_t e, int lvl, char *buf, size_t size);

#endif
