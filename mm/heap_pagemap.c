/* SPDX-License-Identifier: MIT */
/*
 * heap_pagemap.c - the heap's page map and its backend (see heap_internal.h).
 *
 * The page map holds one byte per heap page (slab head and class, slab tail
 * and distance to the head, large block head or tail, freed large block) in
 * page-sized chunks taken from the backend as the heap reaches them. The
 * allocator (heap.c) looks pointers up there first: O(1), not fooled by
 * caller data, and no touching of pages shrink() took back. Apart from the
 * allocator because it is the one place that talks to the backend and
 * checks its answers against the heap range.
 */
#include "heap_internal.h"

#include "kstring.h"
#include "panic.h"

/* The map entry of the page holding va, or NULL outside the heap range or its allocated chunks. */
static uint8_t *pmap_slot(uintptr_t va)
{
	size_t pg;

	if (!heap.base || va < heap.base || va - heap.base >= HEAP_SPAN)
		return NULL;
	pg = (va - heap.base) >> PAGE_SHIFT;
	return heap.pmap[pg / PMAP_PER_CHUNK] ? &heap.pmap[pg / PMAP_PER_CHUNK][pg % PMAP_PER_CHUNK] : NULL;
}

/* What the page holding va is: a PM() value, PM_NONE for anything not the heap's. */
uint8_t heap_pmap_get(uintptr_t va)
{
	const uint8_t *e = pmap_slot(va);

	return e ? *e : PM(PM_NONE, 0);
}

/* Set the entry of the page at va; the chunk exists (pmap_reserve). */
void heap_pmap_put(uintptr_t va, uint8_t val)
{
	*pmap_slot(va) = val;
}

/* grow() with the backend's answer checked against the heap range. */
static void *grow_checked(size_t pages)
{
	uintptr_t va = (uintptr_t)heap.be.grow(pages, heap.be.ctx);

	if (!va)
		return NULL;
	if (!heap.base)
		heap.base = va;
	if ((va & (PAGE_SIZE - 1)) || va < heap.base || va - heap.base > HEAP_SPAN - pages * PAGE_SIZE)
		panic("heap: backend returned %p for %zu pages, outside the heap range at %p", (void *)va, pages,
		      (void *)heap.base);
	if (va + pages * PAGE_SIZE > heap.top)
		heap.top = va + pages * PAGE_SIZE;
	return (void *)va;
}

/* Make sure the map chunks covering [va, va + pages pages) exist. Returns false when out of memory. */
static bool pmap_reserve(uintptr_t va, size_t pages)
{
	size_t first = ((va - heap.base) >> PAGE_SHIFT) / PMAP_PER_CHUNK;
	size_t last = (((va - heap.base) >> PAGE_SHIFT) + pages - 1) / PMAP_PER_CHUNK;

	for (size_t i = first; i <= last; i++) {
		uint8_t *chunk;

		if (heap.pmap[i])
			continue;
		chunk = grow_checked(1);
		if (!chunk)
			return false;
		memset(chunk, 0, PAGE_SIZE);
		heap.pmap[i] = chunk;
		heap.st.pages_held++;
	}
	return true;
}

/* pages fresh pages with their map entries ready, or NULL when out of memory. */
void *heap_get_pages(size_t pages)
{
	void *va = grow_checked(pages);

	if (!va)
		return NULL;
	if (!pmap_reserve((uintptr_t)va, pages)) {
		heap.be.shrink(va, pages, heap.be.ctx);
		return NULL;
	}
	heap.st.pages_held += pages;
	return va;
}

/* Forget pages in the map and hand them back to the backend. */
void heap_put_pages(void *va, size_t pages)
{
	for (size_t i = 0; i < pages; i++)
		heap_pmap_put((uintptr_t)va + i * PAGE_SIZE, PM(PM_NONE, 0));
	heap.be.shrink(va, pages, heap.be.ctx);
	heap.st.pages_held -= pages;
}
