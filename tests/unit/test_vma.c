/* SPDX-License-Identifier: MIT */
/*
 * test_vma.c - the virtual memory area tree (mm/vma.c, mm/vma_tree.c).
 *
 * Hand-written cases go through every operation's edges; the random tests
 * run thousands of insert/remove/protect/resize/find_gap calls against a
 * page-granular model written here independently of mm/vma.c. The model's
 * rule for what the list must look like: one area per maximal run of mapped
 * pages in which each page continues the one before (same prot, kind and
 * name, and for VMA_IMAGE a file offset one page further on).
 *
 * The tree has no cap of its own; its nodes come from kmalloc, which this
 * file provides with a limit on live nodes (CAP by default in the "full"
 * tests). An operation whose result would need more than that many areas
 * must fail with -ENOMEM and leave the areas exactly as they were; so must
 * every other failure. After every operation the tree itself is checked:
 * parent links, AVL balance and heights, the augmented subtree fields
 * (lowest start, highest end, largest hole) against a recomputation, the
 * count, and that no node leaked or was freed twice.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit.h"

#include "kerrno.h"
#include "memlayout.h"
#include "paging.h"
#include "vma.h"

#define TOP_PAGE (0 - PAGE_SIZE) /* the last page of the 64-bit space */

#define R VM_READ
#define RW (VM_READ | VM_WRITE)
#define RX (VM_READ | VM_EXEC)

#define CAP 128 /* live nodes the "full" tests allow (the old fixed array's size) */

static struct vma_list L;

/* ---- kmalloc for mm/vma.c: malloc with a limit on live nodes ------------ */

static size_t live, live_cap = SIZE_MAX, allocs;

void *kmalloc(size_t size)
{
	void *p;

	if (live >= live_cap)
		return NULL;
	p = malloc(size);
	assert_non_null(p);
	memset(p, 0xA5, size); /* like the kernel heap's poison: vma.c must initialise what it uses */
	live++;
	allocs++;
	return p;
}

void kfree(void *p)
{
	if (!p)
		return;
	assert_true(live > 0);
	live--;
	free(p);
}

/* A copy of the areas (not the tree) for "nothing changed" checks. */
static struct {
	size_t n;
	struct vma v[20000];
} snap;

/* ---- helpers ------------------------------------------------------------ */

struct ev {
	uint64_t start, end;
	unsigned prot;
	enum vma_kind kind;
	uint64_t offset;
	const char *name;
};

/* The test's own idea of mergeable, from the header's wording. */
static bool continues(const struct vma *a, const struct vma *b)
{
	return a->end == b->start && a->prot == b->prot && a->kind == b->kind && strcmp(a->name, b->name) == 0 &&
	       (a->kind != VMA_IMAGE || b->offset == a->offset + (a->end - a->start));
}

/* The k-th area in address order (the tests' stand-in for the old array). */
static struct vma *at(size_t k)
{
	struct vma *v = vma_first(&L);

	while (v && k--)
		v = vma_next(v);
	assert_non_null(v);
	return v;
}

/* ---- the tree's own invariants ----------------------------------------- */

