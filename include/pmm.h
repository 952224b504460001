/* SPDX-License-Identifier: MIT */
/*
 * pmm.h - the physical memory manager: a binary buddy allocator over the RAM
 * the firmware map (and later pmm_add_range) hands it.
 *
 * Blocks are 2^order contiguous, naturally aligned 4 KiB pages, order 0 (4 KiB)
 * to PMM_MAX_ORDER (1 GiB). Allocating and freeing cost O(PMM_MAX_ORDER + log
 * spans) bookkeeping, no search through memory, plus zeroing what is handed
 * out. Metadata is about 5 bits per page of the address space it covers
 * (160 KiB per GiB), carved from the managed RAM at pmm_init.
 *
 * Boot: after ExitBootServices and memmap_normalize, pmm_init(regions, n,
 * DIRECT_MAP_BASE); once the kernel no longer needs boot-time loader data,
 * pmm_add_range() each such range.
 *
 * The PMM hands out physical addresses and touches memory only through the
 * phys->virt offset given to pmm_init (the direct map in the kernel). It never
 * maps, unmaps or flushes anything: page tables and the TLB are the caller's.
 * It has no lock: callers serialize (single CPU, no allocation from interrupt
 * handlers) until SMP brings a spinlock.
 */
#ifndef ATLAS_PMM_H
#define ATLAS_PMM_H

#include <stddef.h>
#include <stdint.h>

#include "memlayout.h"
#include "memmap.h"

/*
 * Largest block: 2^18 pages = 1 GiB, the direct map's largest page. A larger
 * top order keeps init proportional to the map (a 64 GiB region is 64 top
 * blocks, not 16384 blocks of 4 MiB) and lets 2 MiB / 1 GiB aligned runs be
 * handed out whole; it costs at most 18 merge steps per free.
 */
#define PMM_MAX_ORDER 18
#define PMM_ORDERS (PMM_MAX_ORDER + 1)
#define PMM_MAX_BLOCK (PAGE_SIZE << PMM_MAX_ORDER)
/*
 * Free blocks of this order (2 MiB) and up keep their list links in the
 * PMM's metadata, smaller ones in their first page: handing memory to the
 * PMM does not write into it (mm/pmm.c says why that matters).
 */
#define PMM_LINK_ORDER 9

/* What an allocation is for; only the statistics use it. */
enum pmm_purpose {
	PMM_PT,	   /* page-table pages */
	PMM_HEAP,  /* kernel heap backing */
	PMM_STACK, /* kernel stacks */
	PMM_USER,  /* user pages */
	PMM_OTHER, /* everything else (DMA buffers, ...) */
	PMM_FILE,  /* pages of RAM files (ramfs) */
	PMM_PURPOSES
};

/* A snapshot; total_pages == free_pages + meta_pages + sum(used_pages). */
struct pmm_stats {
	uint64_t total_pages;		   /* pages the PMM owns (init + pmm_add_range) */
	uint64_t free_pages;		   /* pages in free blocks */
	uint64_t meta_pages;		   /* pages holding the PMM's own metadata */
	uint64_t meta_base;		   /* physical address of that metadata */
	uint64_t used_pages[PMM_PURPOSES]; /* pages allocated, by purpose */
	uint64_t free_blocks[PMM_ORDERS];  /* free blocks of each order */
	uint64_t allocs, frees, failures;  /* successful calls, and allocations that returned 0 */
	uint32_t spans;	       /* separately tracked stretches of RAM (from a GiB boundary to a 2 MiB one) */
	uint64_t cached_pages; /* of free_pages: in the order-0 page cache */
	uint64_t zeroed_pages; /* of those: already cleared */
};

/*
 * Take over the usable RAM of a normalized firmware map (sorted, not
 * overlapping; memmap_normalize's output): EfiConventionalMemory and
 * EfiBootServicesCode/Data, which assumes ExitBootServices has been called.
 * Never page 0, loader code/data (the kernel image, boot stack, page tables and
 * boot_info live there: hand them over later with pmm_add_range), runtime
 * services, ACPI, reserved, MMIO, persistent or unaccepted memory, nor memory
 * at or above DIRECT_MAP_MAX_PHYS. Memory at P is accessed at P + phys_off.
 *
 * The metadata (the span table and bitmaps) goes at the start of the first
 * usable range at or above 1 MiB that holds it (below 1 MiB only if nothing
 * else does); all of it is zeroed here: about 160 KiB per GiB of covered
 * address space (10 MiB for 64 GiB), the only init cost that grows with RAM.
 * Everything else is O(regions x orders) plus one block per GiB. Of the
 * memory handed over, only the first page of each free block smaller than
 * 2 MiB is written (its list links).
 *
 * Returns 0, -EINVAL (regions unsorted, overlapping or empty) or -ENOMEM
 * (nothing usable, or no usable range large enough for the metadata). Starts
 * over from scratch when called again (the host tests do).
 */
int pmm_init(const struct mm_region *r, size_t n, uintptr_t phys_off);

