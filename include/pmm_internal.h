/* SPDX-License-Identifier: MIT */
/*
 * pmm_internal.h - the PMM's own interface between its pieces: pmm.c (the
 * buddy allocator: spans, bitmaps, free lists, allocation and free),
 * pmm_cache.c (the order-0 page cache), pmm_range.c (taking memory over:
 * pmm_init, pmm_add_range, pmm_owns) and pmm_stats.c (counters, names and
 * pmm_verify). Only mm/pmm*.c include it: everyone else uses include/pmm.h.
 * Nothing here allocates or takes a lock (the PMM has none, pmm.h says why);
 * the layout of the bitmaps is described at the top of mm/pmm.c.
 */
#ifndef ATLAS_PMM_INTERNAL_H
#define ATLAS_PMM_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pmm.h"

#define WORD_BITS 64
#define SPAN_PAGES (1ULL << PMM_MAX_ORDER)
#define SPAN_SIZE PMM_MAX_BLOCK			/* a span starts on this boundary... */
#define LINK_SIZE (PAGE_SIZE << PMM_LINK_ORDER) /* ...and ends on this one */
#define PHYS_LIMIT DIRECT_MAP_MAX_PHYS		/* the direct map ends here */
#define ULL(x) ((unsigned long long)(x))

/* In the first page of every free block below PMM_LINK_ORDER; in the span's link table above. */
struct free_node {
	uint64_t next; /* next free block of the same order, or 0 */
	uint64_t prev; /* previous one, or 0 */
	uint64_t magic;
};

/* A stretch of physical address space and its bitmaps (mm/pmm.c's top comment). */
struct span {
	uint64_t base;	/* physical, SPAN_SIZE aligned */
	uint64_t pages; /* a multiple of 2^PMM_LINK_ORDER */
	uint64_t *free; /* bitmaps, in the metadata; cont, cached and head[] follow free */
	uint64_t *cont;
	uint64_t *cached;
	uint64_t *head[PMM_ORDERS];
	struct free_node *links; /* one per 2 MiB, after the bitmaps: free blocks of PMM_LINK_ORDER and up */
};

/* One list of the order-0 page cache: physical addresses, linked through each page's first word. */
struct page_list {
	uint64_t head, count, max;
};

/* The PMM's state: one PMM, set up by pmm_init (pmm_range.c). */
struct pmm_state {
	uintptr_t off;	    /* phys P is at P + off */
	struct span *spans; /* sorted by base, in the metadata */
	size_t nspans;
	uint64_t list[PMM_ORDERS]; /* first free block of each order, or 0 */
	uint32_t nonempty;	   /* bit k: list[k] is not empty */
	struct page_list dirty;	   /* freed order-0 pages, contents as they were */
	struct page_list zeroed;   /* order-0 pages cleared ahead of time (but for the link word) */
	struct pmm_stats st;
};
extern struct pmm_state pmm;

/* Where phys is in the kernel's (or the host test's) address space. */
static inline void *virt(uint64_t phys)
{
	return (void *)(uintptr_t)(phys + pmm.off);
}

/* Bit i of bitmap m; bit_set and bit_clear change it. */
static inline bool bit(const uint64_t *m, uint64_t i)
{
	return (m[i / WORD_BITS] >> (i % WORD_BITS)) & 1;
}

static inline void bit_set(uint64_t *m, uint64_t i)
{
	m[i / WORD_BITS] |= 1ULL << (i % WORD_BITS);
}

static inline void bit_clear(uint64_t *m, uint64_t i)
{
	m[i / WORD_BITS] &= ~(1ULL << (i % WORD_BITS));
}

/* Words a bitmap of bits bits takes. */
static inline uint64_t words(uint64_t bits)
{
	return (bits + WORD_BITS - 1) / WORD_BITS;
}

/* The physical end of s; page_index and page_phys convert between addresses and page indices of s. */
static inline uint64_t span_end(const struct span *s)
{
	return s->base + (s->pages << PAGE_SHIFT);
}

static inline uint64_t page_index(const struct span *s, uint64_t phys)
{
	return (phys - s->base) >> PAGE_SHIFT;
}

static inline uint64_t page_phys(const struct span *s, uint64_t idx)
{
	return s->base + (idx << PAGE_SHIFT);
}

/* ---- pmm.c ---- */

/* The span holding phys, or NULL: a binary search over the spans. */
struct span *pmm_span_of(uint64_t phys);
/* The block page idx of s lies in: its order (PMM_ORDERS if none) and, in *first, its first page. */
unsigned pmm_block_of(const struct span *s, uint64_t idx, uint64_t *first);
/* The checked links of the free order-k block at phys; panics ("mm: ...") if they were overwritten. */
struct free_node *pmm_free_node(uint64_t phys, unsigned k);
/* Free the order-k block at page idx of s (no head or free bit set for it yet), merging it with free buddies. */
void pmm_free_block(struct span *s, uint64_t idx, unsigned k);
/*
 * Take a free order-k block off the lists, splitting a larger one if need
 * be: returns its address (0: none free) and its span in *sp; no bits are set
 * for it, the caller marks it allocated.
 */
uint64_t pmm_take(unsigned k, struct span **sp);
/* Zero pages pages at phys through the offset (rep stosq in the kernel). */
void pmm_zero_pages(uint64_t phys, uint64_t pages);

/* ---- pmm_cache.c ---- */

/* Put the allocated order-0 block at phys (span s) on list l, with its cached bit. Counts it free. */
void pmm_cache_push(struct page_list *l, struct span *s, uint64_t phys);
/*
 * Take the first page of l (0: empty); it is an allocated order-0 block
 * again, not counted free. A broken link panics ("mm: ...").
 */
uint64_t pmm_cache_pop(struct page_list *l);
/* Give every cached page back to the buddy lists (a large block is wanted, or the cache goes off). */
void pmm_cache_drain(void);

#endif
