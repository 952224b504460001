/* SPDX-License-Identifier: MIT */
/*
 * test_pmm.c - the buddy allocator (mm/pmm*.c) on the host.
 *
 * Fake physical memory: fake address P is host + P in one PROT_NONE
 * reservation as large as the map (up to 257 GiB of address space, nothing
 * committed), in which only the usable regions minus page 0 are made
 * readable and writable. Any touch of page 0, a hole, reserved, ACPI,
 * runtime, MMIO or loader memory (until handed over) is a segfault.
 *
 * The model: the usable pages (page 0 excluded) in address order, an owner
 * id per page for the randomized tests, pages in use by purpose. Its own
 * reference for the free lists: with every free merging with a free buddy,
 * the free blocks are exactly the maximal naturally aligned power-of-two
 * runs (up to PMM_MAX_ORDER) of free pages, so canonical() computes the
 * expected free-block counts per order from the free pages alone.
 *
 * panic() formats with kvsnprintf like the kernel and longjmps back to
 * EXPECT_PANIC, which checks the message. PMM_TEST="*name*" runs only the
 * matching tests; test_cost prints rough costs per operation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <cmocka.h>

#include "unit.h"

#include "kernel.h"
#include "kerrno.h"
#include "kprintf.h"
#include "memmap.h"
#include "pmm.h"

#define R(s, e, t)                                    \
	{                                             \
		.start = (s), .end = (e), .type = (t) \
	}

#define MAX_REGIONS 4096
#define ALL_ORDERS (sizeof(uint64_t) * PMM_ORDERS)

/* ---- panic (tests/unit/unit_panic.c) ------------------------------------ */

static void expect_msg(const char *stmt, const char *a, const char *b)
{
	if (!strstr(unit_panic_msg, a) || (b && !strstr(unit_panic_msg, b)))
		fail_msg("%s: panic \"%s\" lacks \"%s\" / \"%s\"", stmt, unit_panic_msg, a, b ? b : "");
}

