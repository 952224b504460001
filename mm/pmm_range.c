/* SPDX-License-Identifier: MIT */
/*
 * pmm_range.c - how the PMM takes memory over (see pmm.h for the
 * interface): pmm_init lays out the spans and their metadata from the
 * firmware map and frees the usable RAM into the buddy system (pmm.c);
 * pmm_add_range and pmm_add_range_used hand it more later, after checking
 * that none of it is owned yet (pmm_owns asks the same question). Apart from
 * the buddy system because it runs at boot and on rare hand-overs, never on
 * the allocation path.
 *
 * Spans start on a 1 GiB boundary and end on a 2 MiB one (pmm.c's top
 * comment says why); only the metadata (zeroed here, the one init cost that
 * grows with RAM) and the first page of each small free block are written.
 */
#include "pmm.h"

#include <stdbool.h>

#include "kernel.h"
#include "kerrno.h"
#include "kstring.h"
#include "panic.h"
#include "pmm_internal.h"

/* Is any bit in [a, b) set? Whole zero words are skipped. */
static bool any_bit(const uint64_t *m, uint64_t a, uint64_t b)
{
	while (a < b) {
		if (a % WORD_BITS == 0 && b - a >= WORD_BITS && !m[a / WORD_BITS])
			a += WORD_BITS;
		else if (bit(m, a++))
			return true;
	}
	return false;
}

/*
 * Lay out a span's bitmaps and link table from *cursor on (if cursor is not
 * NULL); returns the words they take. head[k] has a bit for a last block that
 * would run past the span's end too (never set), so every index a page maps
 * to exists.
 */
static uint64_t span_bitmaps(struct span *s, uint64_t pages, uint64_t *cursor)
{
	uint64_t n = 3 * words(pages);

	if (cursor) {
		s->free = cursor;
		s->cont = cursor + words(pages);
		s->cached = cursor + 2 * words(pages);
	}
	for (unsigned k = 0; k < PMM_ORDERS; k++) {
		if (cursor)
			s->head[k] = cursor + n;
		n += words((pages + (1ULL << k) - 1) >> k);
	}
	if (cursor)
		s->links = (struct free_node *)(cursor + n);
	n += (pages >> PMM_LINK_ORDER) * (sizeof(struct free_node) / sizeof(uint64_t));
	return n;
}

/* ---- handing memory over ---------------------------------------------------- */

/* Free [a, b) (page aligned, inside one span, not owned yet): O(orders) blocks plus one per GiB. */
static void add_free(uint64_t a, uint64_t b)
{
	struct span *s = pmm_span_of(a);
	uint64_t i, end;

	if (!s || b > span_end(s))
		panic("mm: pmm range %#llx-%#llx is not inside one span", ULL(a), ULL(b));
	i = page_index(s, a);
	end = page_index(s, b);
	pmm.st.total_pages += end - i;
	while (i < end) {
		unsigned k = i ? (unsigned)__builtin_ctzll(i) : PMM_MAX_ORDER;

		if (k > PMM_MAX_ORDER)
			k = PMM_MAX_ORDER;
		while (i + (1ULL << k) > end)
			k--;
		pmm_free_block(s, i, k);
		i += 1ULL << k;
	}
}

/* Does the PMM own any page in [a, b) (page indices of s)? O(orders + (b - a) / 32) words. */
static bool owned(const struct span *s, uint64_t a, uint64_t b)
{
	uint64_t first;

	if (page_phys(s, a) < pmm.st.meta_base + (pmm.st.meta_pages << PAGE_SHIFT) &&
	    pmm.st.meta_base < page_phys(s, b))
		return true;
	if (pmm_block_of(s, a, &first) < PMM_ORDERS)
		return true;
	for (unsigned k = 0; k < PMM_ORDERS; k++) {
		uint64_t round = (1ULL << k) - 1;

		if (any_bit(s->head[k], (a + round) >> k, (b + round) >> k))
			return true;
	}
	return false;
}

/* The part of a region pmm_init hands to the allocator: [*a, *b), page aligned, no page 0. */
static bool usable_part(const struct mm_region *r, uint64_t *a, uint64_t *b)
{
	if (!efi_mem_type_is_free_after_ebs(r->type) || r->start >= PHYS_LIMIT)
		return false;
	*a = r->start < PAGE_SIZE ? PAGE_SIZE : ALIGN_UP(r->start, PAGE_SIZE);
	*b = r->end > PHYS_LIMIT ? PHYS_LIMIT : ALIGN_DOWN(r->end, PAGE_SIZE);
	return *a < *b;
}

/* The 1 GiB-aligned stretch [*a, *b) a span must cover for this region, if any. */
static bool span_part(const struct mm_region *r, uint64_t *a, uint64_t *b)
{
	bool later = r->type == EFI_LOADER_CODE || r->type == EFI_LOADER_DATA || r->type == EFI_ACPI_RECLAIM_MEMORY;

	if (!(efi_mem_type_is_free_after_ebs(r->type) || later) || r->start >= PHYS_LIMIT)
		return false;
	*a = ALIGN_DOWN(r->start, SPAN_SIZE);
	*b = ALIGN_UP(r->end > PHYS_LIMIT ? PHYS_LIMIT : r->end, LINK_SIZE);
	return true;
}

