/* SPDX-License-Identifier: MIT */
/*
 * test_pageref.c - the owner counts of shared pages (mm/pageref.c) against
 * a model: a plain array of owners per frame, written here.
 *
 * Random share/drop sequences over frames spread across several chunks
 * (and one far above the rest, so the directory grows) are checked after
 * every step: each frame's count, pageref_drop's "last owner" answer, the
 * number of shared pages, and the memory the counts take (a chunk exists
 * exactly while a frame in it is shared). The allocator below can be told to
 * fail: pageref_share must then return -ENOMEM and change nothing. At the
 * end every frame is dropped back to one owner and no allocation but the
 * directory is left.
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

#include "heap.h"
#include "kerrno.h"
#include "memlayout.h"
#include "pageref.h"
#include "pmm.h"

/*
 * ---- kcalloc/kfree (the directory) and the PMM's pages (the chunks) for
 * mm/pageref.c: calloc with failure injection and a live count. A chunk
 * comes back through pmm_free_zeroed: it must be all zeros then. ----
 */

static size_t live;
static int fail_next; /* the next allocation fails */

uint64_t pmm_alloc(unsigned order, enum pmm_purpose p)
{
	void *page;

	assert_int_equal(order, 0);
	(void)p;
	if (fail_next) {
		fail_next = 0;
		return 0;
	}
	page = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
	assert_non_null(page);
	memset(page, 0, PAGE_SIZE);
	live++;
	return DIRECT_TO_PHYS(page); /* what PHYS_TO_DIRECT turns back into the pointer */
}

void pmm_free_zeroed(uint64_t phys, enum pmm_purpose p)
{
	const uint8_t *page = PHYS_TO_DIRECT(phys);

	(void)p;
	for (size_t i = 0; i < PAGE_SIZE; i++)
		if (page[i])
			fail_msg("a chunk given back as zeroed has byte %zu = %#x", i, page[i]);
	assert_true(live > 0);
	live--;
	free((void *)page);
}

