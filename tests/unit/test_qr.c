/* SPDX-License-Identifier: MIT */
/*
 * test_qr.c - host tests for the QR encoder (core/lib/qr.c).
 *
 * Two ways to be wrong are checked independently: module for module against
 * symbols made by another encoder (Debian's python3-qrcode, with the same
 * version, level and mask forced; pasted below), and by reading symbols of
 * every size back with a decoder (Debian's zbarimg, zbar-tools) from PBM
 * files written here, the mask chosen by the encoder itself.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "kerrno.h"
#include "qr.h"

static struct qr q;

/* One row per line, as the symbols look. */
/* clang-format off */
/* python3-qrcode 7.3: version 1, level M, mask 3, byte mode "Atlas" */
static const char *const ref_v1[] = {
	"#######.###.#.#######",
	"#.....#.#.#.#.#.....#",
	"#.###.#..####.#.###.#",
	"#.###.#.#.#.#.#.###.#",
	"#.###.#..#.#..#.###.#",
	"#.....#..#.##.#.....#",
	"#######.#.#.#.#######",
	"........#.###........",
	"#.##.###...##.#..#.##",
	"######....#####..####",
	"#####.#..###.....#.##",
	"#......#..##..####...",
	"...#.####.#.#..#.....",
	"........##.#..#...#.#",
	"#######.##.##..#.....",
	"#.....#.##.....#####.",
	"#.###.#.....#########",
	"#.###.#.#..#..#.#..#.",
	"#.###.#.###.#.##.##..",
	"#.....#......#.##...#",
	"#######.#.#..#..###..",
};
/* python3-qrcode 7.3: version 7, level M, mask 5, byte mode "tests 59/59 ok; RAM 511.1 MiB" */
static const char *const ref_v7[] = {
	"#######...#.##.#..#####..##.###..#..#.#######",
	"#.....#.##..###.##.#.#..##...#..##.#..#.....#",
	"#.###.#.####..##.....#...###..#..#.#..#.###.#",
	"#.###.#.#.#.#....#..####...#.###...##.#.###.#",
	"#.###.#..##..#.#..###########.#.#####.#.###.#",
	"#.....#..##.#.#...#.#...#..#######....#.....#",
	"#######.#.#.#.#.#.#.#.#.#.#.#.#.#.#.#.#######",
	"........#..##.#..####...#...##.#.##.#........",
	"#.....#.#..###.##.#.#####..#......#.###..###.",
	"..###..#####.....##..#..#.####.##.##..##.#...",
	"...#.####....####.#..###.##.#.#...#...##...#.",
	".###.........#.....####....#..#..###.###.#...",
	"####.###....########.##...###.#..#..##.####.#",
	".##..#.#.###..#...###..##..#..#.###.####..##.",
	".#....#....##.##.#.#....##.#.#####.##..#.##..",
	"#...#..##.###...#...#.####..#.....#.#.#.#.###",
	"##.##.####.###.#.#.#....#.#.##.#.....#..###..",
	"...###.#..##..##..#.....###.#.###...#...##...",
	".#.####.#..#.....####.#..##..#....#.#.#..#...",
	".#.###.#......#######......#.#.#.##..###.#..#",
	"..########.##.##..#.######.#.....##.#####.###",
	"##..#...#.##..##.####...#.####.###..#...#####",
	"#.#.#.#.#..#...#.#.##.#.##.#..#..#.##.#.###..",
	".##.#...#...#.###..##...##....#..#.##...####.",
	"#.#########.#..##..######.#.#.#...#######..##",
	"...##..##.##.#.#..###.##...#..#.#..#..#...###",
	"#.###.##..#.###.##..#.#..###.####.##.##..###.",
	".#####.......#.#..#.....##..##.##.#.#.#.#.###",
	".#.#.#####...########.###.#.#...........#####",
	".#.###.#####....#.......###.##.#....#..#.#...",
	"##.#####.##.########.##.###..####.########...",
	".#.#.#.#...##.#.#.#..#..#..#..#.###..###.#..#",
	"##..####.########....#.###.#..##.####..#..###",
	".......#...#.#####...##.#.#####.##.#.###..###",
	"....#.##.##.###....#..#.##.#.##..#.#...####..",
	".####...#....#...####.##.##...#....###.##.##.",
	"#..##.#.#....##..#..######....#...#######.###",
	"........#.###..#...##...###.#.#.#..##...#.#..",
	"#######..#.#.##...#.#.#.#...#####...#.#.##.##",
	"#.....#...#.#.#...#.#...#.#.##.##..##...###..",
	"#.###.#..###.####...######..........######.##",
	"#.###.#...##.###.#.#.##.....##.#...#####.#.#.",
	"#.###.#....####.##.####....#######.###.###.##",
	"#.....#...##.#...#.....##..#..#..#######.#...",
	"#######.#.#.#.##..##.#..##.#.######.#..#..##.",
};
/* clang-format on */

static void check_matrix(const char *const *ref, int size)
{
	assert_int_equal(q.size, size);
	for (int y = 0; y < size; y++) {
		char row[QR_SIZE_MAX + 1];

		for (int x = 0; x < size; x++)
			row[x] = qr_module(&q, x, y) ? '#' : '.';
		row[size] = 0;
		assert_string_equal(row, ref[y]);
	}
}

