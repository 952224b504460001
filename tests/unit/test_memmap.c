/* SPDX-License-Identifier: MIT */
/*
 * test_memmap.c - the UEFI memory type helpers and memmap_normalize()
 * (mm/memmap.c).
 *
 * Hand-written maps check the documented behaviour case by case; random maps
 * are checked against two reference models written here independently of
 * mm/memmap.c: a per-boundary O(n^2) model for maps of any size and a
 * per-page painting model for small ones. The policy both models follow:
 *   - a byte covered by several descriptors gets the type of highest rank
 *     (Conventional < BS_* < Loader* < ACPI_Recl < Persistent < ACPI_NVS <
 *     RT_* < Unaccepted < Unusable < PalCode < MMIO_Port < MMIO < Reserved <
 *     unknown types); equal ranks go to the larger type number, then to the
 *     larger attr;
 *   - MMR_OVERLAP marks exactly the bytes covered by two or more descriptors;
 *   - neighbours with equal start/end, type, attr and flags are merged;
 *   - "unsorted" counts kept descriptors starting below the previous kept one;
 *     "overlaps" counts unordered pairs of kept descriptors that intersect.
 *
 * Every call goes through normalize(), which puts canary entries after cap
 * (ASan also sees the allocation end right after them), checks that the raw
 * map is unchanged, and places the raw map at odd addresses when asked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "unit.h"

#include "kerrno.h"
#include "memmap.h"

#define WB EFI_MEMORY_WB
#define UCWB (EFI_MEMORY_UC | EFI_MEMORY_WB)
#define RTWB (EFI_MEMORY_RUNTIME | EFI_MEMORY_WB)

/* A descriptor as the tests write it: start in bytes, length in pages. */
struct td {
	uint32_t type;
	uint64_t start;
	uint64_t pages;
	uint64_t attr;
};

/* ------------------------------------------------------------------ */
/* Building raw maps and calling the normalizer.                       */

/*
 * Lay d[0..n) out as firmware would, desc_size bytes apart, misalign bytes
 * into an allocation of exactly the map's size. Everything that is not a
 * field the normalizer may use (pad, virt_start, bytes past 40) is garbage.
 */
static unsigned char *build(const struct td *d, size_t n, size_t desc_size, size_t misalign, void **alloc)
{
	unsigned char *base = malloc(misalign + n * desc_size + 1);
	unsigned char *raw = base + misalign;
	size_t i, b;

	assert_non_null(base);
	for (b = 0; b < misalign + n * desc_size; b++)
		base[b] = (unsigned char)(0xA5 ^ (b * 37));
	for (i = 0; i < n; i++) {
		struct efi_mem_desc e = {
			.type = d[i].type,
			.pad = 0xDEADBEEF,
			.phys_start = d[i].start,
			.virt_start = 0xFFFF800000000000ULL | (i << 12) | 0x123,
			.num_pages = d[i].pages,
			.attr = d[i].attr,
		};
		memcpy(raw + i * desc_size, &e, sizeof(e));
	}
	*alloc = base;
	return raw;
}

#define CANARIES 3
static const unsigned char canary_byte = 0xC3;

/*
 * memmap_normalize() with canaries after out[cap), an unchanged-raw check
 * and garbage in stats beforehand. *res is the malloc'd out[] (free it).
 */
static long normalize_raw(const void *raw, size_t map_size, size_t desc_size, size_t cap, struct mm_region **res,
			  struct memmap_stats *st)
{
	struct mm_region *out = malloc((cap + CANARIES) * sizeof(*out));
	unsigned char *copy = malloc(map_size + 1);
	const unsigned char *c;
	long r;
	size_t b;

	assert_non_null(out);
	assert_non_null(copy);
	memset(out, 0x77, cap * sizeof(*out));
	memset(out + cap, canary_byte, CANARIES * sizeof(*out));
	if (map_size)
		memcpy(copy, raw, map_size);
	memset(st, 0xEE, sizeof(*st));
	r = memmap_normalize(raw, map_size, desc_size, out, cap, st);
	c = (const unsigned char *)(out + cap);
	for (b = 0; b < CANARIES * sizeof(*out); b++)
		if (c[b] != canary_byte)
			fail_msg("write past cap: canary byte %zu of out[%zu..] changed", b, cap);
	if (map_size && memcmp(copy, raw, map_size))
		fail_msg("the raw map was modified");
	free(copy);
	*res = out;
	return r;
}

static long normalize(const struct td *d, size_t n, size_t desc_size, size_t misalign, size_t cap,
		      struct mm_region **res, struct memmap_stats *st)
{
	void *alloc;
	unsigned char *raw = build(d, n, desc_size, misalign, &alloc);
	long r = normalize_raw(raw, n * desc_size, desc_size, cap, res, st);

	free(alloc);
	return r;
}

/* ------------------------------------------------------------------ */
/* Reference models.                                                   */

static unsigned ref_rank(uint32_t type)
{
	switch (type) {
	case EFI_CONVENTIONAL_MEMORY:
		return 0;
	case EFI_BOOT_SERVICES_CODE:
	case EFI_BOOT_SERVICES_DATA:
		return 1;
	case EFI_LOADER_CODE:
	case EFI_LOADER_DATA:
		return 2;
	case EFI_ACPI_RECLAIM_MEMORY:
		return 3;
	case EFI_PERSISTENT_MEMORY:
		return 4;
	case EFI_ACPI_MEMORY_NVS:
		return 5;
	case EFI_RUNTIME_SERVICES_CODE:
	case EFI_RUNTIME_SERVICES_DATA:
		return 6;
	case EFI_UNACCEPTED_MEMORY:
		return 7;
	case EFI_UNUSABLE_MEMORY:
		return 8;
	case EFI_PAL_CODE:
		return 9;
	case EFI_MEMORY_MAPPED_IO_PORT_SPACE:
		return 10;
	case EFI_MEMORY_MAPPED_IO:
		return 11;
	case EFI_RESERVED_MEMORY_TYPE:
		return 12;
	default:
		return 13;
	}
}

static int ref_beats(const struct td *a, const struct td *b)
{
	if (ref_rank(a->type) != ref_rank(b->type))
		return ref_rank(a->type) > ref_rank(b->type);
	if (a->type != b->type)
		return a->type > b->type;
	return a->attr > b->attr;
}

/* Kept descriptors and the stats, computed with 128-bit arithmetic. */
static size_t ref_filter(const struct td *d, size_t n, struct td *kept, struct memmap_stats *st)
{
	size_t i, j, k = 0;

	memset(st, 0, sizeof(*st));
	st->raw_count = n;
	for (i = 0; i < n; i++) {
		unsigned __int128 end = (unsigned __int128)d[i].start + ((unsigned __int128)d[i].pages << 12);

		if (!d[i].pages) {
			st->zero_pages++;
			continue;
		}
		if (d[i].start % 4096 || end > UINT64_MAX) {
			st->bad_ranges++;
			continue;
		}
		if (k && d[i].start < kept[k - 1].start)
			st->unsorted++;
		if (d[i].type >= EFI_MAX_MEMORY_TYPE)
			st->unknown_type++;
		kept[k++] = d[i];
	}
	for (i = 0; i < k; i++)
		for (j = i + 1; j < k; j++)
			if (kept[i].start < kept[j].start + PG(kept[j].pages) &&
			    kept[j].start < kept[i].start + PG(kept[i].pages))
				st->overlaps++;
	return k;
}

