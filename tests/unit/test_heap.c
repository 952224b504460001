/* SPDX-License-Identifier: MIT */
/*
 * test_heap.c - mm/heap*.c on the host: size classes, alignment, poisoning,
 * double/invalid free detection, stats, out of memory and a randomized
 * stress run against a model.
 *
 * The backend hands out pages from a page-aligned 32 MiB arena, first fit,
 * with a page budget to simulate running out of memory. Fresh pages are
 * filled with garbage (the heap must not expect zeroes) and pages given back
 * through shrink() are poisoned for ASan, so the heap touching a page it
 * returned - as the kernel would after unmapping it - aborts the test.
 * panic() records its message and longjmps back into the test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define ARENA_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define ARENA_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#define ARENA_IS_POISONED(p) __asan_address_is_poisoned(p)
#else
#define ARENA_POISON(p, n) ((void)(p), (void)(n))
#define ARENA_UNPOISON(p, n) ((void)(p), (void)(n))
#define ARENA_IS_POISONED(p) 1
#endif

#include "heap.h"
#include "kernel.h"
#include "memlayout.h"

#define ARENA_PAGES 8192
#define ARENA_GARBAGE 0xdd
#define NO_LIMIT ((size_t)-1)
#define CALLER_RANGE 0x4000 /* a kfree call site lies this close after the test function's start */

/* ---- the page backend ---------------------------------------------------- */

struct arena {
	uint8_t *mem;
	uint8_t used[ARENA_PAGES];
	size_t in_use; /* pages handed out now */
	size_t limit;  /* grow() fails when in_use would pass it */
	size_t grows, shrinks;
	void *last_shrink; /* va and pages of the last shrink() */
	size_t last_shrink_pages;
};

static struct arena arena;

static void *arena_grow(size_t pages, void *ctx)
{
	struct arena *a = ctx;

	assert_true(pages > 0);
	if (a->in_use + pages > a->limit)
		return NULL;
	for (size_t i = 0, run = 0; i < ARENA_PAGES; i++) {
		run = a->used[i] ? 0 : run + 1;
		if (run == pages) {
			uint8_t *va = a->mem + (i + 1 - pages) * PAGE_SIZE;

			memset(&a->used[i + 1 - pages], 1, pages);
			a->in_use += pages;
			a->grows++;
			ARENA_UNPOISON(va, pages * PAGE_SIZE);
			memset(va, ARENA_GARBAGE, pages * PAGE_SIZE);
			return va;
		}
	}
	return NULL;
}

static void arena_shrink(void *va, size_t pages, void *ctx)
{
	struct arena *a = ctx;
	uintptr_t off = (uintptr_t)va - (uintptr_t)a->mem;

	assert_true(off % PAGE_SIZE == 0 && off / PAGE_SIZE + pages <= ARENA_PAGES);
	for (size_t i = 0; i < pages; i++) {
		assert_true(a->used[off / PAGE_SIZE + i]);
		a->used[off / PAGE_SIZE + i] = 0;
	}
	a->in_use -= pages;
	a->shrinks++;
	a->last_shrink = va;
	a->last_shrink_pages = pages;
	ARENA_POISON(va, pages * PAGE_SIZE);
}

static const struct heap_backend backend = { arena_grow, arena_shrink, &arena };

static int setup(void **state)
{
	(void)state;
	memset(arena.used, 0, sizeof(arena.used));
	arena.in_use = arena.grows = arena.shrinks = arena.last_shrink_pages = 0;
	arena.last_shrink = NULL;
	arena.limit = NO_LIMIT;
	ARENA_UNPOISON(arena.mem, ARENA_PAGES * PAGE_SIZE);
	heap_init(&backend);
	return 0;
}

/* ---- panic (tests/unit/unit_panic.c) ------------------------------------ */

/* Run stmt, which must panic with a message containing want. */
#define EXPECT_PANIC(stmt, want)         \
	do {                             \
		UNIT_EXPECT_PANIC(stmt); \
		expect_in_msg(want);     \
	} while (0)

static void expect_in_msg(const char *want)
{
	if (!strstr(unit_panic_msg, want))
		fail_msg("panic message \"%s\" lacks \"%s\"", unit_panic_msg, want);
	assert_int_equal(strncmp(unit_panic_msg, "heap: ", 6), 0);
}

