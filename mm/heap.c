/* SPDX-License-Identifier: MIT */
/*
 * heap.c - kmalloc and friends (see heap.h for the interface): the
 * allocator itself. The page map and the backend are in heap_pagemap.c, the
 * statistics and heap_check in heap_check.c; the structures they share are
 * in heap_internal.h.
 *
 * A slab is heap_class_slab_pages[c] whole pages: struct slab at the start,
 * the objects after SLAB_HDR. Its bitmap says which objects are allocated;
 * free ones are chained by index in next_free[] (per-slab LIFO free list), so
 * a freed object holds only poison and a write after the free is seen when
 * the slot is reused. A large block is a run of pages that starts with struct
 * large; the caller's pointer is LARGE_HDR bytes in. Pointers are looked up
 * in the page map first: O(1), not fooled by caller data, and no touching of
 * pages shrink() took back.
 */
#include "heap.h"

#include <stdbool.h>

#include "heap_internal.h"
#include "kernel.h"
#include "kstring.h"
#include "memlayout.h"
#include "panic.h"

/* Pages per slab: the big classes get bigger slabs, so that every class uses at least 87% of its slabs. */
const uint8_t heap_class_slab_pages[HEAP_NCLASSES] = { 1, 1, 1, 1, 1, 2, 4, 8 };

static const char OP_KFREE[] = "kfree";

struct heap_state heap;

/* Smallest class that holds size bytes (size <= HEAP_MAX_CLASS). */
static unsigned class_of(size_t size)
{
	return size <= HEAP_MIN_CLASS ? 0 : (unsigned)(BITS_PER_WORD - __builtin_clzll(size - 1)) - HEAP_MIN_SHIFT;
}

/* ---- poison ---------------------------------------------------------------- */

/* Panic unless obj[0..size) is all HEAP_POISON_FREE (size is a multiple of 16, obj 16-aligned). */
void heap_check_poison(const void *obj, size_t size, const struct op *op)
{
	const uint64_t *w = obj;
	const uint8_t *b = obj;

	for (size_t i = 0; i < size / sizeof(*w); i++) {
		size_t at = i * sizeof(*w);

		if (w[i] == POISON_WORD)
			continue;
		while (b[at] == HEAP_POISON_FREE)
			at++;
		panic("heap: write after free of %p (%zu-byte object, byte %zu is 0x%02x; found by %s called from %p)",
		      obj, size, at, (unsigned)b[at], op->name, op->caller);
	}
}

/* ---- slabs ----------------------------------------------------------------- */

/* The bit of object idx in s->used[idx / BITS_PER_WORD]. */
static uint64_t slab_bit(unsigned idx)
{
	return 1ULL << (idx % BITS_PER_WORD);
}

/* Put s at the front of its class's partial list / take it off. */
static void list_push(struct slab *s)
{
	s->prev = NULL;
	s->next = heap.partial[s->cls];
	if (s->next)
		s->next->prev = s;
	heap.partial[s->cls] = s;
}

static void list_remove(struct slab *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		heap.partial[s->cls] = s->next;
	if (s->next)
		s->next->prev = s->prev;
	s->next = s->prev = NULL;
}

/* A new empty slab of class c on the partial list, or NULL when out of memory. */
static struct slab *slab_new(unsigned c)
{
	size_t pages = heap_class_slab_pages[c];
	struct slab *s = heap_get_pages(pages);

	if (!s)
		return NULL;
	memset(s, 0, SLAB_HDR);
	memset((char *)s + SLAB_HDR, HEAP_POISON_FREE, pages * PAGE_SIZE - SLAB_HDR);
	s->magic = SLAB_MAGIC;
	s->cls = (uint8_t)c;
	s->nobj = (uint8_t)((pages * PAGE_SIZE - SLAB_HDR) / class_size(c));
	s->nfree = s->nobj;
	s->free_head = 0;
	for (unsigned i = 0; i < s->nobj; i++)
		s->next_free[i] = (uint8_t)(i + 1 < s->nobj ? i + 1 : SLAB_NIL);
	heap_pmap_put((uintptr_t)s, PM(PM_SLAB, c));
	for (size_t i = 1; i < pages; i++)
		heap_pmap_put((uintptr_t)s + i * PAGE_SIZE, PM(PM_SLAB_TAIL, i));
	list_push(s);
	heap.nempty[c]++;
	heap.st.cls[c].slabs++;
	return s;
}

