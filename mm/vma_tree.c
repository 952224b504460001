/* SPDX-License-Identifier: MIT */
/*
 * vma_tree.c - the tree under a process's areas (vma.c): an AVL tree ordered
 * by address, with parent links (so vma_next needs no stack) and three
 * augmented fields per subtree: the lowest start, the highest end and the
 * largest hole between two of its areas. Those make mmap's top-down
 * placement (vma_find_gap, here) O(log n): a subtree whose holes are all too
 * small is never entered. Node recycling (the spare list) lives here too.
 */
#include "vma_tree.h"

#include <stdbool.h>

#include "heap.h"
#include "memlayout.h"

#define PAGE_OFF (PAGE_SIZE - 1)

/* ---- the tree ------------------------------------------------------------ */

static inline int height(const struct vma *n)
{
	return n ? n->height : 0;
}

/* Recompute n's height and augmented fields from its own range and its children's. */
static void update(struct vma *n)
{
	const struct vma *l = n->left, *r = n->right;

	n->height = 1 + (height(l) > height(r) ? height(l) : height(r));
	n->sub_start = l ? l->sub_start : n->start;
	n->sub_end = r ? r->sub_end : n->end;
	n->sub_gap = 0;
	if (l)
		n->sub_gap = max64(l->sub_gap, n->start - l->sub_end);
	if (r)
		n->sub_gap = max64(n->sub_gap, max64(r->sub_gap, r->sub_start - n->end));
}

/* Make new take old's place under old's parent (or as the root). */
static void replace_child(struct vma_list *l, struct vma *old, struct vma *new)
{
	struct vma *p = old->parent;

	if (!p)
		l->root = new;
	else if (p->left == old)
		p->left = new;
	else
		p->right = new;
	if (new)
		new->parent = p;
}

/* Rotate n's right child up into n's place; returns it. */
static struct vma *rotate_left(struct vma_list *l, struct vma *n)
{
	struct vma *r = n->right;

	replace_child(l, n, r);
	n->right = r->left;
	if (r->left)
		r->left->parent = n;
	r->left = n;
	n->parent = r;
	update(n);
	update(r);
	return r;
}

static struct vma *rotate_right(struct vma_list *l, struct vma *n)
{
	struct vma *c = n->left;

	replace_child(l, n, c);
	n->left = c->right;
	if (c->right)
		c->right->parent = n;
	c->right = n;
	n->parent = c;
	update(n);
	update(c);
	return c;
}

/*
 * From n up to the root: recompute every node and restore AVL balance where
 * it broke. Stops early at a node that needs no rotation and whose height
 * and augmented fields came out as they were: nothing above it can change.
 */
static void rebalance(struct vma_list *l, struct vma *n)
{
	while (n) {
		int bal, h = n->height;
		uint64_t ss = n->sub_start, se = n->sub_end, sg = n->sub_gap;

		update(n);
		bal = height(n->left) - height(n->right);
		if (bal >= -1 && bal <= 1 && n->height == h && n->sub_start == ss && n->sub_end == se &&
		    n->sub_gap == sg)
			return;
		if (bal > 1) {
			if (height(n->left->left) < height(n->left->right))
				rotate_left(l, n->left);
			n = rotate_right(l, n);
		} else if (bal < -1) {
			if (height(n->right->right) < height(n->right->left))
				rotate_right(l, n->right);
			n = rotate_left(l, n);
		}
		n = n->parent;
	}
}

static struct vma *leftmost(struct vma *n)
{
	while (n && n->left)
		n = n->left;
	return n;
}

/*
 * Nodes: up to VMA_SPARE_MAX freed ones are kept on the list for the next
 * insert or split, so an mmap/munmap pair costs no heap round trip (the
 * heap fills and checks poison on each). A new node is all zero.
 */
struct vma *vma_node_alloc(struct vma_list *l)
{
	struct vma *n = l->spare;

	if (n) {
		l->spare = n->right;
		l->nspare--;
	} else {
		n = kmalloc(sizeof(*n));
		if (!n)
			return NULL;
	}
	__builtin_memset(n, 0, sizeof(*n)); /* inlined: no rep stos for 120 bytes */
	return n;
}

void vma_node_free(struct vma_list *l, struct vma *n)
{
	if (l->nspare < VMA_SPARE_MAX) {
		n->right = l->spare;
		l->spare = n;
		l->nspare++;
	} else {
		kfree(n);
	}
}

