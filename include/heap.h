/* SPDX-License-Identifier: MIT */
/*
 * heap.h - the kernel heap: kmalloc/kfree over pages a backend maps.
 *
 * Small requests (up to HEAP_MAX_CLASS bytes) come from size classes of
 * 16..2048 bytes, each carved from slabs of whole pages with a per-slab free
 * list; bigger requests get their own run of pages ("large block") that goes
 * back to the backend when freed. Every pointer returned is HEAP_ALIGN-aligned.
 *
 * Debugging is always on: fresh memory is filled with HEAP_POISON_ALLOC,
 * freed slab objects with HEAP_POISON_FREE, which is checked when the object
 * is handed out again; double frees, frees of pointers that kmalloc did not
 * return and corrupted metadata panic with "heap: ..." naming the caller.
 *
 * Not thread-safe: Atlas runs on one CPU with interrupts off; callers from
 * interrupt context or other CPUs will need a lock around every function here.
 */
#ifndef ATLAS_HEAP_H
#define ATLAS_HEAP_H

#include <stddef.h>
#include <stdint.h>

#define HEAP_NCLASSES 8
#define HEAP_MIN_CLASS 16   /* smallest object size, also the alignment */
#define HEAP_MAX_CLASS 2048 /* larger requests get a large block */
#define HEAP_ALIGN 16
#define HEAP_POISON_FREE 0x6b  /* freed slab objects (Linux's POISON_FREE) */
#define HEAP_POISON_ALLOC 0xa5 /* fresh kmalloc memory, so that use before init shows */

/*
 * The page provider the kernel plugs in. grow() maps `pages` fresh pages,
 * contiguous, page-aligned and inside the heap range, and returns their
 * address or NULL when out of memory. shrink() unmaps pages grow() returned
 * and frees their frames. The heap range starts at the first address grow()
 * returns and spans KHEAP_END - KHEAP_BASE bytes; grow() may reuse addresses
 * shrink() gave back.
 */
struct heap_backend {
	void *(*grow)(size_t pages, void *ctx);
	void (*shrink)(void *va, size_t pages, void *ctx);
	void *ctx;
};

/* One size class, as heap_get_stats() and heap_for_each_class() report it. */
struct heap_class_stats {
	size_t obj_size;      /* bytes per object */
	size_t slab_pages;    /* pages per slab */
	size_t objs_per_slab; /* objects per slab */
	size_t in_use;	      /* objects allocated now */
	size_t peak;	      /* most objects allocated at once */
	size_t slabs;	      /* slabs held now */
};

struct heap_stats {
	size_t bytes_in_use;	  /* sum of kmalloc_usable_size() over live allocations */
	size_t peak_bytes_in_use; /* highest bytes_in_use since heap_init */
	size_t pages_held;	  /* pages from grow() not yet given back: slabs, large blocks, page map */
	size_t large_in_use;	  /* live large blocks */
	size_t large_pages;	  /* pages those hold */
	size_t alloc_failures;	  /* allocations that returned NULL for lack of memory */
	struct heap_class_stats cls[HEAP_NCLASSES];
};

/*
 * Start the heap on backend b (copied). Called once at boot, before any
 * kmalloc; calling it again forgets every earlier allocation (host tests).
 */
void heap_init(const struct heap_backend *b);

/*
 * Allocate size bytes, filled with HEAP_POISON_ALLOC. Returns memory the
 * caller frees with kfree(), or NULL when out of memory or size is absurd.
 * kmalloc(0) returns a unique minimum-size object.
 */
void *kmalloc(size_t size);

/* kmalloc() with the memory zeroed. Returns NULL when out of memory; kfree() it. */
void *kzalloc(size_t size);

/* Zeroed array of n elements of size bytes; NULL when n * size overflows or out of memory; kfree() it. */
void *kcalloc(size_t n, size_t size);

/*
 * Resize p to size bytes, keeping the contents up to the smaller size. Returns
 * the new pointer (p itself when it still fits), which replaces p; the caller
 * kfree()s it. krealloc(NULL, size) is kmalloc(size); krealloc(p, 0) frees p
 * and returns NULL. On failure returns NULL and p stays valid and unchanged.
 */
void *krealloc(void *p, size_t size);

/* Give back p from kmalloc and friends; kfree(NULL) does nothing. Panics on a double or invalid free. */
void kfree(void *p);

/* Bytes the caller may use at p (at least what it asked for); 0 for NULL. Panics if p is not a live allocation. */
size_t kmalloc_usable_size(const void *p);

/* Copy the current counters into *st. */
void heap_get_stats(struct heap_stats *st);

/* Call fn(class, arg) for each size class, smallest first (for reports). */
typedef void (*heap_class_fn)(const struct heap_class_stats *cs, void *arg);
void heap_for_each_class(heap_class_fn fn, void *arg);

/*
 * Check every slab and large block: headers, free lists against bitmaps,
 * poison in free objects, counters. Panics on the first broken invariant;
 * returns the number of live allocations found.
 */
size_t heap_check(void);

#endif
