/* SPDX-License-Identifier: MIT */
/*
 * pmm.c - the physical memory manager: a binary buddy allocator.
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
 *   cached   1 bit/page   the page is in the order-0 page cache (below)
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
 * The order-0 page cache (off until pmm_cache_init) sits in front of the
 * buddy lists, for the page-at-a-time traffic of demand faults: a freed
 * page goes onto a "dirty" list instead of merging, and the idle loop
 * (pmm_zero_idle) moves pages from there, or from the buddy lists, onto a
 * "zeroed" list, clearing them while the CPU has nothing else to do. An
 * order-0 allocation takes a zeroed page first (no clearing on the fault
 * path), then a dirty one (cleared now), then the buddy lists. Cached pages
 * stay allocated order-0 blocks as far as the bitmaps go (so they never
 * merge) and carry the cached bit, which turns a second free of one into
 * its own panic; both lists are threaded through the pages' first word (a
 * zeroed page gets its first word cleared when it is handed out). The
 * counters count cached pages as free: free_pages == buddy + cached. A
 * block larger than one page that the buddy lists cannot supply drains the
 * cache and tries again.
 */
#include "pmm.h"

#include <stdbool.h>

#include "kernel.h"
#include "kerrno.h"
#include "kstring.h"
#include "panic.h"

#define WORD_BITS 64
#define SPAN_PAGES (1ULL << PMM_MAX_ORDER)
#define SPAN_SIZE PMM_MAX_BLOCK			/* a span starts on this boundary... */
#define LINK_SIZE (PAGE_SIZE << PMM_LINK_ORDER) /* ...and ends on this one */
#define PHYS_LIMIT DIRECT_MAP_MAX_PHYS		/* the direct map ends here */
#define FREE_MAGIC 0x46524545424c4f43ULL	/* "FREEBLOC", xored with the block's address and order */
#define ULL(x) ((unsigned long long)(x))

/* In the first page of every free block below PMM_LINK_ORDER; in the span's link table above. */
struct free_node {
	uint64_t next; /* next free block of the same order, or 0 */
	uint64_t prev; /* previous one, or 0 */
	uint64_t magic;
};

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

static struct {
	uintptr_t off;	    /* phys P is at P + off */
	struct span *spans; /* sorted by base, in the metadata */
	size_t nspans;
	uint64_t list[PMM_ORDERS]; /* first free block of each order, or 0 */
	uint32_t nonempty;	   /* bit k: list[k] is not empty */
	struct page_list dirty;	   /* freed order-0 pages, contents as they were */
	struct page_list zeroed;   /* order-0 pages cleared ahead of time (but for the link word) */
	struct pmm_stats st;
} pmm;

static const char *const purpose_names[PMM_PURPOSES] = {
	[PMM_PT] = "pt",     [PMM_HEAP] = "heap",   [PMM_STACK] = "stack",
	[PMM_USER] = "user", [PMM_OTHER] = "other", [PMM_FILE] = "file",
};

static inline void *virt(uint64_t phys)
{
	return (void *)(uintptr_t)(phys + pmm.off);
}

/* ---- bitmaps and spans --------------------------------------------------- */

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

/* Is any bit in [a, b) set? Whole zero words are skipped. */
static bool any_bit(const uint64_t *m, uint64_t a, uint64_t b)
{
	while (a < b) {
		if (a % WORD_BITS == 0 && b - a >= WORD_BITS && !m[a / WORD_BITS])
			a += WORD_BITS;
		else if (bit(m, a++))
			return true;
	}
	return false;
}

static inline uint64_t words(uint64_t bits)
{
	return (bits + WORD_BITS - 1) / WORD_BITS;
}

/*
 * Lay out a span's bitmaps and link table from *cursor on (if cursor is not
 * NULL); returns the words they take. head[k] has a bit for a last block that
 * would run past the span's end too (never set), so every index a page maps
 * to exists.
 */