/* The message names p as the kernel's %p would print it. */
static void expect_ptr_msg(const char *prefix, const void *p)
{
	char want[128];

	ksnprintf(want, sizeof(want), "%s%p", prefix, p);
	expect_in_msg(want);
}

/* The "called from 0x..." in the message lies inside fn. */
static void expect_caller(const void *fn)
{
	const char *at = strstr(unit_panic_msg, "called from 0x");
	uintptr_t ra;

	assert_non_null(at);
	ra = (uintptr_t)strtoull(at + strlen("called from "), NULL, 16);
	assert_true(ra > (uintptr_t)fn && ra < (uintptr_t)fn + CALLER_RANGE);
}

/* ---- helpers --------------------------------------------------------------- */

static struct heap_stats stats(void)
{
	struct heap_stats st;

	heap_get_stats(&st);
	return st;
}

static void expect_bytes(const void *p, int val, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		if (b[i] != (uint8_t)val)
			fail_msg("byte %zu of %p is 0x%02x, want 0x%02x", i, p, b[i], (unsigned)(uint8_t)val);
}

static uint8_t pattern(unsigned seed, size_t i)
{
	return (uint8_t)(seed * 131 + i * 7 + (i >> 8));
}

static void fill(void *p, unsigned seed, size_t n)
{
	for (size_t i = 0; i < n; i++)
		((uint8_t *)p)[i] = pattern(seed, i);
}

static void verify(const void *p, unsigned seed, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (((const uint8_t *)p)[i] != pattern(seed, i))
			fail_msg("%p byte %zu of %zu overwritten (seed %u)", p, i, n, seed);
}

static void expect_empty_heap(void)
{
	struct heap_stats st = stats();

	assert_int_equal(heap_check(), 0);
	assert_int_equal(st.bytes_in_use, 0);
	assert_int_equal(st.large_in_use, 0);
	assert_int_equal(st.large_pages, 0);
	for (unsigned c = 0; c < HEAP_NCLASSES; c++)
		assert_int_equal(st.cls[c].in_use, 0);
	assert_int_equal(st.pages_held, arena.in_use);
}

/* ---- size classes and alignment ------------------------------------------- */

