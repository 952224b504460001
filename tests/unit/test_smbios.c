/* SPDX-License-Identifier: MIT */
/*
 * test_smbios.c - host tests for drivers/smbios.c against the SMBIOS tables
 * of real machines and broken copies of them.
 *
 * Fixtures: tests/unit/fixtures/{q35,pc}-smbios.phys, the entry point and
 * structure table of QEMU 7.2 + OVMF guests started with the issue-15 boot
 * tests' -smbios type=1 (Atlas Labs / Bench-15 / ...) and type=17 (SLOT,
 * BANK7, MemCo, 2933 MT/s) options, copied out of guest memory with QEMU's
 * pmemsave (tools/capture-fwtables.py). The expected values are what
 * `dmidecode --from-dump` prints for the same bytes.
 *
 * Every buffer handed to the parser is an exact-size allocation, so ASan
 * reports any read past its end.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kerrno.h"
#include "smbios.h"
#include "unit_phys.h"

#define EP_LEN 0x1F
#define Q35_TABLE_LEN 394
#define Q35_STRUCTS 9

static struct unit_phys q35, pc;
static struct smbios_info info;

static int group_setup(void **state)
{
	(void)state;
	unit_phys_load(&q35, "q35-smbios.phys");
	unit_phys_load(&pc, "pc-smbios.phys");
	assert_int_equal(q35.n, 2);
	assert_int_equal(pc.n, 2);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	unit_phys_free(&q35);
	unit_phys_free(&pc);
	return 0;
}

static uint8_t *dup(const uint8_t *p, size_t len)
{
	uint8_t *d = malloc(len ? len : 1);

	assert_non_null(d);
	memcpy(d, p, len);
	return d;
}

/* Entry point and table of q35, each a fresh exact-size copy. */
static uint8_t *ep(void)
{
	return dup(q35.c[0].buf, EP_LEN);
}

static uint8_t *table(size_t len)
{
	assert_true(len <= q35.c[1].len);
	return dup(q35.c[1].buf, len);
}

static int parse(const uint8_t *e, size_t elen, const uint8_t *t, size_t tlen)
{
	int r = smbios_parse_ep(e, elen, &info);

	if (r)
		return r;
	return smbios_parse_table(t, tlen, &info);
}

/* ---- the real tables ----------------------------------------------------- */

static void test_q35_as_captured(void **state)
{
	uint8_t *e = ep(), *t = table(Q35_TABLE_LEN);

	(void)state;
	assert_int_equal(smbios_parse_ep(e, EP_LEN, &info), 0);
	assert_true(info.valid);
	assert_false(info.ep3);
	assert_int_equal(info.major, 2);
	assert_int_equal(info.minor, 8);
	assert_int_equal(info.table_len, Q35_TABLE_LEN);
	assert_true(info.table_phys == q35.c[1].phys);
	assert_int_equal(smbios_parse_table(t, Q35_TABLE_LEN, &info), Q35_STRUCTS);
	assert_string_equal(info.problem, "");
	assert_int_equal(info.nstructs, Q35_STRUCTS);

	assert_string_equal(info.bios_vendor, "EFI Development Kit II / OVMF");
	assert_string_equal(info.bios_version, "0.0.0");
	assert_string_equal(info.bios_date, "02/06/2015");
	assert_string_equal(info.sys_manufacturer, "Atlas Labs");
	assert_string_equal(info.sys_product, "Bench-15");
	assert_string_equal(info.sys_version, "1.5");
	assert_string_equal(info.sys_serial, "SN-0042");
	assert_string_equal(info.sys_sku, "SKU9");
	assert_string_equal(info.sys_family, "Lab");
	assert_string_equal(info.sys_uuid, "00000000-0000-0000-0000-000000000000"); /* "Not Settable" */
	assert_string_equal(info.chassis_manufacturer, "QEMU");
	assert_int_equal(info.chassis_type, 1); /* Other */
	assert_string_equal(info.board_manufacturer, "");

	assert_int_equal(info.ncpus, 1);
	assert_string_equal(info.cpu[0].socket, "CPU 0");
	assert_string_equal(info.cpu[0].manufacturer, "QEMU");
	assert_string_equal(info.cpu[0].version, "pc-q35-7.2");
	assert_int_equal(info.cpu[0].max_mhz, 2000);
	assert_int_equal(info.cpu[0].cur_mhz, 2000);
	assert_int_equal(info.cpu[0].cores, 1);
	assert_int_equal(info.cpu[0].threads, 1);

	assert_int_equal(info.nmem, 1);
	assert_string_equal(info.mem[0].locator, "SLOT 0");
	assert_string_equal(info.mem[0].bank, "BANK7");
	assert_string_equal(info.mem[0].manufacturer, "MemCo");
	assert_string_equal(info.mem[0].serial, "MS42");
	assert_string_equal(info.mem[0].part, "PN-9");
	assert_true(info.mem[0].size_kib == 512 * 1024);
	assert_int_equal(info.mem[0].speed_mts, 2933);
	assert_int_equal(info.mem[0].configured_mts, 2933);
	assert_string_equal(smbios_mem_type_name(info.mem[0].type), "RAM");
	assert_true(info.mem_total_kib == 512 * 1024);
	free(e);
	free(t);
}

