/* SPDX-License-Identifier: MIT */
/*
 * vma.c - a process's virtual memory areas (include/vma.h).
 *
 * The areas are the nodes of an AVL tree ordered by address, with parent
 * links (so vma_next needs no stack) and three augmented fields per subtree:
 * the lowest start, the highest end and the largest hole between two of its
 * areas. Those make mmap's top-down placement O(log n): a subtree whose
 * holes are all too small is never entered.
 *
 * Every operation keeps two invariants:
 *   - sorted and disjoint: an area ends at or before the next one starts;
 *   - fully merged: no two touching neighbours are mergeable() (same prot,
 *     kind and name, and for VMA_IMAGE contiguous file offsets).
 *
 * Conventions that the header leaves open:
 *   - offset only means something for VMA_IMAGE; other kinds store 0, so
 *     their offsets can never keep two areas apart or make lists differ.
 *     Cutting the front off an image area advances its offset by as much.
 *   - names are stored zero-padded and truncated to VMA_NAME - 1 bytes; a
 *     NULL name is "".
 *   - prot is stored as given; callers pass VM_READ | VM_WRITE | VM_EXEC.
 *
 * Atomicity: every function that can fail decides so before its first
 * write, and allocates the nodes it needs before that too. remove and
 * protect, whose results are hardest to predict, run the same rewrite walk
 * twice: once to count the result, once to write it into the nodes that
 * were there (plus new ones, or minus those left over), in order.
 */
#include "vma.h"

#include <stdbool.h>

#include "heap.h"
#include "kerrno.h"
#include "kstring.h"
#include "memlayout.h"

#define PAGE_OFF (PAGE_SIZE - 1)

/* [start, end) is page aligned and non-empty (start < end also rules out wrapping). */
static bool range_ok(uint64_t start, uint64_t end)
{
	return !((start | end) & PAGE_OFF) && start < end;
}

static inline uint64_t max64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

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
static struct vma *node_alloc(struct vma_list *l)
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

static void node_free(struct vma_list *l, struct vma *n)
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
static void link_after(struct vma_list *l, struct vma *pos, struct vma *n)
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
static void unlink(struct vma_list *l, struct vma *n)
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
	rebalance(l, from);
}