/* Count the spans and their bitmap words; unless out is NULL, fill out[0..total) and put the bitmaps after it. */
static size_t find_spans(const struct mm_region *r, size_t n, struct span *out, size_t total, uint64_t *nwords)
{
	size_t ns = 0;
	uint64_t a = 0, b = 0, lo = 0, hi = 0;

	*nwords = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && !span_part(&r[i], &a, &b))
			continue;
		if (i < n && hi && a <= ALIGN_UP(hi, SPAN_SIZE)) {
			hi = b > hi ? b : hi;
			continue;
		}
		if (hi) {
			struct span *s = out ? &out[ns] : NULL;

			if (s) {
				s->base = lo;
				s->pages = (hi - lo) >> PAGE_SHIFT;
			}
			*nwords += span_bitmaps(s, (hi - lo) >> PAGE_SHIFT,
						s ? (uint64_t *)(out + total) + *nwords : NULL);
			ns++;
		}
		lo = a;
		hi = b;
	}
	return ns;
}

/* Where the metadata goes: the first usable range with room, at or above 1 MiB if there is one. */
static uint64_t find_meta(const struct mm_region *r, size_t n, uint64_t bytes)
{
	uint64_t a, b;

	for (int low_ok = 0; low_ok < 2; low_ok++) {
		for (size_t i = 0; i < n; i++) {
			if (!usable_part(&r[i], &a, &b))
				continue;
			if (!low_ok && a < PHYS_LOW_MEM_END)
				a = PHYS_LOW_MEM_END;
			if (a < b && b - a >= bytes)
				return a;
		}
	}
	return 0;
}

int pmm_init(const struct mm_region *r, size_t n, uintptr_t phys_off)
{
	uint64_t nwords, bytes, meta, meta_end, a, b;
	size_t ns;

	memset(&pmm, 0, sizeof(pmm));
	pmm.off = phys_off;
	for (size_t i = 0; i < n; i++)
		if (r[i].start >= r[i].end || (i && r[i].start < r[i - 1].end))
			return -EINVAL;
	ns = find_spans(r, n, NULL, 0, &nwords);
	bytes = ALIGN_UP(ns * sizeof(struct span) + nwords * sizeof(uint64_t), PAGE_SIZE);
	meta = ns ? find_meta(r, n, bytes) : 0;
	if (!meta)
		return -ENOMEM;
	meta_end = meta + bytes;
	pmm_zero_pages(meta, bytes >> PAGE_SHIFT);
	pmm.spans = virt(meta);
	pmm.nspans = find_spans(r, n, pmm.spans, ns, &nwords);
	pmm.st.meta_base = meta;
	pmm.st.meta_pages = bytes >> PAGE_SHIFT;
	pmm.st.total_pages = pmm.st.meta_pages;
	for (size_t i = 0; i < n; i++) {
		if (!usable_part(&r[i], &a, &b))
			continue;
		if (a < meta)
			add_free(a, b < meta ? b : meta);
		if (b > meta_end)
			add_free(a > meta_end ? a : meta_end, b);
	}
	return 0;
}

/* Whether [start, end) lies in the spans and no page of it is the PMM's yet: 0, -ERANGE or -EEXIST. */
static int range_unowned(uint64_t start, uint64_t end)
{
	for (uint64_t a = start, b; a < end; a = b) {
		struct span *s = pmm_span_of(a);

		if (!s)
			return -ERANGE;
		b = end < span_end(s) ? end : span_end(s);
		if (owned(s, page_index(s, a), page_index(s, b)))
			return -EEXIST;
	}
	return 0;
}

int pmm_add_range(uint64_t start, uint64_t end)
{
	uint64_t a, b;
	struct span *s;
	int err;

	if ((start | end) & (PAGE_SIZE - 1) || start >= end)
		return -EINVAL;
	if (!start)
		start = PAGE_SIZE;
	if (start >= end)
		return -EINVAL;
	/* Check every piece first: a failure adds nothing. */
	err = range_unowned(start, end);
	if (err)
		return err;
	for (a = start; a < end; a = b) {
		s = pmm_span_of(a);
		b = end < span_end(s) ? end : span_end(s);
		add_free(a, b);
	}
	return 0;
}

int pmm_add_range_used(uint64_t start, uint64_t end, enum pmm_purpose p)
{
	uint64_t a, b, n = 0;
	struct span *s;
	int err;

	if ((unsigned)p >= PMM_PURPOSES || (start | end) & (PAGE_SIZE - 1) || start >= end || !start)
		return -EINVAL;
	err = range_unowned(start, end);
	if (err)
		return err;
	/* Each page an allocated order-0 block: a head bit, nothing written into the page. */
	for (a = start; a < end; a = b) {
		s = pmm_span_of(a);
		b = end < span_end(s) ? end : span_end(s);
		for (uint64_t i = page_index(s, a); i < page_index(s, b); i++)
			bit_set(s->head[0], i);
		n += (b - a) >> PAGE_SHIFT;
	}
	pmm.st.total_pages += n;
	pmm.st.used_pages[p] += n;
	return 0;
}

int pmm_owns(uint64_t start, uint64_t end)
{
	for (size_t i = 0; i < pmm.nspans; i++) {
		const struct span *sp = &pmm.spans[i];
		uint64_t a = start > sp->base ? start : sp->base, b = end < span_end(sp) ? end : span_end(sp);

		a = ALIGN_DOWN(a, PAGE_SIZE);
		b = ALIGN_UP(b, PAGE_SIZE);
		if (a < b && owned(sp, page_index(sp, a), page_index(sp, b)))
			return 1;
	}
	return 0;
}