/* Panic unless s looks like a slab of class c. */
void heap_slab_check_header(const struct slab *s, unsigned c, const void *p, const struct op *op)
{
	if (s->magic != SLAB_MAGIC || s->cls != c || c >= HEAP_NCLASSES || s->nobj != heap.st.cls[c].objs_per_slab ||
	    s->nfree > s->nobj)
		panic("heap: corrupted slab header at %p (magic 0x%x, class %u) for %p (%s called from %p)", (void *)s,
		      (unsigned)s->magic, (unsigned)s->cls, p, op->name, op->caller);
}

/* An object of class c, checked for poison; NULL when out of memory. */
static void *slab_alloc(unsigned c, const struct op *op)
{
	struct slab *s = heap.partial[c];
	unsigned idx;
	void *obj;

	if (!s && !(s = slab_new(c)))
		return NULL;
	heap_slab_check_header(s, c, s, op);
	idx = s->free_head;
	if (!s->nfree || idx >= s->nobj || slab_used(s, idx))
		panic("heap: free list of slab %p is corrupted (head %u, %u free; %s called from %p)", (void *)s, idx,
		      (unsigned)s->nfree, op->name, op->caller);
	obj = slab_obj(s, idx);
	heap_check_poison(obj, class_size(c), op);
	if (s->nfree == s->nobj)
		heap.nempty[c]--;
	s->free_head = s->next_free[idx];
	s->nfree--;
	s->used[idx / BITS_PER_WORD] |= slab_bit(idx);
	if (!s->nfree)
		list_remove(s);
	if (++heap.st.cls[c].in_use > heap.st.cls[c].peak)
		heap.st.cls[c].peak = heap.st.cls[c].in_use;
	return obj;
}

/* Give an empty slab's pages back, after checking that nothing wrote to its free objects. */
static void slab_release(struct slab *s, const struct op *op)
{
	unsigned c = s->cls;

	for (unsigned i = 0; i < s->nobj; i++)
		heap_check_poison(slab_obj(s, i), class_size(c), op);
	list_remove(s);
	s->magic = 0;
	heap.st.cls[c].slabs--;
	heap_put_pages(s, heap_class_slab_pages[c]);
}

/* Poison object idx of s and put it on the free list; an empty slab may go back to the backend. */
static void slab_free(struct slab *s, unsigned idx, const struct op *op)
{
	unsigned c = s->cls;

	memset(slab_obj(s, idx), HEAP_POISON_FREE, class_size(c));
	s->used[idx / BITS_PER_WORD] &= ~slab_bit(idx);
	s->next_free[idx] = s->free_head;
	s->free_head = (uint8_t)idx;
	if (s->nfree++ == 0)
		list_push(s);
	heap.st.cls[c].in_use--;
	if (s->nfree == s->nobj) {
		if (heap.nempty[c] >= SLABS_KEPT_EMPTY)
			slab_release(s, op);
		else
			heap.nempty[c]++;
	}
}

/* ---- large blocks ---------------------------------------------------------- */

/* A large block with room for size bytes after its header, or NULL when out of memory. */
static struct large *large_alloc(size_t size)
{
	size_t pages = (size + LARGE_HDR + PAGE_SIZE - 1) >> PAGE_SHIFT;
	struct large *l = heap_get_pages(pages);

