/* SPDX-License-Identifier: MIT */
/*
 * pmm.c - the physical memory manager: a binary buddy allocator. This file
 * holds the buddy system itself (spans, bitmaps, free lists, allocation and
 * free); the order-0 page cache in front of it is pmm_cache.c, taking memory
 * over (pmm_init, pmm_add_range) pmm_range.c, the counters and pmm_verify
 * pmm_stats.c. What they share is in pmm_internal.h.
 *
 * Physical address space is tracked in spans: stretches that start on a
 * 1 GiB boundary and end on a 2 MiB one, holding usable RAM (or RAM
 * pmm_add_range may get later: loader data, ACPI reclaim). Regions whose GiBs
 * touch share a span; a gap of at least one empty GiB starts a new one, so a
 * map with RAM at 4 GiB and at 256 GiB costs metadata for what lies in two
 * GiBs, not 253. Each span has its own bitmaps (page i is base + i *
 * PAGE_SIZE; block i of order k is pages [i << k, (i + 1) << k)):
 *
 *   head[k]  1 bit/block  block i of order k is a block of exactly order k,
 *                         free or allocated: ~2 bits/page over all orders
 *   free     1 bit/page   the page starts a free block
 *   cont     1 bit/page   the page starts a later piece of a pmm_alloc_pages
 *                         run (n pages are kept as the blocks of n's binary
 *                         expansion, largest first)
 *   cached   1 bit/page   the page is in the order-0 page cache (pmm_cache.c)
 *
 * and one list link per 2 MiB (below): about 5 bits per page, 160 KiB per GiB
 * of span, all zeroed at init: that memset is the only init cost that grows
 * with RAM; the rest is O(regions x orders). Every page the PMM owns, except
 * its metadata, lies in exactly one block, so a free is checked against the
 * bitmaps alone, never against the memory being freed, and a double free, a
 * wrong order or size, a pointer into an allocation and an address the PMM
 * does not own each get their own panic.
 *
 * Free blocks are on one doubly linked list per order (physical addresses; 0
 * ends a list, page 0 never being managed). A block below order
 * PMM_LINK_ORDER (2 MiB) keeps its links in its first page, with a magic
 * that catches a use after free writing over them; a block of 2 MiB or more
 * keeps them in the span's link table, one entry per 2 MiB. So handing the
 * PMM a range writes nothing into the range itself but the first page of its
 * small edge blocks: memory nobody has used stays untouched until it is
 * handed out (under a hypervisor the first write to a guest page is what
 * costs: ~45,000 TSC ticks a page under QEMU here, docs/bench.md "Noise"). A
 * bitmask of non-empty lists finds the smallest fitting block at once, a free
 * merges while the buddy is a free block of the same order: both O(orders),
 * plus a binary search over the spans (usually 1-3) for the address's span.
 *
 * The order-0 page cache (pmm_cache.c) sits in front of the buddy lists;
 * cached pages stay allocated order-0 blocks as far as the bitmaps go and
 * count as free. A block larger than one page that the buddy lists cannot
 * supply drains the cache and tries again.
 */
#include "pmm.h"

#include <stdbool.h>

#include "kernel.h"
#include "kstring.h"
#include "panic.h"
#include "pmm_internal.h"

#define FREE_MAGIC 0x46524545424c4f43ULL /* "FREEBLOC", xored with the block's address and order */

struct pmm_state pmm;

/* ---- spans ----------------------------------------------------------------- */

struct span *pmm_span_of(uint64_t phys)
{
	size_t lo = 0, hi = pmm.nspans;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (phys < pmm.spans[mid].base)
			hi = mid;
		else if (phys >= span_end(&pmm.spans[mid]))
			lo = mid + 1;
		else
			return &pmm.spans[mid];
	}
	return NULL;
}

/* The block page idx lies in: its order (PMM_ORDERS if none) and first page. */
unsigned pmm_block_of(const struct span *s, uint64_t idx, uint64_t *first)
{
	unsigned k;

	for (k = 0; k < PMM_ORDERS; k++) {
		*first = idx & ~((1ULL << k) - 1);
		if (bit(s->head[k], *first >> k))
			break;
	}
	return k;
}