static void test_pc_as_captured(void **state)
{
	(void)state;
	assert_int_equal(smbios_parse_ep(pc.c[0].buf, EP_LEN, &info), 0);
	assert_int_equal(smbios_parse_table(pc.c[1].buf, pc.c[1].len, &info), Q35_STRUCTS);
	assert_string_equal(info.problem, "");
	assert_string_equal(info.sys_product, "Bench-15");
	assert_string_equal(info.cpu[0].version, "pc-i440fx-7.2");
	assert_int_equal(info.nmem, 1);
}

/* The same table behind a 3.0 entry point (24 bytes, "_SM3_", 64-bit address). */
static void test_ep3(void **state)
{
	uint8_t e3[24] = { '_', 'S', 'M', '3', '_', 0, 24, 3, 2, 1, 1, 0 };
	uint32_t max = Q35_TABLE_LEN;
	uint64_t addr = 0x123456789000ULL;
	uint8_t *t = table(Q35_TABLE_LEN);
	uint8_t *e;

	(void)state;
	memcpy(e3 + 12, &max, 4);
	memcpy(e3 + 16, &addr, 8);
	unit_fix_sum(e3, 24, 5);
	e = dup(e3, 24);
	assert_int_equal(parse(e, 24, t, Q35_TABLE_LEN), Q35_STRUCTS);
	assert_true(info.ep3);
	assert_int_equal(info.major, 3);
	assert_int_equal(info.minor, 2);
	assert_int_equal(info.docrev, 1);
	assert_true(info.table_phys == addr);
	assert_string_equal(info.sys_product, "Bench-15");
	e[8] ^= 1;
	assert_int_equal(smbios_parse_ep(e, 24, &info), -EINVAL);
	assert_string_equal(info.problem, "3.0 entry point: bad length 24 or checksum");
	e[8] ^= 1;
	e[6] = 25; /* longer than what there is */
	unit_fix_sum(e, 24, 5);
	assert_int_equal(smbios_parse_ep(e, 24, &info), -EINVAL);
	e[6] = 23;
	unit_fix_sum(e, 23, 5);
	assert_int_equal(smbios_parse_ep(e, 24, &info), -EINVAL);
	assert_int_equal(smbios_parse_ep(e, 23, &info), -EINVAL); /* too short for a 3.0 anchor */
	free(e);
	free(t);
}

/* ---- entry point corruption ------------------------------------------------ */

static void test_ep_corrupt(void **state)
{
	uint8_t *e = ep();

	(void)state;
	/* Every byte of the 2.1 entry point is under one of its two checksums. */
	for (int off = 0; off < EP_LEN; off++) {
		e[off] ^= 0x40;
		assert_int_equal(smbios_parse_ep(e, EP_LEN, &info), -EINVAL);
		assert_false(info.valid);
		assert_true(info.problem[0]);
		e[off] ^= 0x40;
	}
	assert_int_equal(smbios_parse_ep(e, EP_LEN, &info), 0);
	/* Truncated copies. */
	for (size_t len = 0; len < EP_LEN; len++) {
		uint8_t *c = dup(e, len);

		assert_int_equal(smbios_parse_ep(c, len, &info), -EINVAL);
		free(c);
	}
	assert_int_equal(smbios_parse_ep(NULL, EP_LEN, &info), -EINVAL);
	assert_string_equal(info.problem, "no SMBIOS entry point anchor");
	/* A consistent (re-checksummed) 2.1 entry point whose length is too short. */
	e[5] = 0x1E;
	unit_fix_sum(e, 0x1E, 4);
	assert_int_equal(smbios_parse_ep(e, EP_LEN, &info), -EINVAL);
	assert_string_equal(info.problem, "2.1 entry point: bad length 30, anchor or checksum");
	free(e);
	/* The parser refuses to walk a table without a valid entry point. */
	memset(&info, 0, sizeof(info));
	assert_int_equal(smbios_parse_table(q35.c[1].buf, Q35_TABLE_LEN, &info), 0);
}