	if (!l)
		return NULL;
	l->magic = LARGE_MAGIC;
	l->pages = pages;
	heap_pmap_put((uintptr_t)l, PM(PM_LARGE, 0));
	for (size_t i = 1; i < pages; i++)
		heap_pmap_put((uintptr_t)l + i * PAGE_SIZE, PM(PM_LARGE_TAIL, 0));
	heap.st.large_in_use++;
	heap.st.large_pages += pages;
	return l;
}

/* Panic unless l's header agrees with the page map. */
void heap_large_check_header(const struct large *l, const void *p, const struct op *op)
{
	uintptr_t end = (uintptr_t)l + l->pages * PAGE_SIZE;

	if (l->magic != LARGE_MAGIC || !l->pages || l->pages > (HEAP_SPAN >> PAGE_SHIFT) ||
	    heap_pmap_get(end - PAGE_SIZE) != PM(l->pages == 1 ? PM_LARGE : PM_LARGE_TAIL, 0) ||
	    heap_pmap_get(end) == PM(PM_LARGE_TAIL, 0))
		panic("heap: corrupted large-block header at %p (magic 0x%llx, %llu pages) for %p (%s called from %p)",
		      (const void *)l, (unsigned long long)l->magic, (unsigned long long)l->pages, p, op->name,
		      op->caller);
}

/* Give l's pages back, remembering in the map that a block started here (double-free detection). */
static void large_free(struct large *l)
{
	size_t pages = l->pages;

	heap.st.large_in_use--;
	heap.st.large_pages -= pages;
	l->magic = 0;
	heap_put_pages(l, pages);
	heap_pmap_put((uintptr_t)l, PM(PM_LARGE_FREED, 0));
}

/* ---- looking pointers up --------------------------------------------------- */

/* What a pointer from kmalloc is: one slab object or one large block. */
struct block {
	struct slab *s; /* NULL for a large block */
	unsigned idx;
	struct large *l;
	size_t usable;
};

/* Panic about pointer p: freed (double free) or never allocated, with why appended. */
static void __attribute__((noreturn)) bad_pointer(const void *p, bool freed, const char *why, const struct op *op)
{
	if (op->name == OP_KFREE)
		panic("heap: %s free of %p%s (kfree called from %p)", freed ? "double" : "invalid", p, why, op->caller);
	panic("heap: %s pointer %p%s (%s called from %p)", freed ? "freed" : "invalid", p, why, op->name, op->caller);
}

/* Find the live allocation p points to; panics if it is not one. */
static void lookup(const void *p, const struct op *op, struct block *b)
{
	uintptr_t va = (uintptr_t)p, page = va & PAGE_MASK, off;
	uint8_t e = heap_pmap_get(va);
	unsigned c;

	switch (PM_KIND(e)) {
	case PM_SLAB_TAIL:
		page -= (e & PM_VAL_MASK) * PAGE_SIZE;
		e = heap_pmap_get(page); /* the head's entry: heap_slab_check_header() catches anything else */
					 /* fall through */
	case PM_SLAB:
		c = e & PM_VAL_MASK;
		b->s = (struct slab *)page;
		b->l = NULL;
		b->usable = class_size(c);
		heap_slab_check_header(b->s, c, p, op);
		off = va - page - SLAB_HDR;
		if (va < page + SLAB_HDR || off % b->usable || off / b->usable >= b->s->nobj)
			bad_pointer(p, false, ": not the start of an object", op);
		b->idx = (unsigned)(off / b->usable);
		if (!slab_used(b->s, b->idx))
			bad_pointer(p, true, "", op);
		return;
	case PM_LARGE:
		if (va != page + LARGE_HDR)
			break;
		b->s = NULL;
		b->l = (struct large *)page;
		heap_large_check_header(b->l, p, op);
		b->usable = large_usable(b->l);
		return;
	case PM_LARGE_FREED:
		if (va == page + LARGE_HDR)
			bad_pointer(p, true, "", op);
		break;
	case PM_LARGE_TAIL:
		break;
	default:
		bad_pointer(p, false, ": not from kmalloc", op);
	}
	bad_pointer(p, false, ": inside a large block", op);
}

