/* SPDX-License-Identifier: MIT */
/*
 * heap_check.c - the heap's statistics and its consistency check (see
 * heap.h for the interface).
 *
 * heap_check walks the page map over everything grow() has granted, checks
 * every slab (header, bitmap, free list, poison of the free objects) and
 * large block header, and compares what it counted with the statistics.
 * Apart from the allocator (heap.c) because nothing on the allocation path
 * uses it: it only reads the heap's state, through heap_internal.h.
 */
#include "heap_internal.h"

#include "panic.h"

void heap_get_stats(struct heap_stats *st)
{
	*st = heap.st;
}

void heap_for_each_class(heap_class_fn fn, void *arg)
{
	for (unsigned c = 0; c < HEAP_NCLASSES; c++)
		fn(&heap.st.cls[c], arg);
}

/* ---- consistency check ----------------------------------------------------- */

/* Check one slab found in the page map; returns its allocated objects. */
static size_t check_slab(struct slab *s, unsigned c, const struct op *op)
{
	unsigned idx = s->free_head, used = 0;

	heap_slab_check_header(s, c, s, op);
	for (unsigned i = 0; i < s->nobj; i++)
		used += slab_used(s, i);
	for (unsigned n = 0; n < s->nfree; n++, idx = s->next_free[idx]) {
		if (idx >= s->nobj || slab_used(s, idx))
			break;
		heap_check_poison(slab_obj(s, idx), class_size(s->cls), op);
	}
	if (used + s->nfree != s->nobj || idx != SLAB_NIL)
		panic("heap: slab %p: %u objects allocated, %u free, free list broken at %u", (void *)s, used,
		      (unsigned)s->nfree, idx);
	return used;
}

size_t heap_check(void)
{
	const struct op op = { "heap_check", __builtin_return_address(0) };
	size_t in_use[HEAP_NCLASSES] = { 0 }, slabs[HEAP_NCLASSES] = { 0 };
	size_t large = 0, live = 0, bytes = 0, pages = 0;

	for (size_t i = 0; i < PMAP_CHUNKS; i++)
		pages += heap.pmap[i] != NULL;
	for (uintptr_t va = heap.base, n; va && va < heap.top; va += n * PAGE_SIZE) {
		uint8_t e = heap_pmap_get(va);
		struct large *l = (struct large *)va;

		n = 1;
		if (PM_KIND(e) == PM_SLAB) {
			in_use[e & PM_VAL_MASK] += check_slab((struct slab *)va, e & PM_VAL_MASK, &op);
			slabs[e & PM_VAL_MASK]++;
			pages += n = heap_class_slab_pages[e & PM_VAL_MASK];
		} else if (PM_KIND(e) == PM_LARGE) {
			heap_large_check_header(l, l + 1, &op);
			large++;
			bytes += large_usable(l);
			pages += n = l->pages;
		} else if (PM_KIND(e) == PM_SLAB_TAIL || PM_KIND(e) == PM_LARGE_TAIL) {
			panic("heap: stray tail page %p in the page map", (void *)va);
		}
	}
	for (unsigned c = 0; c < HEAP_NCLASSES; c++) {
		if (in_use[c] != heap.st.cls[c].in_use || slabs[c] != heap.st.cls[c].slabs)
			panic("heap: class %u: counted %zu objects in %zu slabs, stats say %zu in %zu", c, in_use[c],
			      slabs[c], heap.st.cls[c].in_use, heap.st.cls[c].slabs);
		live += in_use[c];
		bytes += in_use[c] * class_size(c);
	}
	if (bytes != heap.st.bytes_in_use || large != heap.st.large_in_use || pages != heap.st.pages_held)
		panic("heap: counted %zu bytes, %zu large blocks, %zu pages; stats say %zu, %zu, %zu", bytes, large,
		      pages, heap.st.bytes_in_use, heap.st.large_in_use, heap.st.pages_held);
	return live + large;
}
