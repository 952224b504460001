/* SPDX-License-Identifier: MIT */
/*
 * pmm_cache.c - the PMM's order-0 page cache (see pmm.h for the interface).
 *
 * The cache (off until pmm_cache_init) sits in front of the buddy lists
 * (pmm.c), for the page-at-a-time traffic of demand faults: a freed page
 * goes onto a "dirty" list instead of merging, and the idle loop
 * (pmm_zero_idle) moves pages from there, or from the buddy lists, onto a
 * "zeroed" list, clearing them while the CPU has nothing else to do. An
 * order-0 allocation takes a zeroed page first (no clearing on the fault
 * path), then a dirty one (cleared now), then the buddy lists. Cached pages
 * stay allocated order-0 blocks as far as the bitmaps go (so they never
 * merge) and carry the cached bit, which turns a second free of one into its
 * own panic; both lists are threaded through the pages' first word (a zeroed
 * page gets its first word cleared when it is handed out). The counters
 * count cached pages as free: free_pages == buddy + cached. Apart from the
 * buddy system because it is a policy on top of it: pmm.c's allocation and
 * free paths only push and pop here.
 */
#include "pmm.h"

#include "panic.h"
#include "pmm_internal.h"

/* Put the allocated order-0 block at phys (span s) on list l. Counts it free. */
void pmm_cache_push(struct page_list *l, struct span *s, uint64_t phys)
{
	*(uint64_t *)virt(phys) = l->head;
	l->head = phys;
	l->count++;
	bit_set(s->cached, page_index(s, phys));
	pmm.st.free_pages++;
}

/* Take the first page of l (0: empty); it is an allocated order-0 block again, not counted free. */
uint64_t pmm_cache_pop(struct page_list *l)
{
	uint64_t phys = l->head;
	struct span *s;

	if (!phys)
		return 0;
	s = pmm_span_of(phys);
	if (!s || (phys & (PAGE_SIZE - 1)) || !bit(s->cached, page_index(s, phys)))
		panic("mm: page cache link %#llx is broken: use after free?", ULL(phys));
	l->head = *(uint64_t *)virt(phys);
	*(uint64_t *)virt(phys) = 0; /* the link word: a zeroed page is all zero again */
	l->count--;
	bit_clear(s->cached, page_index(s, phys));
	pmm.st.free_pages--;
	return phys;
}

/* Give every cached page back to the buddy lists (a large block is wanted, or the cache goes off). */
void pmm_cache_drain(void)
{
	struct page_list *lists[] = { &pmm.dirty, &pmm.zeroed };

	for (size_t i = 0; i < 2; i++) {
		uint64_t phys;

		while ((phys = pmm_cache_pop(lists[i])) != 0) {
			struct span *s = pmm_span_of(phys);
			uint64_t idx = page_index(s, phys);

			bit_clear(s->head[0], idx);
			pmm_free_block(s, idx, 0);
		}
	}
}

void pmm_cache_init(uint64_t max_dirty, uint64_t max_zeroed)
{
	pmm_cache_drain();
	pmm.dirty.max = max_dirty;
	pmm.zeroed.max = max_zeroed;
}

#define CACHE_DIRTY_MAX 256
#define CACHE_ZEROED_MAX 8192 /* 32 MiB */

void pmm_cache_start(void)
{
	uint64_t z = pmm.st.total_pages / 32;

	pmm_cache_init(CACHE_DIRTY_MAX, z < CACHE_ZEROED_MAX ? z : CACHE_ZEROED_MAX);
}

uint64_t pmm_zero_idle(uint64_t max_pages)
{
	uint64_t done = 0;

	while (done < max_pages && pmm.zeroed.count < pmm.zeroed.max) {
		struct span *s;
		uint64_t phys = pmm_cache_pop(&pmm.dirty);

		if (!phys) {
			phys = pmm_take(0, &s);
			if (!phys)
				break;
			bit_set(s->head[0], page_index(s, phys));
		}
		s = pmm_span_of(phys);
		pmm_zero_pages(phys, 1);
		pmm_cache_push(&pmm.zeroed, s, phys);
		done++;
	}
	return done;
}