/* ---- the interface --------------------------------------------------------- */

void heap_init(const struct heap_backend *b)
{
	if (!b || !b->grow || !b->shrink)
		panic("heap: heap_init without a backend");
	memset(&heap, 0, sizeof(heap));
	heap.be = *b;
	for (unsigned c = 0; c < HEAP_NCLASSES; c++) {
		heap.st.cls[c].obj_size = class_size(c);
		heap.st.cls[c].slab_pages = heap_class_slab_pages[c];
		heap.st.cls[c].objs_per_slab = (heap_class_slab_pages[c] * PAGE_SIZE - SLAB_HDR) / class_size(c);
	}
}

/* kmalloc() and kzalloc(): memory filled with HEAP_POISON_ALLOC or zeroes, or NULL. */
static void *alloc(size_t size, bool zero, const struct op *op)
{
	size_t usable = 0;
	void *p = NULL;

	if (!heap.be.grow)
		panic("heap: %s before heap_init (called from %p)", op->name, op->caller);
	if (size <= HEAP_MAX_CLASS) {
		unsigned c = class_of(size);

		p = slab_alloc(c, op);
		usable = class_size(c);
	} else if (size <= HEAP_MAX_ALLOC) {
		struct large *l = large_alloc(size);

		if (l) {
			p = (char *)l + LARGE_HDR;
			usable = large_usable(l);
		}
	}
	if (!p) {
		heap.st.alloc_failures++;
		return NULL;
	}
	memset(p, zero ? 0 : HEAP_POISON_ALLOC, usable);
	heap.st.bytes_in_use += usable;
	if (heap.st.bytes_in_use > heap.st.peak_bytes_in_use)
		heap.st.peak_bytes_in_use = heap.st.bytes_in_use;
	return p;
}

/* Free what lookup() found. */
static void free_block(const struct block *b, const struct op *op)
{
	heap.st.bytes_in_use -= b->usable;
	if (b->s)
		slab_free(b->s, b->idx, op);
	else
		large_free(b->l);
}

void *kmalloc(size_t size)
{
	const struct op op = { "kmalloc", __builtin_return_address(0) };

	return alloc(size, false, &op);
}

void *kzalloc(size_t size)
{
	const struct op op = { "kzalloc", __builtin_return_address(0) };

	return alloc(size, true, &op);
}

void *kcalloc(size_t n, size_t size)
{
	const struct op op = { "kcalloc", __builtin_return_address(0) };
	size_t bytes;

	if (__builtin_mul_overflow(n, size, &bytes)) {
		heap.st.alloc_failures++;
		return NULL;
	}
	return alloc(bytes, true, &op);
}

void *krealloc(void *p, size_t size)
{
	const struct op op = { "krealloc", __builtin_return_address(0) };
	struct block b;
	void *q;

	if (!p)
		return alloc(size, false, &op);
	lookup(p, &op, &b);
	if (!size) {
		free_block(&b, &op);
		return NULL;
	}
	/* Stay put when kmalloc(size) would pick the same class or the same number of pages. */
	if (b.s && size <= HEAP_MAX_CLASS && class_of(size) == b.s->cls)
		return p;
	if (b.l && size > HEAP_MAX_CLASS && (size + LARGE_HDR + PAGE_SIZE - 1) >> PAGE_SHIFT == b.l->pages)
		return p;
	q = alloc(size, false, &op);
	if (!q)
		return NULL;
	memcpy(q, p, size < b.usable ? size : b.usable);
	free_block(&b, &op);
	return q;
}

void kfree(void *p)
{
	const struct op op = { OP_KFREE, __builtin_return_address(0) };
	struct block b;

	if (!p)
		return;
	lookup(p, &op, &b);
	free_block(&b, &op);
}

size_t kmalloc_usable_size(const void *p)
{
	const struct op op = { "kmalloc_usable_size", __builtin_return_address(0) };
	struct block b;

	if (!p)
		return 0;
	lookup(p, &op, &b);
	return b.usable;
}