static inline bool is_meta(uint64_t phys)
{
	return phys - pmm.st.meta_base < (pmm.st.meta_pages << PAGE_SHIFT);
}

/* ---- free lists ------------------------------------------------------------ */

static inline uint64_t node_magic(uint64_t phys, unsigned k)
{
	return FREE_MAGIC ^ phys ^ k;
}

/* Where the links of the free order-k block at phys live (not checked). */
static struct free_node *node_at(uint64_t phys, unsigned k)
{
	struct span *s;

	if (k < PMM_LINK_ORDER)
		return virt(phys);
	s = pmm_span_of(phys);
	if (!s)
		panic("mm: free block %#llx (order %u) outside every span", ULL(phys), k);
	return &s->links[(phys - s->base) / LINK_SIZE];
}

struct free_node *pmm_free_node(uint64_t phys, unsigned k)
{
	struct free_node *f = node_at(phys, k);

	if (f->magic != node_magic(phys, k))
		panic("mm: free block %#llx (order %u) was overwritten: use after free?", ULL(phys), k);
	return f;
}

static void list_push(uint64_t phys, unsigned k)
{
	struct free_node *f = node_at(phys, k);

	f->next = pmm.list[k];
	f->prev = 0;
	f->magic = node_magic(phys, k);
	if (f->next)
		pmm_free_node(f->next, k)->prev = phys;
	pmm.list[k] = phys;
	pmm.nonempty |= 1U << k;
	pmm.st.free_blocks[k]++;
	pmm.st.free_pages += 1ULL << k;
}

static void list_del(uint64_t phys, unsigned k)
{
	struct free_node *f = pmm_free_node(phys, k);

	if (f->prev)
		pmm_free_node(f->prev, k)->next = f->next;
	else
		pmm.list[k] = f->next;
	if (f->next)
		pmm_free_node(f->next, k)->prev = f->prev;
	if (!pmm.list[k])
		pmm.nonempty &= ~(1U << k);
	f->magic = 0;
	pmm.st.free_blocks[k]--;
	pmm.st.free_pages -= 1ULL << k;
}

/* ---- the buddy system ------------------------------------------------------ */

/* Free the order-k block at page idx of s (no bit set for it yet), merging it with free buddies. */
void pmm_free_block(struct span *s, uint64_t idx, unsigned k)
{
	for (; k < PMM_MAX_ORDER; k++) {
		uint64_t buddy = idx ^ (1ULL << k);

		if (buddy >= s->pages || !bit(s->head[k], buddy >> k) || !bit(s->free, buddy))
			break;
		list_del(page_phys(s, buddy), k);
		bit_clear(s->head[k], buddy >> k);
		bit_clear(s->free, buddy);
		idx &= ~(1ULL << k);
	}
	bit_set(s->head[k], idx >> k);
	bit_set(s->free, idx);
	list_push(page_phys(s, idx), k);
}

/* Take a free order-k block, splitting a larger one if need be: its address (0: none), no bits set. */
uint64_t pmm_take(unsigned k, struct span **sp)
{
	uint32_t avail = pmm.nonempty >> k;
	unsigned j;
	uint64_t phys, idx;
	struct span *s;

	if (!avail)
		return 0;
	j = k + (unsigned)__builtin_ctz(avail);
	phys = pmm.list[j];
	s = pmm_span_of(phys);
	if (!s)
		panic("mm: free block %#llx (order %u) outside every span", ULL(phys), j);
	list_del(phys, j);
	idx = page_index(s, phys);
	bit_clear(s->head[j], idx >> j);
	bit_clear(s->free, idx);
	while (j-- > k) {
		uint64_t upper = idx + (1ULL << j);

		bit_set(s->head[j], upper >> j);
		bit_set(s->free, upper);
		list_push(page_phys(s, upper), j);
	}
	*sp = s;
	return phys;
}

/*
 * Zero pages through the offset: the dominant cost of large allocations
 * (order 18 clears 1 GiB). The kernel's memset is a byte loop, so rep stosq.
 */
