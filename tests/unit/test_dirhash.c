/* SPDX-License-Identifier: MIT */
/*
 * test_dirhash.c - the directory name hash (core/fs/dirhash.c) against a
 * model: a plain array of which names are present, searched linearly.
 *
 * Random runs insert and remove names from a pool (names chosen so that some
 * share a hash: the caller passes the hash, and the tests pass colliding ones
 * on purpose) and after every step check, against the model, that a lookup
 * of every pool name finds exactly the present ones, and check the table
 * itself: the count, every node in the bucket its hash selects, the bucket
 * count a power of two between the growth and shrink bounds, no array while
 * empty. kcalloc here can be told to fail: the first array's failure is
 * -ENOMEM with nothing changed, a failed resize keeps the answers right.
 * ASan sees leaks and use after free of the arrays.
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

#include "dirhash.h"
#include "heap.h"
#include "kerrno.h"

static int fail_allocs; /* kcalloc fails while this is set */
static int live_arrays;

void *kmalloc(size_t n)
{
	(void)n;
	fail_msg("dirhash allocates its buckets with kcalloc only");
	return NULL;
}

void *kcalloc(size_t n, size_t size)
{
	void *p;

	if (fail_allocs)
		return NULL;
	p = calloc(n, size);
	if (p)
		live_arrays++;
	return p;
}

void kfree(void *p)
{
	if (p)
		live_arrays--;
	free(p);
}

#define POOL 600

struct ent {
	struct dh_node node;
	char name[16];
	uint32_t hash;
	int present;
};

static struct ent pool[POOL];

/* Pool names "nNNN"; every 7th shares its hash with the one before it (forced collisions). */
static void pool_init(void)
{
	memset(pool, 0, sizeof(pool));
	for (int i = 0; i < POOL; i++) {
		snprintf(pool[i].name, sizeof(pool[i].name), "n%03d", i);
		pool[i].hash = i % 7 == 6 ? pool[i - 1].hash : dirhash_name(pool[i].name, strlen(pool[i].name));
	}
}

static struct ent *lookup(struct dirhash *h, const char *name)
{
	size_t len = strlen(name);
	uint32_t hv = 0;

	for (int i = 0; i < POOL; i++)
		if (!strcmp(pool[i].name, name))
			hv = pool[i].hash;
	for (struct dh_node *n = dirhash_first(h, hv); n; n = dirhash_next(n->next, hv)) {
		struct ent *e = (struct ent *)((char *)n - offsetof(struct ent, node));

		assert_int_equal(n->hash, hv);
		if (strlen(e->name) == len && !memcmp(e->name, name, len))
			return e;
	}
	return NULL;
}

static void check(struct dirhash *h, int resize_failed)
{
	uint32_t count = 0, seen = 0;

	for (int i = 0; i < POOL; i++) {
		struct ent *e = lookup(h, pool[i].name);

		count += (uint32_t)pool[i].present;
		if (pool[i].present)
			assert_ptr_equal(e, &pool[i]);
		else
			assert_null(e);
	}
	assert_int_equal(h->n, count);
	if (!count) {
		assert_null(h->bucket);
		assert_int_equal(h->nbuckets, 0);
		assert_int_equal(live_arrays, 0);
		return;
	}
	assert_non_null(h->bucket);
	assert_int_equal(live_arrays, 1);
	assert_true(h->nbuckets >= DIRHASH_MIN_BUCKETS);
	assert_int_equal(h->nbuckets & (h->nbuckets - 1), 0);
	if (!resize_failed) {
		/* Grown before the count passes the buckets, shrunk before it falls below an eighth. */
		assert_true(h->n <= h->nbuckets);
		assert_true(h->nbuckets == DIRHASH_MIN_BUCKETS || h->n >= h->nbuckets / 8);
	}
	for (uint32_t b = 0; b < h->nbuckets; b++)
		for (struct dh_node *n = h->bucket[b]; n; n = n->next) {
			assert_int_equal(n->hash & (h->nbuckets - 1), b);
			seen++;
		}
	assert_int_equal(seen, count);
}

static void test_hash_function(void **state)
{
	(void)state;
	/* FNV-1a's published values: "" is the offset basis, "a" 0xe40c292c. */
	assert_int_equal(dirhash_name("", 0), 2166136261u);
	assert_int_equal(dirhash_name("a", 1), 0xe40c292cu);
	assert_int_equal(dirhash_name("foobar", 6), 0xbf9cf968u);
	/* Only len bytes count: a name is not NUL-terminated in a path. */
	assert_int_equal(dirhash_name("f000/rest", 4), dirhash_name("f000", 4));
}