void vma_init(struct vma_list *l)
{
	l->root = NULL;
	l->n = 0;
	l->spare = NULL;
	l->nspare = 0;
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

static struct vma *vma_prev(const struct vma *v)
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

/* The first area with end > addr, or NULL. */
static struct vma *first_ending_above(const struct vma_list *l, uint64_t addr)
{
	struct vma *n = l->root, *best = NULL;

	while (n) {
		if (n->end > addr) {
			best = n;
			n = n->left;
		} else {
			n = n->right;
		}
	}
	return best;
}

/* The last area with start < addr, or NULL. */
static struct vma *last_starting_below(const struct vma_list *l, uint64_t addr)
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

/* ---- areas --------------------------------------------------------------- */

/*
 * Names are stored zero-padded (vma_insert), so equal names are equal
 * words. Word compares and the inlined copies below keep the small string
 * routines (rep movs/cmps, expensive to start under QEMU's TCG) off the
 * mmap path.
 */
_Static_assert(VMA_NAME % 8 == 0, "names are compared as words");

static bool same_name(const struct vma *a, const struct vma *b)
{
	uint64_t x[VMA_NAME / 8], y[VMA_NAME / 8];

	__builtin_memcpy(x, a->name, VMA_NAME);
	__builtin_memcpy(y, b->name, VMA_NAME);
	for (size_t i = 0; i < VMA_NAME / 8; i++)
		if (x[i] != y[i])
			return false;
	return true;
}

/* Whether b continues a: it starts where a ends and nothing tells them apart. */
static bool mergeable(const struct vma *a, const struct vma *b)
{
	if (a->end != b->start || a->prot != b->prot || a->kind != b->kind)
		return false;
	if (!same_name(a, b))
		return false;
	/* Unsigned wrap-around is fine here: both sides wrap alike. */
	return a->kind != VMA_IMAGE || b->offset == a->offset + (a->end - a->start);
}

/* Move a's start to new_start (either way), keeping offset the file offset of start. */
static void set_start(struct vma *a, uint64_t new_start)
{
	if (a->kind == VMA_IMAGE)
		a->offset += new_start - a->start; /* modulo 2^64, also when moving down */
	a->start = new_start;
}

/* Copy the area fields of src into dst, leaving dst's tree links alone. */
static void set_area(struct vma *dst, const struct vma *src)
{
	dst->start = src->start;
	dst->end = src->end;
	dst->prot = src->prot;
	dst->kind = src->kind;
	dst->offset = src->offset;
	__builtin_memcpy(dst->name, src->name, VMA_NAME);
}

/*
 * Recompute n's augmented fields and its ancestors' after n's range changed
 * in place, stopping above n where a node comes out as it was.
 */
static void fix_up(struct vma *n)
{
	update(n);
	for (n = n->parent; n; n = n->parent) {
		uint64_t ss = n->sub_start, se = n->sub_end, sg = n->sub_gap;

		update(n);
		if (n->sub_start == ss && n->sub_end == se && n->sub_gap == sg)
			return;
	}
}

/* Remove and free n. */
static void drop(struct vma_list *l, struct vma *n)
{
	unlink(l, n);
	node_free(l, n);
}

int vma_insert(struct vma_list *l, uint64_t start, uint64_t end, unsigned prot, enum vma_kind kind, uint64_t offset,
	       const char *name)
{
	struct vma a, *next, *prev, *n;
	bool left, right;

	if (!range_ok(start, end))
		return -EINVAL;
	__builtin_memset(&a, 0, sizeof(a));
	a.start = start;
	a.end = end;
	a.prot = prot;
	a.kind = kind;
	a.offset = kind == VMA_IMAGE ? offset : 0;
	for (size_t i = 0; name && name[i] && i < VMA_NAME - 1; i++)
		a.name[i] = name[i]; /* truncated, zero-padded (a was cleared) */

	/* next is the first area ending above start: the only one that could overlap first. */
	next = first_ending_above(l, start);
	if (next && next->start < end)
		return -EEXIST;
	prev = next ? vma_prev(next) : last_starting_below(l, start);

	left = prev && mergeable(prev, &a);
	right = next && mergeable(&a, next);
	if (left && right) {
		/* a fills the hole between two areas exactly: they become one. */
		prev->end = next->end;
		drop(l, next);
		fix_up(prev);
	} else if (left) {
		prev->end = end;
		fix_up(prev);
	} else if (right) {
		set_start(next, start);
		fix_up(next);
	} else {
		n = node_alloc(l);
		if (!n)
			return -ENOMEM;
		set_area(n, &a);
		link_after(l, prev, n);
	}
	return 0;
}

struct vma *vma_find(const struct vma_list *l, uint64_t addr)
{
	struct vma *v = first_ending_above(l, addr);

	return v && v->start <= addr ? v : NULL;
}

struct vma *vma_find_from(const struct vma_list *l, uint64_t addr)
{
	return first_ending_above(l, addr);
}

/*
 * The rewrite walk behind remove and protect.
 *
 * It replaces a window of consecutive areas by a sequence of pieces: an area
 * that misses [start, end) is one piece, unchanged; an area that meets it is
 * cut into its part below start (unchanged), its part inside (dropped by
 * remove, given the new prot by protect) and its part above end (unchanged
 * but for the offset). Pieces that are mergeable() with the one before are
 * joined to it, so the window always comes out fully merged; it reaches one
 * area beyond the affected ones on each side so that merges with those
 * happen too.
 *
 * With write false the walk only counts the pieces that come out (m). With
 * write true it stores them into the window's own nodes in address order
 * (the "slots"), followed by the extra nodes the caller linked in after the
 * window when m exceeds its size. That is safe with a read-ahead of one
 * area. Only the area meeting start has a part below it and only the area
 * meeting end a part above it, so after reading r areas the walk has made at
 * most r + 2 pieces. A piece goes into slot s only once its successor exists
 * (they might have merged), so by then s + 2 pieces have been made and
 * r >= s: while cutting area k the walk stores into slots up to k + 1, and
 * area k + 1 was copied out before. The tree's shape does not change during
 * the walk (only ranges are rewritten, in order), so vma_next still finds
 * the slots; the augmented fields are recomputed afterwards.
 */
struct rewrite {
	uint64_t start, end;
	unsigned prot;
	bool remove;	  /* drop the inside parts (else: set their prot) */
	bool write;	  /* store the pieces (else: only count them) */
	size_t count;	  /* pieces stored (or counted) */
	struct vma *slot; /* the next node to store into */
	bool held;	  /* piece is the last piece made, not stored yet */
	struct vma piece;
};

static void rw_store(struct rewrite *rw)
{
	if (rw->write) {
		struct vma *s = rw->slot;

		set_area(s, &rw->piece);
		rw->slot = vma_next(s);
	}
	rw->count++;
}

static void rw_emit(struct rewrite *rw, const struct vma *p)
{
	if (rw->held && mergeable(&rw->piece, p)) {
		rw->piece.end = p->end;
		return;
	}
	if (rw->held)
		rw_store(rw);
	set_area(&rw->piece, p);
	rw->held = true;
}

static void rw_cut(struct rewrite *rw, const struct vma *a)
{
	struct vma p;

	if (a->end <= rw->start || a->start >= rw->end) {
		rw_emit(rw, a);
		return;
	}
	if (a->start < rw->start) {
		set_area(&p, a);
		p.end = rw->start;
		rw_emit(rw, &p);
	}
	if (!rw->remove) {
		set_area(&p, a);
		if (p.start < rw->start)
			set_start(&p, rw->start);
		if (p.end > rw->end)
			p.end = rw->end;
		p.prot = (p.prot & ~VMA_PROT_MASK) | (rw->prot & VMA_PROT_MASK);
		rw_emit(rw, &p);
	}
	if (a->end > rw->end) {
		set_area(&p, a);
		set_start(&p, rw->end);
		rw_emit(rw, &p);
	}
}

/* Walk the w areas from first on; returns the number of pieces. */
static size_t rw_run(struct rewrite *rw, struct vma *first, size_t w)
{
	struct vma cur, next, *n = first;

	rw->count = 0;
	rw->slot = first;
	rw->held = false;
	if (w)
		set_area(&next, n);
	for (size_t k = 0; k < w; k++) {
		cur = next;
		n = vma_next(n);
		if (k + 1 < w)
			set_area(&next, n); /* before rw_cut() may store into this node */
		rw_cut(rw, &cur);
	}
	if (rw->held)
		rw_store(rw);
	return rw->count;
}

/*
 * Remove (remove true) or re-protect [start, end), which is valid and meets
 * the areas from i to j (inclusive, i NULL: none).
 */
static int rewrite(struct vma_list *l, struct vma *i, struct vma *j, uint64_t start, uint64_t end, unsigned prot,
		   bool remove)
{
	struct rewrite rw = { .start = start, .end = end, .prot = prot, .remove = remove };
	struct vma *lo = vma_prev(i) ? vma_prev(i) : i, *hi = vma_next(j) ? vma_next(j) : j, *last, *extra = NULL;
	size_t w = 1, m;

	for (struct vma *n = lo; n != hi; n = vma_next(n))
		w++;
	m = rw_run(&rw, lo, w);
	/* The nodes a larger result needs, all before the first change. */
	for (size_t k = w; k < m; k++) {
		struct vma *n = node_alloc(l);

		if (!n) {
			while (extra) {
				struct vma *next = extra->right;

				node_free(l, extra);
				extra = next;
			}
			return -ENOMEM;
		}
		n->right = extra;
		extra = n;
	}
	/* Link them after the window with the last area's range for now: the walk rewrites them. */
	last = hi;
	while (extra) {
		struct vma *n = extra, *next = extra->right;

		set_area(n, last);
		link_after(l, last, n);
		last = n;
		extra = next;
	}
	rw.write = true;
	rw_run(&rw, lo, w);
	/* Nodes the result no longer needs follow the last piece. */
	while (rw.slot && m < w) {
		struct vma *n = rw.slot;

		rw.slot = vma_next(n);
		drop(l, n);
		w--;
	}
	/* The ranges changed in place: recompute the augmented fields on every path. */
	for (struct vma *n = lo; m--; n = vma_next(n))
		fix_up(n);
	return 0;
}

/*
 * Removing never makes two areas mergeable (the hole keeps them apart), so
 * remove works on the areas in place: trim the one meeting start, trim the
 * one meeting end, drop those inside, and split the one area that holds the
 * whole range with a hole (the only case that needs a node, taken first).
 */
int vma_remove(struct vma_list *l, uint64_t start, uint64_t end)
{
	struct vma *a, *next;

	if (!range_ok(start, end))
		return -EINVAL;
	a = first_ending_above(l, start);
	if (!a || a->start >= end)
		return 0; /* nothing mapped in the range */
	if (a->start < start && a->end > end) {
		struct vma *n = node_alloc(l);

		if (!n)
			return -ENOMEM;
		set_area(n, a);
		set_start(n, end);
		a->end = start;
		fix_up(a);
		link_after(l, a, n);
		return 0;
	}
	for (; a && a->start < end; a = next) {
		next = vma_next(a);
		if (a->start < start) {
			a->end = start;
			fix_up(a);
		} else if (a->end > end) {
			set_start(a, end);
			fix_up(a);
		} else {
			drop(l, a);
		}
	}
	return 0;
}

int vma_protect(struct vma_list *l, uint64_t start, uint64_t end, unsigned prot)
{
	struct vma *i, *j;

	if (!range_ok(start, end))
		return -EINVAL;
	i = first_ending_above(l, start);
	j = last_starting_below(l, end);
	/* i..j meet the range; they must cover it without holes. */
	if (!i || !j || i->start > start || j->end < end || i->start >= end)
		return -ENOMEM;
	for (struct vma *k = i; k != j; k = vma_next(k))
		if (k->end != vma_next(k)->start)
			return -ENOMEM;
	return rewrite(l, i, j, start, end, prot, false);
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

/*
 * The highest fit in the region (lo, hi) of subtree n, or 0. Regions outside
 * [bottom, top) and regions whose largest run is too short are not entered,
 * so only the O(log n) regions that straddle bottom or top can be entered in
 * vain: the search is O(log n).
 */
static uint64_t gap_search(const struct vma *n, uint64_t lo, uint64_t hi, const struct gapq *q)
{
	uint64_t s;

	/* The bound with the region clipped to [bottom, top): still an upper bound, and tighter at the edges. */
	if (hi <= q->bottom || lo >= q->top ||
	    region_max(n, lo > q->bottom ? lo : q->bottom, hi < q->top ? hi : q->top) < q->len)
		return 0;
	if (!n)
		return fit(lo, hi, q);
	s = gap_search(n->right, n->end, hi, q);
	return s ? s : gap_search(n->left, lo, n->start, q);
}

/*
 * Linux's unmapped_area_topdown(): the highest page-aligned [s, s + len) with
 * bottom <= s and s + len <= top that meets no area. len is rounded up to
 * pages, bottom up and top down. 0 means "none", so a gap that fits only at
 * address 0 is not found (callers keep bottom above the null guard anyway).
 */
uint64_t vma_find_gap(const struct vma_list *l, uint64_t len, uint64_t bottom, uint64_t top)
{
	struct gapq q;

	if (len == 0 || len > UINT64_MAX - PAGE_OFF || bottom > UINT64_MAX - PAGE_OFF)
		return 0;
	q.len = ALIGN_UP(len, PAGE_SIZE);
	q.bottom = ALIGN_UP(bottom, PAGE_SIZE);
	q.top = ALIGN_DOWN(top, PAGE_SIZE);
	if (q.top <= q.bottom || q.top - q.bottom < q.len)
		return 0;
	/* Areas end at most at 2^64 - PAGE_SIZE, so UINT64_MAX stands in for 2^64 as the upper bound. */
	return gap_search(l->root, 0, UINT64_MAX, &q);
}

int vma_resize(struct vma_list *l, uint64_t start, uint64_t new_start, uint64_t new_end)
{
	struct vma *a = vma_find(l, start), *prev, *next;

	if (!range_ok(new_start, new_end) || !a || a->start != start)
		return -EINVAL;
	prev = vma_prev(a);
	next = vma_next(a);
	/* Sorted order survives as long as the new range stays between the neighbours. */
	if ((prev && prev->end > new_start) || (next && next->start < new_end))
		return -EEXIST;

	set_start(a, new_start);
	a->end = new_end;
	fix_up(a);

	/* Touching an identical neighbour now: merge, as vma_insert() would have. */
	if (next && mergeable(a, next)) {
		a->end = next->end;
		drop(l, next);
		fix_up(a);
	}
	if (prev && mergeable(prev, a)) {
		prev->end = a->end;
		drop(l, a);
		fix_up(prev);
	}
	return 0;
}