static uint64_t span_bitmaps(struct span *s, uint64_t pages, uint64_t *cursor)
{
	uint64_t n = 3 * words(pages);

	if (cursor) {
		s->free = cursor;
		s->cont = cursor + words(pages);
		s->cached = cursor + 2 * words(pages);
	}
	for (unsigned k = 0; k < PMM_ORDERS; k++) {
		if (cursor)
			s->head[k] = cursor + n;
		n += words((pages + (1ULL << k) - 1) >> k);
	}
	if (cursor)
		s->links = (struct free_node *)(cursor + n);
	n += (pages >> PMM_LINK_ORDER) * (sizeof(struct free_node) / sizeof(uint64_t));
	return n;
}

static inline uint64_t span_end(const struct span *s)
{
	return s->base + (s->pages << PAGE_SHIFT);
}

static struct span *span_of(uint64_t phys)
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

static inline uint64_t page_index(const struct span *s, uint64_t phys)
{
	return (phys - s->base) >> PAGE_SHIFT;
}

static inline uint64_t page_phys(const struct span *s, uint64_t idx)
{
	return s->base + (idx << PAGE_SHIFT);
}

/* The block page idx lies in: its order (PMM_ORDERS if none) and first page. */
static unsigned block_of(const struct span *s, uint64_t idx, uint64_t *first)
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
	s = span_of(phys);
	if (!s)
		panic("mm: free block %#llx (order %u) outside every span", ULL(phys), k);
	return &s->links[(phys - s->base) / LINK_SIZE];
}

static struct free_node *node(uint64_t phys, unsigned k)
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
		node(f->next, k)->prev = phys;
	pmm.list[k] = phys;
	pmm.nonempty |= 1U << k;
	pmm.st.free_blocks[k]++;
	pmm.st.free_pages += 1ULL << k;
}

static void list_del(uint64_t phys, unsigned k)
{
	struct free_node *f = node(phys, k);

	if (f->prev)
		node(f->prev, k)->next = f->next;
	else
		pmm.list[k] = f->next;
	if (f->next)
		node(f->next, k)->prev = f->prev;
	if (!pmm.list[k])
		pmm.nonempty &= ~(1U << k);
	f->magic = 0;
	pmm.st.free_blocks[k]--;
	pmm.st.free_pages -= 1ULL << k;
}

/* ---- the buddy system ------------------------------------------------------ */