static void test_empty(void **state)
{
	struct dirhash h = { 0 };

	(void)state;
	pool_init();
	assert_null(dirhash_first(&h, 0));
	assert_null(lookup(&h, "n000"));
	dirhash_free(&h);
	check(&h, 0);
}

static void test_grow_and_shrink(void **state)
{
	struct dirhash h = { 0 };

	(void)state;
	pool_init();
	for (int i = 0; i < POOL; i++) {
		assert_int_equal(dirhash_insert(&h, &pool[i].node, pool[i].hash), 0);
		pool[i].present = 1;
		if (i % 37 == 0)
			check(&h, 0);
	}
	check(&h, 0);
	assert_int_equal(h.nbuckets, 1024); /* 600 entries: doubled from 8 past 512 */
	for (int i = POOL - 1; i >= 0; i--) {
		dirhash_remove(&h, &pool[i].node);
		pool[i].present = 0;
		if (i % 37 == 0)
			check(&h, 0);
	}
	check(&h, 0);
}

static void test_first_alloc_fails(void **state)
{
	struct dirhash h = { 0 };

	(void)state;
	pool_init();
	fail_allocs = 1;
	assert_int_equal(dirhash_insert(&h, &pool[0].node, pool[0].hash), -ENOMEM);
	fail_allocs = 0;
	check(&h, 0);
	assert_int_equal(dirhash_insert(&h, &pool[0].node, pool[0].hash), 0);
	pool[0].present = 1;
	check(&h, 0);
	dirhash_remove(&h, &pool[0].node);
	pool[0].present = 0;
	check(&h, 0);
}

static void test_resize_fails(void **state)
{
	struct dirhash h = { 0 };

	(void)state;
	pool_init();
	for (int i = 0; i < 8; i++) {
		assert_int_equal(dirhash_insert(&h, &pool[i].node, pool[i].hash), 0);
		pool[i].present = 1;
	}
	/* Growth fails: the entries go into the 8 buckets there are, and every one is still found. */
	fail_allocs = 1;
	for (int i = 8; i < 200; i++) {
		assert_int_equal(dirhash_insert(&h, &pool[i].node, pool[i].hash), 0);
		pool[i].present = 1;
	}
	check(&h, 1);
	assert_int_equal(h.nbuckets, DIRHASH_MIN_BUCKETS);
	fail_allocs = 0;
	assert_int_equal(dirhash_insert(&h, &pool[200].node, pool[200].hash), 0);
	pool[200].present = 1;
	check(&h, 1);
	assert_int_equal(h.nbuckets, 16); /* one doubling a step */
	for (int i = 201; i < POOL; i++) {
		assert_int_equal(dirhash_insert(&h, &pool[i].node, pool[i].hash), 0);
		pool[i].present = 1;
	}
	check(&h, 0); /* caught up: one doubling an insert */
	/* Shrinking fails too: the big array stays, answers stay right. */
	check(&h, 1);
	fail_allocs = 1;
	for (int i = 0; i < 590; i++) {
		dirhash_remove(&h, &pool[i].node);
		pool[i].present = 0;
	}
	check(&h, 1);
	fail_allocs = 0;
	for (int i = 590; i < POOL; i++) {
		dirhash_remove(&h, &pool[i].node);
		pool[i].present = 0;
	}
	check(&h, 0);
}

static void test_random_against_model(void **state)
{
	struct dirhash h = { 0 };

	(void)state;
	unit_seed(12);
	pool_init();
	for (int step = 0; step < 20000; step++) {
		int i = (int)(unit_rnd() % POOL);
		/* Drift between mostly inserting and mostly removing, so the table grows and shrinks. */
		int grow = (step / 2500) % 2 == 0;
		int insert = (int)(unit_rnd() % 10) < (grow ? 8 : 2);

		if (insert && !pool[i].present) {
			assert_int_equal(dirhash_insert(&h, &pool[i].node, pool[i].hash), 0);
			pool[i].present = 1;
		} else if (!insert && pool[i].present) {
			dirhash_remove(&h, &pool[i].node);
			pool[i].present = 0;
		}
		if (step % 97 == 0)
			check(&h, 0);
	}
	check(&h, 0);
	for (int i = 0; i < POOL; i++)
		if (pool[i].present) {
			dirhash_remove(&h, &pool[i].node);
			pool[i].present = 0;
		}
	check(&h, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_function),	cmocka_unit_test(test_empty),
		cmocka_unit_test(test_grow_and_shrink), cmocka_unit_test(test_first_alloc_fails),
		cmocka_unit_test(test_resize_fails),	cmocka_unit_test(test_random_against_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
