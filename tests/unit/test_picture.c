/* SPDX-License-Identifier: MIT */
/*
 * test_picture.c - pixel budgets of the layout pictures (core/report/picture.c).
 *
 * The properties the screendump tests rely on: a bar adds up to its width
 * exactly, every segment is within one pixel of its exact share (checked
 * with exact rational arithmetic here, in 128 bits), zero values get
 * nothing; a column adds up to its height, every box gets its minimum, and
 * a larger size never gets a smaller box than a smaller size.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "kerrno.h"
#include "picture.h"

#define N_MAX 256

static uint64_t rnd_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 7;
	rnd_state ^= rnd_state << 17;
	return rnd_state;
}

/* |out * sum - v * width| < sum, i.e. out is floor or ceil of the exact share. */
static void check_bar(const uint64_t *v, size_t n, uint32_t width, const uint32_t *out)
{
	unsigned __int128 sum = 0;
	uint64_t total = 0;

	for (size_t i = 0; i < n; i++)
		sum += v[i];
	for (size_t i = 0; i < n; i++) {
		unsigned __int128 exact = (unsigned __int128)v[i] * width, got = (unsigned __int128)out[i] * sum;
		unsigned __int128 diff = exact > got ? exact - got : got - exact;

		total += out[i];
		if (!v[i])
			assert_int_equal(out[i], 0);
		/* Scaling inside share() may cost a little precision past 2^48: allow one more pixel then. */
		assert_true(diff < 2 * sum);
		if (sum < ((unsigned __int128)1 << 48))
			assert_true(diff < sum);
	}
	assert_int_equal(total, width);
}

static void bar_simple(void **state)
{
	uint64_t v[] = { 1, 1, 2 };
	uint32_t out[3];

	(void)state;
	assert_int_equal(pic_bar_widths(v, 3, 100, out), 0);
	assert_int_equal(out[0], 25);
	assert_int_equal(out[1], 25);
	assert_int_equal(out[2], 50);
	/* 3 equal parts of 100: the leftover pixel goes to the first. */
	uint64_t w[] = { 5, 5, 5 };
	assert_int_equal(pic_bar_widths(w, 3, 100, out), 0);
	assert_int_equal(out[0], 34);
	assert_int_equal(out[1], 33);
	assert_int_equal(out[2], 33);
}

static void bar_zero(void **state)
{
	uint64_t v[] = { 0, 0 };
	uint32_t out[2] = { 7, 7 };

	(void)state;
	assert_int_equal(pic_bar_widths(v, 2, 100, out), -EINVAL);
	assert_int_equal(out[0], 0);
	assert_int_equal(out[1], 0);
	uint64_t w[] = { 0, 9, 0 };
	uint32_t o3[3];
	assert_int_equal(pic_bar_widths(w, 3, 1264, o3), 0);
	assert_int_equal(o3[0], 0);
	assert_int_equal(o3[1], 1264);
	assert_int_equal(o3[2], 0);
}

static void bar_huge(void **state)
{
	/* Byte counts whose sum passes 2^64: the top of the address space. */
	uint64_t v[] = { 1ULL << 63, 1ULL << 63, 1ULL << 62 };
	uint32_t out[3];

	(void)state;
	assert_int_equal(pic_bar_widths(v, 3, 1000, out), 0);
	assert_int_equal(out[0] + out[1] + out[2], 1000);
	assert_int_equal(out[0], 400);
	assert_int_equal(out[2], 200);
}

static void bar_random(void **state)
{
	static uint64_t v[N_MAX];
	static uint32_t out[N_MAX];

	(void)state;
	for (int iter = 0; iter < 20000; iter++) {
		size_t n = 1 + rnd() % 40;
		uint32_t width = (uint32_t)(rnd() % 4000);
		int shift = (int)(rnd() % 50);
		int nonzero = 0;

		for (size_t i = 0; i < n; i++) {
			v[i] = rnd() % 4 == 0 ? 0 : (rnd() >> (14 + rnd() % 50)) + (rnd() % 3) * (1ULL << shift);
			nonzero |= v[i] != 0;
		}
		if (!nonzero)
			v[0] = 1;
		assert_int_equal(pic_bar_widths(v, n, width, out), 0);
		check_bar(v, n, width, out);
	}
}

static void log_weight(void **state)
{
	(void)state;
	assert_int_equal(pic_log_weight(0), 1);
	assert_int_equal(pic_log_weight(4096), 1);
	assert_int_equal(pic_log_weight(8192), 2);
	assert_int_equal(pic_log_weight(12288), 2);
	assert_int_equal(pic_log_weight(1ULL << 30), 19);
	assert_int_equal(pic_log_weight(128ULL << 40), 36);
	assert_int_equal(pic_log_weight(UINT64_MAX), 52);
}

static void column(void **state)
{
	uint64_t size[] = { 4096, 128ULL << 40, 1ULL << 20 };
	uint32_t out[3];

	(void)state;
	assert_int_equal(pic_column_heights(size, 3, 100, 16, out), 0);
	assert_int_equal(out[0] + out[1] + out[2], 100);
	assert_true(out[0] >= 16 && out[2] > out[0] && out[1] > out[2]);
	/* Exactly the minimum. */
	assert_int_equal(pic_column_heights(size, 3, 48, 16, out), 0);
	assert_int_equal(out[0], 16);
	assert_int_equal(out[1], 16);
	/* Too small: -ENOSPC, nothing written. */
	out[0] = 77;
	assert_int_equal(pic_column_heights(size, 3, 47, 16, out), -ENOSPC);
	assert_int_equal(out[0], 77);
	assert_int_equal(pic_column_heights(size, 0, 10, 16, out), 0);
}

static void column_random(void **state)
{
	static uint64_t size[N_MAX];
	static uint32_t out[N_MAX];

	(void)state;
	for (int iter = 0; iter < 20000; iter++) {
		size_t n = 1 + rnd() % 60;
		uint32_t min_h = (uint32_t)(rnd() % 20), height = (uint32_t)(n * min_h + rnd() % 2000);
		uint64_t total = 0;

		for (size_t i = 0; i < n; i++)
			size[i] = rnd() >> (rnd() % 64);
		assert_int_equal(pic_column_heights(size, n, height, min_h, out), 0);
		for (size_t i = 0; i < n; i++) {
			total += out[i];
			assert_true(out[i] >= min_h);
			for (size_t j = 0; j < n; j++)
				if (pic_log_weight(size[i]) > pic_log_weight(size[j]))
					assert_true(out[i] + 1 >=
						    out[j]); /* never smaller, up to the one leftover pixel */
		}
		assert_int_equal(total, height);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bar_simple),	 cmocka_unit_test(bar_zero),   cmocka_unit_test(bar_huge),
		cmocka_unit_test(bar_random),	 cmocka_unit_test(log_weight), cmocka_unit_test(column),
		cmocka_unit_test(column_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