/* Free the order-k block at page idx of s (no bit set for it yet), merging it with free buddies. */
static void free_block(struct span *s, uint64_t idx, unsigned k)
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
static uint64_t take(unsigned k, struct span **sp)
{
	uint32_t avail = pmm.nonempty >> k;
	unsigned j;
	uint64_t phys, idx;
	struct span *s;

	if (!avail)
		return 0;
	j = k + (unsigned)__builtin_ctz(avail);
	phys = pmm.list[j];
	s = span_of(phys);
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
static void zero_pages(uint64_t phys, uint64_t pages)
{
#ifdef ATLAS_HOST
	memset(virt(phys), 0, pages << PAGE_SHIFT);
#else
	void *dst = virt(phys);
	uint64_t count = pages << (PAGE_SHIFT - 3);

	__asm__ volatile("rep stosq" : "+D"(dst), "+c"(count) : "a"(0ULL) : "memory");
#endif
}

/* ---- the order-0 page cache ------------------------------------------------ */

/* Put the allocated order-0 block at phys (span s) on list l. Counts it free. */
static void cache_push(struct page_list *l, struct span *s, uint64_t phys)
{
	*(uint64_t *)virt(phys) = l->head;
	l->head = phys;
	l->count++;
	bit_set(s->cached, page_index(s, phys));
	pmm.st.free_pages++;
}

/* Take the first page of l (0: empty); it is an allocated order-0 block again, not counted free. */
static uint64_t cache_pop(struct page_list *l)
{
	uint64_t phys = l->head;
	struct span *s;

	if (!phys)
		return 0;
	s = span_of(phys);
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
static void cache_drain(void)
{
	struct page_list *lists[] = { &pmm.dirty, &pmm.zeroed };

	for (size_t i = 0; i < 2; i++) {
		uint64_t phys;

		while ((phys = cache_pop(lists[i])) != 0) {
			struct span *s = span_of(phys);
			uint64_t idx = page_index(s, phys);

			bit_clear(s->head[0], idx);
			free_block(s, idx, 0);
		}
	}
}

void pmm_cache_init(uint64_t max_dirty, uint64_t max_zeroed)
{
	cache_drain();
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
		uint64_t phys = cache_pop(&pmm.dirty);

		if (!phys) {
			phys = take(0, &s);
			if (!phys)
				break;
			bit_set(s->head[0], page_index(s, phys));
		}
		s = span_of(phys);
		zero_pages(phys, 1);
		cache_push(&pmm.zeroed, s, phys);
		done++;
	}
	return done;
}

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
		phys = cache_pop(&pmm.zeroed);
		if (!phys) {
			phys = cache_pop(&pmm.dirty);
			zero_pages(phys, 1);
		}
		pmm.st.used_pages[p]++;
		pmm.st.allocs++;
		return phys;
	}
	while (k < PMM_ORDERS && (1ULL << k) < n)
		k++;
	phys = n && k <= PMM_MAX_ORDER ? take(k, &s) : 0;
	if (!phys && n && k <= PMM_MAX_ORDER && (pmm.zeroed.count || pmm.dirty.count)) {
		cache_drain();
		phys = take(k, &s);
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

		free_block(s, idx + off, j);
		off += 1ULL << j;
	}
	zero_pages(phys, n);
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
	struct span *s = span_of(phys);
	uint64_t idx, first;
	unsigned j;

	if (phys & ((PAGE_SIZE << k) - 1))
		panic(FREE_FMT "%#llx is not aligned to order %u (caller %p)", FREE_ARGS, ULL(phys), k, caller);
	if (!s || (j = block_of(s, page_index(s, phys), &first)) == PMM_ORDERS)
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
	s = span_of(req);
	end = page_index(s, req) + n;
	if (end < s->pages && bit(s->cont, end))
		panic(FREE_FMT "the allocation goes on at %#llx (caller %p)", FREE_ARGS, ULL(page_phys(s, end)),
		      caller);
	if ((unsigned)p >= PMM_PURPOSES)
		panic(FREE_FMT "bad purpose %d (caller %p)", FREE_ARGS, (int)p, caller);
	if (pmm.st.used_pages[p] < n)
		panic(FREE_FMT "only %llu pages are in use as %s (caller %p)", FREE_ARGS, ULL(pmm.st.used_pages[p]),
		      purpose_names[p], caller);
	/* Checked: now change things. A single page goes to the page cache while there is room. */
	if (n == 1 && zeroed && pmm.zeroed.count < pmm.zeroed.max) {
		cache_push(&pmm.zeroed, s, req);
		pmm.st.used_pages[p]--;
		pmm.st.frees++;
		return;
	}
	if (n == 1 && pmm.dirty.count < pmm.dirty.max) {
		cache_push(&pmm.dirty, s, req);
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
			free_block(s, idx, j);
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

/* ---- handing memory over ---------------------------------------------------- */

/* Free [a, b) (page aligned, inside one span, not owned yet): O(orders) blocks plus one per GiB. */
static void add_free(uint64_t a, uint64_t b)
{
	struct span *s = span_of(a);
	uint64_t i, end;

	if (!s || b > span_end(s))
		panic("mm: pmm range %#llx-%#llx is not inside one span", ULL(a), ULL(b));
	i = page_index(s, a);
	end = page_index(s, b);
	pmm.st.total_pages += end - i;
	while (i < end) {
		unsigned k = i ? (unsigned)__builtin_ctzll(i) : PMM_MAX_ORDER;

		if (k > PMM_MAX_ORDER)
			k = PMM_MAX_ORDER;
		while (i + (1ULL << k) > end)
			k--;
		free_block(s, i, k);
		i += 1ULL << k;
	}
}

/* Does the PMM own any page in [a, b) (page indices of s)? O(orders + (b - a) / 32) words. */
static bool owned(const struct span *s, uint64_t a, uint64_t b)
{
	uint64_t first;

	if (page_phys(s, a) < pmm.st.meta_base + (pmm.st.meta_pages << PAGE_SHIFT) &&
	    pmm.st.meta_base < page_phys(s, b))
		return true;
	if (block_of(s, a, &first) < PMM_ORDERS)
		return true;
	for (unsigned k = 0; k < PMM_ORDERS; k++) {
		uint64_t round = (1ULL << k) - 1;

		if (any_bit(s->head[k], (a + round) >> k, (b + round) >> k))
			return true;
	}
	return false;
}

/* The part of a region pmm_init hands to the allocator: [*a, *b), page aligned, no page 0. */
static bool usable_part(const struct mm_region *r, uint64_t *a, uint64_t *b)
{
	if (!efi_mem_type_is_free_after_ebs(r->type) || r->start >= PHYS_LIMIT)
		return false;
	*a = r->start < PAGE_SIZE ? PAGE_SIZE : ALIGN_UP(r->start, PAGE_SIZE);
	*b = r->end > PHYS_LIMIT ? PHYS_LIMIT : ALIGN_DOWN(r->end, PAGE_SIZE);
	return *a < *b;
}

/* The 1 GiB-aligned stretch [*a, *b) a span must cover for this region, if any. */
static bool span_part(const struct mm_region *r, uint64_t *a, uint64_t *b)
{
	bool later = r->type == EFI_LOADER_CODE || r->type == EFI_LOADER_DATA || r->type == EFI_ACPI_RECLAIM_MEMORY;

	if (!(efi_mem_type_is_free_after_ebs(r->type) || later) || r->start >= PHYS_LIMIT)
		return false;
	*a = ALIGN_DOWN(r->start, SPAN_SIZE);
	*b = ALIGN_UP(r->end > PHYS_LIMIT ? PHYS_LIMIT : r->end, LINK_SIZE);
	return true;
}

/* Count the spans and their bitmap words; unless out is NULL, fill out[0..total) and put the bitmaps after it. */
static size_t find_spans(const struct mm_region *r, size_t n, struct span *out, size_t total, uint64_t *nwords)
{
	size_t ns = 0;
	uint64_t a = 0, b = 0, lo = 0, hi = 0;

	*nwords = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && !span_part(&r[i], &a, &b))
			continue;
		if (i < n && hi && a <= ALIGN_UP(hi, SPAN_SIZE)) {
			hi = b > hi ? b : hi;
			continue;
		}
		if (hi) {
			struct span *s = out ? &out[ns] : NULL;

			if (s) {
				s->base = lo;
				s->pages = (hi - lo) >> PAGE_SHIFT;
			}
			*nwords += span_bitmaps(s, (hi - lo) >> PAGE_SHIFT,
						s ? (uint64_t *)(out + total) + *nwords : NULL);
			ns++;
		}
		lo = a;
		hi = b;
	}
	return ns;
}