/* Link n into the tree right after pos in address order (pos NULL: first). n's range must fit there. */
void vma_link_after(struct vma_list *l, struct vma *pos, struct vma *n)
{
	struct vma *p;

	n->left = n->right = NULL;
	if (!pos) {
		p = leftmost(l->root);
		if (p)
			p->left = n;
	} else if (!pos->right) {
		p = pos;
		p->right = n;
	} else {
		p = leftmost(pos->right);
		p->left = n;
	}
	n->parent = p;
	if (!p)
		l->root = n;
	l->n++;
	rebalance(l, n);
}

/* Take n out of the tree (not freed). */
void vma_unlink(struct vma_list *l, struct vma *n)
{
	struct vma *from;

	if (n->left && n->right) {
		/* The successor s takes n's place; s has no left child. */
		struct vma *s = leftmost(n->right);

		if (s != n->right) {
			from = s->parent;
			from->left = s->right;
			if (s->right)
				s->right->parent = from;
			s->right = n->right;
			n->right->parent = s;
		} else {
			from = s;
		}
		s->left = n->left;
		n->left->parent = s;
		replace_child(l, n, s);
	} else {
		from = n->parent;
		replace_child(l, n, n->left ? n->left : n->right);
	}
	l->n--;
	if (l->cache == n)
		l->cache = NULL;
	rebalance(l, from);
}

void vma_init(struct vma_list *l)
{
	l->root = NULL;
	l->n = 0;
	l->spare = NULL;
	l->nspare = 0;
	l->cache = NULL;
}

void vma_destroy(struct vma_list *l)
{
	struct vma *n = l->root;

	/* Post-order without a stack: free leaves, climbing through the parent links. */
	while (n) {
		if (n->left) {
			n = n->left;
		} else if (n->right) {
			n = n->right;
		} else {
			struct vma *p = n->parent;

			if (p && p->left == n)
				p->left = NULL;
			else if (p)
				p->right = NULL;
			kfree(n);
			n = p;
		}
	}
	while (l->spare) {
		n = l->spare;
		l->spare = n->right;
		kfree(n);
	}
	vma_init(l);
}

struct vma *vma_prev(const struct vma *v)
{
	if (v->left) {
		v = v->left;
		while (v->right)
			v = v->right;
		return (struct vma *)v;
	}
	while (v->parent && v->parent->left == v)
		v = v->parent;
	return v->parent;
}

/*
 * Whether c is the first area with end > addr: it holds addr, or it lies
 * above addr and the area before it (if any, into *prev then) ends at or
 * below addr. vma_prev is O(1) for most nodes (a short walk down or up).
 */
static bool first_ending_above_is(const struct vma *c, uint64_t addr, struct vma **prev)
{
	struct vma *p;

	*prev = NULL;
	if (c->end <= addr)
		return false;
	if (c->start <= addr)
		return true;
	p = vma_prev(c);
	*prev = p;
	return !p || p->end <= addr;
}

/* The first area with end > addr, or NULL. Tries l->cache first and leaves the answer there. */
struct vma *vma_first_ending_above(const struct vma_list *l, uint64_t addr)
{
	struct vma_list *ml = (struct vma_list *)l; /* the cache is a hint, not the list's contents */
	struct vma *n = l->root, *best = NULL;

	struct vma *prev;

	if (l->cache && first_ending_above_is(l->cache, addr, &prev))
		return l->cache;
	while (n) {
		if (n->end > addr) {
			best = n;
			n = n->left;
		} else {
			n = n->right;
		}
	}
	if (best)
		ml->cache = best;
	return best;
}

struct vma *vma_first_ending_above_prev(const struct vma_list *l, uint64_t addr, struct vma **prev)
{
	struct vma *next;

	if (l->cache && first_ending_above_is(l->cache, addr, prev)) {
		next = l->cache;
		if (next->start <= addr)
			*prev = vma_prev(next);
		return next;
	}
	next = vma_first_ending_above(l, addr);
	*prev = next ? vma_prev(next) : vma_last_starting_below(l, addr);
	return next;
}

/* The last area with start < addr, or NULL. */
struct vma *vma_last_starting_below(const struct vma_list *l, uint64_t addr)
{
	struct vma *n = l->root, *best = NULL;

	while (n) {
		if (n->start < addr) {
			best = n;
			n = n->right;
		} else {
			n = n->left;
		}
	}
	return best;
}

/*
 * Recompute n's augmented fields and its ancestors' after n's range changed
 * in place, stopping above n where a node comes out as it was.
 */
