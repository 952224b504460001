/* SPDX-License-Identifier: MIT */
/*
 * vma.h - a process's virtual memory areas: sorted, non-overlapping,
 * page-aligned [start, end) ranges with permissions and a kind. Pure
 * bookkeeping: nothing here touches page tables; the caller does (mm/uvm.c).
 *
 * The areas live in a balanced search tree (AVL, by address) with no fixed
 * cap: find, insert and the edges of remove/protect cost O(log n), and mmap's
 * placement (vma_find_gap) is O(log n) too, through the largest hole kept in
 * every subtree. Nodes come from kmalloc; every operation that needs new
 * nodes allocates all of them before its first change, so it either
 * succeeds completely or fails with -ENOMEM leaving the areas as they were.
 * Areas are also kept fully merged: no two touching neighbours could be one.
 */
#ifndef ATLAS_VMA_H
#define ATLAS_VMA_H

#include <stddef.h>
#include <stdint.h>

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

/*
 * prot's low bits are VM_READ | VM_WRITE | VM_EXEC; bits from VMA_FLAGS_SHIFT
 * up are flags of the area that vma_protect keeps (merging compares them).
 */
#define VMA_PROT_MASK 0xFFFFu
#define VMA_NORESERVE (1u << 16) /* mmap(MAP_NORESERVE): not counted by the overcommit policy */

struct vma {
	uint64_t start, end; /* page aligned */
	unsigned prot;	     /* VM_READ | VM_WRITE | VM_EXEC (include/paging.h), and VMA_* flags */
	enum vma_kind kind;
	uint64_t offset; /* file offset of start (VMA_IMAGE) */
	char name[VMA_NAME];
	/* The tree, mm/vma.c's own: read-only for everyone else (tests check it). */
	struct vma *left, *right, *parent;
	uint64_t sub_start, sub_end; /* lowest start and highest end in this subtree */
	uint64_t sub_gap;	     /* largest hole between two areas of this subtree (0: none) */
	int height;		     /* of this subtree: 1 for a leaf */
};

/* Freed nodes a list keeps for reuse (vma_destroy frees them). */
#define VMA_SPARE_MAX 4

struct vma_list {
	struct vma *root;
	size_t n;	   /* areas */
	struct vma *spare; /* freed nodes kept for reuse, linked through ->right */
	unsigned nspare;
	/*
	 * The area the last lookup found (or the one above the gap vma_find_gap
	 * chose), tried before a search from the root: mmap's insert and
	 * munmap's remove of the same page, and faults in one area, then cost
	 * O(1), as Linux's vmacache made them. NULL or an area in the tree
	 * (vma_tree.c clears it when its node leaves); a hint only, never
	 * trusted without a check of its range. Changed by lookups too.
	 */
	struct vma *cache;
};

/* An empty list (forgets, does not free, what l held: see vma_destroy). */
void vma_init(struct vma_list *l);

/* Free every area and leave l empty. O(n). */
void vma_destroy(struct vma_list *l);

/* The lowest area, or NULL. Inline: reports (core/proc/procfs.c) walk areas without mm/vma.c. */
static inline struct vma *vma_first(const struct vma_list *l)
{
	struct vma *v = l->root;

	while (v && v->left)
		v = v->left;
	return v;
}

/* The area after v in address order, or NULL. O(1) amortized over a whole walk. */
static inline struct vma *vma_next(const struct vma *v)
{
	if (v->right) {
		v = v->right;
		while (v->left)
			v = v->left;
		return (struct vma *)v;
	}
	while (v->parent && v->parent->right == v)
		v = v->parent;
	return v->parent;
}

/* Every area of l, in address order (the loop variable v is a struct vma *; do not change the tree inside). */
#define for_each_vma(v, l) for (struct vma *v = vma_first(l); v; v = vma_next(v))

/*
 * Insert [start, end). Returns 0, -EINVAL (unaligned, empty, wraps),
 * -EEXIST (overlaps an existing area) or -ENOMEM (no memory for the node).
 * Adjacent areas with identical prot, kind, name and contiguous offsets are
 * merged (no allocation then).
 */
int vma_insert(struct vma_list *l, uint64_t start, uint64_t end, unsigned prot, enum vma_kind kind, uint64_t offset,
	       const char *name);

/* The area containing addr, or NULL. O(log n). */
struct vma *vma_find(const struct vma_list *l, uint64_t addr);

/* The first area that ends above addr (containing it or above it), or NULL. O(log n). */
struct vma *vma_find_from(const struct vma_list *l, uint64_t addr);

/*
 * Remove [start, end) from every area it touches, splitting areas at the
 * edges. Unmapped parts of the range are fine. Returns 0, -EINVAL or -ENOMEM
 * (cutting a hole into one area needs a node; nothing changed).
 */
int vma_remove(struct vma_list *l, uint64_t start, uint64_t end);

/*
 * Set prot on [start, end) (the VM_* bits: each area keeps its VMA_* flags),
 * splitting at the edges and merging neighbours that become identical. The whole range must be covered by areas
 * (Linux's mprotect gives -ENOMEM otherwise). Returns 0, -EINVAL or -ENOMEM (also when the nodes a split needs cannot
 * be allocated; nothing changed then). Allocates only as many nodes as the result has more areas than before.
 */
int vma_protect(struct vma_list *l, uint64_t start, uint64_t end, unsigned prot);

/*
 * Find a free gap of len bytes, top-down, ending at or below top and starting
 * at or above bottom (mmap's placement). Returns the start, or 0 if none.
 * O(log n).
 */
uint64_t vma_find_gap(const struct vma_list *l, uint64_t len, uint64_t bottom, uint64_t top);

/*
 * Grow or shrink the area that starts at start (brk, stack) to end at
 * new_end / start at new_start. Fails with -EEXIST if the new range would
 * overlap another area, -EINVAL if it would be empty or misaligned.
 */
int vma_resize(struct vma_list *l, uint64_t start, uint64_t new_start, uint64_t new_end);

#endif