/* ---- table corruption -------------------------------------------------------- */

/* The table cut at every length: no read past the end, the structures before the cut kept, the cut said. */
static void test_truncated_everywhere(void **state)
{
	/* Offsets where each structure starts (from the table itself, checked by the full walk). */
	static const size_t starts[] = { 0, 69, 108, 173, 198, 268, 301, 314, 388, Q35_TABLE_LEN };
	uint8_t *e = ep();

	(void)state;
	for (size_t len = 0; len < Q35_TABLE_LEN; len++) {
		uint8_t *t = table(len);
		int n, whole = 0;

		while (starts[whole + 1] <= len)
			whole++;
		n = parse(e, EP_LEN, t, len);
		assert_int_equal(n, whole);
		assert_true(info.problem[0]); /* never silently short */
		if (len >= 69)
			assert_string_equal(info.sys_product, "Bench-15");
		else
			assert_string_equal(info.sys_product, "");
		if (len < 388)
			assert_string_equal(info.bios_vendor, "");
		free(t);
	}
	free(e);
}

/* A table that ends at a structure boundary with no end-of-table structure: said, like dmidecode. */
static void test_missing_end_of_table(void **state)
{
	uint8_t *e = ep(), *t = table(388);

	(void)state;
	assert_int_equal(parse(e, EP_LEN, t, 388), 8);
	assert_string_equal(info.problem, "table ends after 8 of 9 structures (no end-of-table structure)");
	assert_string_equal(info.bios_vendor, "EFI Development Kit II / OVMF");
	free(e);
	free(t);
}

/* The 2.1 entry point's structure count is a limit. */
static void test_count_limit(void **state)
{
	uint8_t *e = ep(), *t = table(Q35_TABLE_LEN);

	(void)state;
	e[0x1C] = 2;
	unit_fix_sum(e + 0x10, 15, 5);
	unit_fix_sum(e, EP_LEN, 4);
	assert_int_equal(parse(e, EP_LEN, t, Q35_TABLE_LEN), 2);
	assert_string_equal(info.problem, "");
	assert_int_equal(info.ncpus, 0);
	free(e);
	free(t);
}

static void test_structure_lengths(void **state)
{
	static const uint8_t bad[] = { 0, 3 };
	uint8_t *e = ep(), *t = table(Q35_TABLE_LEN);

	(void)state;
	for (size_t i = 0; i < sizeof(bad); i++) {
		t[108 + 1] = bad[i]; /* the processor */
		assert_int_equal(parse(e, EP_LEN, t, Q35_TABLE_LEN), 2);
		assert_string_equal(info.problem,
				    i ? "structure 2 (type 4) at offset 108: length 3 runs past the table" :
					"structure 2 (type 4) at offset 108: length 0 runs past the table");
		assert_int_equal(info.ncpus, 0);
	}
	free(t);
	t = table(Q35_TABLE_LEN);
	t[314 + 1] = 100; /* the BIOS structure's formatted area over the end-of-table structure */
	assert_int_equal(parse(e, EP_LEN, t, Q35_TABLE_LEN), 7);
	assert_string_equal(info.problem, "structure 7 (type 0) at offset 314: length 100 runs past the table");
	free(t);
	/* Strings that never end. */
	t = table(Q35_TABLE_LEN);
	t[Q35_TABLE_LEN - 2] = 'x';
	t[Q35_TABLE_LEN - 1] = 'y';
	assert_int_equal(parse(e, EP_LEN, t, Q35_TABLE_LEN), 8);
	assert_string_equal(info.problem, "structure 8 (type 127) at offset 388: strings run past the table");
	free(t);
	free(e);
}

/* String numbers past the structure's strings, 0 ("none"), and unprintable bytes. */
static void test_strings(void **state)
{
	uint8_t *e = ep(), *t = table(Q35_TABLE_LEN);

	(void)state;
	t[4] = 7;   /* Manufacturer: string 7 of 6 */
	t[5] = 0;   /* Product: none */
	t[6] = 255; /* Version: string 255 */
	t[27] = 0x01;
	t[28] = 0x7f; /* "Atlas Labs" -> "\x01\x7ftlas Labs" */
	assert_int_equal(parse(e, EP_LEN, t, Q35_TABLE_LEN), Q35_STRUCTS);
	assert_string_equal(info.sys_manufacturer, "");
	assert_string_equal(info.sys_product, "");
	assert_string_equal(info.sys_version, "");
	assert_string_equal(info.sys_serial, "SN-0042");
	t[4] = 1;
	assert_int_equal(parse(e, EP_LEN, t, Q35_TABLE_LEN), Q35_STRUCTS);
	assert_string_equal(info.sys_manufacturer, "..las Labs");
	free(e);
	free(t);
}