static void test_reference_symbols(void **state)
{
	static const char v7_text[] = "tests 59/59 ok; RAM 511.1 MiB";

	(void)state;
	assert_int_equal(qr_encode((const uint8_t *)"Atlas", 5, 1, 40, 3, &q), 0);
	assert_int_equal(q.version, 1);
	check_matrix(ref_v1, 21);
	/* Version 7 has version information and six alignment patterns. */
	assert_int_equal(qr_encode((const uint8_t *)v7_text, sizeof(v7_text) - 1, 7, 7, 5, &q), 0);
	check_matrix(ref_v7, 45);
}

static void test_capacity_and_errors(void **state)
{
	static uint8_t big[3000];

	(void)state;
	/* Table 7, byte mode, level M. */
	assert_int_equal(qr_capacity(1), 14);
	assert_int_equal(qr_capacity(2), 26);
	assert_int_equal(qr_capacity(10), 213);
	assert_int_equal(qr_capacity(40), 2331);
	assert_int_equal(qr_capacity(0), 0);
	assert_int_equal(qr_capacity(41), 0);
	/* The smallest version that holds the data. */
	memset(big, 'x', sizeof(big));
	assert_int_equal(qr_encode(big, 14, 1, 40, QR_MASK_AUTO, &q), 0);
	assert_int_equal(q.version, 1);
	assert_int_equal(qr_encode(big, 15, 1, 40, QR_MASK_AUTO, &q), 0);
	assert_int_equal(q.version, 2);
	assert_int_equal(qr_encode(big, 2331, 1, 40, QR_MASK_AUTO, &q), 0);
	assert_int_equal(q.version, 40);
	assert_int_equal(qr_encode(big, 2332, 1, 40, QR_MASK_AUTO, &q), -EMSGSIZE);
	assert_int_equal(qr_encode(big, 214, 1, 10, QR_MASK_AUTO, &q), -EMSGSIZE);
	assert_int_equal(qr_encode(big, 1, 0, 10, QR_MASK_AUTO, &q), -EINVAL);
	assert_int_equal(qr_encode(big, 1, 5, 4, QR_MASK_AUTO, &q), -EINVAL);
	assert_int_equal(qr_encode(big, 1, 1, 1, 8, &q), -EINVAL);
	assert_int_equal(qr_encode(NULL, 0, 1, 1, QR_MASK_AUTO, &q), 0); /* empty is a valid symbol */
}

static void test_mask_has_the_lowest_penalty(void **state)
{
	static const char text[] =
		"ATLAS1 1/1 tests=59/59 failed= ram=535953408 cpu=QEMU Virtual CPU fw=EDK II 0x10000";
	long best = -1, got;
	int chosen;

	(void)state;
	assert_int_equal(qr_encode((const uint8_t *)text, sizeof(text) - 1, 1, 40, QR_MASK_AUTO, &q), 0);
	chosen = q.mask;
	got = qr_penalty(&q);
	for (int m = 0; m < 8; m++) {
		long p;

		assert_int_equal(qr_encode((const uint8_t *)text, sizeof(text) - 1, 1, 40, m, &q), 0);
		p = qr_penalty(&q);
		if (best < 0 || p < best)
			best = p;
	}
	assert_true(chosen >= 0 && chosen < 8);
	assert_int_equal(got, best);
}

/* Write q as a PBM with a quiet zone, scale pixels per module; run zbarimg on it; its text (raw) or NULL. */
static char *zbar(int scale)
{
	static char out[4096];
	char path[] = "/tmp/atlas-qr-XXXXXX";
	int fd = mkstemp(path), border = QR_QUIET_ZONE, n = (q.size + 2 * border) * scale;
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	char cmd[128];
	FILE *p;
	size_t got;

	assert_non_null(f);
	fprintf(f, "P1\n%d %d\n", n, n);
	for (int y = 0; y < n; y++) {
		for (int x = 0; x < n; x++)
			fputc(qr_module(&q, x / scale - border, y / scale - border) ? '1' : '0', f);
		fputc('\n', f);
	}
	fclose(f);
	snprintf(cmd, sizeof(cmd), "zbarimg --raw -q -Sdisable -Sqrcode.enable 'PBM:%s' 2>/dev/null", path);
	p = popen(cmd, "r");
	assert_non_null(p);
	got = fread(out, 1, sizeof(out) - 1, p);
	out[got] = 0;
	if (pclose(p) != 0)
		got = 0;
	unlink(path);
	if (got && out[got - 1] == '\n')
		out[got - 1] = 0;
	return got ? out : NULL;
}

static void test_zbarimg_reads_them(void **state)
{
	static char text[1300];
	static const int lengths[] = { 1, 14, 60, 213, 500, 1200 };

	(void)state;
	if (system("command -v zbarimg >/dev/null") != 0)
		fail_msg("zbarimg not found: apt-get install zbar-tools (make deps does)");
	for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++) {
		int n = lengths[i];
		char *got;

		for (int k = 0; k < n; k++)
			text[k] = (char)("Atlas ram=535953408 tests=59/59 0123456789;:-_/"[(k * 7 + i) % 47]);
		text[n] = 0;
		assert_int_equal(qr_encode((const uint8_t *)text, (size_t)n, 1, 40, QR_MASK_AUTO, &q), 0);
		got = zbar(3);
		if (!got)
			fail_msg("zbarimg could not read version %d (%d bytes, mask %d)", q.version, n, q.mask);
		assert_string_equal(got, text);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reference_symbols),
		cmocka_unit_test(test_capacity_and_errors),
		cmocka_unit_test(test_mask_has_the_lowest_penalty),
		cmocka_unit_test(test_zbarimg_reads_them),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
