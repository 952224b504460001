/* SPDX-License-Identifier: MIT */
/*
 * vma_tree.h - mm's own interface between vma.c (the areas) and vma_tree.c
 * (the augmented AVL tree under them). Nothing outside mm/vma*.c includes
 * it: everyone else uses include/vma.h. None of these allocate except
 * vma_node_alloc, none fail except it (NULL), none take locks: the caller
 * holds whatever guards the vma_list.
 */
#ifndef ATLAS_VMA_TREE_H
#define ATLAS_VMA_TREE_H

#include "vma.h"

static inline uint64_t max64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* A zeroed node, from the list's spares or the heap; NULL when the heap is out. */
struct vma *vma_node_alloc(struct vma_list *l);
/* Give a node back (kept as a spare up to VMA_SPARE_MAX, else freed). */
void vma_node_free(struct vma_list *l, struct vma *n);
/* Link n into the tree right after pos in address order (pos NULL: first); rebalances. */
void vma_link_after(struct vma_list *l, struct vma *pos, struct vma *n);
/* Take n out of the tree (not freed); rebalances. */
void vma_unlink(struct vma_list *l, struct vma *n);
/* The area before v in address order, or NULL. */
struct vma *vma_prev(const struct vma *v);
/* The first area with end > addr, or NULL. */
struct vma *vma_first_ending_above(const struct vma_list *l, uint64_t addr);
/*
 * vma_first_ending_above, and in *prev the area before the one returned
 * (before none: the last area starting below addr), or NULL. The cache's
 * check finds that neighbour anyway: vma_insert asks for both at once.
 */
struct vma *vma_first_ending_above_prev(const struct vma_list *l, uint64_t addr, struct vma **prev);
/* The last area with start < addr, or NULL. */
struct vma *vma_last_starting_below(const struct vma_list *l, uint64_t addr);
/* Recompute n's augmented fields and its ancestors' after n's range changed in place. */
void vma_fix_up(struct vma *n);

#endif
