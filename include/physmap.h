/* SPDX-License-Identifier: MIT */
/*
 * physmap.h - the machine's physical memory as the kernel keeps it
 * (mm/physmap.c): the firmware's map normalized into sorted,
 * non-overlapping regions (include/memmap.h), and the part of it the page
 * allocator may have.
 *
 * The table is sized from the map at boot: a map of n descriptors
 * normalizes into at most 2n - 1 regions, so the table takes room for that
 * (and for the normalizer's scratch indices) from the largest conventional
 * memory the firmware describes, before the page allocator exists; the page
 * allocator never gets those pages.
 */
#ifndef ATLAS_PHYSMAP_H
#define ATLAS_PHYSMAP_H

#include <stddef.h>
#include <stdint.h>

#include "memmap.h"

/*
 * Normalize the raw firmware map from boot_info into the region table.
 * Returns the region count or a negative errno: -EINVAL (the map's geometry
 * is wrong), -ENOMEM (no conventional memory can hold the table). Call once,
 * before pmm_init; the table stays valid for the life of the kernel.
 */
long memmap_load(void);

/* The normalized map, sorted by address; *stats (may be NULL) what was wrong with the raw one. */
const struct mm_region *memmap_regions(size_t *count, const struct memmap_stats **stats);

/*
 * The normalized map as the page allocator gets it: without
 * [0, PHYS_LOW_RESERVED_END) (include/memlayout.h says why) and without the
 * pages that hold these tables.
 */
const struct mm_region *memmap_allocatable(size_t *count);

/* Where the tables live: [*phys, *phys + bytes), bytes returned (0 before memmap_load). */
uint64_t memmap_table(uint64_t *phys);

#endif
