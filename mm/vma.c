/* SPDX-License-Identifier: MIT */
/*
 * vma.c - a process's virtual memory areas (include/vma.h): inserting,
 * finding, cutting, protecting and resizing them. The tree under them and
 * mmap's gap search are vma_tree.c.
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
#include "vma_tree.h"

#define PAGE_OFF (PAGE_SIZE - 1)

/* [start, end) is page aligned and non-empty (start < end also rules out wrapping). */
static bool range_ok(uint64_t start, uint64_t end)
{
	return !((start | end) & PAGE_OFF) && start < end;
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

/* Remove and free n. */
static void drop(struct vma_list *l, struct vma *n)
{
	vma_unlink(l, n);
	vma_node_free(l, n);
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
	next = vma_first_ending_above_prev(l, start, &prev);
	if (next && next->start < end)
		return -EEXIST;

	left = prev && mergeable(prev, &a);
	right = next && mergeable(&a, next);
	if (left && right) {
		/* a fills the hole between two areas exactly: they become one. */
		prev->end = next->end;
		drop(l, next);
		vma_fix_up(prev);
	} else if (left) {
		prev->end = end;
		vma_fix_up(prev);
	} else if (right) {
		set_start(next, start);
		vma_fix_up(next);
	} else {
		n = vma_node_alloc(l);
		if (!n)
			return -ENOMEM;
		set_area(n, &a);
		vma_link_after(l, prev, n);
	}
	return 0;
}

struct vma *vma_find(const struct vma_list *l, uint64_t addr)
{
	struct vma *v = vma_first_ending_above(l, addr);

	return v && v->start <= addr ? v : NULL;
}

struct vma *vma_find_from(const struct vma_list *l, uint64_t addr)
{
	return vma_first_ending_above(l, addr);
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
		struct vma *n = vma_node_alloc(l);

		if (!n) {
			while (extra) {
				struct vma *next = extra->right;

				vma_node_free(l, extra);
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
		vma_link_after(l, last, n);
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
		vma_fix_up(n);
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
	a = vma_first_ending_above(l, start);
	if (!a || a->start >= end)
		return 0; /* nothing mapped in the range */
	if (a->start < start && a->end > end) {
		struct vma *n = vma_node_alloc(l);

		if (!n)
			return -ENOMEM;
		set_area(n, a);
		set_start(n, end);
		a->end = start;
		vma_fix_up(a);
		vma_link_after(l, a, n);
		return 0;
	}
	for (; a && a->start < end; a = next) {
		next = vma_next(a);
		if (a->start < start) {
			a->end = start;
			vma_fix_up(a);
		} else if (a->end > end) {
			set_start(a, end);
			vma_fix_up(a);
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
	i = vma_first_ending_above(l, start);
	j = vma_last_starting_below(l, end);
	/* i..j meet the range; they must cover it without holes. */
	if (!i || !j || i->start > start || j->end < end || i->start >= end)
		return -ENOMEM;
	for (struct vma *k = i; k != j; k = vma_next(k))
		if (k->end != vma_next(k)->start)
			return -ENOMEM;
	return rewrite(l, i, j, start, end, prot, false);
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
	vma_fix_up(a);

	/* Touching an identical neighbour now: merge, as vma_insert() would have. */
	if (next && mergeable(a, next)) {
		a->end = next->end;
		drop(l, next);
		vma_fix_up(a);
	}
	if (prev && mergeable(prev, a)) {
		prev->end = a->end;
		drop(l, a);
		vma_fix_up(prev);
	}
	return 0;
}