void pmm_zero_pages(uint64_t phys, uint64_t pages)
{
#ifdef ATLAS_HOST
	memset(virt(phys), 0, pages << PAGE_SHIFT);
#else
	void *dst = virt(phys);
	uint64_t count = pages << (PAGE_SHIFT - 3);

	__asm__ volatile("rep stosq" : "+D"(dst), "+c"(count) : "a"(0ULL) : "memory");
#endif
}

/* ---- allocating and freeing ---------------------------------------------- */

/* n pages (0: fail); pmm_alloc(k) is the run of 2^k pages, a single piece. */
static uint64_t alloc_run(uint64_t n, enum pmm_purpose p, const void *caller)
{
	struct span *s;
	uint64_t phys, idx, off = 0;
	unsigned k = 0;

	if ((unsigned)p >= PMM_PURPOSES)
		panic("pmm: bad purpose %d (caller %p)", (int)p, caller);
	if (n == 1 && (pmm.zeroed.count || pmm.dirty.count)) {
		/* The page cache first: a zeroed page needs no clearing. */
		phys = pmm_cache_pop(&pmm.zeroed);
		if (!phys) {
			phys = pmm_cache_pop(&pmm.dirty);
			pmm_zero_pages(phys, 1);
		}
		pmm.st.used_pages[p]++;
		pmm.st.allocs++;
		return phys;
	}
	while (k < PMM_ORDERS && (1ULL << k) < n)
		k++;
	phys = n && k <= PMM_MAX_ORDER ? pmm_take(k, &s) : 0;
	if (!phys && n && k <= PMM_MAX_ORDER && (pmm.zeroed.count || pmm.dirty.count)) {
		pmm_cache_drain();
		phys = pmm_take(k, &s);
	}
	if (!phys) {
		pmm.st.failures++;
		return 0;
	}
	idx = page_index(s, phys);
	for (unsigned j = PMM_ORDERS; j-- > 0;) {
		if (n & (1ULL << j)) {
			bit_set(s->head[j], (idx + off) >> j);
			if (off)
				bit_set(s->cont, idx + off);
			off += 1ULL << j;
		}
	}
	/* The tail goes back as the largest aligned blocks that fit, smallest first. */
	while (off < (1ULL << k)) {
		unsigned j = (unsigned)__builtin_ctzll(off);

		pmm_free_block(s, idx + off, j);
		off += 1ULL << j;
	}
	pmm_zero_pages(phys, n);
	pmm.st.used_pages[p] += n;
	pmm.st.allocs++;
	return phys;
}

uint64_t pmm_alloc(unsigned order, enum pmm_purpose p)
{
	return alloc_run(order > PMM_MAX_ORDER ? 0 : 1ULL << order, p, __builtin_return_address(0));
}

uint64_t pmm_alloc_pages(size_t n, enum pmm_purpose p)
{
	return alloc_run(n, p, __builtin_return_address(0));
}

#define FREE_FMT "pmm: free of %#llx (pages: %llu): "
#define FREE_ARGS ULL(req), ULL(n)

/*
 * Panic unless the order-k block at phys is allocated and is piece number
 * "later" (0: the first) of the n-page run at req. Changes nothing.
 */
