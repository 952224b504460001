/* SPDX-License-Identifier: MIT */
/*
 * test_suitefile.c - core/lib/suitefile.c, the kernel's check of the suite
 * file (include/suitefile.h), against files written here byte by byte the
 * way tools/mkprogs.sh writes them. A good file parses into the table it
 * holds; every truncation, every single damaged byte and each broken
 * offset, string or range is rejected with its reason. Each file lives in a
 * heap block of exactly its size, so ASan catches any read past its end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kerrno.h"
#include "suitefile.h"

#define FILE_MAX 1024

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t fnv(uint32_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * SUITE_FNV_PRIME;
	return h;
}

static void seal(uint8_t *f, size_t n)
{
	put32(f + SUITE_SUM_OFF,
	      fnv(fnv(SUITE_FNV_OFFSET, f, SUITE_SUM_OFF), f + SUITE_SUM_OFF + 4, n - SUITE_SUM_OFF - 4));
}

/*
 * Two programs: "hello" (exit 0) and "segv" (signal 11, cause "write",
 * args "a b", 2 instances, 3 repeats, after hello). Strings at 64 + 112,
 * dictionary and streams after them. Returns the size.
 */
static size_t good(uint8_t *f)
{
	static const char strings[] = "\0hello\0segv\0SIGSEGV\0write\0a b\0K=V";
	const uint32_t soff = 64 + 2 * 56, ssize = sizeof(strings), doff = (soff + ssize + 3) & ~3u;
	uint32_t e0[14] = { 1, doff + 8, 5, 1000, 0, 0, 0, 0, 0, 0, 1, 1, 0, 0 };
	uint32_t e1[14] = { 7, doff + 13, 6, 2000, 1, 11, 12, 20, 26, 30, 2, 3, 1, 0 };
	size_t n = doff + 19;

	memset(f, 0, FILE_MAX);
	memcpy(f, SUITE_MAGIC, 8);
	put32(f + 8, SUITE_VERSION);
	put32(f + 12, 2);
	put32(f + 16, (uint32_t)n);
	put32(f + 24, 64);
	put32(f + 28, soff);
	put32(f + 32, ssize);
	put32(f + 36, doff);
	put32(f + 40, 8);
	put32(f + 44, 4096);
	for (int i = 0; i < 14; i++) {
		put32(f + 64 + 4 * i, e0[i]);
		put32(f + 64 + 56 + 4 * i, e1[i]);
	}
	memcpy(f + soff, strings, ssize);
	memcpy(f + doff, "DICTDICThellosegvvv", 19);
	seal(f, n);
	return n;
}

/* Parse f[0..n) from an exact-size copy; returns the result, the reason in err. */
static long parse(const uint8_t *f, size_t n, struct user_prog *out, struct user_lz *dict, char *err)
{
	uint8_t *copy = malloc(n ? n : 1);
	long r;

	memcpy(copy, f, n);
	err[0] = 0;
	r = suite_parse(copy, n, NULL, NULL, err, SUITE_ERR_MAX);
	if (r >= 0 && out) {
		long r2 = suite_parse(copy, n, out, dict, err, SUITE_ERR_MAX);

		assert_int_equal(r2, r);
		/* The table points into the file: check through it before the copy goes. */
		assert_string_equal(out[0].name, "hello");
		assert_ptr_equal(out[0].elf.lz, copy + (out[0].elf.lz - copy));
	}
	free(copy);
	return r;
}

static void test_good(void **state)
{
	uint8_t f[FILE_MAX];
	struct user_prog t[2];
	struct user_lz d;
	char err[SUITE_ERR_MAX];
	size_t n = good(f);
	uint8_t *copy = malloc(n);
	(void)state;

	assert_int_equal(parse(f, n, t, &d, err), 2);
	memcpy(copy, f, n);
	assert_int_equal(suite_parse(copy, n, t, &d, err, sizeof(err)), 2);
	assert_int_equal(d.lz_size, 8);
	assert_int_equal(d.size, 4096);
	assert_memory_equal(d.lz, "DICTDICT", 8);
	assert_string_equal(t[0].name, "hello");
	assert_int_equal(t[0].expect_kind, 0);
	assert_string_equal(t[0].args, "");
	assert_string_equal(t[0].after, "");
	assert_int_equal(t[0].elf.size, 1000);
	assert_memory_equal(t[0].elf.lz, "hello", 5);
	assert_string_equal(t[1].name, "segv");
	assert_int_equal(t[1].expect_kind, 1);
	assert_int_equal(t[1].expect_code, 11);
	assert_string_equal(t[1].expect_signal, "SIGSEGV");
	assert_string_equal(t[1].expect_cause, "write");
	assert_string_equal(t[1].args, "a b");
	assert_string_equal(t[1].env, "K=V");
	assert_int_equal(t[1].instances, 2);
	assert_int_equal(t[1].repeat, 3);
	assert_string_equal(t[1].after, "hello");
	assert_memory_equal(t[1].elf.lz, "segvvv", 6);
	free(copy);
}

