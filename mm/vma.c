/* SPDX-License-Identifier: MIT */
/*
 * vma.c - a process's virtual memory areas (include/vma.h).
 *
 * The list is a sorted array v[0..n) of non-overlapping, page-aligned areas.
 * Every operation keeps two invariants:
 *   - sorted and disjoint: v[k].end <= v[k + 1].start;
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
 * write. remove and protect, whose results are hardest to predict, run the
 * same rewrite walk twice: once to count the result, once to write it.
 */
#include "vma.h"

#include <stdbool.h>

#include "kerrno.h"
#include "kstring.h"
#include "memlayout.h"

#define PAGE_OFF (PAGE_SIZE - 1)

/* [start, end) is page aligned and non-empty (start < end also rules out wrapping). */
static bool range_ok(uint64_t start, uint64_t end)
{
	return !((start | end) & PAGE_OFF) && start < end;
}

/* Index of the first area with end > addr, or n. */
static size_t first_ending_above(const struct vma_list *l, uint64_t addr)
{
	size_t lo = 0, hi = l->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (l->v[mid].end > addr)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* Index of the first area with start >= addr, or n. */
static size_t first_starting_at_or_above(const struct vma_list *l, uint64_t addr)
{
	size_t lo = 0, hi = l->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (l->v[mid].start >= addr)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

/* Whether b continues a: it starts where a ends and nothing tells them apart. */
static bool mergeable(const struct vma *a, const struct vma *b)
{
	if (a->end != b->start || a->prot != b->prot || a->kind != b->kind)
		return false;
	if (strncmp(a->name, b->name, VMA_NAME) != 0)
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

void vma_init(struct vma_list *l)
{
	memset(l, 0, sizeof(*l));
}

int vma_insert(struct vma_list *l, uint64_t start, uint64_t end, unsigned prot, enum vma_kind kind, uint64_t offset,
	       const char *name)
{
	struct vma a;
	size_t i;
	bool left, right;

	if (!range_ok(start, end))
		return -EINVAL;
	memset(&a, 0, sizeof(a));
	a.start = start;
	a.end = end;
	a.prot = prot;
	a.kind = kind;
	a.offset = kind == VMA_IMAGE ? offset : 0;
	kstrlcpy(a.name, name ? name : "", VMA_NAME);

	/* v[i] is the first area ending above start: the only one that could overlap first. */
	i = first_ending_above(l, start);
	if (i < l->n && l->v[i].start < end)
		return -EEXIST;

	left = i > 0 && mergeable(&l->v[i - 1], &a);
	right = i < l->n && mergeable(&a, &l->v[i]);
	if (left && right) {
		/* a fills the hole between two areas exactly: they become one. */
		l->v[i - 1].end = l->v[i].end;
		memmove(&l->v[i], &l->v[i + 1], (l->n - i - 1) * sizeof(l->v[0]));
		l->n--;
	} else if (left) {
		l->v[i - 1].end = end;
	} else if (right) {
		set_start(&l->v[i], start);
	} else {
		if (l->n == VMA_MAX)
			return -ENOMEM;
		memmove(&l->v[i + 1], &l->v[i], (l->n - i) * sizeof(l->v[0]));
		l->v[i] = a;
		l->n++;
	}
	return 0;
}

struct vma *vma_find(struct vma_list *l, uint64_t addr)
{
	size_t i = first_ending_above(l, addr);

	return i < l->n && l->v[i].start <= addr ? &l->v[i] : NULL;
}

struct vma *vma_find_from(struct vma_list *l, uint64_t addr)
{
	size_t i = first_ending_above(l, addr);

	return i < l->n ? &l->v[i] : NULL;
}

/*
 * The rewrite walk behind remove and protect.
 *
 * It replaces a window of areas v[lo..hi) by a sequence of pieces: an area
 * that misses [start, end) is one piece, unchanged; an area that meets it is
 * cut into its part below start (unchanged), its part inside (dropped by
 * remove, given the new prot by protect) and its part above end (unchanged
 * but for the offset). Pieces that are mergeable() with the one before are
 * joined to it, so the window always comes out fully merged; it reaches one
 * area beyond the affected ones on each side so that merges with those
 * happen too.
 *
 * With write false the walk only counts the pieces that come out (m). With
 * write true it stores them over the window in place, from v[lo] on. That is
 * safe with a read-ahead of one area. Only the area meeting start has a part
 * below it and only the area meeting end a part above it, so after reading r
 * areas the walk has made at most r + 2 pieces. A piece goes into slot
 * lo + s only once its successor exists (they might have merged), so by then
 * s + 2 pieces have been made and r >= s: while cutting v[k], r = k - lo + 1
 * and the walk stores into slots up to k + 1, and v[k + 1] was copied out
 * before. Slots from hi on are written only when the window grows
 * (m > hi - lo); the caller moves the areas after the window out of the way
 * first.
 */
struct rewrite {
	struct vma_list *l;
	uint64_t start, end;
	unsigned prot;
	bool remove; /* drop the inside parts (else: set their prot) */
	bool write;  /* store the pieces (else: only count them) */
	size_t slot; /* the next slot to store into; from lo on */
	bool held;   /* piece is the last piece made, not stored yet */
	struct vma piece;
};

static void rw_emit(struct rewrite *rw, const struct vma *p)
{
	if (rw->held && mergeable(&rw->piece, p)) {
		rw->piece.end = p->end;
		return;
	}
	if (rw->held) {
		if (rw->write)
			rw->l->v[rw->slot] = rw->piece;
		rw->slot++;
	}
	rw->piece = *p;
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
		p = *a;
		p.end = rw->start;
		rw_emit(rw, &p);
	}
	if (!rw->remove) {
		p = *a;
		if (p.start < rw->start)
			set_start(&p, rw->start);
		if (p.end > rw->end)
			p.end = rw->end;
		p.prot = rw->prot;
		rw_emit(rw, &p);
	}
	if (a->end > rw->end) {
		p = *a;
		set_start(&p, rw->end);
		rw_emit(rw, &p);
	}
}

/* Walk v[lo..hi); returns the number of pieces, m. */
static size_t rw_run(struct rewrite *rw, size_t lo, size_t hi)
{
	struct vma cur, next;
	size_t k;

	rw->slot = lo;
	rw->held = false;
	if (lo < hi)
		next = rw->l->v[lo];
	for (k = lo; k < hi; k++) {
		cur = next;
		if (k + 1 < hi)
			next = rw->l->v[k + 1]; /* before rw_cut() may store into slot k + 1 */
		rw_cut(rw, &cur);
	}
	if (rw->held) {
		if (rw->write)
			rw->l->v[rw->slot] = rw->piece;
		rw->slot++;
	}
	return rw->slot - lo;
}

/* Remove (remove true) or re-protect [start, end), which is valid and meets areas v[i..j). */
static int rewrite(struct vma_list *l, size_t i, size_t j, uint64_t start, uint64_t end, unsigned prot, bool remove)
{
	struct rewrite rw = { .l = l, .start = start, .end = end, .prot = prot, .remove = remove };
	size_t lo = i > 0 ? i - 1 : i;
	size_t hi = j < l->n ? j + 1 : j;
	size_t m = rw_run(&rw, lo, hi);
	size_t tail = l->n - hi; /* areas after the window */

	if (l->n - (hi - lo) + m > VMA_MAX)
		return -ENOMEM;
	rw.write = true;
	if (m > hi - lo)
		memmove(&l->v[lo + m], &l->v[hi], tail * sizeof(l->v[0]));
	rw_run(&rw, lo, hi);
	if (m < hi - lo)
		memmove(&l->v[lo + m], &l->v[hi], tail * sizeof(l->v[0]));
	l->n = lo + m + tail;
	return 0;
}

int vma_remove(struct vma_list *l, uint64_t start, uint64_t end)
{
	size_t i, j;

	if (!range_ok(start, end))
		return -EINVAL;
	i = first_ending_above(l, start);
	j = first_starting_at_or_above(l, end);
	if (i >= j)
		return 0; /* nothing mapped in the range */
	return rewrite(l, i, j, start, end, 0, true);
}

int vma_protect(struct vma_list *l, uint64_t start, uint64_t end, unsigned prot)
{
	size_t i, j, k;

	if (!range_ok(start, end))
		return -EINVAL;
	i = first_ending_above(l, start);
	j = first_starting_at_or_above(l, end);
	/* v[i..j) meet the range; they must cover it without holes. */
	if (i >= j || l->v[i].start > start || l->v[j - 1].end < end)
		return -ENOMEM;
	for (k = i; k + 1 < j; k++)
		if (l->v[k].end != l->v[k + 1].start)
			return -ENOMEM;
	return rewrite(l, i, j, start, end, prot, false);
}

/* [lo, hi) holds len bytes (hi > lo guards the subtraction). */
static bool fits(uint64_t lo, uint64_t hi, uint64_t len)
{
	return hi > lo && hi - lo >= len;
}

/*
 * Linux's unmapped_area_topdown(): the highest page-aligned [s, s + len) with
 * bottom <= s and s + len <= top that meets no area. len is rounded up to
 * pages, bottom up and top down. 0 means "none", so a gap that fits only at
 * address 0 is not found (callers keep bottom above the null guard anyway).
 */
uint64_t vma_find_gap(const struct vma_list *l, uint64_t len, uint64_t bottom, uint64_t top)
{
	uint64_t gap_top;
	size_t k;

	if (len == 0 || len > UINT64_MAX - PAGE_OFF)
		return 0;
	len = ALIGN_UP(len, PAGE_SIZE);
	if (bottom > UINT64_MAX - PAGE_OFF)
		return 0;
	bottom = ALIGN_UP(bottom, PAGE_SIZE);
	top = ALIGN_DOWN(top, PAGE_SIZE);

	/* Walk down the areas; gap_top is the end of the free space below the last one seen. */
	gap_top = top;
	for (k = l->n; k-- > 0;) {
		const struct vma *a = &l->v[k];
		if (a->start >= gap_top)
			continue; /* above the window */
		if (fits(a->end > bottom ? a->end : bottom, gap_top, len))
			return gap_top - len;
		gap_top = a->start;
		if (gap_top <= bottom)
			return 0;
	}
	return fits(bottom, gap_top, len) ? gap_top - len : 0;
}

int vma_resize(struct vma_list *l, uint64_t start, uint64_t new_start, uint64_t new_end)
{
	size_t i = first_starting_at_or_above(l, start);
	struct vma *a;

	if (!range_ok(new_start, new_end) || i >= l->n || l->v[i].start != start)
		return -EINVAL;
	/* Sorted order survives as long as the new range stays between the neighbours. */
	if ((i > 0 && l->v[i - 1].end > new_start) || (i + 1 < l->n && l->v[i + 1].start < new_end))
		return -EEXIST;

	a = &l->v[i];
	set_start(a, new_start);
	a->end = new_end;

	/* Touching an identical neighbour now: merge, as vma_insert() would have. */
	if (i + 1 < l->n && mergeable(a, &l->v[i + 1])) {
		a->end = l->v[i + 1].end;
		memmove(&l->v[i + 1], &l->v[i + 2], (l->n - i - 2) * sizeof(l->v[0]));
		l->n--;
	}
	if (i > 0 && mergeable(&l->v[i - 1], a)) {
		l->v[i - 1].end = a->end;
		memmove(&l->v[i], &l->v[i + 1], (l->n - i - 1) * sizeof(l->v[0]));
		l->n--;
	}
	return 0;
}