void vma_fix_up(struct vma *n)
{
	update(n);
	for (n = n->parent; n; n = n->parent) {
		uint64_t ss = n->sub_start, se = n->sub_end, sg = n->sub_gap;

		update(n);
		if (n->sub_start == ss && n->sub_end == se && n->sub_gap == sg)
			return;
	}
}

/* ---- placement ----------------------------------------------------------- */

struct gapq {
	uint64_t len, bottom, top;
};

/* The highest fit inside [lo, hi) clipped to [bottom, top), or 0. */
static uint64_t fit(uint64_t lo, uint64_t hi, const struct gapq *q)
{
	if (lo < q->bottom)
		lo = q->bottom;
	if (hi > q->top)
		hi = q->top;
	return hi > lo && hi - lo >= q->len ? hi - q->len : 0;
}

/*
 * The largest free run in the region (lo, hi) around subtree n, whose areas
 * all lie between lo (where the area before it ends) and hi (where the one
 * after it starts). Ignores bottom and top, so it bounds what a search finds.
 */
static uint64_t region_max(const struct vma *n, uint64_t lo, uint64_t hi)
{
	uint64_t m;

	if (!n)
		return hi > lo ? hi - lo : 0;
	m = n->sub_gap;
	if (n->sub_start > lo)
		m = max64(m, n->sub_start - lo);
	if (hi > n->sub_end)
		m = max64(m, hi - n->sub_end);
	return m;
}

/* Deeper than any AVL tree that fits in memory (height <= 1.44 log2(n + 2)): the left regions gap_search leaves for
 * later. */
#define GAP_STACK 64

/*
 * The highest fit in the whole address space, or 0; *above gets the area
 * right above it (NULL: none). Regions outside [bottom, top) and regions
 * whose largest run is too short are not entered, so only the O(log n)
 * regions that straddle bottom or top can be entered in vain: the search is
 * O(log n). A loop rather than a recursion, in the same order (right before
 * left), without a call and return per level, which QEMU's TCG makes
 * costly. A region is subtree n between lo (where the area before it ends)
 * and hi (where `up`, the area after it, starts; NULL: none, hi 2^64); a left
 * region left for later is known by its parent node and its lo alone.
 */
static uint64_t gap_search(const struct vma *root, const struct gapq *q, const struct vma **above)
{
	struct {
		const struct vma *parent;
		uint64_t lo;
	} stack[GAP_STACK];
	const struct vma *n = root, *up = NULL;
	uint64_t lo = 0, hi = UINT64_MAX;
	unsigned depth = 0;

	for (;;) {
		/* The bound with the region clipped to [bottom, top): still an upper bound, and tighter at the edges.
		 */
		if (hi > q->bottom && lo < q->top &&
		    region_max(n, lo > q->bottom ? lo : q->bottom, hi < q->top ? hi : q->top) >= q->len) {
			if (n && depth < GAP_STACK) {
				stack[depth].parent = n;
				stack[depth++].lo = lo;
				lo = n->end;
				n = n->right;
				continue;
			}
			if (!n) {
				uint64_t s = fit(lo, hi, q);

				if (s) {
					*above = up;
					return s;
				}
			}
		}
		if (!depth)
			return 0;
		depth--;
		up = stack[depth].parent;
		lo = stack[depth].lo;
		hi = up->start;
		n = up->left;
	}
}

/*
 * Linux's unmapped_area_topdown(): the highest page-aligned [s, s + len) with
 * bottom <= s and s + len <= top that meets no area. len is rounded up to
 * pages, bottom up and top down. 0 means "none", so a gap that fits only at
 * address 0 is not found (callers keep bottom above the null guard anyway).
 */
uint64_t vma_find_gap(const struct vma_list *l, uint64_t len, uint64_t bottom, uint64_t top)
{
	const struct vma *above = NULL;
	struct gapq q;
	uint64_t s;

	if (len == 0 || len > UINT64_MAX - PAGE_OFF || bottom > UINT64_MAX - PAGE_OFF)
		return 0;
	q.len = ALIGN_UP(len, PAGE_SIZE);
	q.bottom = ALIGN_UP(bottom, PAGE_SIZE);
	q.top = ALIGN_DOWN(top, PAGE_SIZE);
	if (q.top <= q.bottom || q.top - q.bottom < q.len)
		return 0;
	/*
	 * Areas end at most at 2^64 - PAGE_SIZE, so UINT64_MAX stands in for 2^64
	 * as the upper bound. The area above the gap is the one mmap's insert
	 * looks up next: it goes into the cache.
	 */
	s = gap_search(l->root, &q, &above);
	if (s && above)
		((struct vma_list *)l)->cache = (struct vma *)above;
	return s;
}