static void ref_add(struct mm_region *res, size_t *cnt, uint64_t s, uint64_t e, uint32_t type, uint64_t attr,
		    uint32_t flags)
{
	struct mm_region *p = *cnt ? &res[*cnt - 1] : NULL;

	if (p && p->end == s && p->type == type && p->attr == attr && p->flags == flags) {
		p->end = e;
		return;
	}
	res[(*cnt)++] = (struct mm_region){ .start = s, .end = e, .attr = attr, .type = type, .flags = flags };
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int cmp_td_start(const void *a, const void *b)
{
	return cmp_u64(&((const struct td *)a)->start, &((const struct td *)b)->start);
}

/*
 * Per-boundary model: for every elementary interval, every descriptor that
 * starts at or below it (they are sorted by start only to stop the scan
 * early). res needs 2n entries.
 */
static size_t ref_boundaries(const struct td *d, size_t n, struct mm_region *res, struct memmap_stats *st)
{
	struct td *kept = malloc((n + 1) * sizeof(*kept));
	uint64_t *bd = malloc((2 * n + 1) * sizeof(*bd)), *end = malloc((n + 1) * sizeof(*end));
	size_t k, i, j, nb = 0, cnt = 0;

	assert_non_null(kept);
	assert_non_null(bd);
	assert_non_null(end);
	k = ref_filter(d, n, kept, st);
	qsort(kept, k, sizeof(*kept), cmp_td_start);
	for (i = 0; i < k; i++) {
		end[i] = kept[i].start + PG(kept[i].pages);
		bd[nb++] = kept[i].start;
		bd[nb++] = end[i];
	}
	qsort(bd, nb, sizeof(*bd), cmp_u64);
	for (i = 0; i + 1 < nb; i++) {
		const struct td *best = NULL;
		size_t cover = 0;

		if (bd[i] == bd[i + 1])
			continue;
		for (j = 0; j < k && kept[j].start <= bd[i]; j++) {
			if (bd[i] < end[j]) {
				cover++;
				if (!best || ref_beats(&kept[j], best))
					best = &kept[j];
			}
		}
		if (cover)
			ref_add(res, &cnt, bd[i], bd[i + 1], best->type, best->attr, cover > 1 ? MMR_OVERLAP : 0);
	}
	free(kept);
	free(bd);
	free(end);
	return cnt;
}

/* Per-page model for maps inside [0, PG(npages)): paint page by page. */
static size_t ref_pages(const struct td *d, size_t n, size_t npages, struct mm_region *res)
{
	size_t p, i, cnt = 0;

	for (p = 0; p < npages; p++) {
		const struct td *best = NULL;
		size_t cover = 0;

		for (i = 0; i < n; i++) {
			if (!d[i].pages || d[i].start % 4096)
				continue;
			if (PG(p) >= d[i].start && PG(p) < d[i].start + PG(d[i].pages)) {
				cover++;
				if (!best || ref_beats(&d[i], best))
					best = &d[i];
			}
		}
		if (cover)
			ref_add(res, &cnt, PG(p), PG(p + 1), best->type, best->attr, cover > 1 ? MMR_OVERLAP : 0);
	}
	return cnt;
}

/* ------------------------------------------------------------------ */
/* Comparing results.                                                  */

static void expect_regions(const struct mm_region *got, long n, const struct mm_region *want, size_t wn)
{
	size_t i;

	if (n != (long)wn) {
		for (i = 0; n > 0 && i < (size_t)n && i < 40; i++)
			print_message("  got  [%#llx, %#llx) type %u attr %#llx flags %u\n",
				      (unsigned long long)got[i].start, (unsigned long long)got[i].end, got[i].type,
				      (unsigned long long)got[i].attr, got[i].flags);
		for (i = 0; i < wn && i < 40; i++)
			print_message("  want [%#llx, %#llx) type %u attr %#llx flags %u\n",
				      (unsigned long long)want[i].start, (unsigned long long)want[i].end, want[i].type,
				      (unsigned long long)want[i].attr, want[i].flags);
		fail_msg("got %ld regions, want %zu", n, wn);
	}
	for (i = 0; i < wn; i++) {
		if (got[i].start != want[i].start || got[i].end != want[i].end || got[i].type != want[i].type ||
		    got[i].attr != want[i].attr || got[i].flags != want[i].flags)
			fail_msg("region %zu: got [%#llx, %#llx) type %u attr %#llx flags %u, "
				 "want [%#llx, %#llx) type %u attr %#llx flags %u",
				 i, (unsigned long long)got[i].start, (unsigned long long)got[i].end, got[i].type,
				 (unsigned long long)got[i].attr, got[i].flags, (unsigned long long)want[i].start,
				 (unsigned long long)want[i].end, want[i].type, (unsigned long long)want[i].attr,
				 want[i].flags);
	}
}

static void expect_stats(const struct memmap_stats *got, const struct memmap_stats *want)
{
	assert_int_equal(got->raw_count, want->raw_count);
	assert_int_equal(got->zero_pages, want->zero_pages);
	assert_int_equal(got->bad_ranges, want->bad_ranges);
	assert_int_equal(got->overlaps, want->overlaps);
	assert_int_equal(got->unsorted, want->unsorted);
	assert_int_equal(got->unknown_type, want->unknown_type);
}

/* The invariants every result has, whatever the input. */
static void expect_well_formed(const struct mm_region *r, long n)
{
	long i;

	for (i = 0; i < n; i++) {
		assert_true(r[i].start < r[i].end);
		assert_int_equal(r[i].start % 4096, 0);
		assert_int_equal(r[i].end % 4096, 0);
		assert_int_equal(r[i].flags & ~MMR_OVERLAP, 0);
		if (i) {
			assert_true(r[i - 1].end <= r[i].start);
			assert_false(r[i - 1].end == r[i].start && r[i - 1].type == r[i].type &&
				     r[i - 1].attr == r[i].attr && r[i - 1].flags == r[i].flags);
		}
	}
}

/*
 * Normalize d[0..n) with the given geometry and cap and compare with the
 * per-boundary model: regions and stats, or -ENOSPC when cap is too small.
 * Returns the model's region count.
 */
static size_t check_model(const struct td *d, size_t n, size_t desc_size, size_t misalign, size_t cap)
{
	struct mm_region *want = malloc((2 * n + 1) * sizeof(*want)), *got;
	struct memmap_stats wst, gst;
	size_t wn = ref_boundaries(d, n, want, &wst);
	long r = normalize(d, n, desc_size, misalign, cap, &got, &gst);

	if (wn > cap) {
		if (r != -ENOSPC)
			fail_msg("cap %zu < %zu regions: got %ld, want -ENOSPC", cap, wn, r);
	} else {
		expect_well_formed(got, r);
		expect_regions(got, r, want, wn);
	}
	expect_stats(&gst, &wst);
	free(want);
	free(got);
	return wn;
}

#define R(s, e, t, a, f)                                                         \
	{                                                                        \
		.start = (s), .end = (e), .attr = (a), .type = (t), .flags = (f) \
	}
#define N(a) (sizeof(a) / sizeof((a)[0]))

/* Normalize d with a roomy cap and 48-byte descriptors and compare with an explicit answer. */
static void expect_map(const struct td *d, size_t n, const struct mm_region *want, size_t wn, size_t overlaps)
{
	struct mm_region *got;
	struct memmap_stats st;
	long r = normalize(d, n, 48, 0, 2 * n + 2, &got, &st);

	expect_regions(got, r, want, wn);
	assert_int_equal(st.overlaps, overlaps);
	assert_int_equal(st.raw_count, n);
	free(got);
	/* The models agree with the explicit answer, at every tight cap too. */
	assert_int_equal(check_model(d, n, 48, 0, 2 * n + 2), wn);
	check_model(d, n, 40, 3, wn);
	if (wn)
		check_model(d, n, 56, 1, wn - 1);
}

/* ------------------------------------------------------------------ */
/* Type helpers.                                                       */

static const char *const want_short[EFI_MAX_MEMORY_TYPE] = {
	"Reserved", "LoaderCode", "LoaderData", "BS_Code", "BS_Data",	"RT_Code", "RT_Data",	 "Available",
	"Unusable", "ACPI_Recl",  "ACPI_NVS",	"MMIO",	   "MMIO_Port", "PalCode", "Persistent", "Unaccepted",
};

static const char *const want_spec[EFI_MAX_MEMORY_TYPE] = {
	"EfiReservedMemoryType",
	"EfiLoaderCode",
	"EfiLoaderData",
	"EfiBootServicesCode",
	"EfiBootServicesData",
	"EfiRuntimeServicesCode",
	"EfiRuntimeServicesData",
	"EfiConventionalMemory",
	"EfiUnusableMemory",
	"EfiACPIReclaimMemory",
	"EfiACPIMemoryNVS",
	"EfiMemoryMappedIO",
	"EfiMemoryMappedIOPortSpace",
	"EfiPalCode",
	"EfiPersistentMemory",
	"EfiUnacceptedMemoryType",
};

static const uint32_t unknown_types[] = { EFI_MAX_MEMORY_TYPE, 17, 0x6FFFFFFF, 0x70000000, 0x80000000, 0xFFFFFFFF };

static void test_short_names(void **state)
{
	uint32_t t;
	size_t i;

	(void)state;
	for (t = 0; t < EFI_MAX_MEMORY_TYPE; t++)
		assert_string_equal(efi_mem_type_short(t), want_short[t]);
	for (i = 0; i < N(unknown_types); i++)
		assert_string_equal(efi_mem_type_short(unknown_types[i]), "Unknown");
}

static void test_spec_names(void **state)
{
	uint32_t t;
	size_t i;

	(void)state;
	for (t = 0; t < EFI_MAX_MEMORY_TYPE; t++)
		assert_string_equal(efi_mem_type_name(t), want_spec[t]);
	for (i = 0; i < N(unknown_types); i++)
		assert_string_equal(efi_mem_type_name(unknown_types[i]), "EfiUnknown");
}

static void test_is_ram(void **state)
{
	static const int want[EFI_MAX_MEMORY_TYPE] = {
		[EFI_LOADER_CODE] = 1,	       [EFI_LOADER_DATA] = 1,		[EFI_BOOT_SERVICES_CODE] = 1,
		[EFI_BOOT_SERVICES_DATA] = 1,  [EFI_RUNTIME_SERVICES_CODE] = 1, [EFI_RUNTIME_SERVICES_DATA] = 1,
		[EFI_CONVENTIONAL_MEMORY] = 1, [EFI_ACPI_RECLAIM_MEMORY] = 1,	[EFI_ACPI_MEMORY_NVS] = 1,
		[EFI_PERSISTENT_MEMORY] = 1,   [EFI_UNACCEPTED_MEMORY] = 1,
	};
	uint32_t t;
	size_t i;

	(void)state;
	for (t = 0; t < EFI_MAX_MEMORY_TYPE; t++)
		if (!efi_mem_type_is_ram(t) != !want[t])
			fail_msg("efi_mem_type_is_ram(%s) = %d", want_short[t], efi_mem_type_is_ram(t));
	for (i = 0; i < N(unknown_types); i++)
		assert_false(efi_mem_type_is_ram(unknown_types[i]));
}

static void test_is_free_after_ebs(void **state)
{
	uint32_t t;
	size_t i;

	(void)state;
	for (t = 0; t < EFI_MAX_MEMORY_TYPE; t++) {
		int want = t == CONV || t == BSCODE || t == BSDATA;

		if (!efi_mem_type_is_free_after_ebs(t) != !want)
			fail_msg("efi_mem_type_is_free_after_ebs(%s) = %d", want_short[t],
				 efi_mem_type_is_free_after_ebs(t));
	}
	for (i = 0; i < N(unknown_types); i++)
		assert_false(efi_mem_type_is_free_after_ebs(unknown_types[i]));
}

/* ------------------------------------------------------------------ */
/* Geometry.                                                           */

static void test_check_geometry(void **state)
{
	(void)state;
	assert_int_equal(memmap_check(0, 40), 0);
	assert_int_equal(memmap_check(40 * 7, 40), 0);
	assert_int_equal(memmap_check(48 * 100, 48), 0);
	assert_int_equal(memmap_check(0, 48), 0);
	assert_int_equal(memmap_check(41 * 3, 41), 0);
	assert_int_equal(memmap_check(48 * 3 + 8, 48), -EINVAL);
	assert_int_equal(memmap_check(47, 48), -EINVAL);
	assert_int_equal(memmap_check(48 * 3, 39), -EINVAL);
	assert_int_equal(memmap_check(39 * 3, 39), -EINVAL);
	assert_int_equal(memmap_check(0, 0), -EINVAL);
	assert_int_equal(memmap_check(0, 24), -EINVAL);
}

static void test_normalize_einval(void **state)
{
	static const struct td d[] = { { CONV, 0, 16, WB }, { RSVD, PG(16), 1, 0 }, { CONV, PG(17), 4, WB } };
	struct mm_region *out;
	struct memmap_stats st;
	void *alloc;
	unsigned char *raw48 = build(d, N(d), 48, 0, &alloc);
	const unsigned char *o;
	size_t b;

	(void)state;
	/* map_size not a multiple of desc_size */
	assert_int_equal(normalize_raw(raw48, 48 * 3 - 8, 48, 8, &out, &st), -EINVAL);
	o = (const unsigned char *)out;
	for (b = 0; b < 8 * sizeof(*out); b++)
		assert_int_equal(o[b], 0x77); /* out untouched */
	assert_int_equal(st.raw_count, 0);    /* stats zeroed, not left as garbage */
	assert_int_equal(st.overlaps, 0);
	free(out);
	assert_int_equal(normalize_raw(raw48, 48 * 2 + 47, 48, 8, &out, &st), -EINVAL);
	free(out);
	/* desc_size below a version-1 descriptor, even when map_size is a multiple */
	assert_int_equal(normalize_raw(raw48, 39 * 3, 39, 8, &out, &st), -EINVAL);
	free(out);
	assert_int_equal(normalize_raw(raw48, 32 * 4, 32, 8, &out, &st), -EINVAL);
	free(out);
	assert_int_equal(normalize_raw(raw48, 0, 0, 8, &out, &st), -EINVAL);
	/* no buffer behind a non-empty map, or behind a non-zero cap */
	assert_int_equal(memmap_normalize(NULL, 48, 48, out, 8, &st), -EINVAL);
	assert_int_equal(memmap_normalize(raw48, 48 * 3, 48, NULL, 8, &st), -EINVAL);
	free(out);
	/* the same buffer with correct geometry is fine */
	assert_int_equal(normalize_raw(raw48, 48 * 3, 48, 8, &out, &st), 3);
	free(out);
	free(alloc);
}

static void test_empty(void **state)
{
	static const struct td zeros[] = { { CONV, 0, 0, WB }, { RSVD, PG(8), 0, 0 } };
	struct mm_region *out;
	struct memmap_stats st;

	(void)state;
	assert_int_equal(memmap_normalize(NULL, 0, 48, NULL, 0, NULL), 0);
	assert_int_equal(normalize_raw(NULL, 0, 48, 0, &out, &st), 0);
	assert_int_equal(st.raw_count, 0);
	assert_int_equal(st.zero_pages, 0);
	free(out);
	assert_int_equal(normalize(zeros, N(zeros), 48, 0, 0, &out, &st), 0);
	assert_int_equal(st.raw_count, 2);
	assert_int_equal(st.zero_pages, 2);
	free(out);
}

/* ------------------------------------------------------------------ */
/* Hand-written maps.                                                  */

/* Roughly what OVMF reports: every neighbour differs, so the result is the input. */
static const struct td ovmf[] = {
	{ BSCODE, 0x0, 1, WB },
	{ CONV, 0x1000, 159, WB },
	{ CONV, 0x100000, 1792, WB },
	{ NVS, 0x800000, 8, WB },
	{ CONV, 0x808000, 3, WB },
	{ NVS, 0x80B000, 1, WB },
	{ CONV, 0x80C000, 4, WB },
	{ NVS, 0x810000, 240, WB },
	{ BSDATA, 0x900000, 3072, WB },
	{ CONV, 0x1500000, 0x6000, WB },
	{ LCODE, 0x7500000, 0x50, WB },
	{ LDATA, 0x7550000, 0x20, WB },
	{ BSCODE, 0x7570000, 0x100, WB },
	{ RTDATA, 0x7670000, 0x80, RTWB },
	{ RTCODE, 0x76F0000, 0x40, RTWB },
	{ ACPI, 0x7730000, 0x10, WB },
	{ NVS, 0x7740000, 0x20, WB },
	{ CONV, 0x7760000, 0x880, WB },
	{ RSVD, 0x7FFE0000, 0x20, 0 },
	{ MMIO, 0xB0000000, 0x10000, EFI_MEMORY_UC | EFI_MEMORY_RUNTIME },
	{ RSVD, 0xFEFFC000, 4, 0 },
	{ MMIO, 0xFFC00000, 0x400, EFI_MEMORY_UC | EFI_MEMORY_RUNTIME },
	{ CONV, 0x100000000, 0x40000, WB },
	{ RSVD, 0xFD00000000, 0x300000, 0 },
};

static void test_sorted_clean_identity(void **state)
{
	struct mm_region want[N(ovmf)], *got;
	struct memmap_stats st;
	size_t i;
	long r;

	(void)state;
	for (i = 0; i < N(ovmf); i++)
		want[i] = (struct mm_region)R(ovmf[i].start, ovmf[i].start + PG(ovmf[i].pages), ovmf[i].type,
					      ovmf[i].attr, 0);
	r = normalize(ovmf, N(ovmf), 48, 0, N(ovmf), &got, &st);
	expect_regions(got, r, want, N(want));
	assert_int_equal(st.raw_count, N(ovmf));
	assert_int_equal(st.zero_pages + st.bad_ranges + st.overlaps + st.unsorted + st.unknown_type, 0);
	free(got);
}

static void test_merge_adjacent(void **state)
{
	static const struct td d[] = {
		{ CONV, 0, 4, WB },	     { CONV, PG(4), 4, WB }, { CONV, PG(8), 8, WB }, /* merge */
		{ CONV, PG(16), 4, UCWB },						     /* attr differs */
		{ CONV, PG(20), 4, UCWB },   /* merges with the previous */
		{ BSDATA, PG(24), 4, UCWB }, /* type differs */
		{ CONV, PG(30), 2, UCWB },   /* gap */
		{ CONV, PG(32), 2, UCWB },
	};
	static const struct mm_region want[] = {
		R(0, PG(16), CONV, WB, 0),
		R(PG(16), PG(24), CONV, UCWB, 0),
		R(PG(24), PG(28), BSDATA, UCWB, 0),
		R(PG(30), PG(34), CONV, UCWB, 0),
	};
	struct td many[300];
	struct mm_region *got;
	struct memmap_stats st;
	size_t i;
	long r;

	(void)state;
	expect_map(d, N(d), want, N(want), 0);

	/* 300 one-page pieces, in order and shuffled, become one region in a cap of 1 */
	for (i = 0; i < N(many); i++)
		many[i] = (struct td){ CONV, PG(0x100 + i), 1, WB };
	r = normalize(many, N(many), 48, 0, 1, &got, &st);
	assert_int_equal(r, 1);
	assert_int_equal(got[0].start, PG(0x100));
	assert_int_equal(got[0].end, PG(0x100 + N(many)));
	free(got);
	unit_seed(7);
	for (i = N(many) - 1; i > 0; i--) {
		size_t j = unit_rnd() % (i + 1);
		struct td t = many[i];

		many[i] = many[j];
		many[j] = t;
	}
	r = normalize(many, N(many), 48, 0, 1, &got, &st);
	assert_int_equal(r, 1);
	assert_int_equal(got[0].start, PG(0x100));
	assert_int_equal(got[0].end, PG(0x100 + N(many)));
	assert_int_equal(st.overlaps, 0);
	assert_true(st.unsorted > 0);
	free(got);
	r = normalize(many, N(many), 48, 0, N(many), &got, &st);
	assert_int_equal(r, 1);
	free(got);
}

static void test_unsorted(void **state)
{
	struct td rev[N(ovmf)];
	struct mm_region want[N(ovmf)], *got;
	struct memmap_stats st;
	size_t i;
	long r;

	(void)state;
	for (i = 0; i < N(ovmf); i++) {
		rev[i] = ovmf[N(ovmf) - 1 - i];
		want[i] = (struct mm_region)R(ovmf[i].start, ovmf[i].start + PG(ovmf[i].pages), ovmf[i].type,
					      ovmf[i].attr, 0);
	}
	r = normalize(rev, N(rev), 48, 0, N(rev), &got, &st);
	expect_regions(got, r, want, N(want));
	assert_int_equal(st.unsorted, N(ovmf) - 1);
	assert_int_equal(st.overlaps, 0);
	free(got);

	/* one descriptor out of place */
	memcpy(rev, ovmf, sizeof(ovmf));
	rev[3] = ovmf[10];
	rev[10] = ovmf[3];
	r = normalize(rev, N(rev), 48, 0, N(rev), &got, &st);
	expect_regions(got, r, want, N(want));
	assert_int_equal(st.unsorted, 2); /* ovmf[4] after ovmf[10], ovmf[3] after ovmf[9] */
	free(got);
	check_model(rev, N(rev), 40, 5, N(rev));
}

static void test_reserved_inside_conventional(void **state)
{
	static const struct td a[] = { { CONV, PG(0x100), 0x100, WB }, { RSVD, PG(0x140), 0x10, 0 } };
	static const struct td b[] = { { RSVD, PG(0x140), 0x10, 0 }, { CONV, PG(0x100), 0x100, WB } };
	static const struct mm_region want[] = {
		R(PG(0x100), PG(0x140), CONV, WB, 0),
		R(PG(0x140), PG(0x150), RSVD, 0, MMR_OVERLAP),
		R(PG(0x150), PG(0x200), CONV, WB, 0),
	};
	/* the same at the edges: no empty conventional piece left over */
	static const struct td edge[] = { { CONV, 0, 8, WB }, { RSVD, 0, 2, 0 }, { MMIO, PG(6), 2, 0 } };
	static const struct mm_region want_edge[] = {
		R(0, PG(2), RSVD, 0, MMR_OVERLAP),
		R(PG(2), PG(6), CONV, WB, 0),
		R(PG(6), PG(8), MMIO, 0, MMR_OVERLAP),
	};

	(void)state;
	expect_map(a, N(a), want, N(want), 1);
	expect_map(b, N(b), want, N(want), 1);
	expect_map(edge, N(edge), want_edge, N(want_edge), 2);
}

static void test_nested(void **state)
{
	static const struct td d[] = {
		{ CONV, 0, 100, WB },
		{ LDATA, PG(10), 80, WB },
		{ RSVD, PG(40), 10, 0 },
	};
	static const struct mm_region want[] = {
		R(0, PG(10), CONV, WB, 0),
		R(PG(10), PG(40), LDATA, WB, MMR_OVERLAP),
		R(PG(40), PG(50), RSVD, 0, MMR_OVERLAP),
		R(PG(50), PG(90), LDATA, WB, MMR_OVERLAP),
		R(PG(90), PG(100), CONV, WB, 0),
	};
	/* a more usable type nested in a less usable one disappears into it */
	static const struct td inv[] = { { RSVD, 0, 100, 0 }, { CONV, PG(10), 80, WB }, { BSDATA, PG(40), 10, WB } };
	static const struct mm_region want_inv[] = { R(0, PG(10), RSVD, 0, 0), R(PG(10), PG(90), RSVD, 0, MMR_OVERLAP),
						     R(PG(90), PG(100), RSVD, 0, 0) };
	struct td perm[3];
	size_t i;

	(void)state;
	expect_map(d, N(d), want, N(want), 3);
	for (i = 0; i < 3; i++) { /* rotations */
		perm[0] = d[i];
		perm[1] = d[(i + 1) % 3];
		perm[2] = d[(i + 2) % 3];
		expect_map(perm, 3, want, N(want), 3);
	}
	expect_map(inv, N(inv), want_inv, N(want_inv), 3);
}

static void test_duplicates(void **state)
{
	static const struct td same[] = { { CONV, PG(1), 4, WB }, { CONV, PG(1), 4, WB } };
	static const struct mm_region want_same[] = { R(PG(1), PG(5), CONV, WB, MMR_OVERLAP) };
	static const struct td three[] = { { ACPI, PG(1), 4, WB }, { ACPI, PG(1), 4, WB }, { ACPI, PG(1), 4, WB } };
	static const struct mm_region want_three[] = { R(PG(1), PG(5), ACPI, WB, MMR_OVERLAP) };
	static const struct td diff[] = { { RTDATA, PG(1), 4, RTWB }, { BSDATA, PG(1), 4, WB } };
	static const struct mm_region want_diff[] = { R(PG(1), PG(5), RTDATA, RTWB, MMR_OVERLAP) };
	/* a duplicate in an otherwise clean map, between clean neighbours */
	static const struct td mid[] = {
		{ CONV, 0, 1, WB }, { LCODE, PG(1), 2, WB }, { LCODE, PG(1), 2, WB }, { CONV, PG(3), 1, WB }
	};
	static const struct mm_region want_mid[] = { R(0, PG(1), CONV, WB, 0), R(PG(1), PG(3), LCODE, WB, MMR_OVERLAP),
						     R(PG(3), PG(4), CONV, WB, 0) };

	(void)state;
	expect_map(same, N(same), want_same, N(want_same), 1);
	expect_map(three, N(three), want_three, N(want_three), 3);
	expect_map(diff, N(diff), want_diff, N(want_diff), 1);
	expect_map(mid, N(mid), want_mid, N(want_mid), 1);
}

static void test_partial_overlaps(void **state)
{
	static const struct td a[] = { { CONV, 0, 10, WB }, { RSVD, PG(5), 10, 0 } };
	static const struct mm_region want_a[] = { R(0, PG(5), CONV, WB, 0), R(PG(5), PG(10), RSVD, 0, MMR_OVERLAP),
						   R(PG(10), PG(15), RSVD, 0, 0) };
	static const struct td b[] = { { RSVD, 0, 10, 0 }, { CONV, PG(5), 10, WB } };
	static const struct mm_region want_b[] = { R(0, PG(5), RSVD, 0, 0), R(PG(5), PG(10), RSVD, 0, MMR_OVERLAP),
						   R(PG(10), PG(15), CONV, WB, 0) };
	/* a chain: each overlaps the next by one page */
	static const struct td chain[] = {
		{ CONV, 0, 4, WB }, { BSDATA, PG(3), 4, WB }, { LCODE, PG(6), 4, WB }, { CONV, PG(9), 4, WB }
	};
	static const struct mm_region want_chain[] = {
		R(0, PG(3), CONV, WB, 0),	R(PG(3), PG(4), BSDATA, WB, MMR_OVERLAP),
		R(PG(4), PG(6), BSDATA, WB, 0), R(PG(6), PG(7), LCODE, WB, MMR_OVERLAP),
		R(PG(7), PG(9), LCODE, WB, 0),	R(PG(9), PG(10), LCODE, WB, MMR_OVERLAP),
		R(PG(10), PG(13), CONV, WB, 0),
	};
	/* touching is not overlapping */
	static const struct td touch[] = { { RSVD, PG(4), 4, 0 }, { CONV, 0, 4, WB } };
	static const struct mm_region want_touch[] = { R(0, PG(4), CONV, WB, 0), R(PG(4), PG(8), RSVD, 0, 0) };

	(void)state;
	expect_map(a, N(a), want_a, N(want_a), 1);
	expect_map(b, N(b), want_b, N(want_b), 1);
	expect_map(chain, N(chain), want_chain, N(want_chain), 3);
	expect_map(touch, N(touch), want_touch, N(want_touch), 0);
}

/* From most to least usable; each entry wins over every entry before it. */
static const uint32_t usability[] = {
	EFI_CONVENTIONAL_MEMORY,
	EFI_BOOT_SERVICES_CODE,
	EFI_BOOT_SERVICES_DATA,
	EFI_LOADER_CODE,
	EFI_LOADER_DATA,
	EFI_ACPI_RECLAIM_MEMORY,
	EFI_PERSISTENT_MEMORY,
	EFI_ACPI_MEMORY_NVS,
	EFI_RUNTIME_SERVICES_CODE,
	EFI_RUNTIME_SERVICES_DATA,
	EFI_UNACCEPTED_MEMORY,
	EFI_UNUSABLE_MEMORY,
	EFI_PAL_CODE,
	EFI_MEMORY_MAPPED_IO_PORT_SPACE,
	EFI_MEMORY_MAPPED_IO,
	EFI_RESERVED_MEMORY_TYPE,
	EFI_MAX_MEMORY_TYPE,
	0x70000000,
	0x80000000,
};

static void test_rank_order(void **state)
{
	size_t i, j;

	(void)state;
	for (i = 0; i < N(usability); i++) {
		for (j = i + 1; j < N(usability); j++) {
			uint32_t lo = usability[i], hi = usability[j];
			struct td same[2] = { { lo, PG(8), 4, WB }, { hi, PG(8), 4, UCWB } };
			struct td part[2] = { { hi, PG(10), 4, UCWB }, { lo, PG(8), 4, WB } };
			struct mm_region want_same[] = { R(PG(8), PG(12), hi, UCWB, MMR_OVERLAP) };
			struct mm_region want_part[] = { R(PG(8), PG(10), lo, WB, 0),
							 R(PG(10), PG(12), hi, UCWB, MMR_OVERLAP),
							 R(PG(12), PG(14), hi, UCWB, 0) };
			struct mm_region *got;
			struct memmap_stats st;
			long r;

			r = normalize(same, 2, 48, 0, 4, &got, &st);
			if (r != 1 || got[0].type != hi)
				fail_msg("%#x (%s) over %#x (%s): got %ld regions, type %#x", hi,
					 efi_mem_type_short(hi), lo, efi_mem_type_short(lo), r,
					 r > 0 ? got[0].type : 0);
			expect_regions(got, r, want_same, 1);
			free(got);
			same[0] = (struct td){ hi, PG(8), 4, UCWB };
			same[1] = (struct td){ lo, PG(8), 4, WB };
			r = normalize(same, 2, 48, 0, 4, &got, &st);
			expect_regions(got, r, want_same, 1);
			free(got);
			r = normalize(part, 2, 48, 0, 4, &got, &st);
			expect_regions(got, r, want_part, 3);
			free(got);
		}
	}
}

static void test_attr_tiebreak(void **state)
{
	/* same type, different attributes: the result must not depend on the order */
	static const struct td a[] = { { RTDATA, PG(4), 8, WB }, { RTDATA, PG(6), 2, RTWB } };
	static const struct td b[] = { { RTDATA, PG(6), 2, RTWB }, { RTDATA, PG(4), 8, WB } };
	static const struct mm_region want[] = {
		R(PG(4), PG(6), RTDATA, WB, 0),
		R(PG(6), PG(8), RTDATA, RTWB, MMR_OVERLAP),
		R(PG(8), PG(12), RTDATA, WB, 0),
	};
	/* equal rank, different types: the larger type number wins */
	static const struct td c[] = { { BSDATA, 0, 4, WB }, { BSCODE, 0, 4, RTWB } };
	static const struct mm_region want_c[] = { R(0, PG(4), BSDATA, WB, MMR_OVERLAP) };

	(void)state;
	expect_map(a, N(a), want, N(want), 1);
	expect_map(b, N(b), want, N(want), 1);
	expect_map(c, N(c), want_c, N(want_c), 1);
}

static void test_zero_pages(void **state)
{
	static const struct td d[] = {
		{ CONV, 0, 4, WB },
		{ RSVD, PG(2), 0, 0 },	/* zero pages "inside" conventional: no split, no overlap */
		{ CONV, PG(4), 4, WB }, /* still merges across the skipped entry */
		{ MMIO, 0x1234, 0, 0 }, /* zero pages and unaligned: counted once, as zero */
		{ CONV, 0, 0, WB },	/* zero pages below the previous start: not "unsorted" */
		{ LDATA, PG(8), 2, WB },
	};
	static const struct mm_region want[] = { R(0, PG(8), CONV, WB, 0), R(PG(8), PG(10), LDATA, WB, 0) };
	struct mm_region *got;
	struct memmap_stats st;
	long r;

	(void)state;
	r = normalize(d, N(d), 48, 0, 2, &got, &st);
	expect_regions(got, r, want, N(want));
	assert_int_equal(st.zero_pages, 3);
	assert_int_equal(st.bad_ranges, 0);
	assert_int_equal(st.overlaps, 0);
	assert_int_equal(st.unsorted, 0);
	assert_int_equal(st.raw_count, N(d));
	free(got);
	check_model(d, N(d), 40, 0, 2);
}

/* An unsorted map with overlaps, zero pages, bad ranges and unknown types: every path of the normalizer. */
static const struct td mixed[] = {
	{ CONV, PG(0x100), 0x100, WB },
	{ RSVD, PG(0x140), 0x10, 0 },
	{ CONV, 0, 0x9F, WB },
	{ BSDATA, PG(0x9F), 1, WB },
	{ LDATA, PG(0x180), 0x100, WB },
	{ CONV, PG(0x1000), 0, WB },
	{ RTCODE, 0x100000000, 0x10, RTWB },
	{ CONV, 0x100000800, 0x10, WB },
	{ 0x80000001, PG(0x2000), 0x20, UCWB },
	{ MMIO, PG(0x2010), 0x20, EFI_MEMORY_UC },
	{ CONV, PG(0x280), 0x80, WB },
	{ CONV, 0x100010000, 0x1000, WB },
};

static void test_desc_sizes(void **state)
{
	static const size_t sizes[] = { 40, 41, 48, 56, 64, 100, 4096 };
	static const size_t misaligns[] = { 0, 1, 3, 4, 7 };
	struct mm_region want[2 * N(mixed)], *got;
	struct memmap_stats wst, st;
	size_t wn, i, j;
	long r;

	(void)state;
	wn = ref_boundaries(mixed, N(mixed), want, &wst);
	assert_int_equal(wst.bad_ranges, 1);
	assert_int_equal(wst.unknown_type, 1);
	assert_int_equal(wst.zero_pages, 1);
	for (i = 0; i < N(sizes); i++) {
		for (j = 0; j < N(misaligns); j++) {
			r = normalize(mixed, N(mixed), sizes[i], misaligns[j], 2 * N(mixed), &got, &st);
			expect_regions(got, r, want, wn);
			expect_stats(&st, &wst);
			free(got);
			check_model(mixed, N(mixed), sizes[i], misaligns[j], wn);
		}
	}
}

static void test_above_4g(void **state)
{
	static const struct td d[] = {
		{ CONV, 0x4000000000000 - PG(0x10000), 0x10000, WB }, /* ends at 0x4_0000_0000_0000 */
		{ CONV, 0x100000000, 0x3C0000, WB },		      /* 4 GiB .. 64 GiB - ... */
		{ RSVD, GiB(8), 0x40000, 0 },			      /* 1 GiB reserved at 8 GiB */
		{ CONV, 0x3FFFFFFFF0000, 0x10, UCWB },		      /* overlaps the top one */
		{ RTDATA, 0x3FFFF00000000, 1, RTWB },
		{ CONV, 0x1000, 0x9F, WB },
	};
	static const struct mm_region want[] = {
		R(0x1000, 0xA0000, CONV, WB, 0),
		R(0x100000000, GiB(8), CONV, WB, 0),
		R(GiB(8), GiB(9), RSVD, 0, MMR_OVERLAP),
		R(GiB(9), 0x100000000 + PG(0x3C0000), CONV, WB, 0),
		R(0x3FFFF00000000, 0x3FFFF00001000, RTDATA, RTWB, 0),
		R(0x4000000000000 - PG(0x10000), 0x3FFFFFFFF0000, CONV, WB, 0),
		R(0x3FFFFFFFF0000, 0x4000000000000, CONV, UCWB, MMR_OVERLAP),
	};

	(void)state;
	expect_map(d, N(d), want, N(want), 2);
}

static void test_unknown_types(void **state)
{
	static const struct td d[] = {
		{ 16, 0, 4, 0 },
		{ 0x70000000, PG(4), 4, 0 },
		{ 0x80000000, PG(8), 4, EFI_MEMORY_UC },
		{ RSVD, PG(10), 4, 0 }, /* under the OS type at 8..12 */
		{ 0xFFFFFFFF, PG(20), 1, 0 },
		{ CONV, PG(14), 6, WB },
	};
	static const struct mm_region want[] = {
		R(0, PG(4), 16, 0, 0),
		R(PG(4), PG(8), 0x70000000, 0, 0),
		R(PG(8), PG(10), 0x80000000, EFI_MEMORY_UC, 0),
		R(PG(10), PG(12), 0x80000000, EFI_MEMORY_UC, MMR_OVERLAP),
		R(PG(12), PG(14), RSVD, 0, 0),
		R(PG(14), PG(20), CONV, WB, 0),
		R(PG(20), PG(21), 0xFFFFFFFF, 0, 0),
	};
	struct mm_region *got;
	struct memmap_stats st;
	long r, i;

	(void)state;
	expect_map(d, N(d), want, N(want), 1);
	r = normalize(d, N(d), 48, 0, 16, &got, &st);
	assert_int_equal(st.unknown_type, 4);
	for (i = 0; i < r; i++)
		assert_string_equal(efi_mem_type_short(got[i].type),
				    got[i].type < EFI_MAX_MEMORY_TYPE ? want_short[got[i].type] : "Unknown");
	free(got);
}

static void test_bad_ranges(void **state)
{
	static const struct td d[] = {
		{ CONV, 0x1001, 4, WB },	       /* unaligned */
		{ CONV, 0x800, 1, WB },		       /* unaligned */
		{ CONV, 0xFFFFFFFFFFFFF000, 1, WB },   /* ends at exactly 2^64 */
		{ CONV, 0, 1ULL << 52, WB },	       /* likewise */
		{ CONV, PG(16), 1ULL << 52, WB },      /* past 2^64 */
		{ CONV, PG(16), 1ULL << 63, WB },      /* pages << 12 itself overflows */
		{ CONV, PG(16), UINT64_MAX, WB },      /* ditto */
		{ RSVD, 0xFFFFFFFFFFFFE000, 1, 0 },    /* the highest page that fits: kept */
		{ CONV, PG(1), (1ULL << 52) - 2, WB }, /* up to 2^64 - 4 KiB: kept */
		{ RSVD, 0x12345678, 0, 0 },	       /* zero pages wins over unaligned */
	};
	static const struct mm_region want[] = {
		R(PG(1), 0xFFFFFFFFFFFFE000, CONV, WB, 0),
		R(0xFFFFFFFFFFFFE000, 0xFFFFFFFFFFFFF000, RSVD, 0, MMR_OVERLAP),
	};
	struct mm_region *got;
	struct memmap_stats st;
	long r;

	(void)state;
	r = normalize(d, N(d), 48, 0, 4, &got, &st);
	expect_regions(got, r, want, N(want));
	assert_int_equal(st.bad_ranges, 7);
	assert_int_equal(st.zero_pages, 1);
	assert_int_equal(st.overlaps, 1);
	assert_int_equal(st.unsorted, 1);
	free(got);
	check_model(d, N(d), 48, 0, 2);
	check_model(d, N(d), 56, 2, 1);
}

/* ------------------------------------------------------------------ */
/* Capacity.                                                           */

static void test_enospc_clean(void **state)
{
	struct mm_region *got;
	struct memmap_stats st;
	size_t cap;
	long r;

	(void)state;
	for (cap = 0; cap < N(ovmf); cap++) {
		r = normalize(ovmf, N(ovmf), 48, 0, cap, &got, &st);
		assert_int_equal(r, -ENOSPC);
		assert_int_equal(st.raw_count, N(ovmf)); /* stats still complete */
		free(got);
	}
	r = normalize(ovmf, N(ovmf), 48, 0, N(ovmf), &got, &st);
	assert_int_equal(r, N(ovmf));
	free(got);
}

/*
 * Every cap from 0 to past 2n on maps whose result is longer than the input:
 * -ENOSPC exactly below the result size, the full result at and above it,
 * and never a byte past cap.
 */
static void test_enospc_every_cap(void **state)
{
	static const struct td split[] = {
		{ RSVD, PG(10), 1, 0 }, { CONV, 0, 40, WB }, { RSVD, PG(20), 1, 0 }, { RSVD, PG(30), 1, 0 }
	};
	struct td rnd_map[24];
	size_t cap, wn, i, round;

	(void)state;
	wn = check_model(split, N(split), 48, 0, 64);
	assert_int_equal(wn, 7); /* 4 descriptors, 7 regions */
	for (cap = 0; cap <= 2 * N(split) + 3; cap++)
		check_model(split, N(split), 48, 0, cap);
	wn = check_model(mixed, N(mixed), 48, 0, 64);
	for (cap = 0; cap <= 2 * N(mixed) + 3; cap++)
		check_model(mixed, N(mixed), 48, 1, cap);
	for (round = 0; round < 40; round++) {
		unit_seed(1000 + round);
		for (i = 0; i < N(rnd_map); i++)
			rnd_map[i] = (struct td){ (uint32_t)(unit_rnd() % 17), PG(unit_rnd() % 64), 1 + unit_rnd() % 12,
						  (unit_rnd() & 1) ? WB : UCWB };
		for (cap = 0; cap <= 2 * N(rnd_map) + 2; cap++)
			check_model(rnd_map, N(rnd_map), 48, 0, cap);
	}
}

/* ------------------------------------------------------------------ */
/* Large and random maps.                                              */

/* A plausible big map: 1200 descriptors, many neighbours of the same type. */
static void test_large_realistic(void **state)
{
	enum { NL = 1200 };
	struct td *d = malloc(NL * sizeof(*d));
	static const uint32_t types[] = { CONV, CONV, CONV, BSDATA, BSCODE, LDATA, ACPI, NVS, RTDATA, RSVD };
	uint64_t at = 0;
	size_t i, wn;

	(void)state;
	assert_non_null(d);
	unit_seed(42);
	for (i = 0; i < NL; i++) {
		uint64_t pages = 1 + unit_rnd() % 64;

		d[i] = (struct td){ types[unit_rnd() % N(types)], at, pages, WB };
		at += PG(pages) + ((unit_rnd() % 8) ? 0 : PG(unit_rnd() % 16));
		if (i == NL / 2)
			at = 0x100000000;
	}
	wn = check_model(d, NL, 48, 0, NL);
	assert_true(wn < NL); /* some neighbours did merge */
	check_model(d, NL, 48, 0, wn);
	check_model(d, NL, 48, 0, wn - 1);
	/* shuffled */
	for (i = NL - 1; i > 0; i--) {
		size_t j = unit_rnd() % (i + 1);
		struct td t = d[i];

		d[i] = d[j];
		d[j] = t;
	}
	assert_int_equal(check_model(d, NL, 40, 1, NL), wn);
	assert_int_equal(check_model(d, NL, 56, 0, wn), wn);
	/* plus 100 reserved holes punched in random places */
	for (i = 0; i < 100; i++)
		d[unit_rnd() % NL] = (struct td){ RSVD, PG(unit_rnd() % 0x8000), 1 + unit_rnd() % 4, 0 };
	wn = check_model(d, NL, 48, 0, 2 * NL);
	check_model(d, NL, 48, 0, wn + NL / 2); /* the fallback */
	free(d);
}

static void random_map(struct td *d, size_t n, uint64_t span_pages, uint64_t max_pages)
{
	static const uint64_t attrs[] = { WB, UCWB, RTWB, 0 };
	size_t i;

	for (i = 0; i < n; i++) {
		uint64_t x = unit_rnd();
		uint32_t type = (uint32_t)(x % 16);
		uint64_t start = PG(unit_rnd() % span_pages);

		if (x % 97 == 0)
			type = 16 + (uint32_t)(unit_rnd() % 4) * 0x40000000;
		if (x % 5 == 0)
			start += 0x100000000; /* above 4 GiB */
		d[i] = (struct td){ type, start, 1 + unit_rnd() % max_pages, attrs[unit_rnd() % N(attrs)] };
		if (x % 89 == 0)
			d[i].pages = 0;
		if (x % 83 == 0)
			d[i].start |= 0x200;
		if (x % 79 == 0)
			d[i].start = 0xFFFFFFFFFFFF0000;
	}
}

static void test_random_5000(void **state)
{
	enum { NR = 5000 };
	struct td *d = malloc(NR * sizeof(*d));
	size_t round, wn;

	(void)state;
	assert_non_null(d);
	for (round = 0; round < 3; round++) {
		unit_seed(round + 1);
		/* sparse (few overlaps) to dense (every byte covered many times) */
		random_map(d, NR, round == 0 ? 0x1000000 : 40000, round == 2 ? 200 : 32);
		wn = check_model(d, NR, round == 1 ? 40 : 48, round, 3 * NR);
		assert_true(wn > 10);
	}
	free(d);
}

/* The fallback for caps below n + result, on a map big enough to make it work. */
static void test_random_tight_cap(void **state)
{
	enum { NT = 1500 };
	struct td *d = malloc(NT * sizeof(*d));
	struct mm_region *got;
	struct memmap_stats st;
	size_t wn;

	(void)state;
	assert_non_null(d);
	unit_seed(99);
	random_map(d, NT, 8000, 16);
	wn = check_model(d, NT, 48, 0, 3 * NT);
	check_model(d, NT, 48, 0, wn);
	check_model(d, NT, 48, 0, wn - 1);
	assert_int_equal(normalize(d, NT, 48, 0, wn / 2, &got, &st), -ENOSPC);
	free(got);
	free(d);
}

/* Small random maps against the per-page painter, which knows nothing about boundaries. */
static void test_random_small_pages(void **state)
{
	enum { NP = 96, MAXD = 20 };
	struct td d[MAXD];
	struct mm_region want[NP], *got;
	struct memmap_stats st;
	size_t round, n, i, wn;
	long r;

	(void)state;
	for (round = 0; round < 3000; round++) {
		unit_seed(5000 + round);
		n = unit_rnd() % (MAXD + 1);
		for (i = 0; i < n; i++) {
			uint64_t s = unit_rnd() % NP;
			uint64_t len = 1 + unit_rnd() % (NP - s);

			d[i] = (struct td){ usability[unit_rnd() % N(usability)], PG(s), (unit_rnd() % 10) ? len : 0,
					    (unit_rnd() & 1) ? WB : RTWB };
		}
		wn = ref_pages(d, n, NP, want);
		r = normalize(d, n, 40 + 8 * (round % 3), round % 8, (round % 4) ? 2 * n : wn, &got, &st);
		expect_regions(got, r, want, wn);
		free(got);
		check_model(d, n, 48, 0, wn);
	}
}

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); /* CPU time: a busy machine must not fail the test */
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 20000 shuffled, overlapping descriptors: O(n log n) takes milliseconds here, O(n^2) would take a minute. */
static void test_performance(void **state)
{
	enum { NB = 20000 };
	struct td *d = malloc(NB * sizeof(*d));
	struct mm_region *got;
	struct memmap_stats st;
	double t0, t;
	long r;

	(void)state;
	assert_non_null(d);
	unit_seed(3);
	random_map(d, NB, 160000, 64);
	t0 = cpu_now();
	r = normalize(d, NB, 48, 0, 2 * NB, &got, &st);
	t = cpu_now() - t0;
	assert_true(r > 0);
	expect_well_formed(got, r);
	assert_true(st.overlaps > 1000);
	assert_true(st.unsorted > 1000);
	print_message("    %d descriptors -> %ld regions in %.3f s of CPU\n", NB, r, t);
	assert_true(t < 3.0);
	free(got);
	free(d);
}