/*
 * Hand [start, end) to the PMM, e.g. loader data no longer needed or ACPI
 * reclaim memory whose tables have been copied; it is trusted to be RAM
 * nobody uses. Page 0 is left out. The range must lie in the address space
 * pmm_init saw usable, loader or ACPI reclaim memory in (from the GiB
 * boundary below each to the 2 MiB boundary above). Returns 0, -EINVAL (unaligned or empty), -ERANGE
 * (outside that address space) or -EEXIST (overlaps memory the PMM already
 * owns, its metadata included); on an error nothing is added. Cost: O(orders)
 * blocks per GiB, plus a bitmap scan of the range for the overlap check.
 */
int pmm_add_range(uint64_t start, uint64_t end);

/*
 * Hand [start, end) to the PMM as pages already allocated for p, one order-0
 * block each, e.g. loader data whose pages are taken over in place (the
 * initramfs's file data becomes RAM-file pages without a copy); the owner
 * gives each back with pmm_free(phys, 0, p). Nothing is written to the
 * range. Same checks and errors as pmm_add_range, -EINVAL for a bad purpose
 * or page 0 too.
 */
int pmm_add_range_used(uint64_t start, uint64_t end, enum pmm_purpose p);

/*
 * 2^order contiguous pages aligned to their size, zeroed. Returns the
 * physical address, or 0 when no such block is free (or order >
 * PMM_MAX_ORDER); nothing is mapped. Order 0 comes from the page cache
 * first (a pre-zeroed page costs no clearing). The caller owns the block until it
 * calls pmm_free(phys, order, p). Zeroing is the dominant cost for large
 * orders (1 GiB at order 18). A bad purpose panics.
 */
uint64_t pmm_alloc(unsigned order, enum pmm_purpose p);

/*
 * n contiguous pages (any n, 1 <= n <= 2^PMM_MAX_ORDER), zeroed, aligned to
 * the power of two at or above n; the rest of that block goes straight back
 * to the free lists. Returns the physical address or 0. The caller frees it
 * with pmm_free_pages(phys, n, p), with the same n.
 */
uint64_t pmm_alloc_pages(size_t n, enum pmm_purpose p);

/*
 * Give back a block from pmm_alloc(order, p) (or pmm_alloc_pages(2^order, p)).
 * It merges with its free buddies; its contents are left as they are (the
 * next allocation zeroes), and the caller must have unmapped it (and flushed
 * the TLB) itself. An address not managed, not aligned to order, not
 * allocated (double free, inside an allocation), allocated with another order
 * or size, or more pages than are in use for p panics ("pmm: ...") naming
 * the address and the caller; nothing has changed then. p is trusted beyond
 * that: it must be the purpose the block was allocated for.
 */
void pmm_free(uint64_t phys, unsigned order, enum pmm_purpose p);

/*
 * pmm_free(phys, 0, p) for a page the caller knows is all zeros (an emptied
 * page table): it goes to the zeroed pool when there is room, so the next
 * order-0 allocation takes it without clearing it. Checked as pmm_free is.
 */
void pmm_free_zeroed(uint64_t phys, enum pmm_purpose p);

/* Give back pmm_alloc_pages(n, p)'s run; checked as pmm_free is. */
void pmm_free_pages(uint64_t phys, size_t n, enum pmm_purpose p);

/*
 * Turn the order-0 page cache on (or resize it; 0, 0 turns it off): up to
 * max_dirty freed pages are kept for the next order-0 allocation instead of
 * merging, and up to max_zeroed pages are cleared ahead of time by
 * pmm_zero_idle. Cached pages count as free. Drains what is cached now.
 */
void pmm_cache_init(uint64_t max_dirty, uint64_t max_zeroed);

/*
 * Clear up to max_pages pages into the zeroed pool (from the dirty list,
 * then the buddy lists) until it holds its maximum. For the idle loop: the
 * cost is the clearing, ~max_pages x 4 KiB of rep stosq. Returns the pages
 * cleared.
 */
uint64_t pmm_zero_idle(uint64_t max_pages);

/*
 * The kernel's page cache sizes, once at boot: up to 256 freed pages kept
 * for reuse, and a zeroed pool of 1/32 of RAM, at most 32 MiB (free memory
 * all the same: any allocation can take it).
 */
void pmm_cache_start(void);

/* Pages free now (buddy lists and page cache): pmm_get_stats's free_pages, without the copy. */
uint64_t pmm_free_count(void);

/* Pages the PMM owns: pmm_get_stats's total_pages, without the copy. */
uint64_t pmm_total_count(void);

/* Fill *s with the current counters. */
void pmm_get_stats(struct pmm_stats *s);

/* 1 when any page of [start, end) belongs to the allocator (free, handed out or its metadata), else 0. */
int pmm_owns(uint64_t start, uint64_t end);

/* "pt", "heap", "stack", "user", "other"; "?" for anything else. Never NULL. */
const char *pmm_purpose_name(enum pmm_purpose p);

/*
 * Walk every free list and check it against the bitmaps and counters:
 * O(free blocks + bitmap words). Returns 0; a broken invariant panics
 * ("mm: ..."). For tests and debugging.
 */
int pmm_verify(void);

#endif