/* Type 17 sizes: KiB granularity, the extended size, unknown, none installed. */
static void test_memory_sizes(void **state)
{
	static const struct {
		uint16_t size;
		uint32_t ext;
		uint64_t kib;
		int unknown;
	} cases[] = {
		{ 0x0200, 0, 512 * 1024, 0 },	      /* 512 MB */
		{ 0x8000 | 640, 0, 640, 0 },	      /* 640 KB */
		{ 0x7FFF, 65536, 65536ULL << 10, 0 }, /* 64 GiB in the extended field */
		{ 0xFFFF, 0, 0, 1 },
		{ 0, 0, 0, 0 },
	};
	uint8_t *e = ep(), *t = table(Q35_TABLE_LEN);

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memcpy(t + 198 + 0x0C, &cases[i].size, 2);
		memcpy(t + 198 + 0x1C, &cases[i].ext, 4);
		assert_int_equal(parse(e, EP_LEN, t, Q35_TABLE_LEN), Q35_STRUCTS);
		assert_true(info.mem[0].size_kib == cases[i].kib);
		assert_int_equal(info.mem[0].size_unknown, cases[i].unknown);
	}
	free(e);
	free(t);
}

/* Change each byte of the table (two patterns): never out of bounds, never more than the count. */
static void test_every_byte(void **state)
{
	static const uint8_t xors[] = { 0x01, 0xff };
	uint8_t *e = ep(), *t = table(Q35_TABLE_LEN);

	(void)state;
	for (size_t off = 0; off < Q35_TABLE_LEN; off++) {
		for (size_t k = 0; k < sizeof(xors); k++) {
			int n;

			t[off] ^= xors[k];
			n = parse(e, EP_LEN, t, Q35_TABLE_LEN);
			assert_true(n >= 0 && n <= Q35_STRUCTS);
			assert_true(info.nmem <= SMBIOS_MAX_MEM && info.ncpus <= SMBIOS_MAX_CPUS);
			assert_true(strlen(info.sys_product) < SMBIOS_STR);
			t[off] ^= xors[k];
		}
	}
	free(e);
	free(t);
}

/* More memory devices than the summary holds: the first SMBIOS_MAX_MEM kept, the walk goes on. */
static void test_many_memory_devices(void **state)
{
	enum { N = SMBIOS_MAX_MEM + 4 };
	const size_t dlen = 268 - 198; /* the 40-byte type 17 and its strings, "SLOT 0\0BANK7\0...PN-9\0\0" */
	size_t len = dlen * N + 4 + 2;
	uint8_t *buf = malloc(len), *e = ep();
	size_t off = 0;

	(void)state;
	assert_non_null(buf);
	for (int i = 0; i < N; i++, off += dlen)
		memcpy(buf + off, q35.c[1].buf + 198, dlen);
	memcpy(buf + off, "\x7f\x04\xff\xfe\0\0", 6);
	e[0x1C] = 0; /* no count limit (the walk ends at type 127) */
	unit_fix_sum(e + 0x10, 15, 5);
	unit_fix_sum(e, EP_LEN, 4);
	assert_int_equal(parse(e, EP_LEN, buf, len), N + 1);
	assert_int_equal(info.nmem, SMBIOS_MAX_MEM);
	assert_true(info.mem_total_kib == (uint64_t)SMBIOS_MAX_MEM * 512 * 1024);
	free(buf);
	free(e);
}

static void test_mem_type_names(void **state)
{
	(void)state;
	assert_string_equal(smbios_mem_type_name(0x1A), "DDR4");
	assert_string_equal(smbios_mem_type_name(0x22), "DDR5");
	assert_string_equal(smbios_mem_type_name(0x07), "RAM");
	assert_string_equal(smbios_mem_type_name(0x00), "Unknown");
	assert_string_equal(smbios_mem_type_name(0x15), "Unknown"); /* a hole in the list */
	assert_string_equal(smbios_mem_type_name(0xFF), "Unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_q35_as_captured),
		cmocka_unit_test(test_pc_as_captured),
		cmocka_unit_test(test_ep3),
		cmocka_unit_test(test_ep_corrupt),
		cmocka_unit_test(test_truncated_everywhere),
		cmocka_unit_test(test_missing_end_of_table),
		cmocka_unit_test(test_count_limit),
		cmocka_unit_test(test_structure_lengths),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_memory_sizes),
		cmocka_unit_test(test_every_byte),
		cmocka_unit_test(test_many_memory_devices),
		cmocka_unit_test(test_mem_type_names),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