static uint64_t umax(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* Check the subtree at n (parent p); returns its height, counts nodes; msg set on the first error. */
static int tree_check(const struct vma *n, const struct vma *p, size_t *count, const char **err)
{
	static char msg[200];
	int hl, hr;
	uint64_t sub_start, sub_end, gap = 0;

	if (!n || *err)
		return 0;
	if (n->parent != p) {
		*err = "broken parent link";
		return 0;
	}
	++*count;
	hl = tree_check(n->left, n, count, err);
	hr = tree_check(n->right, n, count, err);
	if (*err)
		return 0;
	if (hl - hr > 1 || hr - hl > 1) {
		snprintf(msg, sizeof(msg), "AVL balance broken at [%#llx..): heights %d and %d",
			 (unsigned long long)n->start, hl, hr);
		*err = msg;
	}
	if (n->height != 1 + (hl > hr ? hl : hr))
		*err = "stale height";
	sub_start = n->left ? n->left->sub_start : n->start;
	sub_end = n->right ? n->right->sub_end : n->end;
	if (n->left)
		gap = umax(n->left->sub_gap, n->start - n->left->sub_end);
	if (n->right)
		gap = umax(gap, umax(n->right->sub_gap, n->right->sub_start - n->end));
	if (!*err && (n->sub_start != sub_start || n->sub_end != sub_end || n->sub_gap != gap)) {
		snprintf(msg, sizeof(msg),
			 "stale augmented fields at [%#llx..): %#llx %#llx %#llx, want %#llx %#llx %#llx",
			 (unsigned long long)n->start, (unsigned long long)n->sub_start, (unsigned long long)n->sub_end,
			 (unsigned long long)n->sub_gap, (unsigned long long)sub_start, (unsigned long long)sub_end,
			 (unsigned long long)gap);
		*err = msg;
	}
	return 1 + (hl > hr ? hl : hr);
}

/* Structural invariants; NULL when they hold, else a description. */
static const char *invariant_error(const struct vma_list *l)
{
	static char msg[200];
	const char *err = NULL;
	const struct vma *prev = NULL;
	size_t k = 0, nodes = 0;

	tree_check(l->root, NULL, &nodes, &err);
	if (err)
		return err;
	if (nodes != l->n) {
		snprintf(msg, sizeof(msg), "%zu nodes in the tree, n says %zu", nodes, l->n);
		return msg;
	}
	if (l->nspare > VMA_SPARE_MAX) {
		snprintf(msg, sizeof(msg), "%u spare nodes kept, more than %d", l->nspare, VMA_SPARE_MAX);
		return msg;
	}
	if (live != l->n + l->nspare) {
		snprintf(msg, sizeof(msg), "%zu nodes allocated, %zu in the tree and %u spare", live, l->n, l->nspare);
		return msg;
	}
	for (const struct vma *a = vma_first(l); a; prev = a, a = vma_next(a), k++) {
		if ((a->start | a->end) % PAGE_SIZE || a->start >= a->end) {
			snprintf(msg, sizeof(msg), "area %zu [%#llx, %#llx) misaligned or empty", k,
				 (unsigned long long)a->start, (unsigned long long)a->end);
			return msg;
		}
		if (memchr(a->name, 0, VMA_NAME) == NULL)
			return "name not terminated";
		if (a->kind != VMA_IMAGE && a->offset != 0)
			return "non-image area with an offset";
		if (prev && prev->end > a->start) {
			snprintf(msg, sizeof(msg), "areas %zu and %zu unsorted or overlapping", k - 1, k);
			return msg;
		}
		if (prev && continues(prev, a)) {
			snprintf(msg, sizeof(msg), "areas %zu and %zu [%#llx..) left unmerged", k - 1, k,
				 (unsigned long long)a->start);
			return msg;
		}
	}
	return NULL;
}

static void expect_list(const struct vma_list *l, const struct ev *e, size_t n, int line)
{
	const char *err = invariant_error(l);
	size_t k;

	if (err)
		fail_msg("line %d: %s", line, err);
	if (l->n != n)
		fail_msg("line %d: %zu areas, expected %zu", line, l->n, n);
	k = 0;
	for (const struct vma *a = vma_first(l); a && k < n; a = vma_next(a), k++) {
		if (a->start != e[k].start || a->end != e[k].end || a->prot != e[k].prot || a->kind != e[k].kind ||
		    a->offset != e[k].offset || strcmp(a->name, e[k].name) != 0)
			fail_msg("line %d: area %zu is [%#llx, %#llx) prot %u kind %d off %#llx \"%s\", expected "
				 "[%#llx, %#llx) prot %u kind %d off %#llx \"%s\"",
				 line, k, (unsigned long long)a->start, (unsigned long long)a->end, a->prot, a->kind,
				 (unsigned long long)a->offset, a->name, (unsigned long long)e[k].start,
				 (unsigned long long)e[k].end, e[k].prot, e[k].kind, (unsigned long long)e[k].offset,
				 e[k].name);
	}
}

#define EXPECT(...)                                                        \
	do {                                                               \
		const struct ev e_[] = { __VA_ARGS__ };                    \
		expect_list(&L, e_, sizeof(e_) / sizeof(e_[0]), __LINE__); \
	} while (0)
#define EXPECT_EMPTY() expect_list(&L, NULL, 0, __LINE__)

/* Shorthands for the common kinds. */
#define ANON(s, e, p) ((struct ev){ PG(s), PG(e), (p), VMA_ANON, 0, "[anon]" })
#define IMG(s, e, p, off) ((struct ev){ PG(s), PG(e), (p), VMA_IMAGE, (off), "/bin/prog" })

static int ins_anon(uint64_t s, uint64_t e, unsigned prot)
{
	return vma_insert(&L, PG(s), PG(e), prot, VMA_ANON, 0, "[anon]");
}

static int ins_img(uint64_t s, uint64_t e, unsigned prot, uint64_t off)
{
	return vma_insert(&L, PG(s), PG(e), prot, VMA_IMAGE, off, "/bin/prog");
}

/* Copy the area fields only: the tree may be reshaped, the areas may not change. */
static void area_copy(struct vma *dst, const struct vma *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->start = src->start;
	dst->end = src->end;
	dst->prot = src->prot;
	dst->kind = src->kind;
	dst->offset = src->offset;
	memcpy(dst->name, src->name, VMA_NAME);
}

static void take_snapshot(void)
{
	size_t k = 0;

	assert_true(L.n <= sizeof(snap.v) / sizeof(snap.v[0]));
	for (const struct vma *a = vma_first(&L); a; a = vma_next(a))
		area_copy(&snap.v[k++], a);
	snap.n = k;
}

static void assert_unchanged(int line)
{
	const char *err = invariant_error(&L);
	size_t k = 0;
	struct vma c;

	if (err)
		fail_msg("line %d: %s", line, err);
	if (L.n != snap.n)
		fail_msg("line %d: %zu areas, %zu before", line, L.n, snap.n);
	for (const struct vma *a = vma_first(&L); a; a = vma_next(a), k++) {
		area_copy(&c, a);
		if (memcmp(&c, &snap.v[k], sizeof(c)) != 0)
			fail_msg("line %d: area %zu changed", line, k);
	}
}

#define ASSERT_UNCHANGED() assert_unchanged(__LINE__)

/* Re-initialise L, freeing what it held. */
static void reset(void)
{
	vma_destroy(&L);
	assert_int_equal(live, 0);
	live_cap = SIZE_MAX;
}

/* CAP areas of len_pages each, stride_pages apart, starting at page 0x100; then no more nodes. */
static void fill(uint64_t stride_pages, uint64_t len_pages)
{
	reset();
	for (uint64_t k = 0; k < CAP; k++)
		assert_int_equal(ins_anon(0x100 + k * stride_pages, 0x100 + k * stride_pages + len_pages, RW), 0);
	assert_int_equal(L.n, CAP);
	assert_null(invariant_error(&L));
	live_cap = CAP;
}

static int setup(void **state)
{
	(void)state;
	memset(&L, 0xA5, sizeof(L)); /* vma_init must not depend on anything in it */
	vma_init(&L);
	live = 0;
	live_cap = SIZE_MAX;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	assert_null(invariant_error(&L));
	vma_destroy(&L);
	assert_int_equal(L.n, 0);
	assert_null(L.root);
	assert_int_equal(live, 0); /* every node freed exactly once */
	return 0;
}

/* ---- init, insert ------------------------------------------------------- */

static void test_init(void **state)
{
	(void)state;
	EXPECT_EMPTY();
	assert_null(vma_find(&L, 0));
	assert_null(vma_find(&L, PG(5)));
	assert_null(vma_find_from(&L, 0));
	assert_int_equal(ins_anon(1, 2, R), 0);
	reset();
	EXPECT_EMPTY();
}

static void test_insert_einval(void **state)
{
	(void)state;
	assert_int_equal(ins_anon(10, 20, RW), 0);
	take_snapshot();
	assert_int_equal(vma_insert(&L, PG(1) + 1, PG(2), R, VMA_ANON, 0, "[anon]"), -EINVAL);
	assert_int_equal(vma_insert(&L, PG(1), PG(2) - 1, R, VMA_ANON, 0, "[anon]"), -EINVAL);
	assert_int_equal(vma_insert(&L, PG(1), PG(1), R, VMA_ANON, 0, "[anon]"), -EINVAL);
	assert_int_equal(vma_insert(&L, PG(3), PG(2), R, VMA_ANON, 0, "[anon]"), -EINVAL);
	assert_int_equal(vma_insert(&L, 0, 0, R, VMA_ANON, 0, "[anon]"), -EINVAL);
	/* Ranges that would wrap past 2^64: the exclusive end comes out below start. */
	assert_int_equal(vma_insert(&L, TOP_PAGE, 0, R, VMA_ANON, 0, "[anon]"), -EINVAL);
	assert_int_equal(vma_insert(&L, TOP_PAGE, PG(1), R, VMA_ANON, 0, "[anon]"), -EINVAL);
	assert_int_equal(vma_insert(&L, TOP_PAGE, UINT64_MAX, R, VMA_ANON, 0, "[anon]"), -EINVAL);
	assert_int_equal(vma_insert(&L, UINT64_MAX, PG(1), R, VMA_ANON, 0, "[anon]"), -EINVAL);
	/* Invalid and overlapping: the range is checked first. */
	assert_int_equal(vma_insert(&L, PG(12), PG(12), R, VMA_ANON, 0, "[anon]"), -EINVAL);
	ASSERT_UNCHANGED();
}

static void test_insert_near_top(void **state)
{
	(void)state;
	assert_int_equal(vma_insert(&L, TOP_PAGE - PG(1), TOP_PAGE, RW, VMA_ANON, 0, "[anon]"), 0);
	assert_int_equal(vma_insert(&L, TOP_PAGE - PG(3), TOP_PAGE - PG(1), RW, VMA_ANON, 0, "[anon]"), 0);
	EXPECT({ TOP_PAGE - PG(3), TOP_PAGE, RW, VMA_ANON, 0, "[anon]" });
	assert_ptr_equal(vma_find(&L, TOP_PAGE - 1), at(0));
	assert_null(vma_find(&L, TOP_PAGE));
	assert_null(vma_find(&L, UINT64_MAX));
	assert_null(vma_find_from(&L, TOP_PAGE));
	assert_null(vma_find_from(&L, UINT64_MAX));
	assert_ptr_equal(vma_find_from(&L, 0), at(0));
	assert_int_equal(vma_insert(&L, TOP_PAGE - PG(2), TOP_PAGE, RW, VMA_ANON, 0, "[anon]"), -EEXIST);
	assert_int_equal(vma_remove(&L, TOP_PAGE - PG(2), TOP_PAGE - PG(1)), 0);
	EXPECT({ TOP_PAGE - PG(3), TOP_PAGE - PG(2), RW, VMA_ANON, 0, "[anon]" },
	       { TOP_PAGE - PG(1), TOP_PAGE, RW, VMA_ANON, 0, "[anon]" });
	assert_int_equal(vma_protect(&L, TOP_PAGE - PG(1), TOP_PAGE, R), 0);
	assert_int_equal(vma_protect(&L, TOP_PAGE - PG(2), TOP_PAGE, R), -ENOMEM);
}

static void test_insert_eexist(void **state)
{
	(void)state;
	assert_int_equal(ins_anon(10, 20, RW), 0);
	assert_int_equal(ins_anon(30, 40, RW), 0);
	take_snapshot();
	assert_int_equal(ins_anon(10, 20, R), -EEXIST);	 /* exact */
	assert_int_equal(ins_anon(5, 11, R), -EEXIST);	 /* over the start */
	assert_int_equal(ins_anon(19, 25, R), -EEXIST);	 /* over the end */
	assert_int_equal(ins_anon(12, 15, R), -EEXIST);	 /* inside */
	assert_int_equal(ins_anon(5, 25, R), -EEXIST);	 /* around */
	assert_int_equal(ins_anon(15, 35, R), -EEXIST);	 /* two areas and the gap between */
	assert_int_equal(ins_anon(0, 100, R), -EEXIST);	 /* everything */
	assert_int_equal(ins_anon(25, 31, R), -EEXIST);	 /* gap, then the second area */
	assert_int_equal(ins_anon(39, 40, RW), -EEXIST); /* identical attributes change nothing */
	ASSERT_UNCHANGED();
	/* Touching is not overlapping (different prot: no merge either). */
	assert_int_equal(ins_anon(5, 10, R), 0);
	assert_int_equal(ins_anon(20, 30, R), 0);
	assert_int_equal(ins_anon(40, 41, R), 0);
	EXPECT(ANON(5, 10, R), ANON(10, 20, RW), ANON(20, 30, R), ANON(30, 40, RW), ANON(40, 41, R));
}

static void test_insert_sorted(void **state)
{
	static const int order[] = { 7, 2, 9, 0, 5, 3, 8, 1, 6, 4 };

	(void)state;
	for (size_t k = 0; k < 10; k++)
		assert_int_equal(ins_anon(order[k] * 4, order[k] * 4 + 2, RW), 0);
	assert_int_equal(L.n, 10);
	for (size_t k = 0; k < 10; k++) {
		assert_int_equal((*at(k)).start, PG(k * 4));
		assert_int_equal((*at(k)).end, PG(k * 4 + 2));
	}
	assert_null(invariant_error(&L));
}

static void test_insert_merge(void **state)
{
	(void)state;
	assert_int_equal(ins_anon(10, 20, RW), 0);
	assert_int_equal(ins_anon(20, 25, RW), 0); /* onto the end */
	EXPECT(ANON(10, 25, RW));
	assert_int_equal(ins_anon(5, 10, RW), 0); /* onto the start */
	EXPECT(ANON(5, 25, RW));
	assert_int_equal(ins_anon(30, 40, RW), 0);
	assert_int_equal(ins_anon(50, 60, RW), 0);
	EXPECT(ANON(5, 25, RW), ANON(30, 40, RW), ANON(50, 60, RW));
	assert_int_equal(ins_anon(25, 30, RW), 0); /* fills a hole exactly: three become one */
	EXPECT(ANON(5, 40, RW), ANON(50, 60, RW));
	assert_ptr_equal(vma_find(&L, PG(27)), at(0));

	/* Things that keep touching areas apart. */
	assert_int_equal(ins_anon(40, 41, R), 0);				       /* prot */
	assert_int_equal(vma_insert(&L, PG(41), PG(42), R, VMA_HEAP, 0, "[anon]"), 0); /* kind */
	assert_int_equal(vma_insert(&L, PG(42), PG(43), R, VMA_HEAP, 0, "[heap]"), 0); /* name */
	assert_int_equal(vma_insert(&L, PG(43), PG(44), R, VMA_HEAP, 0, "[heap]"), 0); /* merges */
	EXPECT(ANON(5, 40, RW), ANON(40, 41, R), { PG(41), PG(42), R, VMA_HEAP, 0, "[anon]" },
	       { PG(42), PG(44), R, VMA_HEAP, 0, "[heap]" }, ANON(50, 60, RW));

	/* Non-image offsets are ignored and stored as 0, so they never prevent a merge. */
	assert_int_equal(vma_insert(&L, PG(60), PG(61), RW, VMA_ANON, 0x12345000, "[anon]"), 0);
	EXPECT(ANON(5, 40, RW), ANON(40, 41, R), { PG(41), PG(42), R, VMA_HEAP, 0, "[anon]" },
	       { PG(42), PG(44), R, VMA_HEAP, 0, "[heap]" }, ANON(50, 61, RW));
}

static void test_insert_names(void **state)
{
	char long1[80], long2[80];

	(void)state;
	assert_int_equal(vma_insert(&L, PG(1), PG(2), R, VMA_ANON, 0, NULL), 0);
	assert_int_equal(vma_insert(&L, PG(2), PG(3), R, VMA_ANON, 0, ""), 0);
	EXPECT({ PG(1), PG(3), R, VMA_ANON, 0, "" });
	/* Too long: truncated to VMA_NAME - 1 bytes; names equal up to there merge. */
	memset(long1, 'x', sizeof(long1) - 1);
	long1[sizeof(long1) - 1] = 0;
	memcpy(long2, long1, sizeof(long2));
	long2[VMA_NAME + 3] = 'y';
	assert_int_equal(vma_insert(&L, PG(10), PG(11), R, VMA_IMAGE, 0, long1), 0);
	assert_int_equal(vma_insert(&L, PG(11), PG(12), R, VMA_IMAGE, PG(1), long2), 0);
	assert_int_equal(L.n, 2);
	assert_int_equal(strlen((*at(1)).name), VMA_NAME - 1);
	assert_int_equal((*at(1)).end, PG(12));
	/* The stored name is zero-padded, so equal lists compare equal byte for byte. */
	for (size_t k = strlen((*at(0)).name); k < VMA_NAME; k++)
		assert_int_equal((*at(0)).name[k], 0);
	assert_null(invariant_error(&L));
}

static void test_insert_image_offsets(void **state)
{
	(void)state;
	assert_int_equal(ins_img(10, 12, RX, 0x1000), 0);
	assert_int_equal(ins_img(12, 14, RX, 0x3000), 0); /* 0x1000 + 2 pages: contiguous */
	EXPECT(IMG(10, 14, RX, 0x1000));
	assert_int_equal(ins_img(14, 15, RX, 0x6000), 0); /* a page too far: separate */
	assert_int_equal(ins_img(8, 10, RX, 0x0000), 0);  /* 2 pages before 0x1000 would be -0x1000 */
	EXPECT(IMG(8, 10, RX, 0), IMG(10, 14, RX, 0x1000), IMG(14, 15, RX, 0x6000));
	/* Merging onto the front of an area takes the new area's offset. */
	assert_int_equal(ins_img(6, 8, RX, 0x4000), 0);
	assert_int_equal(ins_img(20, 22, RX, 0x10000), 0);
	assert_int_equal(ins_img(18, 20, RX, 0xE000), 0);
	EXPECT(IMG(6, 8, RX, 0x4000), IMG(8, 10, RX, 0), IMG(10, 14, RX, 0x1000), IMG(14, 15, RX, 0x6000),
	       IMG(18, 22, RX, 0xE000));
	/* Filling a hole between two image areas that line up in the file. */
	assert_int_equal(ins_img(15, 18, RX, 0x7000), 0); /* 0x6000 + 1 page; 0x7000 + 3 pages = 0xA000 != 0xE000 */
	EXPECT(IMG(6, 8, RX, 0x4000), IMG(8, 10, RX, 0), IMG(10, 14, RX, 0x1000), IMG(14, 18, RX, 0x6000),
	       IMG(18, 22, RX, 0xE000));
	assert_int_equal(vma_remove(&L, PG(15), PG(18)), 0);
	assert_int_equal(ins_img(15, 18, RX, 0xB000), 0); /* lines up with the right only */
	EXPECT(IMG(6, 8, RX, 0x4000), IMG(8, 10, RX, 0), IMG(10, 14, RX, 0x1000), IMG(14, 15, RX, 0x6000),
	       IMG(15, 22, RX, 0xB000));
	assert_int_equal(vma_remove(&L, PG(15), PG(18)), 0);
	EXPECT(IMG(6, 8, RX, 0x4000), IMG(8, 10, RX, 0), IMG(10, 14, RX, 0x1000), IMG(14, 15, RX, 0x6000),
	       IMG(18, 22, RX, 0xE000));
	assert_int_equal(vma_remove(&L, PG(14), PG(15)), 0);
	assert_int_equal(ins_img(14, 18, RX, 0x5000), 0); /* left only: 0x1000 + 4 pages; 0x9000 != 0xE000 */
	EXPECT(IMG(6, 8, RX, 0x4000), IMG(8, 10, RX, 0), IMG(10, 18, RX, 0x1000), IMG(18, 22, RX, 0xE000));
	/* Both sides line up: three image areas become one. */
	assert_int_equal(ins_img(30, 32, R, 0), 0);
	assert_int_equal(ins_img(34, 36, R, PG(4)), 0);
	assert_int_equal(ins_img(32, 34, R, PG(2)), 0);
	EXPECT(IMG(6, 8, RX, 0x4000), IMG(8, 10, RX, 0), IMG(10, 18, RX, 0x1000), IMG(18, 22, RX, 0xE000),
	       IMG(30, 36, R, 0));
	/* Offsets wrap modulo 2^64 like addresses do. */
	reset();
	assert_int_equal(ins_img(1, 3, R, 0 - PG(2)), 0);
	assert_int_equal(ins_img(3, 4, R, 0), 0);
	EXPECT(IMG(1, 4, R, 0 - PG(2)));
}

static void test_insert_enomem(void **state)
{
	(void)state;
	fill(2, 1); /* areas at pages 0x100, 0x102, ... with one-page holes */
	take_snapshot();
	assert_int_equal(ins_anon(0x10, 0x11, RW), -ENOMEM);
	assert_int_equal(ins_anon(0x101, 0x102, R), -ENOMEM); /* would not merge: different prot */
	assert_int_equal(ins_anon(0x100, 0x101, RW), -EEXIST);
	assert_int_equal(ins_anon(0x10, 0x10, RW), -EINVAL);
	ASSERT_UNCHANGED();
	/* Merges need no new slot: they work on a full list. */
	assert_int_equal(ins_anon(0x100 + 2 * CAP - 1, 0x100 + 2 * CAP, RW), 0); /* onto the last */
	assert_int_equal(L.n, CAP);
	assert_int_equal(ins_anon(0x101, 0x102, RW), 0); /* fills a hole */
	assert_int_equal(L.n, CAP - 1);
	assert_int_equal((*at(0)).end, PG(0x103));
	assert_int_equal(ins_anon(0x10, 0x11, RW), 0);
	assert_int_equal(L.n, CAP);
	assert_null(invariant_error(&L));
}

/* ---- find --------------------------------------------------------------- */

static void test_find(void **state)
{
	(void)state;
	assert_null(vma_find(&L, PG(1)));
	for (uint64_t k = 0; k < 50; k++)
		assert_int_equal(ins_anon(10 + 3 * k, 12 + 3 * k, k % 2 ? R : RW), 0);
	for (uint64_t k = 0; k < 50; k++) {
		struct vma *a = at(k);
		assert_ptr_equal(vma_find(&L, a->start), a);
		assert_ptr_equal(vma_find(&L, a->start + 1), a);
		assert_ptr_equal(vma_find(&L, a->end - 1), a);
		assert_null(vma_find(&L, a->end)); /* the hole after it */
		assert_null(vma_find(&L, a->start - 1));
		assert_ptr_equal(vma_find_from(&L, a->start), a);
		assert_ptr_equal(vma_find_from(&L, a->end - 1), a);
		assert_ptr_equal(vma_find_from(&L, a->start - 1), a); /* from inside the hole before */
		if (k + 1 < 50)
			assert_ptr_equal(vma_find_from(&L, a->end), vma_next(a));
		else
			assert_null(vma_find_from(&L, a->end));
	}
	assert_null(vma_find(&L, 0));
	assert_ptr_equal(vma_find_from(&L, 0), at(0));
	assert_null(vma_find(&L, UINT64_MAX));
	assert_null(vma_find_from(&L, UINT64_MAX));
}

/* ---- remove ------------------------------------------------------------- */

static void test_remove_einval(void **state)
{
	(void)state;
	assert_int_equal(ins_anon(10, 20, RW), 0);
	take_snapshot();
	assert_int_equal(vma_remove(&L, PG(10) + 8, PG(20)), -EINVAL);
	assert_int_equal(vma_remove(&L, PG(10), PG(20) - 8), -EINVAL);
	assert_int_equal(vma_remove(&L, PG(15), PG(15)), -EINVAL);
	assert_int_equal(vma_remove(&L, PG(20), PG(10)), -EINVAL);
	assert_int_equal(vma_remove(&L, TOP_PAGE, 0), -EINVAL);
	assert_int_equal(vma_remove(&L, TOP_PAGE, PG(20)), -EINVAL);
	ASSERT_UNCHANGED();
}

static void test_remove_exact_and_unmapped(void **state)
{
	(void)state;
	assert_int_equal(vma_remove(&L, PG(1), PG(100)), 0); /* empty list */
	EXPECT_EMPTY();
	assert_int_equal(ins_anon(10, 20, RW), 0);
	assert_int_equal(ins_anon(30, 40, R), 0);
	assert_int_equal(ins_anon(50, 60, RW), 0);
	take_snapshot();
	assert_int_equal(vma_remove(&L, PG(20), PG(30)), 0); /* exactly a hole */
	assert_int_equal(vma_remove(&L, PG(1), PG(10)), 0);
	assert_int_equal(vma_remove(&L, PG(60), TOP_PAGE), 0);
	ASSERT_UNCHANGED();
	assert_int_equal(vma_remove(&L, PG(30), PG(40)), 0); /* exactly an area */
	EXPECT(ANON(10, 20, RW), ANON(50, 60, RW));
	assert_int_equal(vma_remove(&L, PG(10), PG(20)), 0); /* the first */
	EXPECT(ANON(50, 60, RW));
	assert_int_equal(vma_remove(&L, PG(50), PG(60)), 0); /* the last */
	EXPECT_EMPTY();
}

static void test_remove_partial(void **state)
{
	(void)state;
	assert_int_equal(ins_img(10, 20, RX, 0x5000), 0);
	assert_int_equal(vma_remove(&L, PG(8), PG(12)), 0); /* over the start: offset advances */
	EXPECT(IMG(12, 20, RX, 0x5000 + PG(2)));
	assert_int_equal(vma_remove(&L, PG(18), PG(25)), 0); /* over the end */
	EXPECT(IMG(12, 18, RX, 0x5000 + PG(2)));
	assert_int_equal(vma_remove(&L, PG(12), PG(13)), 0); /* the first page */
	assert_int_equal(vma_remove(&L, PG(17), PG(18)), 0); /* the last page */
	EXPECT(IMG(13, 17, RX, 0x5000 + PG(3)));
}

static void test_remove_split(void **state)
{
	(void)state;
	assert_int_equal(ins_anon(1, 3, R), 0);
	assert_int_equal(ins_img(10, 20, RX, 0x5000), 0);
	assert_int_equal(ins_anon(30, 40, R), 0);
	assert_int_equal(vma_remove(&L, PG(12), PG(15)), 0);
	EXPECT(ANON(1, 3, R), IMG(10, 12, RX, 0x5000), IMG(15, 20, RX, 0x5000 + PG(5)), ANON(30, 40, R));
	/* Putting the hole back with the right offset restores a single area. */
	assert_int_equal(ins_img(12, 15, RX, 0x5000 + PG(2)), 0);
	EXPECT(ANON(1, 3, R), IMG(10, 20, RX, 0x5000), ANON(30, 40, R));
}

static void test_remove_span(void **state)
{
	(void)state;
	assert_int_equal(ins_anon(0x10, 0x20, RW), 0);
	assert_int_equal(ins_anon(0x20, 0x28, R), 0);
	assert_int_equal(ins_anon(0x30, 0x38, RW), 0);
	assert_int_equal(ins_img(0x40, 0x50, RX, 0), 0);
	assert_int_equal(ins_anon(0x60, 0x70, RW), 0);
	/* From inside the first, over areas and holes, to inside the fourth. */
	assert_int_equal(vma_remove(&L, PG(0x18), PG(0x44)), 0);
	EXPECT(ANON(0x10, 0x18, RW), IMG(0x44, 0x50, RX, PG(4)), ANON(0x60, 0x70, RW));
	/* From a hole to a hole, over whole areas only. */
	assert_int_equal(vma_remove(&L, PG(0x08), PG(0x58)), 0);
	EXPECT(ANON(0x60, 0x70, RW));
}

static void test_remove_enomem(void **state)
{
	(void)state;
	fill(4, 3); /* full: areas of 3 pages with one-page holes */
	take_snapshot();
	/* Cutting a hole in one area needs one more slot. */
	assert_int_equal(vma_remove(&L, PG(0x101), PG(0x102)), -ENOMEM);
	assert_int_equal(vma_remove(&L, PG(0x100 + 4 * 77 + 1), PG(0x100 + 4 * 77 + 2)), -ENOMEM);
	ASSERT_UNCHANGED();
	/* Trimming and removing whole areas need none. */
	assert_int_equal(vma_remove(&L, PG(0x100), PG(0x101)), 0);
	assert_int_equal(vma_remove(&L, PG(0x106), PG(0x107)), 0);
	assert_int_equal(L.n, CAP);
	assert_int_equal((*at(0)).start, PG(0x101));
	assert_int_equal((*at(1)).end, PG(0x106));
	assert_int_equal(vma_remove(&L, PG(0x108), PG(0x10B)), 0);
	assert_int_equal(L.n, CAP - 1);
	/* Now there is room for the split. */
	assert_int_equal(vma_remove(&L, PG(0x10D), PG(0x10E)), 0);
	assert_int_equal(L.n, CAP);
	assert_int_equal((*at(2)).end, PG(0x10D));
	assert_int_equal((*at(3)).start, PG(0x10E));
	assert_null(invariant_error(&L));
}

/* ---- protect ------------------------------------------------------------ */

static void test_protect_einval(void **state)
{
	(void)state;
	assert_int_equal(ins_anon(10, 20, RW), 0);
	take_snapshot();
	assert_int_equal(vma_protect(&L, PG(10) + 1, PG(20), R), -EINVAL);
	assert_int_equal(vma_protect(&L, PG(10), PG(20) + 1, R), -EINVAL);
	assert_int_equal(vma_protect(&L, PG(10), PG(10), R), -EINVAL);
	assert_int_equal(vma_protect(&L, PG(20), PG(10), R), -EINVAL);
	assert_int_equal(vma_protect(&L, TOP_PAGE, 0, R), -EINVAL);
	ASSERT_UNCHANGED();
}

static void test_protect_uncovered(void **state)
{
	(void)state;
	assert_int_equal(vma_protect(&L, PG(1), PG(2), R), -ENOMEM); /* empty list */
	assert_int_equal(ins_anon(10, 20, RW), 0);
	assert_int_equal(ins_anon(20, 30, R), 0);
	assert_int_equal(ins_anon(40, 50, RW), 0);
	take_snapshot();
	assert_int_equal(vma_protect(&L, PG(1), PG(5), R), -ENOMEM);   /* before everything */
	assert_int_equal(vma_protect(&L, PG(60), PG(65), R), -ENOMEM); /* after everything */
	assert_int_equal(vma_protect(&L, PG(32), PG(35), R), -ENOMEM); /* inside a hole */
	assert_int_equal(vma_protect(&L, PG(9), PG(12), R), -ENOMEM);  /* sticks out at the start */
	assert_int_equal(vma_protect(&L, PG(25), PG(31), R), -ENOMEM); /* sticks out at the end */
	assert_int_equal(vma_protect(&L, PG(15), PG(45), R), -ENOMEM); /* a hole in the middle */
	assert_int_equal(vma_protect(&L, PG(30), PG(40), R), -ENOMEM); /* exactly a hole */
	assert_int_equal(vma_protect(&L, PG(5), PG(55), R), -ENOMEM);
	ASSERT_UNCHANGED();
	assert_int_equal(vma_protect(&L, PG(10), PG(30), R), 0); /* two touching areas: fine */
	EXPECT(ANON(10, 30, R), ANON(40, 50, RW));
}

static void test_protect_edges(void **state)
{
	(void)state;
	assert_int_equal(ins_img(10, 20, R, 0x3000), 0);
	assert_int_equal(vma_protect(&L, PG(10), PG(20), R), 0); /* no change */
	EXPECT(IMG(10, 20, R, 0x3000));
	assert_int_equal(vma_protect(&L, PG(10), PG(20), RX), 0); /* exact */
	EXPECT(IMG(10, 20, RX, 0x3000));
	assert_int_equal(vma_protect(&L, PG(10), PG(12), R), 0); /* front */
	EXPECT(IMG(10, 12, R, 0x3000), IMG(12, 20, RX, 0x3000 + PG(2)));
	assert_int_equal(vma_protect(&L, PG(18), PG(20), RW), 0); /* back */
	EXPECT(IMG(10, 12, R, 0x3000), IMG(12, 18, RX, 0x3000 + PG(2)), IMG(18, 20, RW, 0x3000 + PG(8)));
	/* Moving the boundaries between neighbours. */
	assert_int_equal(vma_protect(&L, PG(12), PG(14), R), 0);
	assert_int_equal(vma_protect(&L, PG(16), PG(18), RW), 0);
	EXPECT(IMG(10, 14, R, 0x3000), IMG(14, 16, RX, 0x3000 + PG(4)), IMG(16, 20, RW, 0x3000 + PG(6)));
	/* Over two boundaries, partial at both ends, to a third prot. */
	assert_int_equal(vma_protect(&L, PG(13), PG(17), 0), 0);
	EXPECT(IMG(10, 13, R, 0x3000), IMG(13, 17, 0, 0x3000 + PG(3)), IMG(17, 20, RW, 0x3000 + PG(7)));
	/* Everything back to one prot: one area again. */
	assert_int_equal(vma_protect(&L, PG(10), PG(20), RX), 0);
	EXPECT(IMG(10, 20, RX, 0x3000));
}

static void test_protect_split_and_restore(void **state)
{
	(void)state;
	assert_int_equal(ins_anon(1, 2, RW), 0);
	assert_int_equal(ins_img(10, 20, RX, 0x7000), 0);
	assert_int_equal(ins_anon(30, 31, RW), 0);
	assert_int_equal(vma_protect(&L, PG(13), PG(15), R), 0); /* one area into three */
	EXPECT(ANON(1, 2, RW), IMG(10, 13, RX, 0x7000), IMG(13, 15, R, 0x7000 + PG(3)), IMG(15, 20, RX, 0x7000 + PG(5)),
	       ANON(30, 31, RW));
	assert_ptr_equal(vma_find(&L, PG(14)), at(2));
	assert_int_equal(vma_protect(&L, PG(13), PG(15), RX), 0); /* and back into one */
	EXPECT(ANON(1, 2, RW), IMG(10, 20, RX, 0x7000), ANON(30, 31, RW));
	/* Same with remove's split, then protect over the hole fails. */
	assert_int_equal(vma_remove(&L, PG(14), PG(15)), 0);
	take_snapshot();
	assert_int_equal(vma_protect(&L, PG(13), PG(16), R), -ENOMEM);
	ASSERT_UNCHANGED();
}

static void test_protect_merges_neighbours(void **state)
{
	(void)state;
	assert_int_equal(ins_anon(10, 20, R), 0);
	assert_int_equal(ins_anon(20, 30, RW), 0);
	assert_int_equal(ins_anon(30, 40, R), 0);
	assert_int_equal(ins_anon(45, 50, R), 0);
	assert_int_equal(vma_protect(&L, PG(20), PG(30), R), 0); /* the middle becomes like both sides */
	EXPECT(ANON(10, 40, R), ANON(45, 50, R));

	/* Many touching areas of alternating prot collapse into one. */
	reset();
	for (uint64_t k = 0; k < 100; k++)
		assert_int_equal(ins_anon(10 + k, 11 + k, k % 2 ? R : RW), 0);
	assert_int_equal(L.n, 100);
	assert_int_equal(vma_protect(&L, PG(10), PG(110), RX), 0);
	EXPECT(ANON(10, 110, RX));

	/* Part of them, with splits at both ends and the areas after kept. */
	reset();
	for (uint64_t k = 0; k < 20; k++)
		assert_int_equal(ins_anon(10 + 2 * k, 12 + 2 * k, k % 2 ? R : RW), 0);
	assert_int_equal(ins_anon(60, 61, R), 0);
	assert_int_equal(vma_protect(&L, PG(13), PG(47), R), 0);
	/* 12..14 was R already and joins; 46..48 was RW and is cut at 47. */
	EXPECT(ANON(10, 12, RW), ANON(12, 47, R), ANON(47, 48, RW), ANON(48, 50, R), ANON(60, 61, R));

	/* Image areas stay apart where the file offsets do not line up. */
	reset();
	assert_int_equal(ins_img(10, 12, R, 0), 0);
	assert_int_equal(ins_img(12, 14, RX, PG(2)), 0);
	assert_int_equal(ins_img(14, 16, R, PG(9)), 0);
	assert_int_equal(vma_protect(&L, PG(10), PG(16), R), 0);
	EXPECT(IMG(10, 14, R, 0), IMG(14, 16, R, PG(9)));
}

/* Flags above VMA_PROT_MASK belong to the area: protect keeps them, and they keep areas apart. */
static void test_protect_keeps_flags(void **state)
{
	(void)state;
	assert_int_equal(ins_anon(10, 20, RW | VMA_NORESERVE), 0);
	assert_int_equal(ins_anon(20, 30, RW), 0); /* touching, but not the same: no merge */
	EXPECT(ANON(10, 20, RW | VMA_NORESERVE), ANON(20, 30, RW));
	assert_int_equal(vma_protect(&L, PG(12), PG(25), R), 0);
	EXPECT(ANON(10, 12, RW | VMA_NORESERVE), ANON(12, 20, R | VMA_NORESERVE), ANON(20, 25, R), ANON(25, 30, RW));
	assert_int_equal(vma_protect(&L, PG(10), PG(30), RW), 0);
	EXPECT(ANON(10, 20, RW | VMA_NORESERVE), ANON(20, 30, RW));
}

static void test_protect_enomem_full(void **state)
{
	(void)state;
	fill(4, 3);
	take_snapshot();
	/* Any real split of one area needs more slots. */
	assert_int_equal(vma_protect(&L, PG(0x101), PG(0x102), R), -ENOMEM); /* into three */
	assert_int_equal(vma_protect(&L, PG(0x100), PG(0x101), R), -ENOMEM); /* front */
	assert_int_equal(vma_protect(&L, PG(0x102), PG(0x103), R), -ENOMEM); /* back */
	ASSERT_UNCHANGED();
	/* Needing no new slot is fine on a full list. */
	assert_int_equal(vma_protect(&L, PG(0x101), PG(0x102), RW), 0); /* no change */
	ASSERT_UNCHANGED();
	assert_int_equal(vma_protect(&L, PG(0x100), PG(0x103), R), 0); /* whole area */
	assert_int_equal(L.n, CAP);
	assert_int_equal((*at(0)).prot, R);
	assert_null(invariant_error(&L));
}

/*
 * On a full list, protects whose split pieces merge with a neighbour need no
 * extra slot in the end, and must succeed even though splitting before
 * merging would overflow on the way. X = [a, a+2) RW, Y = [a+2, a+4) R.
 */
static void test_protect_full_merge_compensates(void **state)
{
	uint64_t a = 0x100 + 4 * (CAP - 2);

	(void)state;
	for (uint64_t k = 0; k < CAP - 2; k++)
		assert_int_equal(ins_anon(0x100 + 4 * k, 0x101 + 4 * k, RW), 0);
	assert_int_equal(ins_anon(a, a + 2, RW), 0);
	assert_int_equal(ins_anon(a + 2, a + 4, R), 0);
	assert_int_equal(L.n, CAP);
	live_cap = CAP; /* full: no more nodes */

	assert_int_equal(vma_protect(&L, PG(a + 1), PG(a + 3), R), 0); /* X's back joins Y */
	assert_int_equal(L.n, CAP);
	assert_int_equal((*at(CAP - 2)).end, PG(a + 1));
	assert_int_equal((*at(CAP - 1)).start, PG(a + 1));
	assert_int_equal((*at(CAP - 1)).prot, R);

	assert_int_equal(vma_protect(&L, PG(a + 1), PG(a + 4), RX), 0); /* all of Y: [a, a+1) RW, [a+1, a+4) RX */
	assert_int_equal(L.n, CAP);
	assert_int_equal((*at(CAP - 1)).prot, RX);

	assert_int_equal(vma_protect(&L, PG(a), PG(a + 3), R), 0); /* Y's front joins X: [a, a+3) R, [a+3, a+4) RX */
	assert_int_equal(L.n, CAP);
	assert_int_equal((*at(CAP - 2)).end, PG(a + 3));
	assert_int_equal((*at(CAP - 1)).start, PG(a + 3));

	take_snapshot();
	assert_int_equal(vma_protect(&L, PG(a + 2), PG(a + 3), RW), -ENOMEM); /* would need CAP + 1 */
	assert_int_equal(vma_protect(&L, PG(a + 1), PG(a + 2), RW), -ENOMEM);
	ASSERT_UNCHANGED();

	assert_int_equal(vma_protect(&L, PG(a), PG(a + 4), RX), 0);
	assert_int_equal(L.n, CAP - 1);
	assert_int_equal((*at(CAP - 2)).start, PG(a));
	assert_int_equal((*at(CAP - 2)).end, PG(a + 4));
	assert_null(invariant_error(&L));
}

/*
 * Full list ending in A = [a, a+2) R, B = [a+2, a+4) RX, C = [a+4, a+6) R:
 * protecting [a+1, a+5) RX splits A and C, and both inside pieces merge with
 * B, so the count stays CAP (a naive split-first would need two more).
 */
static void test_protect_full_both_ends(void **state)
{
	uint64_t a = 0x100 + 4 * (CAP - 3);

	(void)state;
	for (uint64_t k = 0; k < CAP - 3; k++)
		assert_int_equal(ins_anon(0x100 + 4 * k, 0x101 + 4 * k, RW), 0);
	assert_int_equal(ins_img(a, a + 2, R, PG(10)), 0);
	assert_int_equal(ins_img(a + 2, a + 4, RX, PG(12)), 0);
	assert_int_equal(ins_img(a + 4, a + 6, R, PG(14)), 0);
	assert_int_equal(L.n, CAP);
	live_cap = CAP; /* full: no more nodes */
	assert_int_equal(vma_protect(&L, PG(a + 1), PG(a + 5), RX), 0);
	assert_int_equal(L.n, CAP);
	{
		const struct ev want[] = { IMG(a, a + 1, R, PG(10)), IMG(a + 1, a + 5, RX, PG(11)),
					   IMG(a + 5, a + 6, R, PG(15)) };

		for (size_t k = 0; k < 3; k++) {
			const struct vma *v = at(CAP - 3 + k);

			assert_int_equal(v->start, want[k].start);
			assert_int_equal(v->end, want[k].end);
			assert_int_equal(v->prot, want[k].prot);
			assert_int_equal(v->offset, want[k].offset);
		}
	}
	/* The reverse: one area into three on a full list fails, and changes nothing. */
	take_snapshot();
	assert_int_equal(vma_protect(&L, PG(a + 2), PG(a + 3), R), -ENOMEM);
	ASSERT_UNCHANGED();
	assert_null(invariant_error(&L));
}

/* ---- find_gap ----------------------------------------------------------- */

static void test_gap_empty(void **state)
{
	(void)state;
	assert_int_equal(vma_find_gap(&L, PG(4), PG(16), PG(100)), PG(96));
	assert_int_equal(vma_find_gap(&L, 1, PG(16), PG(100)), PG(99)); /* len rounds up to a page */
	assert_int_equal(vma_find_gap(&L, PG(1) + 1, PG(16), PG(100)), PG(98));
	assert_int_equal(vma_find_gap(&L, 0, PG(16), PG(100)), 0);
	assert_int_equal(vma_find_gap(&L, PG(4), PG(16), PG(100) + 123), PG(96)); /* top rounds down */
	assert_int_equal(vma_find_gap(&L, PG(4), PG(96) + 1, PG(100)), 0);	  /* bottom rounds up */
	assert_int_equal(vma_find_gap(&L, PG(3), PG(96) + 1, PG(100)), PG(97));
	assert_int_equal(vma_find_gap(&L, PG(84), PG(16), PG(100)), PG(16)); /* exactly bottom..top */
	assert_int_equal(vma_find_gap(&L, PG(85), PG(16), PG(100)), 0);
	assert_int_equal(vma_find_gap(&L, PG(1), PG(16), PG(16)), 0); /* bottom == top */
	assert_int_equal(vma_find_gap(&L, PG(1), PG(20), PG(16)), 0); /* bottom > top */
	/* A gap at address 0 is never returned: 0 means "none". */
	assert_int_equal(vma_find_gap(&L, PG(4), 0, PG(4)), 0);
	assert_int_equal(vma_find_gap(&L, PG(3), 0, PG(4)), PG(1));
	assert_int_equal(vma_find_gap(&L, PG(4), 0, PG(5)), PG(1));
}

static void test_gap_overflow(void **state)
{
	(void)state;
	assert_int_equal(vma_find_gap(&L, UINT64_MAX, 0, UINT64_MAX), 0);
	assert_int_equal(vma_find_gap(&L, UINT64_MAX - PAGE_SIZE + 2, 0, UINT64_MAX), 0);
	assert_int_equal(vma_find_gap(&L, UINT64_MAX - PAGE_SIZE + 1, 0, UINT64_MAX), 0);
	assert_int_equal(vma_find_gap(&L, 1ULL << 63, 0, UINT64_MAX), (1ULL << 63) - PAGE_SIZE);
	assert_int_equal(vma_find_gap(&L, TOP_PAGE - PAGE_SIZE, 0, UINT64_MAX), PAGE_SIZE);
	assert_int_equal(vma_find_gap(&L, TOP_PAGE, 0, UINT64_MAX), 0);
	assert_int_equal(vma_find_gap(&L, PG(1), UINT64_MAX, UINT64_MAX), 0);
	assert_int_equal(vma_find_gap(&L, PG(1), UINT64_MAX - PAGE_SIZE + 2, UINT64_MAX), 0);
	assert_int_equal(vma_find_gap(&L, PG(1), TOP_PAGE - PG(1), UINT64_MAX), TOP_PAGE - PG(1));
	/* An area in the last pages. */
	assert_int_equal(vma_insert(&L, TOP_PAGE - PG(2), TOP_PAGE, R, VMA_ANON, 0, "[anon]"), 0);
	assert_int_equal(vma_find_gap(&L, PG(1), 0, UINT64_MAX), TOP_PAGE - PG(3));
	assert_int_equal(vma_find_gap(&L, PG(1), TOP_PAGE - PG(3), UINT64_MAX), TOP_PAGE - PG(3));
	assert_int_equal(vma_find_gap(&L, PG(1), TOP_PAGE - PG(2), UINT64_MAX), 0);
}

static void test_gap_areas(void **state)
{
	(void)state;
	assert_int_equal(ins_anon(10, 20, RW), 0);
	assert_int_equal(ins_anon(24, 30, RW), 0);
	assert_int_equal(ins_anon(33, 40, RW), 0);
	assert_int_equal(ins_anon(50, 60, RW), 0);
	/* Top-down: the highest gap that fits. */
	assert_int_equal(vma_find_gap(&L, PG(1), PG(1), PG(100)), PG(99));
	assert_int_equal(vma_find_gap(&L, PG(1), PG(1), PG(60)), PG(49));
	assert_int_equal(vma_find_gap(&L, PG(10), PG(1), PG(60)), PG(40)); /* exactly the 40..50 hole */
	assert_int_equal(vma_find_gap(&L, PG(11), PG(1), PG(60)), 0);	   /* nothing that big below 60 */
	assert_int_equal(vma_find_gap(&L, PG(9), PG(1), PG(60)), PG(41));
	assert_int_equal(vma_find_gap(&L, PG(4), PG(1), PG(50)), PG(46));
	assert_int_equal(vma_find_gap(&L, PG(4), PG(1), PG(40)), PG(20)); /* 30..33 too small */
	assert_int_equal(vma_find_gap(&L, PG(3), PG(1), PG(40)), PG(30)); /* 30..33 exactly */
	assert_int_equal(vma_find_gap(&L, PG(5), PG(1), PG(40)), PG(5));  /* only below everything */
	assert_int_equal(vma_find_gap(&L, PG(9), PG(1), PG(40)), PG(1));
	assert_int_equal(vma_find_gap(&L, PG(10), PG(1), PG(40)), 0);
	/* top inside an area: the area still blocks below top. */
	assert_int_equal(vma_find_gap(&L, PG(1), PG(1), PG(55)), PG(49));
	assert_int_equal(vma_find_gap(&L, PG(1), PG(1), PG(26)), PG(23));
	/* bottom inside a gap or an area cuts the gap short. */
	assert_int_equal(vma_find_gap(&L, PG(4), PG(21), PG(24)), 0);
	assert_int_equal(vma_find_gap(&L, PG(3), PG(21), PG(24)), PG(21));
	assert_int_equal(vma_find_gap(&L, PG(4), PG(20), PG(24)), PG(20));
	assert_int_equal(vma_find_gap(&L, PG(10), PG(42), PG(60)), 0);
	assert_int_equal(vma_find_gap(&L, PG(8), PG(42), PG(60)), PG(42));
	assert_int_equal(vma_find_gap(&L, PG(3), PG(35), PG(50)), PG(47));
	assert_int_equal(vma_find_gap(&L, PG(3), PG(35), PG(38)), 0); /* all inside one area */
	assert_int_equal(vma_find_gap(&L, PG(1), PG(12), PG(33)), PG(32));
	assert_int_equal(vma_find_gap(&L, PG(4), PG(12), PG(33)), PG(20));
	assert_int_equal(vma_find_gap(&L, PG(5), PG(12), PG(33)), 0);
}

/* ---- resize ------------------------------------------------------------- */

static void test_resize(void **state)
{
	(void)state;
	assert_int_equal(ins_img(1, 3, RX, 0), 0);
	assert_int_equal(vma_insert(&L, PG(4), PG(5), RW, VMA_HEAP, 0, "[heap]"), 0);
	assert_int_equal(ins_anon(20, 22, RW), 0);
	assert_int_equal(vma_insert(&L, PG(40), PG(42), RW, VMA_STACK, 0, "[stack]"), 0);
	/* brk: grow, shrink, up to the next area exactly. */
	assert_int_equal(vma_resize(&L, PG(4), PG(4), PG(10)), 0);
	assert_int_equal((*at(1)).end, PG(10));
	assert_int_equal(vma_resize(&L, PG(4), PG(4), PG(6)), 0);
	assert_int_equal((*at(1)).end, PG(6));
	assert_int_equal(vma_resize(&L, PG(4), PG(4), PG(20)), 0);
	assert_int_equal((*at(1)).end, PG(20));
	take_snapshot();
	assert_int_equal(vma_resize(&L, PG(4), PG(4), PG(21)), -EEXIST); /* into the anon area */
	assert_int_equal(vma_resize(&L, PG(4), PG(2), PG(5)), -EEXIST);	 /* down into the image */
	assert_int_equal(vma_resize(&L, PG(4), PG(4), PG(4)), -EINVAL);	 /* empty */
	assert_int_equal(vma_resize(&L, PG(4), PG(5), PG(4)), -EINVAL);
	assert_int_equal(vma_resize(&L, PG(4), PG(4), PG(6) + 1), -EINVAL);
	assert_int_equal(vma_resize(&L, PG(4), PG(4) - 1, PG(6)), -EINVAL);
	assert_int_equal(vma_resize(&L, PG(5), PG(5), PG(6)), -EINVAL); /* no area starts there */
	assert_int_equal(vma_resize(&L, PG(30), PG(30), PG(31)), -EINVAL);
	assert_int_equal(vma_resize(&L, PG(4) + 1, PG(4), PG(6)), -EINVAL);
	ASSERT_UNCHANGED();
	/* Stack: grow down, down to the area below exactly, then too far. */
	assert_int_equal(vma_resize(&L, PG(40), PG(30), PG(42)), 0);
	assert_int_equal((*at(3)).start, PG(30));
	assert_int_equal(vma_resize(&L, PG(30), PG(22), PG(42)), 0);
	assert_int_equal(vma_resize(&L, PG(22), PG(21), PG(42)), -EEXIST);
	EXPECT(IMG(1, 3, RX, 0), { PG(4), PG(20), RW, VMA_HEAP, 0, "[heap]" }, ANON(20, 22, RW),
	       { PG(22), PG(42), RW, VMA_STACK, 0, "[stack]" });
	/* An image area's offset follows its start. */
	assert_int_equal(vma_resize(&L, PG(1), PG(2), PG(3)), 0);
	EXPECT(IMG(2, 3, RX, PG(1)), { PG(4), PG(20), RW, VMA_HEAP, 0, "[heap]" }, ANON(20, 22, RW),
	       { PG(22), PG(42), RW, VMA_STACK, 0, "[stack]" });
	assert_int_equal(vma_resize(&L, PG(2), PG(1), PG(4)), 0);
	assert_int_equal((*at(0)).offset, 0);
}

static void test_resize_merges(void **state)
{
	(void)state;
	assert_int_equal(ins_anon(10, 12, RW), 0);
	assert_int_equal(ins_anon(14, 16, RW), 0);
	assert_int_equal(ins_anon(20, 22, RW), 0);
	/* Growing until it touches an identical area: they become one, as insert would make them. */
	assert_int_equal(vma_resize(&L, PG(14), PG(12), PG(16)), 0);
	EXPECT(ANON(10, 16, RW), ANON(20, 22, RW));
	assert_int_equal(vma_resize(&L, PG(10), PG(10), PG(20)), 0);
	EXPECT(ANON(10, 22, RW));
	/* Both sides at once. */
	reset();
	assert_int_equal(ins_img(10, 12, R, 0), 0);
	assert_int_equal(ins_img(14, 15, R, PG(4)), 0);
	assert_int_equal(ins_img(18, 20, R, PG(8)), 0);
	assert_int_equal(vma_resize(&L, PG(14), PG(12), PG(18)), 0);
	EXPECT(IMG(10, 20, R, 0));
}

/* ---- randomized, against a page model ----------------------------------- */

static const char *const names[] = { "/bin/sh", "/lib/ld.so", "[anon]" };
#define NNAMES (sizeof(names) / sizeof(names[0]))
static const unsigned prots[] = { R, RW, RX, 0 };
static const enum vma_kind kinds[] = { VMA_IMAGE, VMA_ANON, VMA_HEAP };

#define MAXPAGES 600

struct pg {
	bool mapped;
	unsigned prot;
	enum vma_kind kind;
	unsigned name;
	uint64_t off; /* file offset of this page (VMA_IMAGE), else 0 */
};

struct model {
	uint64_t base; /* address of page 0 */
	size_t npages;
	struct pg p[MAXPAGES];
};

static struct model M, M2;

static uint64_t addr(const struct model *m, size_t page)
{
	return m->base + PG(page);
}

static bool pg_continues(const struct pg *a, const struct pg *b)
{
	return a->mapped && b->mapped && a->prot == b->prot && a->kind == b->kind && a->name == b->name &&
	       (a->kind != VMA_IMAGE || b->off == a->off + PAGE_SIZE);
}

/* Areas the list must have for this model: maximal runs of continuing pages. */
static size_t model_runs(const struct model *m)
{
	size_t runs = 0;

	for (size_t k = 0; k < m->npages; k++)
		if (m->p[k].mapped && (k == 0 || !pg_continues(&m->p[k - 1], &m->p[k])))
			runs++;
	return runs;
}

/* Compare L with model m; NULL when they agree. */
static const char *model_error(const struct model *m)
{
	static char msg[200];
	static bool seen[MAXPAGES];
	const char *err = invariant_error(&L);
	size_t k;

	if (err)
		return err;
	if (L.n != model_runs(m)) {
		snprintf(msg, sizeof(msg), "%zu areas, model has %zu runs", L.n, model_runs(m));
		return msg;
	}
	memset(seen, 0, sizeof(seen));
	for (k = 0; k < L.n; k++) {
		const struct vma *a = at(k);
		if (a->start < m->base || a->end > addr(m, m->npages))
			return "area outside the window";
		for (uint64_t va = a->start; va < a->end; va += PAGE_SIZE) {
			size_t i = (va - m->base) / PAGE_SIZE;
			const struct pg *p = &m->p[i];
			uint64_t off = a->kind == VMA_IMAGE ? a->offset + (va - a->start) : 0;
			seen[i] = true;
			if (!p->mapped || p->prot != a->prot || p->kind != a->kind || strcmp(names[p->name], a->name) ||
			    p->off != off) {
				snprintf(msg, sizeof(msg), "page %zu: area %zu says prot %u kind %d off %#llx", i, k,
					 a->prot, a->kind, (unsigned long long)off);
				return msg;
			}
		}
	}
	for (k = 0; k < m->npages; k++) {
		struct vma *a = vma_find(&L, addr(m, k));
		if (m->p[k].mapped != seen[k])
			return "mapped page not in any area";
		if (m->p[k].mapped != (a != NULL) || (a && (a->start > addr(m, k) || a->end <= addr(m, k))))
			return "vma_find disagrees";
	}
	return NULL;
}

static bool any_mapped(const struct model *m, size_t a, size_t b)
{
	for (size_t k = a; k < b; k++)
		if (m->p[k].mapped)
			return true;
	return false;
}

static bool all_mapped(const struct model *m, size_t a, size_t b)
{
	for (size_t k = a; k < b; k++)
		if (!m->p[k].mapped)
			return false;
	return true;
}

/* A random range [*a, *b) of pages: mostly short, one in long_every long. */
static void rnd_range(size_t npages, size_t maxshort, unsigned long_every, size_t *a, size_t *b)
{
	size_t len = unit_rnd() % long_every == 0 ? 1 + unit_rnd() % npages : 1 + unit_rnd() % maxshort;

	*a = unit_rnd() % npages;
	if (len > npages - *a)
		len = npages - *a;
	*b = *a + len;
}

/* Brute force: highest page-aligned s with bottom' <= s, s + len' <= top' and no mapped page in between. */
static uint64_t model_gap(const struct model *m, uint64_t len, uint64_t bottom, uint64_t top)
{
	uint64_t lenp = (len + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE;
	uint64_t lo = bottom < PAGE_SIZE ? PAGE_SIZE : (bottom + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE;
	uint64_t hi = top / PAGE_SIZE * PAGE_SIZE;

	if (len == 0 || hi < lo || hi - lo < lenp)
		return 0;
	for (uint64_t s = hi - lenp;; s -= PAGE_SIZE) {
		bool free = true;
		for (uint64_t va = s; va < s + lenp && free; va += PAGE_SIZE)
			if (va >= m->base && va < addr(m, m->npages) && m->p[(va - m->base) / PAGE_SIZE].mapped)
				free = false;
		if (free)
			return s;
		if (s == lo)
			return 0;
	}
}

struct rstats {
	unsigned ok, eexist, enomem, einval;
	unsigned full; /* -ENOMEM because the result would need more than CAP areas */
	size_t max_n;
};

static void count_rc(struct rstats *st, int rc)
{
	if (rc == 0)
		st->ok++;
	else if (rc == -EEXIST)
		st->eexist++;
	else if (rc == -ENOMEM)
		st->enomem++;
	else
		st->einval++;
}

/*
 * steps random operations on a window of npages pages at base; ranges are
 * mostly up to maxshort pages long. dense: fewer removes and long ranges, so
 * that short ranges in a big window drive the list up to CAP.
 */
static struct rstats run_random(uint64_t s, uint64_t base, size_t npages, size_t maxshort, bool dense, int steps,
				size_t cap)
{
	struct rstats st = { 0 };

	unit_seed(s);
	reset();
	live_cap = cap;
	memset(&M, 0, sizeof(M));
	M.base = base;
	M.npages = npages;
	for (int step = 0; step < steps; step++) {
		unsigned op = unit_rnd() % 16;
		size_t a, b;
		int rc = 0, want = 0;
		const char *err;

		if (dense && op >= 6 && op < 10 && unit_rnd() % 2)
			op = unit_rnd() % 6; /* half the removes become inserts */
		rnd_range(npages, maxshort, dense ? 64 : 8, &a, &b);
		memcpy(&M2, &M, sizeof(M));
		take_snapshot();
		if (op < 6) {
			/* insert: image areas often line up in the file with their neighbours */
			unsigned prot = prots[unit_rnd() % 4];
			enum vma_kind kind = kinds[unit_rnd() % 3];
			unsigned name = kind == VMA_IMAGE ? unit_rnd() % 2 : 2;
			uint64_t off = 0;
			if (kind == VMA_IMAGE) {
				static const uint64_t shift[] = { 0, 0, PG(3), 0 - PG(5) };
				off = PG(a) + shift[unit_rnd() % 4] + (unit_rnd() % 8 == 0 ? PG(unit_rnd() % 4) : 0);
			}
			rc = vma_insert(&L, addr(&M, a), addr(&M, b), prot, kind, off, names[name]);
			if (any_mapped(&M, a, b)) {
				want = -EEXIST;
			} else {
				for (size_t k = a; k < b; k++)
					M2.p[k] = (struct pg){ true, prot, kind, name,
							       kind == VMA_IMAGE ? off + PG(k - a) : 0 };
			}
		} else if (op < 10) {
			rc = vma_remove(&L, addr(&M, a), addr(&M, b));
			for (size_t k = a; k < b; k++)
				M2.p[k] = (struct pg){ 0 };
		} else if (op < 14) {
			unsigned prot = prots[unit_rnd() % 4];
			rc = vma_protect(&L, addr(&M, a), addr(&M, b), prot);
			if (!all_mapped(&M, a, b))
				want = -ENOMEM;
			for (size_t k = a; k < b; k++)
				M2.p[k].prot = prot;
		} else if (op == 14 && L.n > 0) {
			/* resize an area by a few pages at either end, staying in the window */
			struct vma *v = at(unit_rnd() % L.n);
			size_t s0 = (v->start - base) / PAGE_SIZE, e0 = (v->end - base) / PAGE_SIZE;
			long ns = (long)s0 + (long)(unit_rnd() % 7) - 3, ne = (long)e0 + (long)(unit_rnd() % 7) - 3;
			struct pg like = M.p[s0];
			ns = ns < 0 ? 0 : ns > (long)npages ? (long)npages : ns;
			ne = ne < 0 ? 0 : ne > (long)npages ? (long)npages : ne;
			rc = vma_resize(&L, v->start, addr(&M, (size_t)ns), addr(&M, (size_t)ne));
			if (ns >= ne) {
				want = -EINVAL;
			} else {
				/*
				 * The area may grow, shrink or even move, but not past
				 * another area: nothing else may lie between its old and
				 * new ends.
				 */
				for (size_t k = s0; k < e0; k++)
					M2.p[k] = (struct pg){ 0 };
				if (any_mapped(&M2, (size_t)ns < s0 ? (size_t)ns : s0,
					       (size_t)ne > e0 ? (size_t)ne : e0))
					want = -EEXIST;
				for (size_t k = (size_t)ns; k < (size_t)ne; k++)
					M2.p[k] = (struct pg){ true, like.prot, like.kind, like.name,
							       like.kind == VMA_IMAGE ? like.off + PG(k) - PG(s0) : 0 };
			}
		} else {
			/* find_gap: bounds anywhere in (or just around) the window, often unaligned */
			uint64_t len = PG(unit_rnd() % 6) + (unit_rnd() % 2 ? 0 : unit_rnd() % PAGE_SIZE);
			uint64_t bottom = addr(&M, a) - (unit_rnd() % 2 ? 0 : unit_rnd() % PAGE_SIZE);
			uint64_t top = addr(&M, b) + (unit_rnd() % 2 ? 0 : unit_rnd() % PAGE_SIZE);
			uint64_t got = vma_find_gap(&L, len, bottom, top), exp = model_gap(&M, len, bottom, top);
			if (got != exp)
				fail_msg("seed %llu step %d: find_gap(%#llx, %#llx, %#llx) = %#llx, expected %#llx",
					 (unsigned long long)s, step, (unsigned long long)len,
					 (unsigned long long)bottom, (unsigned long long)top, (unsigned long long)got,
					 (unsigned long long)exp);
			ASSERT_UNCHANGED();
			continue;
		}
		if (want == 0 && model_runs(&M2) > cap) {
			want = -ENOMEM;
			st.full++;
		}
		if (rc != want)
			fail_msg("seed %llu step %d op %u [%zu, %zu): returned %d, expected %d", (unsigned long long)s,
				 step, op, a, b, rc, want);
		count_rc(&st, rc);
		if (L.n > st.max_n)
			st.max_n = L.n;
		if (rc == 0)
			memcpy(&M, &M2, sizeof(M));
		else
			ASSERT_UNCHANGED();
		err = model_error(&M);
		if (err)
			fail_msg("seed %llu step %d op %u [%zu, %zu): %s", (unsigned long long)s, step, op, a, b, err);
		/* vma_find_from against a scan. */
		{
			uint64_t va = addr(&M, unit_rnd() % npages) + unit_rnd() % PAGE_SIZE;
			struct vma *f = vma_find_from(&L, va), *want_f = NULL;
			for (struct vma *k = vma_first(&L); k && !want_f; k = vma_next(k))
				if (k->end > va)
					want_f = k;
			assert_ptr_equal(f, want_f);
		}
	}
	return st;
}

static void test_random_small_window(void **state)
{
	(void)state;
	for (uint64_t s = 1; s <= 4; s++) {
		struct rstats st = run_random(s, PG(0x400), 64, 6, false, 5000, SIZE_MAX);
		assert_true(st.ok > 1000 && st.eexist > 100 && st.enomem > 100);
	}
}

/* The same in the last pages below 2^64, where end - start and offsets are easy to get wrong. */
static void test_random_top_window(void **state)
{
	(void)state;
	for (uint64_t s = 10; s <= 11; s++)
		run_random(s, TOP_PAGE - PG(48), 48, 6, false, 4000, SIZE_MAX);
}

/*
 * What mmap and munmap do, at random against the model: find a gap top-down
 * and insert there (the gap search leaves the area above the gap in the
 * list's cache, which the insert's lookup then uses), remove ranges (pages
 * mmap just placed, mostly), and look addresses up in between, so that the
 * cache is tried in every state: holding the address, above it, stale after
 * its node was dropped or its range moved.
 */
static void test_random_mmap_pattern(void **state)
{
	(void)state;
	for (uint64_t s = 30; s <= 33; s++) {
		uint64_t last = 0;
		unsigned placed = 0;

		unit_seed(s);
		reset();
		memset(&M, 0, sizeof(M));
		M.base = PG(0x2000);
		M.npages = 256;
		for (int step = 0; step < 6000; step++) {
			unsigned op = unit_rnd() % 8;
			const char *err;
			size_t a, b;

			memcpy(&M2, &M, sizeof(M));
			if (op < 3) {
				uint64_t len = PG(1 + unit_rnd() % 3), top = addr(&M, M.npages) - PG(unit_rnd() % 4);
				uint64_t got = vma_find_gap(&L, len, M.base, top),
					 exp = model_gap(&M, len, M.base, top);
				unsigned prot = unit_rnd() % 4 ? RW : R;

				if (got != exp)
					fail_msg("seed %llu step %d: find_gap = %#llx, expected %#llx",
						 (unsigned long long)s, step, (unsigned long long)got,
						 (unsigned long long)exp);
				if (!got)
					continue;
				assert_int_equal(vma_insert(&L, got, got + len, prot, VMA_ANON, 0, "[anon]"), 0);
				for (uint64_t va = got; va < got + len; va += PAGE_SIZE)
					M2.p[(va - M.base) / PAGE_SIZE] = (struct pg){ true, prot, VMA_ANON, 2, 0 };
				last = got;
				placed++;
			} else if (op < 6) {
				/* munmap: of the page placed last (the usual pair), or of a random range */
				if (op < 5 && last) {
					a = (last - M.base) / PAGE_SIZE;
					b = a + 1;
				} else {
					rnd_range(M.npages, 4, 16, &a, &b);
				}
				assert_int_equal(vma_remove(&L, addr(&M, a), addr(&M, b)), 0);
				for (size_t k = a; k < b; k++)
					M2.p[k] = (struct pg){ 0 };
			} else if (op == 6) {
				/* mprotect of a mapped page, so that areas split and merge under the cache */
				a = unit_rnd() % M.npages;
				if (!M.p[a].mapped)
					continue;
				assert_int_equal(vma_protect(&L, addr(&M, a), addr(&M, a + 1),
							     M.p[a].prot == R ? RW : R),
						 0);
				M2.p[a].prot = M.p[a].prot == R ? RW : R;
			} else {
				/* lookups only: against a scan, after whatever the cache holds */
				uint64_t va = addr(&M, unit_rnd() % M.npages) + unit_rnd() % PAGE_SIZE;
				struct vma *f = vma_find_from(&L, va), *want_f = NULL, *g = vma_find(&L, va);

				for (struct vma *k = vma_first(&L); k && !want_f; k = vma_next(k))
					if (k->end > va)
						want_f = k;
				assert_ptr_equal(f, want_f);
				assert_ptr_equal(g, want_f && want_f->start <= va ? want_f : NULL);
				continue;
			}
			memcpy(&M, &M2, sizeof(M));
			err = invariant_error(&L);
			if (!err && L.cache) {
				/* the cache is NULL or a node of the tree */
				struct vma *k = vma_first(&L);

				while (k && k != L.cache)
					k = vma_next(k);
				if (!k)
					err = "the cache points outside the tree";
			}
			if (!err && step % 8 == 0)
				err = model_error(&M);
			if (err)
				fail_msg("seed %llu step %d op %u: %s", (unsigned long long)s, step, op, err);
		}
		assert_true(placed > 500);
	}
}

/* Up against CAP: 600 pages in short ranges make far more than 128 runs. */
static void test_random_capacity(void **state)
{
	(void)state;
	for (uint64_t s = 20; s <= 22; s++) {
		struct rstats st = run_random(s, PG(0x1000), MAXPAGES, 3, true, 6000, CAP);
		assert_int_equal(st.max_n, CAP);
		assert_true(st.full > 100);
	}
}

/* ---- scale: many areas ---------------------------------------------------- */

/* Linear reference for vma_find_gap over the tree's areas (the old array algorithm). */
static uint64_t scan_gap(uint64_t len, uint64_t bottom, uint64_t top)
{
	uint64_t best = 0;
	const struct vma *prev = NULL;

	len = (len + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE;
	bottom = (bottom + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE;
	top = top / PAGE_SIZE * PAGE_SIZE;
	/* Every hole [lo, hi) between areas (and below the first, above the last), clipped. */
	for (const struct vma *a = vma_first(&L);; prev = a, a = vma_next(a)) {
		uint64_t lo = prev ? prev->end : 0, hi = a ? a->start : UINT64_MAX;

		lo = lo < bottom ? bottom : lo;
		hi = hi > top ? top : hi;
		if (hi > lo && hi - lo >= len && hi - len > best)
			best = hi - len;
		if (!a)
			break;
	}
	return best;
}

static void test_many_areas(void **state)
{
	enum { N = 20000 };
	static uint64_t order[N];
	int height_bound = 0;

	(void)state;
	unit_seed(99);
	for (size_t k = 0; k < N; k++)
		order[k] = k;
	for (size_t k = N - 1; k > 0; k--) {
		size_t j = unit_rnd() % (k + 1);
		uint64_t t = order[k];
		order[k] = order[j];
		order[j] = t;
	}
	/* One-page areas with holes of 1..3 pages, inserted in random order. */
	for (size_t k = 0; k < N; k++) {
		uint64_t p = 0x1000 + order[k] * 4 + order[k] % 3;

		assert_int_equal(ins_anon(p, p + 1, order[k] % 2 ? R : RW), 0);
	}
	assert_int_equal(L.n, N);
	assert_null(invariant_error(&L));
	for (size_t n = N; n > 1; n >>= 1)
		height_bound++;
	assert_true(L.root->height <= height_bound * 3 / 2 + 2); /* AVL: < 1.45 log2(n + 2) */
	for (int i = 0; i < 2000; i++) {
		uint64_t lo = PG(0x1000 + unit_rnd() % (4 * N)),
			 len = PG(1 + unit_rnd() % 4) - (unit_rnd() % 2 ? unit_rnd() % PAGE_SIZE : 0);
		uint64_t hi = lo + PG(unit_rnd() % (4 * N));
		uint64_t page = 0x1000 + unit_rnd() % (4 * N);
		const struct vma *f = vma_find(&L, PG(page));
		uint64_t k = (page - 0x1000) / 4;

		assert_int_equal(vma_find_gap(&L, len, lo, hi), scan_gap(len, lo, hi));
		if (f)
			assert_int_equal(f->start, PG(0x1000 + k * 4 + k % 3));
		else
			assert_int_not_equal(page, 0x1000 + k * 4 + k % 3);
	}
	/* Protect and remove ranges over thousands of areas at once. */
	take_snapshot();
	assert_int_equal(vma_protect(&L, PG(0x1000), PG(0x1000 + 4 * N), RX), -ENOMEM); /* holes */
	ASSERT_UNCHANGED();
	assert_int_equal(vma_remove(&L, PG(0x1000 + 4 * 100), PG(0x1000 + 4 * 15000)), 0);
	assert_int_equal(L.n, N - 14900);
	assert_null(invariant_error(&L));
	for (size_t k = 0; k < N; k++) {
		uint64_t p = 0x1000 + order[k] * 4 + order[k] % 3;

		assert_int_equal(vma_remove(&L, PG(p), PG(p + 1)), 0);
		if (k % 1000 == 0)
			assert_null(invariant_error(&L));
	}
	assert_int_equal(L.n, 0);
	assert_null(L.root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init, setup, teardown),
		cmocka_unit_test_setup_teardown(test_insert_einval, setup, teardown),
		cmocka_unit_test_setup_teardown(test_insert_near_top, setup, teardown),
		cmocka_unit_test_setup_teardown(test_insert_eexist, setup, teardown),
		cmocka_unit_test_setup_teardown(test_insert_sorted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_insert_merge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_insert_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_insert_image_offsets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_insert_enomem, setup, teardown),
		cmocka_unit_test_setup_teardown(test_find, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_einval, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_exact_and_unmapped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_partial, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_split, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_span, setup, teardown),
		cmocka_unit_test_setup_teardown(test_remove_enomem, setup, teardown),
		cmocka_unit_test_setup_teardown(test_protect_einval, setup, teardown),
		cmocka_unit_test_setup_teardown(test_protect_uncovered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_protect_edges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_protect_split_and_restore, setup, teardown),
		cmocka_unit_test_setup_teardown(test_protect_merges_neighbours, setup, teardown),
		cmocka_unit_test_setup_teardown(test_protect_keeps_flags, setup, teardown),
		cmocka_unit_test_setup_teardown(test_protect_enomem_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_protect_full_merge_compensates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_protect_full_both_ends, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gap_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gap_overflow, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gap_areas, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resize, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resize_merges, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_small_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_top_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_capacity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_mmap_pattern, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_areas, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
