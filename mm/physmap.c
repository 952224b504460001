/* SPDX-License-Identifier: MIT */
/*
 * physmap.c - the kernel's table of physical memory, normalized from the
 * firmware's map (see physmap.h), in pages the map itself offers.
 *
 * Nothing can allocate yet when the map is read: the page allocator is
 * built from this very table. So the table's home is chosen from the raw
 * map: the conventional-memory descriptor that ends highest, is large
 * enough, lies above the memory real-mode code can reach and inside the
 * direct map, and that no other descriptor overlaps (a map that says two
 * things about a page is believed in its least usable reading, and such a
 * page is no home). The table takes the top of it, and memmap_allocatable()
 * leaves those pages out, as it leaves out low memory.
 */
#include "physmap.h"

#include "kernel.h"
#include "kerrno.h"
#include "kstring.h"
#include "memlayout.h"

static struct mm_region *regions, *allocatable;
static size_t nregions, nallocatable;
static struct memmap_stats mstats;
static uint64_t table_phys, table_bytes;

/* Descriptor i of the raw map, copied out (the raw map is stepped by desc_size and may be unaligned). */
static struct efi_mem_desc raw_desc(const uint8_t *raw, size_t desc_size, size_t i)
{
	struct efi_mem_desc d;

	memcpy(&d, raw + i * desc_size, sizeof(d));
	return d;
}

/* Does any descriptor but skip say something about [start, end)? */
static int overlapped(const uint8_t *raw, size_t desc_size, size_t count, size_t skip, uint64_t start, uint64_t end)
{
	for (size_t i = 0; i < count; i++) {
		struct efi_mem_desc d = raw_desc(raw, desc_size, i);
		uint64_t len = d.num_pages << EFI_PAGE_SHIFT;

		if (i == skip || !d.num_pages || d.num_pages > (UINT64_MAX - d.phys_start) >> EFI_PAGE_SHIFT)
			continue;
		if (d.phys_start < end && d.phys_start + len > start)
			return 1;
	}
	return 0;
}

/* The physical address of bytes (page multiple) for the table, or 0 when no conventional memory fits. */
static uint64_t find_home(const uint8_t *raw, size_t desc_size, size_t count, uint64_t bytes)
{
	uint64_t best = 0;

	for (size_t i = 0; i < count; i++) {
		struct efi_mem_desc d = raw_desc(raw, desc_size, i);
		uint64_t end, start;

		if (d.type != EFI_CONVENTIONAL_MEMORY || (d.phys_start & (PAGE_SIZE - 1)) ||
		    d.phys_start > DIRECT_MAP_MAX_PHYS ||
		    d.num_pages > (DIRECT_MAP_MAX_PHYS - d.phys_start) >> EFI_PAGE_SHIFT)
			continue;
		end = d.phys_start + (d.num_pages << EFI_PAGE_SHIFT);
		if (end - d.phys_start < bytes || end - bytes < PHYS_LOW_RESERVED_END || end - bytes < d.phys_start)
			continue;
		start = end - bytes;
		if (start > best && !overlapped(raw, desc_size, count, i, start, end))
			best = start;
	}
	return best;
}

/* allocatable[] = regions[] without low memory and without [table_phys, table_phys + table_bytes). */
static void clip_allocatable(void)
{
	uint64_t t0 = table_phys, t1 = table_phys + table_bytes;
	size_t n = 0;

	for (size_t i = 0; i < nregions; i++) {
		struct mm_region r = regions[i];

		if (r.end <= PHYS_LOW_RESERVED_END)
			continue;
		if (r.start < PHYS_LOW_RESERVED_END)
			r.start = PHYS_LOW_RESERVED_END;
		if (r.start < t1 && r.end > t0) {
			/* The table sits in this region: keep what lies below and above it. */
			if (r.start < t0) {
				allocatable[n] = r;
				allocatable[n++].end = t0;
			}
			if (r.end <= t1)
				continue;
			r.start = t1;
		}
		allocatable[n++] = r;
	}
	nallocatable = n;
}

long memmap_load(void)
{
	const uint8_t *raw = PHYS_TO_DIRECT(g_boot->memmap);
	size_t desc_size = g_boot->desc_size, count, cap;
	long n;

	if (memmap_check(g_boot->memmap_size, desc_size) || !g_boot->memmap_size)
		return -EINVAL;
	count = g_boot->memmap_size / desc_size;
	/*
	 * At most 2n - 1 regions, and the sweep's packed indices (memmap.c) fit
	 * beside them, so the normalizer never takes its quadratic path. The
	 * allocatable copy can have one region more: the table may split one.
	 */
	cap = 2 * count + (count + 3) / 4;
	table_bytes = ALIGN_UP((cap + cap + 1) * sizeof(struct mm_region), PAGE_SIZE);
	table_phys = find_home(raw, desc_size, count, table_bytes);
	if (!table_phys) {
		table_bytes = 0;
		return -ENOMEM;
	}
	regions = PHYS_TO_DIRECT(table_phys);
	allocatable = regions + cap;
	n = memmap_normalize(raw, g_boot->memmap_size, desc_size, regions, cap, &mstats);
	nregions = n > 0 ? (size_t)n : 0;
	clip_allocatable();
	kdebug("memmap: %zu regions from %zu descriptors; table of %llu KiB at phys 0x%llx\n", nregions, count,
	       (unsigned long long)table_bytes >> 10, (unsigned long long)table_phys);
	return n;
}

const struct mm_region *memmap_regions(size_t *count, const struct memmap_stats **stats)
{
	*count = nregions;
	if (stats)
		*stats = &mstats;
	return regions;
}

const struct mm_region *memmap_allocatable(size_t *count)
{
	*count = nallocatable;
	return allocatable;
}

uint64_t memmap_table(uint64_t *phys)
{
	*phys = table_phys;
	return table_bytes;
}