/* Where the metadata goes: the first usable range with room, at or above 1 MiB if there is one. */
static uint64_t find_meta(const struct mm_region *r, size_t n, uint64_t bytes)
{
	uint64_t a, b;

	for (int low_ok = 0; low_ok < 2; low_ok++) {
		for (size_t i = 0; i < n; i++) {
			if (!usable_part(&r[i], &a, &b))
				continue;
			if (!low_ok && a < PHYS_LOW_MEM_END)
				a = PHYS_LOW_MEM_END;
			if (a < b && b - a >= bytes)
				return a;
		}
	}
	return 0;
}

int pmm_init(const struct mm_region *r, size_t n, uintptr_t phys_off)
{
	uint64_t nwords, bytes, meta, meta_end, a, b;
	size_t ns;

	memset(&pmm, 0, sizeof(pmm));
	pmm.off = phys_off;
	for (size_t i = 0; i < n; i++)
		if (r[i].start >= r[i].end || (i && r[i].start < r[i - 1].end))
			return -EINVAL;
	ns = find_spans(r, n, NULL, 0, &nwords);
	bytes = ALIGN_UP(ns * sizeof(struct span) + nwords * sizeof(uint64_t), PAGE_SIZE);
	meta = ns ? find_meta(r, n, bytes) : 0;
	if (!meta)
		return -ENOMEM;
	meta_end = meta + bytes;
	zero_pages(meta, bytes >> PAGE_SHIFT);
	pmm.spans = virt(meta);
	pmm.nspans = find_spans(r, n, pmm.spans, ns, &nwords);
	pmm.st.meta_base = meta;
	pmm.st.meta_pages = bytes >> PAGE_SHIFT;
	pmm.st.total_pages = pmm.st.meta_pages;
	for (size_t i = 0; i < n; i++) {
		if (!usable_part(&r[i], &a, &b))
			continue;
		if (a < meta)
			add_free(a, b < meta ? b : meta);
		if (b > meta_end)
			add_free(a > meta_end ? a : meta_end, b);
	}
	return 0;
}

