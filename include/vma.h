/* SPDX-License-Identifier: MIT */
/*
 * vma.h - a process's virtual memory areas: sorted, non-overlapping,
 * page-aligned [start, end) ranges with permissions and a kind. Pure
 * bookkeeping: nothing here touches page tables; the caller does (mm/uvm.c).
 * Storage is a fixed array per address space (no allocation), so every
 * operation either succeeds completely or leaves the list unchanged.
 */
#ifndef ATLAS_VMA_H
#define ATLAS_VMA_H

#include <stddef.h>
#include <stdint.h>

#define VMA_MAX 128
#define VMA_NAME 32

enum vma_kind {
	VMA_IMAGE, /* an ELF segment: name is the program path, offset is p_offset */
	VMA_HEAP,  /* brk area: "[heap]" */
	VMA_STACK, /* "[stack]" */
	VMA_ANON,  /* mmap(MAP_ANONYMOUS): "[anon]" */
};

/* What an area holds in memory, read from its page tables (uvm_usage). */
struct vma_usage {
	uint64_t rss;	/* bytes present (PTE.P) */
	uint64_t dirty; /* bytes present and dirty (PTE.D) */
};

struct vma {
	uint64_t start, end; /* page aligned */
	unsigned prot;	     /* VM_READ | VM_WRITE | VM_EXEC (include/paging.h) */
	enum vma_kind kind;
	uint64_t offset; /* file offset of start (VMA_IMAGE) */
	char name[VMA_NAME];
};

struct vma_list {
	size_t n;
	struct vma v[VMA_MAX];
};

/* Every area of l, in address order (the loop variable v is a struct vma *). */
#define for_each_vma(v, l) \
	for (struct vma *v = (l)->n ? &(l)->v[0] : NULL; v; v = v + 1 < &(l)->v[(l)->n] ? v + 1 : NULL)

/* Empty the list. */
void vma_init(struct vma_list *l);

/*
 * Insert [start, end). Returns 0, -EINVAL (unaligned, empty, wraps) or
 * -EEXIST (overlaps an existing area), -ENOMEM (list full). Adjacent areas
 * with identical prot, kind, name and contiguous offsets are merged.
 */
int vma_insert(struct vma_list *l, uint64_t start, uint64_t end, unsigned prot, enum vma_kind kind, uint64_t offset,
	       const char *name);

/* The area containing addr, or NULL. */
struct vma *vma_find(struct vma_list *l, uint64_t addr);

/* The first area that ends above addr (containing it or above it), or NULL. */
struct vma *vma_find_from(struct vma_list *l, uint64_t addr);

/*
 * Remove [start, end) from every area it touches, splitting areas at the
 * edges. Unmapped parts of the range are fine. Returns 0, -EINVAL or -ENOMEM
 * (a split would exceed VMA_MAX; nothing changed).
 */
int vma_remove(struct vma_list *l, uint64_t start, uint64_t end);

/*
 * Set prot on [start, end), splitting at the edges and merging neighbours
 * that become identical. The whole range must be covered by areas (Linux's
 * mprotect gives -ENOMEM otherwise). Returns 0, -EINVAL or -ENOMEM.
 */
int vma_protect(struct vma_list *l, uint64_t start, uint64_t end, unsigned prot);

/*
 * Find a free gap of len bytes, top-down, ending at or below top and starting
 * at or above bottom (mmap's placement). Returns the start, or 0 if none.
 */
uint64_t vma_find_gap(const struct vma_list *l, uint64_t len, uint64_t bottom, uint64_t top);

/*
 * Grow or shrink the area that starts at start (brk, stack) to end at
 * new_end / start at new_start. Fails with -EEXIST if the new range would
 * overlap another area, -EINVAL if it would be empty or misaligned.
 */
int vma_resize(struct vma_list *l, uint64_t start, uint64_t new_start, uint64_t new_end);

#endif