static void check_piece(uint64_t req, uint64_t n, uint64_t phys, unsigned k, bool later, const void *caller)
{
	struct span *s = pmm_span_of(phys);
	uint64_t idx, first;
	unsigned j;

	if (phys & ((PAGE_SIZE << k) - 1))
		panic(FREE_FMT "%#llx is not aligned to order %u (caller %p)", FREE_ARGS, ULL(phys), k, caller);
	if (!s || (j = pmm_block_of(s, page_index(s, phys), &first)) == PMM_ORDERS)
		panic(FREE_FMT "%#llx %s (caller %p)", FREE_ARGS, ULL(phys),
		      is_meta(phys) ? "holds the PMM's metadata" : "is not memory the PMM manages", caller);
	idx = page_index(s, phys);
	if (bit(s->cached, idx))
		panic(FREE_FMT "%#llx is already free: it is in the page cache (double free?) (caller %p)", FREE_ARGS,
		      ULL(phys), caller);
	if (bit(s->free, first))
		panic(FREE_FMT "%#llx is not allocated: it is in the free order-%u block at %#llx (double free?) "
			       "(caller %p)",
		      FREE_ARGS, ULL(phys), j, ULL(page_phys(s, first)), caller);
	if (first != idx)
		panic(FREE_FMT "%#llx is inside the order-%u block at %#llx (caller %p)", FREE_ARGS, ULL(phys), j,
		      ULL(page_phys(s, first)), caller);
	if (j != k)
		panic(FREE_FMT "%#llx is an order-%u block, not order %u (caller %p)", FREE_ARGS, ULL(phys), j, k,
		      caller);
	if (bit(s->cont, idx) != later)
		panic(FREE_FMT "%#llx %s (caller %p)", FREE_ARGS, ULL(phys),
		      later ? "is a separate allocation, the run is shorter" : "continues an allocation below it",
		      caller);
}

static void free_run(uint64_t req, uint64_t n, enum pmm_purpose p, const void *caller, bool zeroed)
{
	uint64_t off = 0, end;
	struct span *s;

	for (unsigned j = PMM_ORDERS; j-- > 0;) {
		if (n & (1ULL << j)) {
			check_piece(req, n, req + (off << PAGE_SHIFT), j, off != 0, caller);
			off += 1ULL << j;
		}
	}
	s = pmm_span_of(req);
	end = page_index(s, req) + n;
	if (end < s->pages && bit(s->cont, end))
		panic(FREE_FMT "the allocation goes on at %#llx (caller %p)", FREE_ARGS, ULL(page_phys(s, end)),
		      caller);
	if ((unsigned)p >= PMM_PURPOSES)
		panic(FREE_FMT "bad purpose %d (caller %p)", FREE_ARGS, (int)p, caller);
	if (pmm.st.used_pages[p] < n)
		panic(FREE_FMT "only %llu pages are in use as %s (caller %p)", FREE_ARGS, ULL(pmm.st.used_pages[p]),
		      pmm_purpose_name(p), caller);
	/* Checked: now change things. A single page goes to the page cache while there is room. */
	if (n == 1 && zeroed && pmm.zeroed.count < pmm.zeroed.max) {
		pmm_cache_push(&pmm.zeroed, s, req);
		pmm.st.used_pages[p]--;
		pmm.st.frees++;
		return;
	}
	if (n == 1 && pmm.dirty.count < pmm.dirty.max) {
		pmm_cache_push(&pmm.dirty, s, req);
		pmm.st.used_pages[p]--;
		pmm.st.frees++;
		return;
	}
	off = 0;
	for (unsigned j = PMM_ORDERS; j-- > 0;) {
		if (n & (1ULL << j)) {
			uint64_t idx = page_index(s, req) + off;

			bit_clear(s->head[j], idx >> j);
			bit_clear(s->cont, idx);
			pmm_free_block(s, idx, j);
			off += 1ULL << j;
		}
	}
	pmm.st.used_pages[p] -= n;
	pmm.st.frees++;
}

void pmm_free(uint64_t phys, unsigned order, enum pmm_purpose p)
{
	if (order > PMM_MAX_ORDER)
		panic("pmm: free of %#llx: order %u > %u (caller %p)", ULL(phys), order, PMM_MAX_ORDER,
		      __builtin_return_address(0));
	free_run(phys, 1ULL << order, p, __builtin_return_address(0), false);
}

void pmm_free_zeroed(uint64_t phys, enum pmm_purpose p)
{
	free_run(phys, 1, p, __builtin_return_address(0), true);
}

void pmm_free_pages(uint64_t phys, size_t n, enum pmm_purpose p)
{
	if (!n || n > SPAN_PAGES)
		panic("pmm: free of %#llx: bad page count %llu (caller %p)", ULL(phys), ULL(n),
		      __builtin_return_address(0));
	free_run(phys, n, p, __builtin_return_address(0), false);
}