static void test_size_class_boundaries(void **state)
{
	static const struct {
		size_t size, usable;
		int cls; /* -1: large block */
	} cases[] = {
		{ 0, 16, 0 },
		{ 1, 16, 0 },
		{ 16, 16, 0 },
		{ 17, 32, 1 },
		{ 32, 32, 1 },
		{ 33, 64, 2 },
		{ 64, 64, 2 },
		{ 65, 128, 3 },
		{ 128, 128, 3 },
		{ 129, 256, 4 },
		{ 256, 256, 4 },
		{ 257, 512, 5 },
		{ 512, 512, 5 },
		{ 513, 1024, 6 },
		{ 1024, 1024, 6 },
		{ 1025, 2048, 7 },
		{ 2048, 2048, 7 },
		{ 2049, PAGE_SIZE - 16, -1 },
		{ PAGE_SIZE - 16, PAGE_SIZE - 16, -1 },
		{ PAGE_SIZE - 15, 2 * PAGE_SIZE - 16, -1 },
		{ PAGE_SIZE, 2 * PAGE_SIZE - 16, -1 },
		{ 3 * PAGE_SIZE + 5, 4 * PAGE_SIZE - 16, -1 },
		{ 64 * PAGE_SIZE, 65 * PAGE_SIZE - 16, -1 },
	};
	void *p[ARRAY_SIZE(cases)];
	size_t bytes = 0, large_pages = 0;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct heap_stats before = stats(), after;

		p[i] = kmalloc(cases[i].size);
		assert_non_null(p[i]);
		assert_int_equal((uintptr_t)p[i] % HEAP_ALIGN, 0);
		assert_int_equal(kmalloc_usable_size(p[i]), cases[i].usable);
		expect_bytes(p[i], HEAP_POISON_ALLOC, cases[i].usable);
		fill(p[i], (unsigned)i, cases[i].usable); /* the whole usable size is the caller's */
		after = stats();
		bytes += cases[i].usable;
		assert_int_equal(after.bytes_in_use, bytes);
		if (cases[i].cls < 0) {
			assert_int_equal(after.large_in_use, before.large_in_use + 1);
			large_pages += (cases[i].usable + 16) / PAGE_SIZE;
			assert_int_equal(after.large_pages, large_pages);
		} else {
			assert_int_equal(after.cls[cases[i].cls].in_use, before.cls[cases[i].cls].in_use + 1);
			assert_int_equal(after.cls[cases[i].cls].obj_size, cases[i].usable);
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		verify(p[i], (unsigned)i, cases[i].usable);
	assert_int_equal(heap_check(), ARRAY_SIZE(cases));
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		kfree(p[i]);
	expect_empty_heap();
}

static void test_alignment_every_size(void **state)
{
	(void)state;
	for (size_t size = 0; size <= 3 * PAGE_SIZE; size++) {
		void *p = kmalloc(size), *q = kmalloc(size);

		assert_non_null(p);
		assert_non_null(q);
		assert_ptr_not_equal(p, q);
		assert_int_equal((uintptr_t)p % HEAP_ALIGN, 0);
		assert_int_equal((uintptr_t)q % HEAP_ALIGN, 0);
		assert_true(kmalloc_usable_size(p) >= size);
		kfree(q);
		kfree(p);
	}
	expect_empty_heap();
}

static void test_zeroing(void **state)
{
	void *a, *b, *c, *d;

	(void)state;
	a = kzalloc(100);
	b = kzalloc(5000);
	c = kcalloc(10, 30);
	d = kcalloc(0, 5);
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	assert_non_null(d);
	expect_bytes(a, 0, kmalloc_usable_size(a));
	expect_bytes(b, 0, kmalloc_usable_size(b));
	expect_bytes(c, 0, kmalloc_usable_size(c));
	assert_true(kmalloc_usable_size(c) >= 300);
	/* Reused slots are zeroed too, not left poisoned. */
	memset(a, 0x11, 100);
	kfree(a);
	a = kzalloc(128);
	expect_bytes(a, 0, 128);
	kfree(a);
	kfree(b);
	kfree(c);
	kfree(d);
	expect_empty_heap();
}

static void test_kcalloc_overflow(void **state)
{
	struct heap_stats st;
	size_t grows;

	(void)state;
	grows = arena.grows;
	assert_null(kcalloc(SIZE_MAX / 2 + 1, 2));
	assert_null(kcalloc(SIZE_MAX, SIZE_MAX));
	assert_null(kcalloc(2, SIZE_MAX / 2 + 1));
	assert_null(kcalloc((size_t)1 << 32, (size_t)1 << 32));
	/* Absurd sizes fail without asking the backend. */
	assert_null(kmalloc(SIZE_MAX));
	assert_null(kzalloc(SIZE_MAX - PAGE_SIZE));
	assert_null(kcalloc(1, KHEAP_END - KHEAP_BASE));
	assert_int_equal(arena.grows, grows);
	st = stats();
	assert_int_equal(st.alloc_failures, 7);
	expect_empty_heap();
}

static void test_kfree_null_and_zero_size(void **state)
{
	void *a, *b, *c;

	(void)state;
	kfree(NULL);
	assert_int_equal(kmalloc_usable_size(NULL), 0);
	a = kmalloc(0);
	b = kmalloc(0);
	c = krealloc(NULL, 0);
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	assert_ptr_not_equal(a, b);
	assert_ptr_not_equal(b, c);
	assert_int_equal(kmalloc_usable_size(a), HEAP_MIN_CLASS);
	kfree(a);
	kfree(b);
	assert_null(krealloc(c, 0)); /* frees c */
	expect_empty_heap();
}

/* ---- krealloc -------------------------------------------------------------- */

static void test_krealloc(void **state)
{
	uint8_t *p, *q;

	(void)state;
	p = krealloc(NULL, 40);
	assert_non_null(p);
	assert_int_equal(kmalloc_usable_size(p), 64);
	fill(p, 1, 64);
	assert_ptr_equal(krealloc(p, 50), p); /* same class: in place */
	assert_ptr_equal(krealloc(p, 33), p);
	q = krealloc(p, 100); /* bigger class: moves, keeps all 64 bytes */
	assert_ptr_not_equal(q, p);
	verify(q, 1, 64);
	assert_int_equal(stats().cls[2].in_use, 0);
	EXPECT_PANIC(kfree(p), "double free");
	fill(q, 2, 128);
	p = krealloc(q, 10); /* smaller class: moves, keeps 10 bytes */
	assert_int_equal(kmalloc_usable_size(p), 16);
	verify(p, 2, 10);
	fill(p, 3, 16);
	q = krealloc(p, 5000); /* to a large block of 2 pages */
	assert_int_equal(kmalloc_usable_size(q), 2 * PAGE_SIZE - 16);
	verify(q, 3, 16);
	fill(q, 4, 5000);
	assert_ptr_equal(krealloc(q, 2 * PAGE_SIZE - 16), q); /* same pages: in place */
	assert_ptr_equal(krealloc(q, PAGE_SIZE - 15), q);
	p = krealloc(q, 9000); /* 3 pages */
	assert_ptr_not_equal(p, q);
	verify(p, 4, 5000);
	fill(p, 5, 9000);
	q = krealloc(p, 3000); /* shrinking a large block to fewer pages moves it */
	assert_int_equal(kmalloc_usable_size(q), PAGE_SIZE - 16);
	verify(q, 5, 3000);
	p = krealloc(q, 2000); /* back into a slab */
	assert_int_equal(kmalloc_usable_size(p), 2048);
	verify(p, 5, 2000);
	assert_int_equal(heap_check(), 1);

	/* Out of memory: NULL, and the old block is intact. */
	arena.limit = arena.in_use;
	assert_null(krealloc(p, 100000));
	verify(p, 5, 2000);
	arena.limit = NO_LIMIT;
	assert_null(krealloc(p, 0));
	expect_empty_heap();
	EXPECT_PANIC(krealloc(p, 10), "freed pointer");
	expect_ptr_msg("heap: freed pointer ", p);
}

/* ---- stats ----------------------------------------------------------------- */

struct class_visit {
	unsigned n;
	size_t sizes[HEAP_NCLASSES];
	size_t in_use[HEAP_NCLASSES];
};

static void visit_class(const struct heap_class_stats *cs, void *arg)
{
	struct class_visit *v = arg;

	assert_true(v->n < HEAP_NCLASSES);
	assert_true(cs->objs_per_slab * cs->obj_size <= cs->slab_pages * PAGE_SIZE);
	assert_true(cs->objs_per_slab >= 14);
	assert_true(cs->objs_per_slab * cs->obj_size * 8 >= cs->slab_pages * PAGE_SIZE * 7); /* >= 87.5% used */
	v->sizes[v->n] = cs->obj_size;
	v->in_use[v->n++] = cs->in_use;
}

static void test_stats_exact(void **state)
{
	struct heap_stats st = stats();
	struct class_visit v = { 0 };
	size_t per_slab = st.cls[0].objs_per_slab, n = per_slab + 1;
	static void *small[256];
	void *big[3];
	size_t peak;

	(void)state;
	assert_true(n <= ARRAY_SIZE(small));
	assert_int_equal(st.bytes_in_use + st.peak_bytes_in_use + st.pages_held, 0);
	for (size_t i = 0; i < n; i++)
		small[i] = kmalloc(10);
	big[0] = kmalloc(3000);		 /* 1 page, 4080 usable */
	big[1] = kmalloc(2 * PAGE_SIZE); /* 3 pages */
	big[2] = kmalloc(500);
	st = stats();
	assert_int_equal(st.cls[0].in_use, n);
	assert_int_equal(st.cls[0].peak, n);
	assert_int_equal(st.cls[0].slabs, 2); /* one object more than a slab holds */
	assert_int_equal(st.cls[5].in_use, 1);
	assert_int_equal(st.cls[5].slabs, 1);
	assert_int_equal(st.large_in_use, 2);
	assert_int_equal(st.large_pages, 4);
	assert_int_equal(st.bytes_in_use, n * 16 + (PAGE_SIZE - 16) + (3 * PAGE_SIZE - 16) + 512);
	assert_int_equal(st.peak_bytes_in_use, st.bytes_in_use);
	/* pages: 2 slabs of 1 page, 1 slab of 2, 4 large-block pages, 1 page-map chunk */
	assert_int_equal(st.pages_held, 2 + 2 + 4 + 1);
	assert_int_equal(st.pages_held, arena.in_use);

	heap_for_each_class(visit_class, &v);
	assert_int_equal(v.n, HEAP_NCLASSES);
	for (unsigned c = 0; c < HEAP_NCLASSES; c++)
		assert_int_equal(v.sizes[c], (size_t)16 << c);
	assert_int_equal(v.in_use[0], n);

	peak = st.bytes_in_use;

	kfree(big[1]);
	for (size_t i = 0; i < n; i += 2)
		kfree(small[i]);
	st = stats();
	assert_int_equal(st.peak_bytes_in_use, peak);
	assert_int_equal(st.cls[0].in_use, n / 2);
	assert_int_equal(st.cls[0].peak, n);
	assert_int_equal(st.large_pages, 1);
	big[1] = kmalloc(100); /* below the peak: the peak stays */
	assert_int_equal(stats().peak_bytes_in_use, peak);
	kfree(big[1]);
	kfree(big[0]);
	kfree(big[2]);
	for (size_t i = 1; i < n; i += 2)
		kfree(small[i]);
	expect_empty_heap();
	st = stats();
	assert_int_equal(st.peak_bytes_in_use, peak);
	assert_int_equal(st.cls[0].peak, n);
	/* Each class keeps one empty slab: class 0 gave its second back, class 5 kept its only one. */
	assert_int_equal(st.cls[0].slabs, 1);
	assert_int_equal(st.cls[5].slabs, 1);
	/* page map + class 0 + class 3 (big[1] = kmalloc(100)) + class 5 */
	assert_int_equal(st.pages_held, 1 + 1 + 1 + 2);
}

static void test_large_blocks_returned(void **state)
{
	uint8_t *p;
	size_t held;

	(void)state;
	p = kmalloc(3 * PAGE_SIZE); /* header + 3 pages: 4 pages */
	held = arena.in_use;
	assert_int_equal(stats().large_pages, 4);
	fill(p, 9, 3 * PAGE_SIZE);
	kfree(p);
	assert_ptr_equal(arena.last_shrink, p - 16);
	assert_int_equal(arena.last_shrink_pages, 4);
	assert_int_equal(arena.in_use, held - 4);
	assert_true(ARENA_IS_POISONED(p));
	/* A freed large block's pages are reused for the next one. */
	assert_ptr_equal(kmalloc(3 * PAGE_SIZE), p);
	kfree(p);
	expect_empty_heap();
	assert_int_equal(arena.in_use, 1); /* only the page map remains */
}

/* ---- bad frees ------------------------------------------------------------- */

static void test_double_free_small(void **state)
{
	void *p = kmalloc(24), *q = kmalloc(24);

	(void)state;
	kfree(p);
	EXPECT_PANIC(kfree(p), "kfree called from 0x");
	expect_ptr_msg("heap: double free of ", p);
	expect_caller((const void *)test_double_free_small);
	EXPECT_PANIC(kmalloc_usable_size(p), "heap: freed pointer");
	kfree(q);
}

static void test_double_free_large(void **state)
{
	void *p = kmalloc(10000);

	(void)state;
	kfree(p);
	/* The pages are gone (ASan-poisoned): the heap must find out from its page map. */
	EXPECT_PANIC(kfree(p), "kfree called from 0x");
	expect_ptr_msg("heap: double free of ", p);
	expect_caller((const void *)test_double_free_large);
}

static void test_invalid_free_foreign(void **state)
{
	int on_stack;
	void *host = malloc(64), *p = kmalloc(16);

	(void)state;
	EXPECT_PANIC(kfree(&on_stack), ": not from kmalloc (kfree called from 0x");
	expect_ptr_msg("heap: invalid free of ", &on_stack);
	expect_caller((const void *)test_invalid_free_foreign);
	EXPECT_PANIC(kfree(host), "not from kmalloc");
	EXPECT_PANIC(kfree(arena.mem + (ARENA_PAGES - 1) * PAGE_SIZE), "not from kmalloc"); /* never granted */
	EXPECT_PANIC(kfree(arena.mem + PAGE_SIZE), "not from kmalloc"); /* the page map's own chunk */
	EXPECT_PANIC(kfree((void *)(uintptr_t)16), "not from kmalloc");
	EXPECT_PANIC(kmalloc_usable_size(&on_stack), "heap: invalid pointer");
	free(host);
	kfree(p);
	expect_empty_heap();
}

static void test_invalid_free_inside_object(void **state)
{
	uint8_t *p = kmalloc(64), *q = kmalloc(1024);
	void *r[8];

	(void)state;
	EXPECT_PANIC(kfree(p + 16), "not the start of an object");
	expect_ptr_msg("heap: invalid free of ", p + 16);
	EXPECT_PANIC(kfree(p + 1), "not the start of an object");
	EXPECT_PANIC(kfree(p + 63), "not the start of an object");
	EXPECT_PANIC(kfree((void *)((uintptr_t)p & PAGE_MASK)), "not the start of an object"); /* slab header */
	EXPECT_PANIC(kfree(q + 512), "not the start of an object");
	/* An object of a multi-page slab that lies in a later page. */
	for (int i = 0; i < 8; i++)
		r[i] = kmalloc(1024);
	assert_true(((uintptr_t)r[7] & PAGE_MASK) != ((uintptr_t)q & PAGE_MASK));
	EXPECT_PANIC(kfree((uint8_t *)r[7] + 8), "not the start of an object");
	for (int i = 0; i < 8; i++)
		kfree(r[i]);
	kfree(p);
	kfree(q);
	expect_empty_heap();
}

static void test_invalid_free_inside_large(void **state)
{
	uint8_t *p = kmalloc(3 * PAGE_SIZE);

	(void)state;
	EXPECT_PANIC(kfree(p + 16), ": inside a large block");
	expect_ptr_msg("heap: invalid free of ", p + 16);
	EXPECT_PANIC(kfree(p - 16), ": inside a large block"); /* the header */
	EXPECT_PANIC(kfree(p + PAGE_SIZE - 16), ": inside a large block");
	EXPECT_PANIC(kfree(p + 2 * PAGE_SIZE + 100), ": inside a large block");
	kfree(p);
	EXPECT_PANIC(kfree(p + 16), "invalid free");
	expect_empty_heap();
}

static void test_corrupted_headers(void **state)
{
	uint8_t *p = kmalloc(32), *big = kmalloc(5000);
	uint32_t *magic = (uint32_t *)((uintptr_t)p & PAGE_MASK);
	uint64_t *lmagic = (uint64_t *)(big - 16), *lpages = lmagic + 1, good = *lmagic;

	(void)state;
	*magic ^= 1;
	EXPECT_PANIC(kfree(p), "heap: corrupted slab header at ");
	expect_ptr_msg("corrupted slab header at ", magic);
	expect_caller((const void *)test_corrupted_headers);
	EXPECT_PANIC(kmalloc(32), "corrupted slab header"); /* the slab heads its class's list */
	EXPECT_PANIC(heap_check(), "corrupted slab header");
	*magic ^= 1;
	*lmagic = 0;
	EXPECT_PANIC(kfree(big), "corrupted large-block header at ");
	EXPECT_PANIC(heap_check(), "corrupted large-block header");
	*lmagic = good;
	*lpages = 7; /* disagrees with the page map */
	EXPECT_PANIC(krealloc(big, 9000), "corrupted large-block header");
	*lpages = 2;
	assert_int_equal(heap_check(), 2);
	kfree(p);
	kfree(big);
	expect_empty_heap();
}

static void test_write_after_free(void **state)
{
	uint8_t *p = kmalloc(64), *q = kmalloc(64), *r;
	void *obj[300] = { 0 };
	size_t per_slab = stats().cls[2].objs_per_slab;

	(void)state;
	kfree(p);
	expect_bytes(p, HEAP_POISON_FREE, 64);
	p[37] = 0;
	EXPECT_PANIC(heap_check(), "write after free");
	EXPECT_PANIC(kmalloc(60), "byte 37 is 0x00");
	expect_ptr_msg("heap: write after free of ", p);
	expect_in_msg("found by kmalloc called from 0x");
	expect_caller((const void *)test_write_after_free);

	/* An intact slot is handed out again without complaint. */
	p[37] = HEAP_POISON_FREE;
	r = kmalloc(60);
	assert_ptr_equal(r, p); /* LIFO: the slot freed last comes back first */
	kfree(r);
	kfree(q);
	/* A write into a slab that then becomes empty and is given back is caught on release. */
	assert_true(2 * per_slab <= ARRAY_SIZE(obj));
	for (size_t i = 0; i < 2 * per_slab; i++)
		obj[i] = kmalloc(64);
	for (size_t i = 0; i < per_slab; i++)
		kfree(obj[i]); /* first slab empty: kept */
	for (size_t i = per_slab; i < 2 * per_slab - 1; i++)
		kfree(obj[i]);
	((uint8_t *)obj[per_slab])[0] = 1;
	EXPECT_PANIC(kfree(obj[2 * per_slab - 1]), "write after free");
	expect_ptr_msg("heap: write after free of ", obj[per_slab]);
	expect_in_msg("found by kfree called from 0x");
}

static void test_out_of_memory(void **state)
{
	void *p[64];
	size_t n = 0;
	struct heap_stats st;

	(void)state;
	arena.limit = 0;
	assert_null(kmalloc(16));
	assert_null(kmalloc(5000));
	/* The block's pages come, the page map's do not: the block goes back. */
	arena.limit = 1;
	assert_null(kmalloc(16));
	assert_int_equal(arena.in_use, 0);
	st = stats();
	assert_int_equal(st.alloc_failures, 3);
	assert_int_equal(st.pages_held, 0);
	assert_int_equal(heap_check(), 0);

	arena.limit = NO_LIMIT;
	p[n++] = kmalloc(16); /* slab + page map */
	assert_non_null(p[0]);
	arena.limit = arena.in_use + 5;
	for (; n < ARRAY_SIZE(p); n++) {
		p[n] = kmalloc(5000);
		if (!p[n])
			break;
	}
	assert_int_equal(n, 3);	      /* two 2-page blocks fit in 5 pages, the third does not */
	assert_non_null(kmalloc(16)); /* the slab still has room */
	assert_non_null(kmalloc(32)); /* a new slab takes the last page */
	assert_null(kmalloc(64));
	st = stats();
	assert_int_equal(st.alloc_failures, 5);
	arena.limit = NO_LIMIT;
	for (size_t i = 0; i < n; i++)
		kfree(p[i]);
	assert_int_equal(stats().cls[0].in_use, 1);
	assert_non_null(kmalloc(32));
	assert_int_equal(heap_check(), 3);
}

static void *bad_grow(size_t pages, void *ctx)
{
	(void)pages;
	return (uint8_t *)ctx + 8;
}

static void test_backend_contract(void **state)
{
	static uint8_t page[2 * PAGE_SIZE];
	const struct heap_backend bad = { bad_grow, arena_shrink, page };

	(void)state;
	heap_init(&bad);
	EXPECT_PANIC(kmalloc(16), "heap: backend returned ");
	EXPECT_PANIC(heap_init(NULL), "heap: heap_init without a backend");
}

/* ---- randomized stress ------------------------------------------------------ */

#define STRESS_OPS 40000
#define STRESS_SLOTS 1024
#define STRESS_CHECK_EVERY 2000

struct slot {
	uint8_t *p;
	size_t size;
	unsigned seed;
};

static size_t random_size(void)
{
	static const size_t edges[] = { 0,
					1,
					15,
					16,
					17,
					31,
					32,
					33,
					255,
					256,
					257,
					2047,
					2048,
					2049,
					PAGE_SIZE - 16,
					PAGE_SIZE - 15,
					PAGE_SIZE,
					2 * PAGE_SIZE };
	unsigned r = (unsigned)(unit_rnd() % 100);

	if (r < 55)
		return 1 + unit_rnd() % 256;
	if (r < 80)
		return 257 + unit_rnd() % (HEAP_MAX_CLASS - 256);
	if (r < 92)
		return HEAP_MAX_CLASS + 1 + unit_rnd() % (3 * PAGE_SIZE);
	return edges[unit_rnd() % ARRAY_SIZE(edges)];
}

struct model {
	struct slot s[STRESS_SLOTS];
	size_t live, bytes, peak, failures;
	unsigned seed;
};

static void model_add(struct model *m, struct slot *s, uint8_t *p, size_t size)
{
	size_t usable = kmalloc_usable_size(p);

	assert_int_equal((uintptr_t)p % HEAP_ALIGN, 0);
	assert_true(usable >= size);
	m->bytes += usable;
	if (m->bytes > m->peak)
		m->peak = m->bytes;
	s->p = p;
	s->size = size;
	s->seed = ++m->seed;
	fill(p, s->seed, size);
	m->live++;
}

static void stress_op(struct model *m)
{
	struct slot *s = &m->s[unit_rnd() % STRESS_SLOTS];
	size_t size = random_size(), old_usable;
	unsigned kind = (unsigned)(unit_rnd() % 4);
	uint8_t *p;

	if (!s->p) {
		p = kind == 0 ? kzalloc(size) : kind == 1 ? kcalloc(size, 1) : kmalloc(size);
		if (!p) {
			m->failures++;
			return;
		}
		expect_bytes(p, kind <= 1 ? 0 : HEAP_POISON_ALLOC, size);
		model_add(m, s, p, size);
		return;
	}
	verify(s->p, s->seed, s->size);
	old_usable = kmalloc_usable_size(s->p);
	if (kind < 2 || !size) {
		if (size || kind < 2)
			kfree(s->p);
		else
			assert_null(krealloc(s->p, 0));
		s->p = NULL;
		m->bytes -= old_usable;
		m->live--;
		return;
	}
	p = krealloc(s->p, size);
	if (!p) {
		m->failures++;
		verify(s->p, s->seed, s->size);
		return;
	}
	verify(p, s->seed, size < s->size ? size : s->size);
	if (p != s->p) {
		/* the new block is counted before the old one is freed */
		if (m->bytes + kmalloc_usable_size(p) > m->peak)
			m->peak = m->bytes + kmalloc_usable_size(p);
	}
	m->bytes -= old_usable;
	m->live--;
	model_add(m, s, p, size);
}

static void test_stress(void **state)
{
	struct model *m = calloc(1, sizeof(*m));
	struct heap_stats st;

	(void)state;
	*unit_rng() = 0x9e3779b97f4a7c15ULL;
	for (int i = 0; i < STRESS_OPS; i++) {
		/* Now and then the backend runs nearly dry for a while. */
		if (i % 10000 == 5000)
			arena.limit = arena.in_use + 2;
		if (i % 10000 == 6000)
			arena.limit = NO_LIMIT;
		stress_op(m);
		if (i % STRESS_CHECK_EVERY == 0) {
			assert_int_equal(heap_check(), m->live);
			st = stats();
			assert_int_equal(st.bytes_in_use, m->bytes);
			assert_int_equal(st.peak_bytes_in_use, m->peak);
			assert_int_equal(st.pages_held, arena.in_use);
		}
	}
	st = stats();
	assert_int_equal(st.bytes_in_use, m->bytes);
	assert_int_equal(st.peak_bytes_in_use, m->peak);
	assert_int_equal(st.alloc_failures, m->failures);
	assert_true(m->failures > 0);
	print_message("stress: %d ops, %zu live at the end, peak %zu bytes, %zu failures, %zu pages held\n", STRESS_OPS,
		      m->live, m->peak, m->failures, st.pages_held);
	for (size_t i = 0; i < STRESS_SLOTS; i++) {
		if (m->s[i].p) {
			verify(m->s[i].p, m->s[i].seed, m->s[i].size);
			kfree(m->s[i].p);
		}
	}
	expect_empty_heap();
	assert_int_equal(stats().peak_bytes_in_use, m->peak);
	free(m);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup(f, setup)
	const struct CMUnitTest tests[] = {
		T(test_size_class_boundaries),
		T(test_alignment_every_size),
		T(test_zeroing),
		T(test_kcalloc_overflow),
		T(test_kfree_null_and_zero_size),
		T(test_krealloc),
		T(test_stats_exact),
		T(test_large_blocks_returned),
		T(test_double_free_small),
		T(test_double_free_large),
		T(test_invalid_free_foreign),
		T(test_invalid_free_inside_object),
		T(test_invalid_free_inside_large),
		T(test_corrupted_headers),
		T(test_write_after_free),
		T(test_out_of_memory),
		T(test_backend_contract),
		T(test_stress),
	};
	int rc;

	arena.mem = aligned_alloc(PAGE_SIZE, ARENA_PAGES * PAGE_SIZE);
	assert_non_null(arena.mem);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	ARENA_UNPOISON(arena.mem, ARENA_PAGES * PAGE_SIZE);
	free(arena.mem);
	return rc;
}
