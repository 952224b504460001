/* SPDX-License-Identifier: MIT */
/*
 * heap_internal.h - the heap's own interface between its pieces: heap.c (the
 * allocator: slabs, large blocks, pointer lookup, kmalloc and friends),
 * heap_pagemap.c (the page map and the backend) and heap_check.c (statistics
 * and the consistency check). Only mm/heap*.c include it: everyone else uses
 * include/heap.h. Nothing here takes a lock (the heap has none, heap.h says
 * why); nothing allocates except heap_get_pages.
 *
 * A slab is heap_class_slab_pages[c] whole pages: struct slab at the start, the
 * objects after SLAB_HDR. A large block is a run of pages that starts with
 * struct large; the caller's pointer is LARGE_HDR bytes in. The page map
 * holds one byte per heap page, a PM() value.
 */
#ifndef ATLAS_HEAP_INTERNAL_H
#define ATLAS_HEAP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "heap.h"
#include "kernel.h"
#include "memlayout.h"

#define SLAB_MAGIC 0x534c4142U		  /* "SLAB" */
#define LARGE_MAGIC 0x4547524c50414548ULL /* "HEAPLRGE" in memory */
#define SLAB_MAX_OBJS 240		  /* the 16-byte class holds the most: 237 */
#define SLAB_NIL 0xff			  /* end of a slab's free list */
#define BITS_PER_WORD 64
#define HEAP_MIN_SHIFT 4 /* HEAP_MIN_CLASS == 1 << HEAP_MIN_SHIFT */
#define SLAB_BITMAP_WORDS ((SLAB_MAX_OBJS + BITS_PER_WORD - 1) / BITS_PER_WORD)
#define SLABS_KEPT_EMPTY 1 /* empty slabs a class keeps; more go back to the backend */
#define POISON_WORD (0x0101010101010101ULL * HEAP_POISON_FREE)

struct slab {
	uint32_t magic;
	uint8_t cls;			  /* size class index */
	uint8_t nobj;			  /* objects in the slab */
	uint8_t nfree;			  /* objects on the free list */
	uint8_t free_head;		  /* first free object, SLAB_NIL when full */
	struct slab *next, *prev;	  /* the class's list of slabs with a free object */
	uint64_t used[SLAB_BITMAP_WORDS]; /* bit i set: object i is allocated */
	uint8_t next_free[SLAB_MAX_OBJS]; /* free list links, by object index */
};
#define SLAB_HDR ALIGN_UP(sizeof(struct slab), (size_t)HEAP_ALIGN)

struct large {
	uint64_t magic;
	uint64_t pages; /* pages in the block, header included */
};
#define LARGE_HDR sizeof(struct large)

_Static_assert(HEAP_MIN_CLASS << (HEAP_NCLASSES - 1) == HEAP_MAX_CLASS, "classes are 16 << i");
_Static_assert(HEAP_MIN_CLASS == HEAP_ALIGN && HEAP_MIN_CLASS == 1 << HEAP_MIN_SHIFT, "16-byte objects, aligned");
_Static_assert(SLAB_HDR % HEAP_ALIGN == 0 && LARGE_HDR % HEAP_ALIGN == 0, "headers keep objects aligned");
/* Class 0 has the most objects per page of slab (the table keeps pages / size highest there). */
_Static_assert((PAGE_SIZE - SLAB_HDR) / HEAP_MIN_CLASS <= SLAB_MAX_OBJS, "next_free[] too small");
_Static_assert(SLAB_MAX_OBJS < SLAB_NIL, "SLAB_NIL must not be an index");

/* The heap range and its page map. */
#define HEAP_SPAN (KHEAP_END - KHEAP_BASE)
#define HEAP_MAX_ALLOC (HEAP_SPAN / 2) /* bigger requests fail without asking the backend */
#define PMAP_PER_CHUNK PAGE_SIZE       /* one byte per page */
#define PMAP_CHUNKS ((HEAP_SPAN >> PAGE_SHIFT) / PMAP_PER_CHUNK)
#define PM_KIND_SHIFT 5
#define PM_VAL_MASK 0x1f
#define PM(kind, val) ((uint8_t)((kind) << PM_KIND_SHIFT | (val)))
#define PM_KIND(e) ((e) >> PM_KIND_SHIFT)
enum { PM_NONE, PM_SLAB, PM_SLAB_TAIL, PM_LARGE, PM_LARGE_TAIL, PM_LARGE_FREED };

/* Who is asking, for panic messages. */
struct op {
	const char *name;
	const void *caller;
};

/* The heap's state: one heap, set up by heap_init (heap.c). */
struct heap_state {
	struct heap_backend be; /* grow is NULL before heap_init */
	uintptr_t base, top;	/* first address grow() returned; end of the highest page it granted */
	uint8_t *pmap[PMAP_CHUNKS];
	struct slab *partial[HEAP_NCLASSES]; /* slabs with a free object */
	size_t nempty[HEAP_NCLASSES];	     /* slabs on partial[] with nothing allocated */
	struct heap_stats st;
};
extern struct heap_state heap;

/* Pages per slab of each class (heap.c): the big classes get bigger slabs, so that every class uses at least 87% of
 * them. */
extern const uint8_t heap_class_slab_pages[HEAP_NCLASSES];

/* Object size of class c. */
static inline size_t class_size(unsigned c)
{
	return (size_t)HEAP_MIN_CLASS << c;
}

/* Bytes the caller may use in large block l. */
static inline size_t large_usable(const struct large *l)
{
	return l->pages * PAGE_SIZE - LARGE_HDR;
}

/* Address of object idx of slab s. */
static inline void *slab_obj(struct slab *s, unsigned idx)
{
	return (char *)s + SLAB_HDR + (size_t)idx * class_size(s->cls);
}

/* Whether object idx of s is allocated, and its bit in s->used[idx / BITS_PER_WORD]. */
static inline bool slab_used(const struct slab *s, unsigned idx)
{
	return s->used[idx / BITS_PER_WORD] >> (idx % BITS_PER_WORD) & 1;
}

/* ---- heap_pagemap.c ---- */

/* What the page holding va is: a PM() value, PM(PM_NONE, 0) for anything not the heap's. */
uint8_t heap_pmap_get(uintptr_t va);
/* Set the map entry of the page at va; its chunk must exist (heap_get_pages made it). */
void heap_pmap_put(uintptr_t va, uint8_t val);
/*
 * pages fresh pages from the backend with their map entries ready (entries
 * still PM_NONE), counted in pages_held; NULL when out of memory. The caller
 * gives them back with heap_put_pages.
 */
void *heap_get_pages(size_t pages);
/* Set the pages' map entries to PM_NONE and hand them back to the backend. */
void heap_put_pages(void *va, size_t pages);

/* ---- heap.c, for heap_check.c ---- */

/* Panic unless obj[0..size) is all HEAP_POISON_FREE (size a multiple of 16, obj 16-aligned); op names the caller. */
void heap_check_poison(const void *obj, size_t size, const struct op *op);
/* Panic unless s looks like a slab of class c (p: the pointer being looked at, for the message). */
void heap_slab_check_header(const struct slab *s, unsigned c, const void *p, const struct op *op);
/* Panic unless l's header agrees with the page map (p: the pointer being looked at, for the message). */
void heap_large_check_header(const struct large *l, const void *p, const struct op *op);

#endif
