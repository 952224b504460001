/* SPDX-License-Identifier: MIT */
/*
 * test_wx.c - the W^X checker (pt_count_wx over pt_for_each_leaf) on tables
 * built with mm/paging.c in simulated physical memory: it must find planted
 * W+X pages, judge permissions over all levels, and skip the recursive slot.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kerrno.h"
#include "memlayout.h"
#include "paging.h"

#define SIM_BASE 0x100000ULL /* fake physical address of the arena */
#define SIM_PAGES 256

struct sim {
	uint8_t *mem;
	uint64_t next;
	struct pt pt;
};

static uint64_t sim_alloc(void *ctx)
{
	struct sim *s = ctx;

	if (s->next == SIM_PAGES)
		return 0;
	memset(s->mem + s->next * PAGE_SIZE, 0, PAGE_SIZE);
	return SIM_BASE + s->next++ * PAGE_SIZE;
}

static int setup(void **state)
{
	struct sim *s = calloc(1, sizeof(*s));

	s->mem = aligned_alloc(PAGE_SIZE, SIM_PAGES * PAGE_SIZE);
	s->pt.phys_off = (uintptr_t)s->mem - SIM_BASE;
	s->pt.alloc_table = sim_alloc;
	s->pt.ctx = s;
	s->pt.allow_1g = 1;
	s->pt.root = sim_alloc(s);
	*state = s;
	return 0;
}

static int teardown(void **state)
{
	struct sim *s = *state;

	free(s->mem);
	free(s);
	return 0;
}

static pte_t *entry(struct sim *s, uint64_t va, int lvl)
{
	struct pt_walk w;
	pte_t *e = pt_walk(&s->pt, va, lvl, 0, &w);

	assert_int_equal(w.level, lvl);
	return e;
}

static void test_clean_layout_holds(void **state)
{
	struct sim *s = *state;
	uint64_t first = 1;

	assert_int_equal(pt_map(&s->pt, KERNEL_BASE, 0x200000, 16 * PAGE_SIZE, VM_READ | VM_EXEC), 0);
	assert_int_equal(pt_map(&s->pt, KERNEL_BASE + 16 * PAGE_SIZE, 0x300000, 8 * PAGE_SIZE, VM_READ), 0);
	assert_int_equal(pt_map(&s->pt, KERNEL_BASE + 24 * PAGE_SIZE, 0x400000, 8 * PAGE_SIZE, VM_READ | VM_WRITE), 0);
	assert_int_equal(pt_map(&s->pt, DIRECT_MAP_BASE, 0, 2 * HUGE_1G, VM_READ | VM_WRITE), 0);
	assert_int_equal(pt_count_wx(&s->pt, &first), 0);
}

static void test_planted_4k_page(void **state)
{
	struct sim *s = *state;
	uint64_t first = 0;

	assert_int_equal(pt_map(&s->pt, KERNEL_BASE, 0x200000, 16 * PAGE_SIZE, VM_READ | VM_EXEC), 0);
	/* Plant: make text page 5 writable behind the mapping code's back. */
	*entry(s, KERNEL_BASE + 5 * PAGE_SIZE, 1) |= PTE_W;
	assert_int_equal(pt_count_wx(&s->pt, &first), 1);
	assert_true(first == KERNEL_BASE + 5 * PAGE_SIZE);
}

static void test_planted_huge_page_counts_512(void **state)
{
	struct sim *s = *state;
	uint64_t first = 0;

	assert_int_equal(pt_map(&s->pt, DIRECT_MAP_BASE, 0, 4 * HUGE_2M, VM_READ | VM_WRITE), 0);
	*entry(s, DIRECT_MAP_BASE + 2 * HUGE_2M, 2) &= ~PTE_NX;
	assert_int_equal(pt_count_wx(&s->pt, &first), 512);
	assert_true(first == DIRECT_MAP_BASE + 2 * HUGE_2M);
}

/* Effective permissions: a read-only or NX upper level makes the leaf safe. */
static void test_upper_levels_decide(void **state)
{
	struct sim *s = *state;
	uint64_t first = 0;

	assert_int_equal(pt_map(&s->pt, KERNEL_BASE, 0x200000, PAGE_SIZE, VM_READ | VM_WRITE | VM_EXEC), 0);
	assert_int_equal(pt_count_wx(&s->pt, &first), 1);
	*entry(s, KERNEL_BASE, 2) &= ~PTE_W; /* PD entry read-only */
	assert_int_equal(pt_count_wx(&s->pt, &first), 0);
	*entry(s, KERNEL_BASE, 2) |= PTE_W;
	*entry(s, KERNEL_BASE, 4) |= PTE_NX; /* PML4 entry NX */
	assert_int_equal(pt_count_wx(&s->pt, &first), 0);
	*entry(s, KERNEL_BASE, 4) &= ~PTE_NX;
	assert_int_equal(pt_count_wx(&s->pt, &first), 1);
}

/* The recursive slot maps tables, not memory: the walk must skip it (or loop over tables). */
static void test_recursive_slot_skipped(void **state)
{
	struct sim *s = *state;
	uint64_t first = 0;
	pte_t *pml4 = (pte_t *)(uintptr_t)(s->pt.root + s->pt.phys_off);

	assert_int_equal(pt_map(&s->pt, KERNEL_BASE, 0x200000, PAGE_SIZE, VM_READ | VM_EXEC), 0);
	pml4[RECURSIVE_SLOT] = s->pt.root | PTE_P | PTE_W; /* even without NX */
	assert_int_equal(pt_count_wx(&s->pt, &first), 0);
}

/* User pages count too: a W+X user page is as bad as a kernel one. */
static void test_user_page(void **state)
{
	struct sim *s = *state;
	uint64_t first = 0;

	assert_int_equal(pt_map(&s->pt, USER_IMAGE_BASE, 0x200000, PAGE_SIZE, VM_READ | VM_WRITE | VM_EXEC | VM_USER),
			 0);
	assert_int_equal(pt_count_wx(&s->pt, &first), 1);
	assert_true(first == USER_IMAGE_BASE);
}

/* pt_map_page: one 4 KiB leaf in one walk; refuses what is already mapped. */
static void test_map_page(void **state)
{
	struct sim *s = *state;
	struct pt_walk w;
	uint64_t first = 0;

	assert_int_equal(pt_map_page(&s->pt, USER_IMAGE_BASE, 0x300000, VM_READ | VM_WRITE | VM_USER), 0);
	assert_true(pt_query(&s->pt, USER_IMAGE_BASE + 0x123, &w));
	assert_true(w.phys == 0x300123 && w.level == 1 && (w.entry[1] & PTE_U) && (w.entry[1] & PTE_NX));
	assert_int_equal(pt_map_page(&s->pt, USER_IMAGE_BASE, 0x301000, VM_READ), -EEXIST);
	assert_int_equal(pt_map_page(&s->pt, USER_IMAGE_BASE + 1, 0x301000, VM_READ), -EINVAL);
	assert_int_equal(pt_map_page(&s->pt, USER_IMAGE_BASE + PAGE_SIZE, 1ULL << 52, VM_READ), -EINVAL);
	assert_int_equal(pt_count_wx(&s->pt, &first), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_clean_layout_holds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_planted_4k_page, setup, teardown),
		cmocka_unit_test_setup_teardown(test_planted_huge_page_counts_512, setup, teardown),
		cmocka_unit_test_setup_teardown(test_upper_levels_decide, setup, teardown),
		cmocka_unit_test_setup_teardown(test_recursive_slot_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_user_page, setup, teardown),
		cmocka_unit_test_setup_teardown(test_map_page, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