int pmm_add_range(uint64_t start, uint64_t end)
{
	uint64_t a, b;
	struct span *s;

	if ((start | end) & (PAGE_SIZE - 1) || start >= end)
		return -EINVAL;
	if (!start)
		start = PAGE_SIZE;
	if (start >= end)
		return -EINVAL;
	/* Check every piece first: a failure adds nothing. */
	for (a = start; a < end; a = b) {
		s = span_of(a);
		if (!s)
			return -ERANGE;
		b = end < span_end(s) ? end : span_end(s);
		if (owned(s, page_index(s, a), page_index(s, b)))
			return -EEXIST;
	}
	for (a = start; a < end; a = b) {
		s = span_of(a);
		b = end < span_end(s) ? end : span_end(s);
		add_free(a, b);
	}
	return 0;
}

int pmm_add_range_used(uint64_t start, uint64_t end, enum pmm_purpose p)
{
	uint64_t a, b, n = 0;
	struct span *s;

	if ((unsigned)p >= PMM_PURPOSES || (start | end) & (PAGE_SIZE - 1) || start >= end || !start)
		return -EINVAL;
	for (a = start; a < end; a = b) {
		s = span_of(a);
		if (!s)
			return -ERANGE;
		b = end < span_end(s) ? end : span_end(s);
		if (owned(s, page_index(s, a), page_index(s, b)))
			return -EEXIST;
	}
	/* Each page an allocated order-0 block: a head bit, nothing written into the page. */
	for (a = start; a < end; a = b) {
		s = span_of(a);
		b = end < span_end(s) ? end : span_end(s);
		for (uint64_t i = page_index(s, a); i < page_index(s, b); i++)
			bit_set(s->head[0], i);
		n += (b - a) >> PAGE_SHIFT;
	}
	pmm.st.total_pages += n;
	pmm.st.used_pages[p] += n;
	return 0;
}

int pmm_owns(uint64_t start, uint64_t end)
{
	for (size_t i = 0; i < pmm.nspans; i++) {
		const struct span *sp = &pmm.spans[i];
		uint64_t a = start > sp->base ? start : sp->base, b = end < span_end(sp) ? end : span_end(sp);

		a = ALIGN_DOWN(a, PAGE_SIZE);
		b = ALIGN_UP(b, PAGE_SIZE);
		if (a < b && owned(sp, page_index(sp, a), page_index(sp, b)))
			return 1;
	}
	return 0;
}