static void test_truncation(void **state)
{
	uint8_t f[FILE_MAX];
	char err[SUITE_ERR_MAX];
	size_t n = good(f);
	(void)state;

	for (size_t k = 0; k < n; k++) {
		assert_int_equal(parse(f, k, NULL, NULL, err), -EINVAL);
		assert_non_null(strstr(err, "truncated"));
	}
	/* Longer than its header says: also refused (a file with something appended is not what was built). */
	f[n] = 0;
	assert_int_equal(parse(f, n + 1, NULL, NULL, err), -EINVAL);
	assert_non_null(strstr(err, "header says"));
}

static void test_every_damaged_byte(void **state)
{
	uint8_t f[FILE_MAX];
	char err[SUITE_ERR_MAX];
	size_t n = good(f);
	(void)state;

	for (size_t i = 0; i < n; i++) {
		for (int bit = 0; bit < 8; bit++) {
			f[i] ^= (uint8_t)(1u << bit);
			assert_true(parse(f, n, NULL, NULL, err) < 0);
			assert_true(err[0] != 0);
			f[i] ^= (uint8_t)(1u << bit);
		}
	}
	assert_int_equal(parse(f, n, NULL, NULL, err), 2);
}

/* Resealed, so that each check is reached past the checksum. */
static void expect_refused(uint8_t *f, size_t n, size_t off, uint32_t v, const char *why)
{
	char err[SUITE_ERR_MAX];
	uint8_t save[4];

	memcpy(save, f + off, 4);
	put32(f + off, v);
	seal(f, n);
	assert_int_equal(parse(f, n, NULL, NULL, err), -EINVAL);
	if (!strstr(err, why))
		fail_msg("offset %zu = %u: \"%s\" does not say \"%s\"", off, v, err, why);
	memcpy(f + off, save, 4);
	seal(f, n);
}

static void test_checks(void **state)
{
	uint8_t f[FILE_MAX];
	char err[SUITE_ERR_MAX];
	size_t n = good(f);
	const size_t e0 = 64, e1 = 64 + 56;
	(void)state;

	expect_refused(f, n, 0, 0x58544c41, "magic");
	expect_refused(f, n, 8, 2, "version 2");
	expect_refused(f, n, 12, SUITE_PROGS_MAX + 1, "more than");
	expect_refused(f, n, 12, 0x40000000, "more than");
	expect_refused(f, n, 24, 8, "table lies outside");
	expect_refused(f, n, 24, (uint32_t)n - 8, "table lies outside");
	expect_refused(f, n, 28, 0xfffffff0, "string area");
	expect_refused(f, n, 32, 0, "string area");
	expect_refused(f, n, 32, 3, "string area"); /* ends inside "hello": not NUL-terminated */
	expect_refused(f, n, 36, (uint32_t)n - 4, "dictionary");
	expect_refused(f, n, 40, 0xffffffff, "dictionary");
	expect_refused(f, n, e0 + 0, 0, "empty name");
	expect_refused(f, n, e0 + 0, 1000, "string offset");
	expect_refused(f, n, e1 + 4 * 12, 0xffff, "string offset");
	expect_refused(f, n, e0 + 4, (uint32_t)n - 2, "stream lies outside");
	expect_refused(f, n, e0 + 8, 0xfffffff0, "stream lies outside");
	expect_refused(f, n, e0 + 16, 2, "bad expectation");
	expect_refused(f, n, e0 + 20, 256, "bad expectation");
	expect_refused(f, n, e1 + 20, 0, "bad expectation");
	expect_refused(f, n, e1 + 40, 0, "instances");
	expect_refused(f, n, e1 + 40, USER_INSTANCES_MAX + 1, "instances");
	expect_refused(f, n, e1 + 44, 0, "repeat");
	expect_refused(f, n, e1 + 44, USER_REPEAT_MAX + 1, "repeat");
	assert_int_equal(parse(f, n, NULL, NULL, err), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_every_damaged_byte),
		cmocka_unit_test(test_checks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