/* Run stmt, which must panic with a message containing a and b (b may be NULL). */
#define EXPECT_PANIC(stmt, a, b)         \
	do {                             \
		UNIT_EXPECT_PANIC(stmt); \
		expect_msg(#stmt, a, b); \
	} while (0)

static const char *hex(uint64_t v)
{
	static char buf[4][32];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%#llx", (unsigned long long)v);
	return buf[i];
}

/* ---- randomness ------------------------------------------------------------ */

static uint64_t rng;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* ---- fake physical memory and the model ------------------------------------ */

static struct {
	void *map; /* the reservation, len bytes */
	size_t len;
	uint8_t *host;						      /* fake phys P is host + P */
	uint64_t ua[MAX_REGIONS], ub[MAX_REGIONS], ucum[MAX_REGIONS]; /* usable ranges, sorted */
	size_t nu;
	uint64_t upages;
	uint32_t *owner; /* per usable page: allocation id, 0 = not allocated (randomized tests only) */
	struct pmm_stats base;
} F;

static int is_usable_type(uint32_t t)
{
	return t == CONV || t == BSCODE || t == BSDATA;
}

/* Make [a, b) usable in the model and writable on the host. */
static void model_add(uint64_t a, uint64_t b)
{
	size_t i = F.nu;

	assert_true(F.nu < MAX_REGIONS);
	assert_int_equal(mprotect(F.host + a, b - a, PROT_READ | PROT_WRITE), 0);
	while (i && F.ua[i - 1] > a) {
		F.ua[i] = F.ua[i - 1];
		F.ub[i] = F.ub[i - 1];
		i--;
	}
	F.ua[i] = a;
	F.ub[i] = b;
	F.nu++;
	F.upages = 0;
	for (i = 0; i < F.nu; i++) {
		F.ucum[i] = F.upages;
		F.upages += (F.ub[i] - F.ua[i]) >> PAGE_SHIFT;
	}
}

static void fake_free(void)
{
	if (F.map)
		munmap(F.map, F.len);
	free(F.owner);
	memset(&F, 0, sizeof(F));
}

/* Reserve fake memory for map[], make its usable part writable, pmm_init it. */
static int fake_init(const struct mm_region *map, size_t n)
{
	uint64_t top = GiB(1);
	int rc;

	fake_free();
	for (size_t i = 0; i < n; i++)
		top = map[i].end > top ? map[i].end : top;
	/* 1 GiB aligned on the host too, so that transparent huge pages can back big blocks. */
	F.len = ALIGN_UP(top, GiB(1)) + GiB(1);
	F.map = mmap(NULL, F.len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	assert_true(F.map != MAP_FAILED);
	F.host = (uint8_t *)ALIGN_UP((uintptr_t)F.map, GiB(1));
	for (size_t i = 0; i < n; i++) {
		uint64_t a = map[i].start < PAGE_SIZE ? PAGE_SIZE : map[i].start;

		if (is_usable_type(map[i].type) && a < map[i].end)
			model_add(a, map[i].end);
	}
	rc = pmm_init(map, n, (uintptr_t)F.host);
	pmm_get_stats(&F.base);
	return rc;
}

static int teardown(void **state)
{
	(void)state;
	fake_free();
	return 0;
}

static void *at(uint64_t phys)
{
	return F.host + phys;
}

/* Index of phys among the usable pages, or -1. */
static int64_t dense(uint64_t phys)
{
	size_t lo = 0, hi = F.nu;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (phys < F.ua[mid])
			hi = mid;
		else if (phys >= F.ub[mid])
			lo = mid + 1;
		else
			return (int64_t)(F.ucum[mid] + ((phys - F.ua[mid]) >> PAGE_SHIFT));
	}
	return -1;
}

static bool is_meta(uint64_t phys)
{
	return phys >= F.base.meta_base && phys < F.base.meta_base + PG(F.base.meta_pages);
}

/* Greedy split of the page run [a, b) into maximal aligned blocks. */
static void decompose(uint64_t out[PMM_ORDERS], uint64_t a, uint64_t b)
{
	while (a < b) {
		unsigned k = PMM_MAX_ORDER;

		while (k && ((a & ((1ULL << k) - 1)) || a + (1ULL << k) > b))
			k--;
		out[k]++;
		a += 1ULL << k;
	}
}

/* Expected free blocks per order for the model's free pages (all usable non-metadata pages without owner). */
static void canonical(uint64_t out[PMM_ORDERS])
{
	uint64_t run = 0, end = 0;
	bool in_run = false;

	memset(out, 0, ALL_ORDERS);
	for (size_t i = 0; i < F.nu; i++) {
		for (uint64_t p = F.ua[i]; p < F.ub[i]; p += PAGE_SIZE) {
			bool free = !is_meta(p) && (!F.owner || !F.owner[dense(p)]);

			if (in_run && (!free || p != end)) {
				decompose(out, run >> PAGE_SHIFT, end >> PAGE_SHIFT);
				in_run = false;
			}
			if (free && !in_run) {
				run = p;
				in_run = true;
			}
			if (free)
				end = p + PAGE_SIZE;
		}
	}
	if (in_run)
		decompose(out, run >> PAGE_SHIFT, end >> PAGE_SHIFT);
}

static void expect_canonical(void)
{
	uint64_t want[PMM_ORDERS];
	struct pmm_stats st;

	canonical(want);
	pmm_get_stats(&st);
	for (unsigned k = 0; k < PMM_ORDERS; k++)
		if (want[k] != st.free_blocks[k])
			fail_msg("order %u: %llu free blocks, expected %llu", k, (unsigned long long)st.free_blocks[k],
				 (unsigned long long)want[k]);
	assert_int_equal(pmm_verify(), 0);
}

static bool is_zero(uint64_t phys, uint64_t pages)
{
	static const uint8_t zero[PAGE_SIZE];

	for (uint64_t i = 0; i < pages; i++)
		if (memcmp(at(phys + PG(i)), zero, PAGE_SIZE))
			return false;
	return true;
}

static bool has_pattern(uint64_t phys, uint64_t pages, uint8_t pat)
{
	static uint8_t page[PAGE_SIZE];

	memset(page, pat, sizeof(page));
	for (uint64_t i = 0; i < pages; i++)
		if (memcmp(at(phys + PG(i)), page, PAGE_SIZE))
			return false;
	return true;
}

/* A fresh block of n pages: inside usable memory, not metadata, not taken, zeroed. */
static void check_block(uint64_t phys, uint64_t n, uint64_t align_pages)
{
	assert_true(phys);
	assert_int_equal(phys % PG(align_pages), 0);
	for (uint64_t i = 0; i < n; i++) {
		int64_t d = dense(phys + PG(i));

		if (d < 0 || is_meta(phys + PG(i)))
			fail_msg("%s is not usable memory", hex(phys + PG(i)));
		if (F.owner && F.owner[d])
			fail_msg("%s is already allocated (id %u)", hex(phys + PG(i)), F.owner[d]);
	}
	assert_true(is_zero(phys, n));
}

/* ---- maps ------------------------------------------------------------------ */

#define HIGH GiB(256) /* 0x40_0000_0000 */

/* Holes, page 0 usable, tiny and unaligned regions, every unusable kind, memory above 4 GiB and at 256 GiB. */
static const struct mm_region quirky[] = {
	R(0, 0x9F000, CONV),
	R(0x9F000, 0xA0000, RSVD),
	R(0xE0000, MiB(1), RSVD),
	R(MiB(1), MiB(8), CONV),
	R(MiB(8), MiB(8) + PG(8), NVS),
	R(MiB(8) + PG(8), MiB(8) + PG(11), CONV), /* with the next page: one order-2 block */
	R(MiB(8) + PG(11), MiB(8) + PG(12), BSDATA),
	R(MiB(8) + PG(12), MiB(8) + PG(16), RTDATA),
	R(MiB(8) + PG(16), MiB(24), BSCODE),
	R(MiB(24), MiB(24) + PG(1), CONV),
	R(MiB(24) + PG(1), MiB(25), ACPI),
	R(MiB(25), MiB(26), LDATA),
	R(MiB(26), MiB(27), LCODE),
	R(MiB(27), MiB(40) + PG(5), CONV),
	R(MiB(40) + PG(5), MiB(40) + PG(6), UNUSABLE),
	R(MiB(40) + PG(6), MiB(41), PERSIST),
	R(MiB(41), MiB(41) + PG(1), BSDATA),
	R(0xFEC00000, 0xFEC01000, MMIO),
	R(0xFFE00000, GiB(4), RSVD),
	R(GiB(4), GiB(4) + MiB(5) + PG(3), CONV),
	R(GiB(4) + MiB(5) + PG(3), GiB(4) + MiB(6), RTCODE),
	R(GiB(4) + MiB(6), GiB(4) + MiB(6) + PG(1), UNACCEPTED),
	R(GiB(4) + MiB(6) + PG(1), GiB(4) + MiB(9), BSDATA),
	R(HIGH + PG(3), HIGH + MiB(8), CONV),
	R(HIGH + MiB(8), HIGH + MiB(9), RTCODE),
	R(HIGH + MiB(9), HIGH + MiB(16), BSDATA),
};

/* A 64 GiB machine: low RAM with firmware bits, the PCI hole, 62 GiB from 4 GiB, and 1 GiB at 256 GiB. */
static const struct mm_region big[] = {
	R(0, 0x9F000, CONV),
	R(0x9F000, MiB(1), RSVD),
	R(MiB(1), MiB(100), CONV),
	R(MiB(100), MiB(140), LDATA),
	R(MiB(140), MiB(200), BSDATA),
	R(MiB(200), 0x7E000000, CONV),
	R(0x7E000000, 0x7E800000, RTCODE),
	R(0x7E800000, 0x7F000000, ACPI),
	R(0x7F000000, 0x80000000, NVS),
	R(0xE0000000, 0xF0000000, MMIO),
	R(0xFEC00000, 0xFEC01000, MMIO),
	R(GiB(4), GiB(66), CONV),
	R(HIGH, HIGH + GiB(1), CONV),
};

static const uint32_t kinds[] = { CONV,	  CONV,	  CONV, BSDATA, BSCODE, RSVD,	  ACPI,	   NVS,
				  RTCODE, RTDATA, MMIO, LDATA,	LCODE,	UNUSABLE, PERSIST, UNACCEPTED };

/* n regions of 1..64 pages with random types and holes; a 4 MiB region first; jumps to new GiBs. */
static size_t gen_many(struct mm_region *m, size_t n)
{
	uint64_t at_ = MiB(1);

	m[0] = (struct mm_region)R(MiB(1), MiB(5), CONV);
	at_ = MiB(5);
	for (size_t i = 1; i < n; i++) {
		uint64_t size = PG(1 + rnd() % 64);

		if (i % 200 == 0)
			at_ = ALIGN_UP(at_, GiB(1)) + GiB(rnd() % 3) + PG(rnd() % 8);
		if (rnd() % 4 == 0)
			at_ += PG(1 + rnd() % 16);
		m[i] = (struct mm_region)R(at_, at_ + size, kinds[rnd() % ARRAY_SIZE(kinds)]);
		at_ += size;
	}
	return n;
}

/* ---- helpers ---------------------------------------------------------------- */

static uint64_t live_sum(void)
{
	struct pmm_stats st;
	uint64_t used = 0;

	pmm_get_stats(&st);
	for (unsigned p = 0; p < PMM_PURPOSES; p++)
		used += st.used_pages[p];
	assert_int_equal(st.total_pages, st.free_pages + st.meta_pages + used);
	return used;
}

/* Allocate single pages until none is left; each must be good. Returns how many. */
static uint64_t drain(uint64_t **out)
{
	uint64_t n = 0, cap = F.upages + 1, phys;
	uint64_t *pages = malloc(cap * sizeof(*pages));
	uint8_t *seen = calloc(F.upages, 1);
	struct pmm_stats st;

	assert_non_null(pages);
	assert_non_null(seen);
	while ((phys = pmm_alloc(0, PMM_USER))) {
		assert_true(n < cap);
		check_block(phys, 1, 1);
		assert_false(seen[dense(phys)]);
		seen[dense(phys)] = 1;
		memset(at(phys), 0xEE, PAGE_SIZE); /* dirty it: the next round must get it zeroed */
		pages[n++] = phys;
	}
	pmm_get_stats(&st);
	assert_int_equal(st.free_pages, 0);
	assert_int_equal(pmm_alloc_pages(1, PMM_OTHER), 0);
	free(seen);
	*out = pages;
	return n;
}

/* Free pages[0..n) in a random order. */
static void free_shuffled(uint64_t *pages, uint64_t n, enum pmm_purpose p)
{
	for (uint64_t i = n; i > 1; i--) {
		uint64_t j = rnd() % i, t = pages[i - 1];

		pages[i - 1] = pages[j];
		pages[j] = t;
	}
	for (uint64_t i = 0; i < n; i++)
		pmm_free(pages[i], 0, p);
}

/* Drain all memory one page at a time, twice, and give it back; the state must return to the baseline. */
static void drain_and_restore(void)
{
	for (int round = 0; round < 2; round++) {
		uint64_t *pages, n = drain(&pages);
		struct pmm_stats st;

		assert_int_equal(n, F.base.free_pages);
		free_shuffled(pages, n, PMM_USER);
		free(pages);
		pmm_get_stats(&st);
		assert_int_equal(st.free_pages, F.base.free_pages);
		assert_memory_equal(st.free_blocks, F.base.free_blocks, ALL_ORDERS);
		assert_int_equal(st.used_pages[PMM_USER], 0);
		assert_int_equal(pmm_verify(), 0);
	}
}

/* ---- tests ----------------------------------------------------------------- */

static void test_init_errors(void **state)
{
	static const struct mm_region none[] = { R(0x1000, MiB(1), RSVD), R(MiB(1), MiB(8), ACPI) };
	static const struct mm_region page0[] = { R(0, PG(1), CONV), R(MiB(1), MiB(2), LDATA) };
	static const struct mm_region overlap[] = { R(MiB(1), MiB(4), CONV), R(MiB(3), MiB(8), CONV) };
	static const struct mm_region unsorted[] = { R(MiB(4), MiB(8), CONV), R(MiB(1), MiB(2), CONV) };
	static const struct mm_region empty[] = { R(MiB(4), MiB(4), CONV) };
	static struct mm_region scattered[300];
	struct pmm_stats st;

	(void)state;
	assert_int_equal(fake_init(none, 0), -ENOMEM);
	assert_int_equal(fake_init(none, ARRAY_SIZE(none)), -ENOMEM);
	assert_int_equal(fake_init(page0, ARRAY_SIZE(page0)), -ENOMEM);
	assert_int_equal(fake_init(overlap, ARRAY_SIZE(overlap)), -EINVAL);
	assert_int_equal(fake_init(unsorted, ARRAY_SIZE(unsorted)), -EINVAL);
	assert_int_equal(fake_init(empty, ARRAY_SIZE(empty)), -EINVAL);
	/* One page in each of 300 GiBs: 300 spans' bitmaps fit in no region. */
	for (size_t i = 0; i < ARRAY_SIZE(scattered); i++)
		scattered[i] = (struct mm_region)R(GiB(i) + MiB(1), GiB(i) + MiB(1) + PG(1), CONV);
	assert_int_equal(fake_init(scattered, ARRAY_SIZE(scattered)), -ENOMEM);
	/* A failed init leaves an empty PMM behind. */
	pmm_get_stats(&st);
	assert_int_equal(st.total_pages, 0);
	assert_int_equal(pmm_alloc(0, PMM_OTHER), 0);
	assert_int_equal(pmm_alloc_pages(3, PMM_OTHER), 0);
	assert_int_equal(pmm_add_range(MiB(1), MiB(2)), -ERANGE);
	EXPECT_PANIC(pmm_free(MiB(1), 0, PMM_OTHER), "0x100000", "not memory the PMM manages");
}

/*
 * The metadata for spans covering `spanned` pages: 5 bits a page (free, cont,
 * cached, and head[] over all orders), a 24-byte link per 2 MiB, the span table.
 */
static void expect_meta(uint64_t spanned)
{
	uint64_t bytes = spanned * 5 / 8 + spanned / 512 * 24;

	assert_true(F.base.meta_pages >= bytes / PAGE_SIZE);
	assert_true(F.base.meta_pages <= bytes / PAGE_SIZE + 2);
}

static void test_quirky_map(void **state)
{
	/*
	 * Spans run from a GiB boundary to the 2 MiB boundary above their last
	 * region: [0, 42M), [4G, 4G + 10M), [HIGH, HIGH + 16M).
	 */
	uint64_t spanned = (MiB(42) + MiB(10) + MiB(16)) / PAGE_SIZE;

	(void)state;
	assert_int_equal(fake_init(quirky, ARRAY_SIZE(quirky)), 0);
	assert_int_equal(F.base.spans, 3);
	assert_int_equal(F.base.total_pages, F.upages);
	expect_meta(spanned);
	assert_int_equal(F.base.meta_base, MiB(1)); /* the first usable page at or above 1 MiB */
	assert_int_equal(F.base.free_pages, F.upages - F.base.meta_pages);
	expect_canonical();
	drain_and_restore();
}

static void test_many_regions(void **state)
{
	static struct mm_region m[1500];
	size_t n;

	(void)state;
	rng = 0x1234567;
	n = gen_many(m, ARRAY_SIZE(m));
	assert_int_equal(fake_init(m, n), 0);
	assert_true(F.base.spans >= 3);
	assert_int_equal(F.base.total_pages, F.upages);
	assert_int_equal(F.base.meta_base, MiB(1));
	expect_canonical();
	drain_and_restore();
}

/* Pages of usable memory, outside the metadata, that pmm_init made resident on the host (wrote to). */
static uint64_t touched_pages(void)
{
	uint64_t n = 0;

	for (size_t i = 0; i < F.nu; i++) {
		size_t pages = (F.ub[i] - F.ua[i]) >> PAGE_SHIFT;
		unsigned char *vec = malloc(pages);

		assert_non_null(vec);
		assert_int_equal(mincore(at(F.ua[i]), pages << PAGE_SHIFT, vec), 0);
		for (size_t p = 0; p < pages; p++)
			if ((vec[p] & 1) && !is_meta(F.ua[i] + PG(p)))
				n++;
		free(vec);
	}
	return n;
}

/*
 * Handing memory over writes only into the first page of each free block
 * smaller than 2 MiB (its links): the 63 GiB of large blocks stay untouched,
 * because under a hypervisor the first write to a page is what costs.
 */
static void test_init_touches_little(void **state)
{
	uint64_t small = 0;

	(void)state;
	assert_int_equal(fake_init(big, ARRAY_SIZE(big)), 0);
	for (unsigned k = 0; k < PMM_LINK_ORDER; k++)
		small += F.base.free_blocks[k];
	assert_true(small < 64);
	assert_true(touched_pages() <= small);
	/* Splitting a 1 GiB block for one page writes into that page's 2 MiB only. */
	assert_true(pmm_alloc(0, PMM_OTHER));
	assert_true(touched_pages() <= small + 2 * PMM_LINK_ORDER);
	assert_int_equal(pmm_verify(), 0);
}

static void test_sparse_64g(void **state)
{
	uint64_t spanned = (1ULL << 19) + 62 * (1ULL << 18) + (1ULL << 18); /* [0,2G) [4G,66G) [256G,257G) */
	uint64_t phys[16];
	struct pmm_stats st;

	(void)state;
	assert_int_equal(fake_init(big, ARRAY_SIZE(big)), 0);
	assert_int_equal(F.base.spans, 3);
	assert_int_equal(F.base.total_pages, F.upages);
	expect_meta(spanned);
	assert_int_equal(F.base.free_blocks[PMM_MAX_ORDER], 63);
	expect_canonical();
	/* Blocks of all sizes come from usable memory, naturally aligned. */
	for (unsigned i = 0; i < ARRAY_SIZE(phys); i++) {
		phys[i] = pmm_alloc(i % 10, PMM_PT);
		check_block(phys[i], 1ULL << (i % 10), 1ULL << (i % 10));
	}
	for (unsigned i = 0; i < ARRAY_SIZE(phys); i++)
		pmm_free(phys[i], i % 10, PMM_PT);
	pmm_get_stats(&st);
	assert_memory_equal(st.free_blocks, F.base.free_blocks, ALL_ORDERS);
	assert_int_equal(pmm_verify(), 0);
}

/* 1 GiB blocks where the map has them. Zeroing 1.5 GiB is most of this test's time. */
static void test_max_order(void **state)
{
	static const struct mm_region m[] = { R(0, MiB(1), RSVD), R(MiB(1), GiB(2), CONV) };
	uint64_t phys, half = 1ULL << (PMM_MAX_ORDER - 1), spots[] = { 0, half, 2 * half - 1 };
	struct pmm_stats st;

	(void)state;
	assert_int_equal(fake_init(m, ARRAY_SIZE(m)), 0);
	madvise(at(GiB(1)), GiB(1), MADV_HUGEPAGE); /* fewer page faults on the host */
	assert_int_equal(F.base.free_blocks[PMM_MAX_ORDER], 1);
	phys = pmm_alloc(PMM_MAX_ORDER, PMM_OTHER);
	assert_int_equal(phys, GiB(1));
	assert_int_equal(pmm_alloc(PMM_MAX_ORDER, PMM_OTHER), 0);
	for (unsigned i = 0; i < ARRAY_SIZE(spots); i++) {
		assert_true(is_zero(phys + PG(spots[i]), 1));
		memset(at(phys + PG(spots[i])), 0x5A, PAGE_SIZE);
	}
	pmm_free(phys, PMM_MAX_ORDER, PMM_OTHER);
	assert_int_equal(pmm_alloc(PMM_MAX_ORDER + 1, PMM_OTHER), 0);
	assert_int_equal(pmm_alloc_pages((1ULL << PMM_MAX_ORDER) + 1, PMM_OTHER), 0);
	assert_int_equal(pmm_alloc_pages(0, PMM_OTHER), 0);
	assert_int_equal(pmm_alloc_pages(SIZE_MAX, PMM_OTHER), 0);
	/* Half a GiB and a page needs the 1 GiB block; the rest goes back, the dirtied pages in the run are zeroed. */
	phys = pmm_alloc_pages(half + 1, PMM_STACK);
	assert_int_equal(phys, GiB(1));
	assert_true(is_zero(phys, 1) && is_zero(phys + PG(half), 1));
	pmm_get_stats(&st);
	assert_int_equal(st.used_pages[PMM_STACK], half + 1);
	for (unsigned k = 0; k < PMM_MAX_ORDER - 1; k++)
		assert_int_equal(st.free_blocks[k], F.base.free_blocks[k] + 1); /* one tail block of each order */
	assert_int_equal(pmm_alloc(0, PMM_PT), phys + PG(half + 1));
	pmm_free(phys + PG(half + 1), 0, PMM_PT);
	pmm_free_pages(phys, half + 1, PMM_STACK);
	pmm_get_stats(&st);
	assert_int_equal(st.failures, 5);
	assert_memory_equal(st.free_blocks, F.base.free_blocks, ALL_ORDERS);
	assert_int_equal(pmm_verify(), 0);
}

/* ---- the randomized model test ------------------------------------------------ */

struct live {
	uint64_t phys, n;
	bool pages; /* from pmm_alloc_pages (else pmm_alloc) */
	unsigned order;
	enum pmm_purpose p;
	uint32_t id;
};

static void check_stats(const uint64_t used[PMM_PURPOSES])
{
	struct pmm_stats st;
	uint64_t sum = 0;

	pmm_get_stats(&st);
	for (unsigned p = 0; p < PMM_PURPOSES; p++) {
		assert_int_equal(st.used_pages[p], used[p]);
		sum += used[p];
	}
	assert_int_equal(st.total_pages, F.base.total_pages);
	assert_int_equal(st.free_pages + sum, F.base.free_pages);
}

static unsigned order_of(uint64_t n)
{
	unsigned k = 0;

	while ((1ULL << k) < n)
		k++;
	return k;
}

static void random_run(uint64_t seed, unsigned ops)
{
	struct live *live = calloc(ops, sizeof(*live));
	uint64_t used[PMM_PURPOSES] = { 0 };
	size_t nlive = 0;
	uint32_t next_id = 1;
	unsigned fails = 0;
	struct pmm_stats st;

	assert_non_null(live);
	rng = seed;
	assert_int_equal(fake_init(quirky, ARRAY_SIZE(quirky)), 0);
	F.owner = calloc(F.upages, sizeof(*F.owner));
	assert_non_null(F.owner);
	for (unsigned op = 0; op < ops; op++) {
		bool grow = (op / 2000) % 2 == 0; /* phases: mostly allocating (into OOM), mostly freeing */

		if (!nlive || rnd() % 100 < (grow ? 65U : 35U)) {
			struct live l = { .p = (enum pmm_purpose)(rnd() % PMM_PURPOSES), .id = next_id++ };

			l.pages = rnd() % 2;
			if (l.pages) {
				l.n = 1 + rnd() % (rnd() % 16 ? 40 : 1100);
				l.order = order_of(l.n);
				l.phys = pmm_alloc_pages(l.n, l.p);
			} else {
				l.order = rnd() % 16 ? (unsigned)(rnd() % 4) : (unsigned)(rnd() % 12);
				l.n = 1ULL << l.order;
				l.phys = pmm_alloc(l.order, l.p);
			}
			if (!l.phys) {
				/* Out of memory: only when no block of that order or above is free. */
				pmm_get_stats(&st);
				for (unsigned k = l.order; k < PMM_ORDERS; k++)
					assert_int_equal(st.free_blocks[k], 0);
				fails++;
				continue;
			}
			check_block(l.phys, l.n, 1ULL << l.order);
			for (uint64_t i = 0; i < l.n; i++)
				F.owner[dense(l.phys + PG(i))] = l.id;
			memset(at(l.phys), (int)(l.id | 1), PG(l.n));
			used[l.p] += l.n;
			live[nlive++] = l;
		} else {
			size_t i = rnd() % nlive;
			struct live l = live[i];

			/* Nothing wrote into the allocation while it was live. */
			assert_true(has_pattern(l.phys, l.n, (uint8_t)(l.id | 1)));
			if (l.pages)
				pmm_free_pages(l.phys, l.n, l.p);
			else
				pmm_free(l.phys, l.order, l.p);
			for (uint64_t j = 0; j < l.n; j++)
				F.owner[dense(l.phys + PG(j))] = 0;
			used[l.p] -= l.n;
			live[i] = live[--nlive];
		}
		check_stats(used);
		if (op % 1000 == 999)
			expect_canonical();
	}
	assert_true(fails > 10); /* the test did reach out-of-memory */
	pmm_get_stats(&st);
	assert_int_equal(st.failures, fails);
	while (nlive) {
		struct live l = live[--nlive];

		assert_true(has_pattern(l.phys, l.n, (uint8_t)(l.id | 1)));
		if (l.pages)
			pmm_free_pages(l.phys, l.n, l.p);
		else
			pmm_free(l.phys, l.order, l.p);
		for (uint64_t j = 0; j < l.n; j++)
			F.owner[dense(l.phys + PG(j))] = 0;
		used[l.p] -= l.n;
	}
	check_stats(used);
	/* Back to the baseline, fully merged: the largest block the map allows is there again. */
	pmm_get_stats(&st);
	assert_int_equal(st.free_pages, F.base.free_pages);
	assert_memory_equal(st.free_blocks, F.base.free_blocks, ALL_ORDERS);
	expect_canonical();
	for (unsigned k = PMM_MAX_ORDER + 1; k-- > 0;) {
		if (F.base.free_blocks[k]) {
			uint64_t phys = pmm_alloc(k, PMM_OTHER);

			check_block(phys, 1ULL << k, 1ULL << k);
			pmm_free(phys, k, PMM_OTHER);
			break;
		}
	}
	free(live);
}

static void test_random(void **state)
{
	(void)state;
	random_run(0x9E3779B97F4A7C15ULL, 12000);
	random_run(0xD1B54A32D192ED03ULL, 12000);
}

/* ---- invalid frees ------------------------------------------------------------ */

static struct pmm_stats before;

static void expect_unchanged(void)
{
	struct pmm_stats st;

	pmm_get_stats(&st);
	assert_memory_equal(&st, &before, sizeof(st));
	assert_int_equal(pmm_verify(), 0);
}

static void test_invalid_frees(void **state);

/* The caller the panic names is a return address inside test_invalid_frees. */
static void expect_caller(void)
{
	const char *c = strstr(unit_panic_msg, "caller 0x");
	uintptr_t ret = c ? (uintptr_t)strtoull(c + strlen("caller "), NULL, 16) : 0;

	if (ret <= (uintptr_t)test_invalid_frees || ret > (uintptr_t)test_invalid_frees + 0x10000)
		fail_msg("panic \"%s\" does not name the caller (%p)", unit_panic_msg, (void *)test_invalid_frees);
}

#define BAD_FREE(stmt, addr, what)                   \
	do {                                         \
		pmm_get_stats(&before);              \
		EXPECT_PANIC(stmt, hex(addr), what); \
		expect_caller();                     \
		expect_unchanged();                  \
	} while (0)

static void test_invalid_frees(void **state)
{
	uint64_t a, b, c, d, x, y;
	struct pmm_stats st;

	(void)state;
	assert_int_equal(fake_init(quirky, ARRAY_SIZE(quirky)), 0);
	a = pmm_alloc(2, PMM_PT);
	b = pmm_alloc(0, PMM_HEAP);
	c = pmm_alloc_pages(5, PMM_STACK); /* pieces: 4 pages + 1 page */
	d = pmm_alloc_pages(6, PMM_USER);  /* 4 + 2 */
	x = pmm_alloc(0, PMM_OTHER);
	pmm_free(x, 0, PMM_OTHER);
	assert_true(a && b && c && d);

	/* Not managed: page 0, reserved, a hole, ACPI, loader data, MMIO, beyond every span. */
	BAD_FREE(pmm_free(0, 0, PMM_PT), 0, "not memory the PMM manages");
	BAD_FREE(pmm_free(0x9F000, 0, PMM_PT), 0x9F000, "not memory the PMM manages");
	BAD_FREE(pmm_free(0xA0000, 0, PMM_PT), 0xA0000, "not memory the PMM manages");
	BAD_FREE(pmm_free(MiB(24) + PG(1), 0, PMM_PT), MiB(24) + PG(1), "not memory the PMM manages");
	BAD_FREE(pmm_free(MiB(25), 0, PMM_PT), MiB(25), "not memory the PMM manages");
	BAD_FREE(pmm_free(0xFEC00000, 0, PMM_PT), 0xFEC00000, "not memory the PMM manages");
	BAD_FREE(pmm_free(GiB(64), 0, PMM_PT), GiB(64), "not memory the PMM manages");
	BAD_FREE(pmm_free(F.base.meta_base + PAGE_SIZE, 0, PMM_PT), F.base.meta_base + PAGE_SIZE, "metadata");
	/* Misaligned. */
	BAD_FREE(pmm_free(a + 8, 0, PMM_PT), a + 8, "not aligned to order 0");
	BAD_FREE(pmm_free(a + PAGE_SIZE, 2, PMM_PT), a + PAGE_SIZE, "not aligned to order 2");
	/* Not allocated: double free, never allocated. */
	BAD_FREE(pmm_free(x, 0, PMM_OTHER), x, "not allocated");
	BAD_FREE(pmm_free(MiB(30), 0, PMM_OTHER), MiB(30), "double free?");
	/* Wrong order, inside an allocation. */
	BAD_FREE(pmm_free(a, 1, PMM_PT), a, "is an order-2 block, not order 1");
	if (!(a & (PG(8) - 1)))
		BAD_FREE(pmm_free(a, 3, PMM_PT), a, "is an order-2 block, not order 3");
	BAD_FREE(pmm_free(a + PG(2), 1, PMM_PT), a + PG(2), "inside the order-2 block");
	BAD_FREE(pmm_free(a + PG(1), 0, PMM_PT), a + PG(1), "inside the order-2 block");
	BAD_FREE(pmm_free(a, PMM_MAX_ORDER + 1, PMM_PT), a, "order 19 > 18");
	/* Runs: wrong size either way, a piece on its own, the run as a block. */
	BAD_FREE(pmm_free_pages(c, 6, PMM_STACK), c, "is an order-0 block, not order 1");
	BAD_FREE(pmm_free_pages(c, 4, PMM_STACK), c, "goes on at");
	BAD_FREE(pmm_free(c, 2, PMM_STACK), c, "goes on at");
	BAD_FREE(pmm_free(c + PG(4), 0, PMM_STACK), c + PG(4), "continues an allocation below it");
	BAD_FREE(pmm_free_pages(d, 5, PMM_USER), d, "not order 0");
	BAD_FREE(pmm_free_pages(d, 0, PMM_USER), d, "bad page count");
	BAD_FREE(pmm_free_pages(d, (1ULL << PMM_MAX_ORDER) + 1, PMM_USER), d, "bad page count");
	/* Two neighbouring single pages are not one run. */
	x = pmm_alloc(0, PMM_OTHER);
	y = pmm_alloc(0, PMM_OTHER);
	if (y == x + PAGE_SIZE && !(x & PAGE_SIZE))
		BAD_FREE(pmm_free_pages(x, 2, PMM_OTHER), x, "not order 1");
	pmm_free(x, 0, PMM_OTHER);
	pmm_free(y, 0, PMM_OTHER);
	/* Purpose: more pages than are in use for it, a bad purpose. */
	BAD_FREE(pmm_free(b, 0, PMM_OTHER), b, "only 0 pages are in use as other");
	BAD_FREE(pmm_free(a, 2, PMM_HEAP), a, "only 1 pages are in use as heap");
	BAD_FREE(pmm_free(b, 0, (enum pmm_purpose)7), b, NULL);
	EXPECT_PANIC(pmm_alloc(0, PMM_PURPOSES), "bad purpose", "caller 0x");
	/* The right frees still work, and everything is back. */
	pmm_free(a, 2, PMM_PT);
	pmm_free(b, 0, PMM_HEAP);
	pmm_free_pages(c, 5, PMM_STACK);
	pmm_free_pages(d, 6, PMM_USER);
	pmm_get_stats(&st);
	assert_memory_equal(st.free_blocks, F.base.free_blocks, ALL_ORDERS);
	assert_int_equal(live_sum(), 0);
	/* A run freed twice. */
	BAD_FREE(pmm_free_pages(c, 5, PMM_STACK), c, "double free?");
}

static void test_use_after_free(void **state)
{
	static uint64_t p[64], a;

	(void)state;
	a = 0;
	assert_int_equal(fake_init(quirky, ARRAY_SIZE(quirky)), 0);
	for (unsigned i = 0; i < ARRAY_SIZE(p); i++)
		p[i] = pmm_alloc(0, PMM_OTHER);
	/* Free all but a pair of buddies, then one of them: it stays an order-0 block, first on its list. */
	for (unsigned i = 1; i < ARRAY_SIZE(p) && !a; i++)
		if ((p[i] ^ p[i - 1]) == PAGE_SIZE)
			a = p[i];
	assert_true(a);
	for (unsigned i = 0; i < ARRAY_SIZE(p); i++)
		if (p[i] != a && p[i] != (a ^ PAGE_SIZE))
			pmm_free(p[i], 0, PMM_OTHER);
	pmm_free(a, 0, PMM_OTHER);
	memset(at(a), 0x77, 64); /* a stray write into the free page */
	EXPECT_PANIC(pmm_alloc(0, PMM_OTHER), hex(a), "overwritten");
}

static void test_add_range(void **state)
{
	static const struct mm_region m[] = {
		R(0, PG(4), LDATA),
		R(MiB(1), MiB(48), CONV),
		R(MiB(48), MiB(64), LDATA),
		R(MiB(64), MiB(64) + PG(16), ACPI),
		R(0xFEC00000, 0xFEC01000, MMIO),
		R(GiB(4), GiB(4) + MiB(16), CONV),
		R(GiB(4) + MiB(16), GiB(4) + MiB(20), LCODE),
	};
	struct pmm_stats st;
	uint64_t *pages, n;

	(void)state;
	assert_int_equal(fake_init(m, ARRAY_SIZE(m)), 0);
	assert_int_equal(F.base.spans, 2); /* [0, 1G) and [4G, 5G) */
	assert_int_equal(F.base.free_blocks[13], 0);
	assert_int_equal(F.base.free_blocks[12], 3); /* [16M, 32M), [32M, 48M), [4G, 4G + 16M) */
	assert_int_equal(pmm_add_range(MiB(48) + 1, MiB(64)), -EINVAL);
	assert_int_equal(pmm_add_range(MiB(48), MiB(64) - 8), -EINVAL);
	assert_int_equal(pmm_add_range(MiB(48), MiB(48)), -EINVAL);
	assert_int_equal(pmm_add_range(MiB(64), MiB(48)), -EINVAL);
	assert_int_equal(pmm_add_range(0, PAGE_SIZE), -EINVAL); /* page 0 is never managed: nothing left */
	assert_int_equal(pmm_add_range(MiB(2), MiB(3)), -EEXIST);
	assert_int_equal(pmm_add_range(MiB(47), MiB(49)), -EEXIST);
	assert_int_equal(pmm_add_range(MiB(47) + PG(1), MiB(48) + PG(1)), -EEXIST);
	assert_int_equal(pmm_add_range(F.base.meta_base, F.base.meta_base + PAGE_SIZE), -EEXIST);
	assert_int_equal(pmm_add_range(PG(4), MiB(1) + PAGE_SIZE), -EEXIST);
	assert_int_equal(pmm_add_range(GiB(16), GiB(16) + MiB(1)), -ERANGE);	    /* outside every span */
	assert_int_equal(pmm_add_range(GiB(5) - MiB(1), GiB(5) + MiB(1)), -ERANGE); /* runs off a span */
	assert_int_equal(pmm_add_range(GiB(1) - MiB(1), GiB(4) + MiB(1)), -ERANGE); /* across the gap */
	pmm_get_stats(&st);
	assert_memory_equal(&st, &F.base, sizeof(st)); /* all rejected: nothing changed */
	/* Loader data handed over: it merges with the conventional memory below it. */
	model_add(MiB(48), MiB(64));
	assert_int_equal(pmm_add_range(MiB(48), MiB(64)), 0);
	assert_int_equal(pmm_add_range(MiB(48), MiB(64)), -EEXIST);
	assert_int_equal(pmm_add_range(MiB(50), MiB(51)), -EEXIST);
	pmm_get_stats(&st);
	assert_int_equal(st.total_pages, F.base.total_pages + ((MiB(64) - MiB(48)) >> PAGE_SHIFT));
	assert_int_equal(st.free_blocks[13], 1); /* [32M, 64M) */
	assert_int_equal(st.free_blocks[12], 2);
	/* ACPI reclaim after the tables are copied, loader code at 4 GiB, loader data at 0 without page 0. */
	model_add(MiB(64), MiB(64) + PG(16));
	assert_int_equal(pmm_add_range(MiB(64), MiB(64) + PG(16)), 0);
	model_add(GiB(4) + MiB(16), GiB(4) + MiB(20));
	assert_int_equal(pmm_add_range(GiB(4) + MiB(16), GiB(4) + MiB(20)), 0);
	model_add(PG(1), PG(4));
	assert_int_equal(pmm_add_range(0, PG(4)), 0);
	pmm_get_stats(&F.base);
	expect_canonical();
	assert_int_equal(F.base.total_pages, F.upages);
	/* Everything added is allocatable, nothing else (page 0 would fault on the host). */
	n = drain(&pages);
	assert_int_equal(n, F.base.free_pages);
	free_shuffled(pages, n, PMM_USER);
	free(pages);
	expect_canonical();
}

/* Loader data taken over in place: allocated pages first, given back one by one, all of it merging. */
static void test_add_range_used(void **state)
{
	static const struct mm_region m[] = {
		R(MiB(1), MiB(48), CONV),
		R(MiB(48), MiB(64), LDATA),
	};
	const uint64_t a = MiB(48), n = (MiB(64) - MiB(48)) >> PAGE_SHIFT;
	struct pmm_stats st;

	(void)state;
	assert_int_equal(fake_init(m, ARRAY_SIZE(m)), 0);
	model_add(a, MiB(64));
	memset(at(a), 0x5a, MiB(16));
	assert_int_equal(pmm_add_range_used(a, MiB(64), PMM_PURPOSES), -EINVAL);
	assert_int_equal(pmm_add_range_used(0, PG(1), PMM_FILE), -EINVAL);
	assert_int_equal(pmm_add_range_used(a + 8, MiB(64), PMM_FILE), -EINVAL);
	assert_int_equal(pmm_add_range_used(MiB(47), MiB(49), PMM_FILE), -EEXIST);
	assert_int_equal(pmm_add_range_used(GiB(16), GiB(16) + PG(1), PMM_FILE), -ERANGE);
	assert_int_equal(pmm_add_range_used(a, MiB(64), PMM_FILE), 0);
	assert_int_equal(pmm_add_range_used(a, a + PG(1), PMM_FILE), -EEXIST);
	assert_int_equal(pmm_add_range(a, MiB(64)), -EEXIST);
	pmm_get_stats(&st);
	assert_int_equal(st.total_pages, F.base.total_pages + n);
	assert_int_equal(st.used_pages[PMM_FILE], n);
	assert_int_equal(st.free_pages, F.base.free_pages);
	assert_true(has_pattern(a, n, 0x5a)); /* nothing written into the pages */
	assert_int_equal(pmm_verify(), 0);
	/* Each page is an order-0 allocation: a bigger free, a free inside, a second free all panic. */
	EXPECT_PANIC(pmm_free(a, 1, PMM_FILE), hex(a), "not order 1");
	pmm_free(a + PG(1), 0, PMM_FILE);
	EXPECT_PANIC(pmm_free(a + PG(1), 0, PMM_FILE), hex(a + PG(1)), "double free");
	for (uint64_t i = 0; i < n; i++)
		if (i != 1)
			pmm_free(a + PG(i), 0, PMM_FILE);
	pmm_cache_init(0, 0); /* the page cache kept some: merge them too */
	pmm_get_stats(&st);
	assert_int_equal(st.used_pages[PMM_FILE], 0);
	assert_int_equal(st.free_pages, F.base.free_pages + n);
	F.base = st;
	expect_canonical();
}

static void test_names_and_stats(void **state)
{
	static const char *const want[PMM_PURPOSES] = { "pt", "heap", "stack", "user", "other", "file" };
	struct pmm_stats st;
	uint64_t p[PMM_PURPOSES];

	(void)state;
	for (unsigned i = 0; i < PMM_PURPOSES; i++)
		assert_string_equal(pmm_purpose_name((enum pmm_purpose)i), want[i]);
	assert_string_equal(pmm_purpose_name(PMM_PURPOSES), "?");
	assert_string_equal(pmm_purpose_name((enum pmm_purpose) - 1), "?");
	assert_int_equal(fake_init(quirky, ARRAY_SIZE(quirky)), 0);
	for (unsigned i = 0; i < PMM_PURPOSES; i++)
		p[i] = pmm_alloc_pages(i + 1, (enum pmm_purpose)i);
	pmm_get_stats(&st);
	for (unsigned i = 0; i < PMM_PURPOSES; i++)
		assert_int_equal(st.used_pages[i], i + 1);
	assert_int_equal(st.allocs, PMM_PURPOSES);
	assert_int_equal(st.free_pages, F.base.free_pages - PMM_PURPOSES * (PMM_PURPOSES + 1) / 2);
	assert_int_equal(live_sum(), PMM_PURPOSES * (PMM_PURPOSES + 1) / 2);
	for (unsigned i = 0; i < PMM_PURPOSES; i++)
		pmm_free_pages(p[i], i + 1, (enum pmm_purpose)i);
	pmm_get_stats(&st);
	assert_int_equal(st.frees, PMM_PURPOSES);
	assert_int_equal(st.free_pages, F.base.free_pages);
}

/* ---- the order-0 page cache --------------------------------------------------- */

static void cache_counts(uint64_t cached, uint64_t zeroed)
{
	struct pmm_stats st;

	pmm_get_stats(&st);
	assert_int_equal(st.cached_pages, cached);
	assert_int_equal(st.zeroed_pages, zeroed);
	assert_int_equal(pmm_verify(), 0);
}

static void test_page_cache(void **state)
{
	static const struct mm_region m[] = { R(MiB(1), MiB(1) + PG(64), CONV), R(MiB(2), MiB(8), CONV) };
	uint64_t pg[40], big, used_before;
	struct pmm_stats st;

	(void)state;
	assert_int_equal(fake_init(m, ARRAY_SIZE(m)), 0);
	pmm_cache_init(8, 16);
	cache_counts(0, 0);
	for (int i = 0; i < 20; i++) {
		pg[i] = pmm_alloc(0, PMM_USER);
		assert_true(pg[i] != 0);
		memset(at(pg[i]), 0x5A, PAGE_SIZE); /* dirty it */
	}
	/* The first 8 frees go to the cache, the rest to the buddy lists; all count as free. */
	for (int i = 0; i < 20; i++)
		pmm_free(pg[i], 0, PMM_USER);
	pmm_get_stats(&st);
	assert_int_equal(st.free_pages, F.base.free_pages);
	assert_int_equal(st.used_pages[PMM_USER], 0);
	assert_int_equal(st.frees, 20);
	cache_counts(8, 0);
	/* A cached page freed again: its own panic, nothing changed. */
	pmm_get_stats(&before);
	EXPECT_PANIC(pmm_free(pg[3], 0, PMM_USER), hex(pg[3]), "in the page cache (double free?)");
	expect_unchanged();
	/* A dirty cached page comes back cleared. */
	big = pmm_alloc(0, PMM_OTHER);
	assert_true(big == pg[7] && is_zero(big, 1)); /* last in, first out */
	pmm_free(big, 0, PMM_OTHER);
	cache_counts(8, 0);

	/* Idle zeroing: the 8 dirty pages first, then 8 from the buddy lists, up to the pool's 16. */
	assert_int_equal(pmm_zero_idle(100), 16);
	assert_int_equal(pmm_zero_idle(100), 0);
	cache_counts(16, 16);
	pmm_get_stats(&st);
	assert_int_equal(st.free_pages, F.base.free_pages);
	/* Order 0 takes zeroed pages, whole, no link word left behind. */
	used_before = st.used_pages[PMM_HEAP];
	for (int i = 0; i < 16; i++) {
		pg[i] = pmm_alloc(0, PMM_HEAP);
		assert_true(is_zero(pg[i], 1));
	}
	pmm_get_stats(&st);
	assert_int_equal(st.used_pages[PMM_HEAP], used_before + 16);
	cache_counts(0, 0);
	for (int i = 0; i < 16; i++)
		pmm_free(pg[i], 0, PMM_HEAP);
	cache_counts(8, 0);

	/* A page freed as zeroed goes to the zeroed pool and comes back without clearing. */
	{
		uint64_t z = pmm_alloc(0, PMM_PT), again;

		pmm_cache_init(8, 16);
		cache_counts(0, 0);
		pmm_free_zeroed(z, PMM_PT);
		cache_counts(1, 1);
		EXPECT_PANIC(pmm_free_zeroed(z, PMM_PT), hex(z), "in the page cache (double free?)");
		again = pmm_alloc(0, PMM_PT);
		assert_int_equal(again, z);
		assert_true(is_zero(again, 1));
		pmm_free(again, 0, PMM_PT);
		cache_counts(1, 0);
	}

	/* A large block the buddy lists cannot give without the cached pages drains the cache. */
	{
		uint64_t n, *all;

		pmm_cache_init(0, 0);
		expect_canonical();
		n = drain(&all);
		assert_int_equal(n, F.base.free_pages);
		pmm_cache_init(64, 0);
		for (uint64_t i = 0; i < 16; i++) /* 16 pages: a whole order-4 block, into the cache */
			pmm_free(all[i], 0, PMM_USER);
		cache_counts(16, 0);
		pmm_get_stats(&st);
		if (st.free_blocks[4] == 0 && (all[0] & (PG(16) - 1)) == 0) {
			bool run = true;

			for (uint64_t i = 1; i < 16; i++)
				run = run && all[i] == all[0] + PG(i);
			if (run) {
				big = pmm_alloc(4, PMM_OTHER);
				assert_int_equal(big, all[0]);
				cache_counts(0, 0);
				pmm_free(big, 4, PMM_OTHER);
			}
		}
		for (uint64_t i = 16; i < n; i++)
			pmm_free(all[i], 0, PMM_USER);
		free(all);
		pmm_cache_init(0, 0);
		pmm_get_stats(&st);
		assert_int_equal(st.free_pages, F.base.free_pages);
		assert_memory_equal(st.free_blocks, F.base.free_blocks, ALL_ORDERS);
		expect_canonical();
	}
	/* Out of memory with only cached pages left: order 0 still succeeds from the cache. */
	{
		uint64_t n, *all;

		pmm_cache_init(4, 0);
		n = drain(&all);
		assert_true(n > 4);
		for (int i = 0; i < 4; i++)
			pmm_free(all[i], 0, PMM_USER);
		for (int i = 0; i < 4; i++)
			assert_true(pmm_alloc(0, PMM_USER) != 0);
		pmm_get_stats(&st);
		uint64_t failures = st.failures;
		assert_int_equal(pmm_alloc(0, PMM_USER), 0);
		pmm_get_stats(&st);
		assert_int_equal(st.failures, failures + 1);
		pmm_cache_init(0, 0);
		free(all);
	}
}

/* ---- cost ----------------------------------------------------------------------- */

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Rough cost per operation, printed, not checked: the host's speed varies too much. */
static void test_cost(void **state)
{
	static const struct mm_region m[] = { R(MiB(1), GiB(1), CONV), R(GiB(4), GiB(8), CONV) };
	enum { PAIRS = 100000, BATCH = 16384, BIG = 20 };
	static uint64_t pages[BATCH];
	double t0, t1, t2, zero;

	(void)state;
	assert_int_equal(fake_init(m, ARRAY_SIZE(m)), 0);
	t0 = now_ns();
	for (int i = 0; i < PAIRS; i++)
		pmm_free(pmm_alloc(0, PMM_OTHER), 0, PMM_OTHER);
	t1 = now_ns();
	for (int i = 0; i < PAIRS; i++)
		memset(at(MiB(600)), 0, PAGE_SIZE);
	zero = (now_ns() - t1) / PAIRS;
	printf("[ pmm      ] order-0 alloc+free: %.0f ns a pair, of which %.0f ns zeroing the page\n",
	       (t1 - t0) / PAIRS, zero);
	for (int round = 0; round < 2; round++) { /* the first round pays for the host's page faults */
		t0 = now_ns();
		for (int i = 0; i < BATCH; i++)
			pages[i] = pmm_alloc(0, PMM_OTHER);
		t1 = now_ns();
		for (int i = 0; i < BATCH; i++)
			pmm_free(pages[i ^ 0x155], 0, PMM_OTHER);
		t2 = now_ns();
	}
	printf("[ pmm      ] %d pages allocated, then freed: %.0f ns an alloc (zeroing included), %.0f ns a free\n",
	       BATCH, (t1 - t0) / BATCH, (t2 - t1) / BATCH);
	t0 = now_ns();
	for (int i = 0; i < PAIRS / 10; i++)
		pmm_free_pages(pmm_alloc_pages(5, PMM_OTHER), 5, PMM_OTHER);
	t1 = now_ns();
	printf("[ pmm      ] alloc_pages(5)+free_pages: %.0f ns a pair\n", (t1 - t0) / (PAIRS / 10));
	t0 = now_ns();
	for (int i = 0; i < BIG; i++)
		pmm_free(pmm_alloc(9, PMM_OTHER), 9, PMM_OTHER);
	t1 = now_ns();
	printf("[ pmm      ] order-9 (2 MiB) alloc+free: %.0f us a pair, nearly all zeroing\n", (t1 - t0) / BIG / 1e3);
	assert_int_equal(live_sum(), 0);
	expect_canonical();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_init_errors, teardown),
		cmocka_unit_test_teardown(test_quirky_map, teardown),
		cmocka_unit_test_teardown(test_many_regions, teardown),
		cmocka_unit_test_teardown(test_sparse_64g, teardown),
		cmocka_unit_test_teardown(test_init_touches_little, teardown),
		cmocka_unit_test_teardown(test_max_order, teardown),
		cmocka_unit_test_teardown(test_random, teardown),
		cmocka_unit_test_teardown(test_invalid_frees, teardown),
		cmocka_unit_test_teardown(test_use_after_free, teardown),
		cmocka_unit_test_teardown(test_add_range, teardown),
		cmocka_unit_test_teardown(test_add_range_used, teardown),
		cmocka_unit_test_teardown(test_names_and_stats, teardown),
		cmocka_unit_test_teardown(test_page_cache, teardown),
		cmocka_unit_test_teardown(test_cost, teardown),
	};

	if (getenv("PMM_TEST"))
		cmocka_set_test_filter(getenv("PMM_TEST"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