void *kcalloc(size_t n, size_t size)
{
	void *p;

	if (fail_next) {
		fail_next = 0;
		return NULL;
	}
	p = calloc(n, size);
	assert_non_null(p);
	live++;
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

/* ---- the model ---------------------------------------------------------- */

#define FRAMES (PAGEREF_CHUNK * 5 + 77)	    /* a few chunks and a partial one */
#define FAR_FRAME (PAGEREF_CHUNK * 300 + 5) /* forces the directory to grow */
#define PHYS(f) ((uint64_t)(f) << 12)

static unsigned owners[FRAMES + 1]; /* owners[FRAMES] models FAR_FRAME; 0 means 1 here too */

static uint64_t frame_of(unsigned i)
{
	return i == FRAMES ? FAR_FRAME : i + 1; /* frame 0 is never a user page */
}

static unsigned model_count(unsigned i)
{
	return owners[i] ? owners[i] : 1;
}

static void check_all(void)
{
	uint64_t shared = 0, chunks = 0;
	static uint8_t chunk_used[FAR_FRAME / PAGEREF_CHUNK + 1];

	memset(chunk_used, 0, sizeof(chunk_used));
	for (unsigned i = 0; i <= FRAMES; i++) {
		unsigned c = model_count(i);

		if (pageref_count(PHYS(frame_of(i))) != c)
			fail_msg("frame %#llx: %u owners, model %u", (unsigned long long)frame_of(i),
				 pageref_count(PHYS(frame_of(i))), c);
		if (c > 1) {
			shared++;
			if (!chunk_used[frame_of(i) / PAGEREF_CHUNK]) {
				chunk_used[frame_of(i) / PAGEREF_CHUNK] = 1;
				chunks++;
			}
		}
	}
	assert_int_equal(pageref_shared_pages(), shared);
	/* The directory is one allocation; every chunk with a shared frame another. */
	assert_int_equal(live, chunks + (pageref_bytes() > chunks * PAGEREF_CHUNK * sizeof(uint16_t) ? 1 : 0));
	assert_true(pageref_bytes() >= chunks * PAGEREF_CHUNK * sizeof(uint16_t));
}

/* ---- tests ---------------------------------------------------------------- */

static void test_single_frame(void **state)
{
	(void)state;
	assert_int_equal(pageref_count(PHYS(7)), 1);
	assert_int_equal(pageref_drop(PHYS(7)), 1); /* never shared: the caller is the last owner */
	assert_int_equal(pageref_share(PHYS(7)), 0);
	assert_int_equal(pageref_share(PHYS(7)), 0);
	assert_int_equal(pageref_count(PHYS(7)), 3);
	assert_int_equal(pageref_count(PHYS(8)), 1); /* its neighbour in the same chunk is untouched */
	assert_int_equal(pageref_shared_pages(), 1);
	assert_int_equal(pageref_drop(PHYS(7)), 0);
	assert_int_equal(pageref_drop(PHYS(7)), 0);
	assert_int_equal(pageref_count(PHYS(7)), 1);
	assert_int_equal(pageref_shared_pages(), 0);
	assert_int_equal(pageref_drop(PHYS(7)), 1);
	/* The chunk went with its last shared frame: only the directory is left. */
	assert_int_equal(live, 1);
	assert_int_equal(pageref_bytes(), 8 * 16);
}

static void test_frame_zero_panics(void **state)
{
	(void)state;
	UNIT_EXPECT_PANIC(pageref_share(0));
	assert_non_null(strstr(unit_panic_msg, "frame 0"));
}

static void test_out_of_memory_changes_nothing(void **state)
{
	uint64_t far = PHYS(PAGEREF_CHUNK * 1000 + 3);
	size_t before = live;
	uint64_t bytes = pageref_bytes();

	(void)state;
	/* The directory cannot grow. */
	fail_next = 1;
	assert_int_equal(pageref_share(far), -ENOMEM);
	assert_int_equal(pageref_count(far), 1);
	assert_int_equal(live, before);
	assert_int_equal(pageref_bytes(), bytes);
	/* The directory reaches, the chunk cannot be had. */
	assert_int_equal(pageref_share(PHYS(5)), 0); /* directory exists */
	fail_next = 1;
	assert_int_equal(pageref_share(PHYS(PAGEREF_CHUNK * 3 + 1)), -ENOMEM);
	assert_int_equal(pageref_count(PHYS(PAGEREF_CHUNK * 3 + 1)), 1);
	assert_int_equal(pageref_shared_pages(), 1);
	assert_int_equal(pageref_drop(PHYS(5)), 0);
	assert_int_equal(pageref_shared_pages(), 0);
}

static void test_owner_limit(void **state)
{
	uint64_t pa = PHYS(PAGEREF_CHUNK + 9);

	(void)state;
	for (unsigned i = 0; i < UINT16_MAX; i++)
		assert_int_equal(pageref_share(pa), 0);
	assert_int_equal(pageref_count(pa), 65536);
	assert_int_equal(pageref_share(pa), -ENOMEM);
	assert_int_equal(pageref_count(pa), 65536);
	for (unsigned i = 0; i < UINT16_MAX; i++)
		assert_int_equal(pageref_drop(pa), 0);
	assert_int_equal(pageref_drop(pa), 1);
	assert_int_equal(pageref_shared_pages(), 0);
}

static void test_random_against_model(void **state)
{
	(void)state;
	unit_seed(13);
	memset(owners, 0, sizeof(owners));
	for (int step = 0; step < 40000; step++) {
		uint64_t r = unit_rnd();
		/* Mostly frames of a few hot places, so counts climb and fall to one again. */
		unsigned i = (r & 7) == 0 ? FRAMES :
			     (r & 1)	  ? (unsigned)((r >> 8) % 64) :
					    (unsigned)((r >> 8) % FRAMES);
		uint64_t pa = PHYS(frame_of(i));
		unsigned op = (unsigned)((r >> 40) % 16);

		if (op < 7) {
			int fail = op == 0 && ((r >> 50) & 3) == 0;

			fail_next = fail;
			if (pageref_share(pa) == 0) {
				owners[i] = model_count(i) + 1;
			} else {
				/* Only an allocation may fail, and only when one was needed. */
				assert_true(fail);
			}
			fail_next = 0;
		} else if (op < 14) {
			int last = pageref_drop(pa);

			assert_int_equal(last, model_count(i) == 1);
			if (!last)
				owners[i] = model_count(i) - 1 == 1 ? 0 : model_count(i) - 1;
		}
		if (step % 97 == 0 || op >= 14)
			check_all();
	}
	check_all();
	for (unsigned i = 0; i <= FRAMES; i++)
		while (model_count(i) > 1) {
			assert_int_equal(pageref_drop(PHYS(frame_of(i))), 0);
			owners[i] = model_count(i) - 1 == 1 ? 0 : model_count(i) - 1;
		}
	check_all();
	assert_int_equal(pageref_shared_pages(), 0);
	assert_int_equal(live, 1); /* the directory */
	assert_true(pageref_bytes() >= (FAR_FRAME / PAGEREF_CHUNK + 1) * 16);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_single_frame),
		cmocka_unit_test(test_frame_zero_panics),
		cmocka_unit_test(test_out_of_memory_changes_nothing),
		cmocka_unit_test(test_owner_limit),
		cmocka_unit_test(test_random_against_model),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