/* ---- reports ---------------------------------------------------------------- */

uint64_t pmm_free_count(void)
{
	return pmm.st.free_pages;
}

uint64_t pmm_total_count(void)
{
	return pmm.st.total_pages;
}

void pmm_get_stats(struct pmm_stats *s)
{
	*s = pmm.st;
	s->spans = (uint32_t)pmm.nspans;
	s->cached_pages = pmm.dirty.count + pmm.zeroed.count;
	s->zeroed_pages = pmm.zeroed.count;
}

const char *pmm_purpose_name(enum pmm_purpose p)
{
	return (unsigned)p < PMM_PURPOSES ? purpose_names[p] : "?";
}

int pmm_verify(void)
{
	uint64_t pages = 0, blocks = 0, used = pmm.st.meta_pages, bits = 0;

	for (unsigned k = 0; k < PMM_ORDERS; k++) {
		uint64_t count = 0, prev = 0;

		for (uint64_t phys = pmm.list[k]; phys; prev = phys, phys = node(phys, k)->next) {
			struct span *s = span_of(phys);
			uint64_t idx = s ? page_index(s, phys) : 0;

			if (!s || (idx & ((1ULL << k) - 1)) || !bit(s->free, idx) || bit(s->cont, idx) ||
			    !bit(s->head[k], idx >> k) || node(phys, k)->prev != prev ||
			    ++count > pmm.st.free_blocks[k])
				panic("mm: pmm free list %u broken at %#llx", k, ULL(phys));
		}
		if (count != pmm.st.free_blocks[k] || !count != !(pmm.nonempty & (1U << k)))
			panic("mm: pmm free list %u: %llu blocks, %llu counted", k, ULL(count),
			      ULL(pmm.st.free_blocks[k]));
		pages += count << k;
		blocks += count;
	}
	for (size_t i = 0; i < pmm.nspans; i++)
		for (uint64_t w = 0; w < words(pmm.spans[i].pages); w++)
			for (uint64_t x = pmm.spans[i].free[w]; x; x &= x - 1) /* no popcount: libgcc is not linked */
				bits++;
	for (unsigned p = 0; p < PMM_PURPOSES; p++)
		used += pmm.st.used_pages[p];
	/* The page cache: every listed page has its cached bit, and no other page does. */
	{
		const struct page_list *lists[] = { &pmm.dirty, &pmm.zeroed };
		uint64_t listed = 0, cbits = 0;

		for (size_t i = 0; i < 2; i++) {
			uint64_t count = 0;

			for (uint64_t phys = lists[i]->head; phys; phys = *(const uint64_t *)virt(phys)) {
				struct span *s = span_of(phys);

				if (!s || !bit(s->cached, page_index(s, phys)) || bit(s->free, page_index(s, phys)) ||
				    !bit(s->head[0], page_index(s, phys)) || ++count > lists[i]->count)
					panic("mm: page cache list %zu broken at %#llx", i, ULL(phys));
			}
			if (count != lists[i]->count)
				panic("mm: page cache list %zu: %llu pages, %llu counted", i, ULL(count),
				      ULL(lists[i]->count));
			listed += count;
		}
		for (size_t i = 0; i < pmm.nspans; i++)
			for (uint64_t w = 0; w < words(pmm.spans[i].pages); w++)
				for (uint64_t x = pmm.spans[i].cached[w]; x; x &= x - 1)
					cbits++;
		if (cbits != listed)
			panic("mm: %llu pages marked cached, %llu on the cache lists", ULL(cbits), ULL(listed));
		pages += listed;
	}
	if (pages != pmm.st.free_pages || bits != blocks || pmm.st.total_pages != pages + used)
		panic("mm: pmm counters broken: %llu free pages listed, %llu counted, %llu free bits", ULL(pages),
		      ULL(pmm.st.free_pages), ULL(bits));
	return 0;
}