/* RAM runs merge across RAM type changes and stop at holes and non-RAM types. */
static void test_ram_runs(void **state)
{
	const struct mm_region r[] = {
		{ 0x0, 0xa0000, 0, EFI_CONVENTIONAL_MEMORY, 0 },
		{ 0x100000, 0x200000, 0, EFI_LOADER_DATA, 0 },
		{ 0x200000, 0x300000, 0, EFI_ACPI_MEMORY_NVS, 0 },
		{ 0x300000, 0x400000, 0, EFI_RESERVED_MEMORY_TYPE, 0 },
		{ 0x400000, 0x500000, 0, EFI_BOOT_SERVICES_DATA, 0 },
		{ 0xfec00000, 0xfec01000, 0, EFI_MEMORY_MAPPED_IO, 0 },
		{ 0x100000000, 0x200000000, 0, EFI_CONVENTIONAL_MEMORY, 0 },
	};
	const uint64_t want[][2] = {
		{ 0x0, 0xa0000 }, { 0x100000, 0x300000 }, { 0x400000, 0x500000 }, { 0x100000000, 0x200000000 }
	};
	size_t pos = 0, k = 0;
	uint64_t a, b;

	(void)state;
	while (memmap_ram_run(r, sizeof(r) / sizeof(r[0]), &pos, &a, &b)) {
		assert_true(k < sizeof(want) / sizeof(want[0]));
		assert_true(a == want[k][0] && b == want[k][1]);
		k++;
	}
	assert_int_equal(k, 4);
	assert_int_equal(memmap_ram_run(r, sizeof(r) / sizeof(r[0]), &pos, &a, &b), 0);
	pos = 0;
	assert_int_equal(memmap_ram_run(r, 0, &pos, &a, &b), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_short_names),
		cmocka_unit_test(test_ram_runs),
		cmocka_unit_test(test_spec_names),
		cmocka_unit_test(test_is_ram),
		cmocka_unit_test(test_is_free_after_ebs),
		cmocka_unit_test(test_check_geometry),
		cmocka_unit_test(test_normalize_einval),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_sorted_clean_identity),
		cmocka_unit_test(test_merge_adjacent),
		cmocka_unit_test(test_unsorted),
		cmocka_unit_test(test_reserved_inside_conventional),
		cmocka_unit_test(test_nested),
		cmocka_unit_test(test_duplicates),
		cmocka_unit_test(test_partial_overlaps),
		cmocka_unit_test(test_rank_order),
		cmocka_unit_test(test_attr_tiebreak),
		cmocka_unit_test(test_zero_pages),
		cmocka_unit_test(test_desc_sizes),
		cmocka_unit_test(test_above_4g),
		cmocka_unit_test(test_unknown_types),
		cmocka_unit_test(test_bad_ranges),
		cmocka_unit_test(test_enospc_clean),
		cmocka_unit_test(test_enospc_every_cap),
		cmocka_unit_test(test_large_realistic),
		cmocka_unit_test(test_random_5000),
		cmocka_unit_test(test_random_tight_cap),
		cmocka_unit_test(test_random_small_pages),
		cmocka_unit_test(test_performance),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
