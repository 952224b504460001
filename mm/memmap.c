/* SPDX-License-Identifier: MIT */
/*
 * memmap.c - the normalizer that turns the firmware's raw memory map into
 * sorted, non-overlapping regions (the types' names and uses are
 * mm/efimem.c's).
 *
 * memmap_normalize() allocates nothing; out[0..cap) is its only scratch space
 * and is never written at or past cap. n below is the number of kept
 * descriptors, R the number of regions in the result (R <= 2n - 1).
 *
 *   1. The raw map is already sorted and free of overlaps (the usual case):
 *      one pass over the raw map, merging as it goes. O(n), no scratch.
 *   2. Otherwise, if n <= cap, the descriptors are copied to out[] and
 *      heap-sorted by start; if that leaves no overlaps they are merged in
 *      place. O(n log n).
 *   3. Overlaps (or n > cap): the 32-bit indices of the kept descriptors are
 *      packed into the last ceil(n/4) entries of out[], heap-sorted by start
 *      and swept by address with a min-heap of ends and a max-heap of types;
 *      the regions go to the entries before them. O(n log n).
 *   4. A result too long to fit beside those indices (R > cap - ceil(n/4)),
 *      or no room for them at all: walk() builds the regions the sweep could
 *      not store straight from the raw map with O(1) extra space, at O(n)
 *      per elementary interval, O(n^2) at worst. cap >= R + ceil(n/4), and
 *      so any cap >= 2n - 1 + ceil(n/4), never gets here.
 *
 * The result depends only on the map: -ENOSPC exactly when the normalized map
 * has more than cap regions, whichever path ran. out[] holds garbage after an
 * error. On any return but -EINVAL, *stats is complete.
 */
#include "memmap.h"

#include "kerrno.h"
#include "kstring.h"

#define PAGE_MASK ((1ULL << EFI_PAGE_SHIFT) - 1)

/*
 * Where descriptors overlap, each byte gets the type of highest rank among
 * the descriptors covering it. The order is "how much harm if we are wrong
 * and the byte really is the other type": handing a byte to the page
 * allocator (or the OS) that firmware, a device or the platform still owns
 * corrupts something, while treating usable RAM as owned only wastes it.
 * So: free memory < memory that becomes free after ExitBootServices <
 * memory the loader decides about < ACPI tables (reclaimable once parsed) <
 * persistent memory (holds data across boots) < ACPI NVS and runtime
 * services (firmware keeps using them forever) < unaccepted memory (touching
 * it before acceptance faults the guest) < unusable (known bad RAM) <
 * PAL code < MMIO port space < MMIO (device registers: a write there is a
 * side effect, not storage) < reserved (firmware said "do not touch" without
 * saying why) < types we do not know at all, about which nothing is safe to
 * assume.
 */
#define RANK_UNKNOWN 13
static const uint8_t type_ranks[EFI_MAX_MEMORY_TYPE] = {
	[EFI_CONVENTIONAL_MEMORY] = 0,
	[EFI_BOOT_SERVICES_CODE] = 1,
	[EFI_BOOT_SERVICES_DATA] = 1,
	[EFI_LOADER_CODE] = 2,
	[EFI_LOADER_DATA] = 2,
	[EFI_ACPI_RECLAIM_MEMORY] = 3,
	[EFI_PERSISTENT_MEMORY] = 4,
	[EFI_ACPI_MEMORY_NVS] = 5,
	[EFI_RUNTIME_SERVICES_CODE] = 6,
	[EFI_RUNTIME_SERVICES_DATA] = 6,
	[EFI_UNACCEPTED_MEMORY] = 7,
	[EFI_UNUSABLE_MEMORY] = 8,
	[EFI_PAL_CODE] = 9,
	[EFI_MEMORY_MAPPED_IO_PORT_SPACE] = 10,
	[EFI_MEMORY_MAPPED_IO] = 11,
	[EFI_RESERVED_MEMORY_TYPE] = 12,
};

int memmap_check(size_t map_size, size_t desc_size)
{
	if (desc_size < sizeof(struct efi_mem_desc) || map_size % desc_size)
		return -EINVAL;
	return 0;
}

static unsigned type_rank(uint32_t type)
{
	return type < EFI_MAX_MEMORY_TYPE ? type_ranks[type] : RANK_UNKNOWN;
}

/*
 * Does (ta, aa) win over (tb, ab) where both cover a byte? Rank first. Equal
 * ranks (BS_Code vs BS_Data, two unknown types, one type with two attribute
 * sets) need some total order only so that the result does not depend on the
 * order of the descriptors: the larger type number, then the numerically
 * larger attr, which keeps EFI_MEMORY_RUNTIME (bit 63) - the one attribute
 * whose loss breaks something.
 */
static int key_beats(uint32_t ta, uint64_t aa, uint32_t tb, uint64_t ab)
{
	unsigned ra = type_rank(ta), rb = type_rank(tb);

	if (ra != rb)
		return ra > rb;
	if (ta != tb)
		return ta > tb;
	return aa > ab;
}

enum { DESC_OK, DESC_ZERO, DESC_BAD };

/*
 * Read descriptor i into *r. memcpy because the buffer may be unaligned and
 * desc_size need not be a multiple of 8. A range is impossible when its start
 * is not page aligned or its end does not fit in 64 bits; an end of exactly
 * 2^64 does not fit either, as [start, end) could not represent it.
 */
static int load_desc(const void *raw, size_t desc_size, size_t i, struct mm_region *r)
{
	struct efi_mem_desc d;

	memcpy(&d, (const unsigned char *)raw + i * desc_size, sizeof(d));
	if (d.num_pages == 0)
		return DESC_ZERO;
	if ((d.phys_start & PAGE_MASK) || d.num_pages > (UINT64_MAX - d.phys_start) >> EFI_PAGE_SHIFT)
		return DESC_BAD;
	r->start = d.phys_start;
	r->end = d.phys_start + (d.num_pages << EFI_PAGE_SHIFT);
	r->attr = d.attr;
	r->type = d.type;
	r->flags = 0;
	return DESC_OK;
}

/* Collects pieces in address order, merges what can be merged, stores out[0..limit). */
struct emitter {
	struct mm_region *out;
	size_t limit;
	size_t count; /* regions finished, stored or not */
	struct mm_region cur;
	int have_cur;
};

static void emit_flush(struct emitter *em)
{
	if (!em->have_cur)
		return;
	if (em->count < em->limit)
		em->out[em->count] = em->cur;
	em->count++;
	em->have_cur = 0;
}

static void emit(struct emitter *em, uint64_t start, uint64_t end, uint32_t type, uint64_t attr, uint32_t flags)
{
	struct mm_region *c = &em->cur;

	if (em->have_cur && c->end == start && c->type == type && c->attr == attr && c->flags == flags) {
		c->end = end;
		return;
	}
	emit_flush(em);
	c->start = start;
	c->end = end;
	c->attr = attr;
	c->type = type;
	c->flags = flags;
	em->have_cur = 1;
}

static void emitter_init(struct emitter *em, struct mm_region *out, size_t limit)
{
	em->out = out;
	em->limit = limit;
	em->count = 0;
	em->have_cur = 0;
}

static void region_swap(struct mm_region *a, struct mm_region *b)
{
	struct mm_region t = *a;

	*a = *b;
	*b = t;
}

static void sort_sift(struct mm_region *a, size_t root, size_t n)
{
	for (;;) {
		size_t child = 2 * root + 1;

		if (child >= n)
			return;
		if (child + 1 < n && a[child + 1].start > a[child].start)
			child++;
		if (a[root].start >= a[child].start)
			return;
		region_swap(&a[root], &a[child]);
		root = child;
	}
}

/* Heap sort by start: in place, iterative, O(n log n) at worst. */
static void sort_by_start(struct mm_region *a, size_t n)
{
	size_t i;

	if (n < 2)
		return;
	for (i = n / 2; i-- > 0;)
		sort_sift(a, i, n);
	for (i = n - 1; i > 0; i--) {
		region_swap(&a[0], &a[i]);
		sort_sift(a, 0, i);
	}
}

/*
 * The sweep works on 32-bit indices of raw descriptors, kept in out[] eight
 * to an entry and accessed through the struct members (no type punning, so
 * nothing here depends on -fno-strict-aliasing). Positions [0, n) are the
 * kept descriptors sorted by start; positions [n, 2n) hold the key heap.
 */
static uint32_t ix_get(const struct mm_region *t, size_t j)
{
	const struct mm_region *r = &t[j / 8];

	switch (j % 8) {
	case 0:
		return (uint32_t)r->start;
	case 1:
		return (uint32_t)(r->start >> 32);
	case 2:
		return (uint32_t)r->end;
	case 3:
		return (uint32_t)(r->end >> 32);
	case 4:
		return (uint32_t)r->attr;
	case 5:
		return (uint32_t)(r->attr >> 32);
	case 6:
		return r->type;
	default:
		return r->flags;
	}
}

static void set_half(uint64_t *f, int hi, uint32_t v)
{
	if (hi)
		*f = (*f & 0xFFFFFFFFULL) | (uint64_t)v << 32;
	else
		*f = (*f & ~0xFFFFFFFFULL) | v;
}

static void ix_set(struct mm_region *t, size_t j, uint32_t v)
{
	struct mm_region *r = &t[j / 8];

	switch (j % 8) {
	case 0:
	case 1:
		set_half(&r->start, j % 8 == 1, v);
		break;
	case 2:
	case 3:
		set_half(&r->end, j % 8 == 3, v);
		break;
	case 4:
	case 5:
		set_half(&r->attr, j % 8 == 5, v);
		break;
	case 6:
		r->type = v;
		break;
	default:
		r->flags = v;
		break;
	}
}

enum { BY_START, BY_END, BY_KEY };

/* A binary heap of descriptor indices at positions base.. of t, ordered by mode. */
struct heap {
	struct mm_region *t;
	size_t base;
	const void *raw;
	size_t desc_size;
	int mode;
};

static struct mm_region desc_at(const struct heap *h, uint32_t i)
{
	struct mm_region r;

	load_desc(h->raw, h->desc_size, i, &r); /* only kept descriptors are indexed */
	return r;
}

/* Belongs x above y? BY_START is a max-heap (for sorting), BY_END a min-heap, BY_KEY has the winner on top. */
static int hp_above(const struct heap *h, const struct mm_region *x, const struct mm_region *y)
{
	switch (h->mode) {
	case BY_START:
		return x->start > y->start;
	case BY_END:
		return x->end < y->end;
	default:
		return key_beats(x->type, x->attr, y->type, y->attr);
	}
}

static uint32_t hp_get(const struct heap *h, size_t j)
{
	return ix_get(h->t, h->base + j);
}

static void hp_set(const struct heap *h, size_t j, uint32_t v)
{
	ix_set(h->t, h->base + j, v);
}

/* Sift node j of a heap of n down. Each descriptor is read once per level: the raw map is what is slow to reach. */
static void hp_down(const struct heap *h, size_t j, size_t n)
{
	uint32_t v = hp_get(h, j);
	struct mm_region vr = desc_at(h, v);

	for (;;) {
		size_t c = 2 * j + 1;
		uint32_t cv;
		struct mm_region cr;

		if (c >= n)
			break;
		cv = hp_get(h, c);
		cr = desc_at(h, cv);
		if (c + 1 < n) {
			uint32_t dv = hp_get(h, c + 1);
			struct mm_region dr = desc_at(h, dv);

			if (hp_above(h, &dr, &cr)) {
				c++;
				cv = dv;
				cr = dr;
			}
		}
		if (!hp_above(h, &cr, &vr))
			break;
		hp_set(h, j, cv);
		j = c;
	}
	hp_set(h, j, v);
}

static void hp_push(const struct heap *h, size_t *size, uint32_t v)
{
	struct mm_region vr = desc_at(h, v);
	size_t j = (*size)++;

	while (j > 0) {
		size_t p = (j - 1) / 2;
		uint32_t pv = hp_get(h, p);
		struct mm_region pr = desc_at(h, pv);

		if (!hp_above(h, &vr, &pr))
			break;
		hp_set(h, j, pv);
		j = p;
	}
	hp_set(h, j, v);
}

static void hp_pop(const struct heap *h, size_t *size)
{
	size_t n = --(*size);

	hp_set(h, 0, hp_get(h, n));
	hp_down(h, 0, n);
}

/*
 * Sweep the n kept descriptors (indices at t[0..n), in any order) from low to
 * high addresses. They are heap-sorted by start first. Then at each boundary
 * the active set is exact (a min-heap of ends, kept in the already consumed
 * part of the sorted array: after i descriptors are taken it has at most i
 * nodes), the winner is the top of the key heap (stale entries are dropped
 * only when they reach the top), and the piece up to the next start or end
 * is emitted. Returns the number of overlapping pairs: each descriptor, when
 * it starts, overlaps exactly the ones active at that moment.
 */
static size_t sweep(struct mm_region *t, size_t n, const void *raw, size_t desc_size, struct emitter *em)
{
	struct heap srt = { t, 0, raw, desc_size, BY_START };
	struct heap eh = { t, 0, raw, desc_size, BY_END };
	struct heap kh = { t, n, raw, desc_size, BY_KEY };
	struct mm_region nx;
	size_t i, esz = 0, ksz = 0, pairs = 0;
	uint64_t pos, next;

	for (i = n / 2; i-- > 0;)
		hp_down(&srt, i, n);
	for (i = n - 1; i > 0; i--) {
		uint32_t top = hp_get(&srt, 0);

		hp_set(&srt, 0, hp_get(&srt, i));
		hp_set(&srt, i, top);
		hp_down(&srt, 0, i);
	}

	i = 0;
	nx = desc_at(&srt, hp_get(&srt, 0)); /* the next descriptor to start, while i < n */
	pos = nx.start;
	for (;;) {
		struct mm_region top;

		while (esz && desc_at(&eh, hp_get(&eh, 0)).end <= pos)
			hp_pop(&eh, &esz);
		while (i < n && nx.start == pos) {
			uint32_t x = hp_get(&srt, i); /* read before the end heap may grow into position i */

			pairs += esz;
			if (++i < n)
				nx = desc_at(&srt, hp_get(&srt, i));
			hp_push(&eh, &esz, x);
			hp_push(&kh, &ksz, x);
		}
		if (!esz) {
			if (i == n)
				break;
			pos = nx.start;
			continue;
		}
		while ((top = desc_at(&kh, hp_get(&kh, 0))).end <= pos)
			hp_pop(&kh, &ksz); /* terminates: every active descriptor is in the key heap */
		next = desc_at(&eh, hp_get(&eh, 0)).end;
		if (i < n && nx.start < next)
			next = nx.start;
		emit(em, pos, next, top.type, top.attr, esz > 1 ? MMR_OVERLAP : 0);
		pos = next;
	}
	emit_flush(em);
	return pairs;
}

/*
 * The fallback: the same regions as sweep(), from the raw map alone, for the
 * part of the address space at and above `from` (a region boundary). Each
 * step scans every descriptor for the winner at pos and the next boundary.
 * Overlapping pairs are counted at the later start - `born` descriptors start
 * at pos, `cover` started earlier and still cover it - so the count is only
 * complete when from is 0.
 */
static size_t walk(const void *raw, size_t desc_size, size_t count, struct emitter *em, uint64_t from)
{
	struct mm_region r;
	uint64_t pos = from;
	size_t i, pairs = 0;

	for (;;) {
		size_t cover = 0, born = 0;
		uint64_t next = 0, best_attr = 0;
		uint32_t best_type = 0;
		int have_next = 0;

		for (i = 0; i < count; i++) {
			if (load_desc(raw, desc_size, i, &r) != DESC_OK || r.end <= pos)
				continue;
			if (r.start > pos) {
				if (!have_next || r.start < next)
					next = r.start;
				have_next = 1;
				continue;
			}
			if (!have_next || r.end < next)
				next = r.end;
			have_next = 1;
			if (!(cover + born) || key_beats(r.type, r.attr, best_type, best_attr)) {
				best_type = r.type;
				best_attr = r.attr;
			}
			if (r.start == pos)
				born++;
			else
				cover++;
		}
		if (born)
			pairs += born * cover + born * (born - 1) / 2;
		if (cover + born)
			emit(em, pos, next, best_type, best_attr, cover + born > 1 ? MMR_OVERLAP : 0);
		if (!have_next)
			break;
		pos = next;
	}
	emit_flush(em);
	return pairs;
}

long memmap_normalize(const void *raw, size_t map_size, size_t desc_size, struct mm_region *out, size_t cap,
		      struct memmap_stats *stats)
{
	struct memmap_stats st = { 0 };
	struct mm_region r, prev = { 0 };
	struct emitter em;
	size_t count, i, n = 0, k, tail, limit;
	uint64_t from = 0;
	int clean = 1;

	if (stats)
		*stats = st;
	if (memmap_check(map_size, desc_size))
		return -EINVAL;
	count = map_size / desc_size;
	if ((count && !raw) || (cap && !out))
		return -EINVAL;

	/* "Unsorted" compares with the previous kept descriptor: skipped ones carry no meaningful address. */
	st.raw_count = count;
	for (i = 0; i < count; i++) {
		switch (load_desc(raw, desc_size, i, &r)) {
		case DESC_ZERO:
			st.zero_pages++;
			continue;
		case DESC_BAD:
			st.bad_ranges++;
			continue;
		}
		if (r.type >= EFI_MAX_MEMORY_TYPE)
			st.unknown_type++;
		if (n && r.start < prev.start)
			st.unsorted++;
		if (n && r.start < prev.end)
			clean = 0;
		prev = r;
		n++;
	}

	/* Path 1: already sorted, no overlaps. */
	if (clean) {
		emitter_init(&em, out, cap);
		for (i = 0; i < count; i++)
			if (load_desc(raw, desc_size, i, &r) == DESC_OK)
				emit(&em, r.start, r.end, r.type, r.attr, 0);
		emit_flush(&em);
		goto done;
	}

	/* Path 2: sort copies in out[]; done if that leaves no overlaps. */
	if (n <= cap) {
		for (i = 0, k = 0; i < count; i++)
			if (load_desc(raw, desc_size, i, &out[k]) == DESC_OK)
				k++;
		sort_by_start(out, n);
		for (i = 1; i < n && out[i].start >= out[i - 1].end; i++)
			;
		if (i == n) {
			/* Merge in place: the write index never passes the read index. */
			emitter_init(&em, out, cap);
			for (i = 0; i < n; i++) {
				r = out[i];
				emit(&em, r.start, r.end, r.type, r.attr, 0);
			}
			emit_flush(&em);
			goto done;
		}
	}

	/* Path 3: sweep, with 2n indices in the last `tail` entries of out[] and the regions before them. */
	tail = (2 * n + 7) / 8;
	if (tail <= cap && count <= UINT32_MAX) {
		struct mm_region *t = out + (cap - tail);

		memset(t, 0, tail * sizeof(*t));
		for (i = 0, k = 0; i < count; i++)
			if (load_desc(raw, desc_size, i, &r) == DESC_OK)
				ix_set(t, k++, (uint32_t)i);
		limit = cap - tail;
		emitter_init(&em, out, limit);
		st.overlaps = sweep(t, n, raw, desc_size, &em);
		if (em.count <= limit || em.count > cap)
			goto done;
		/* Path 4, part way: the first `limit` regions are final, rebuild the rest. */
		if (limit)
			from = out[limit - 1].end;
		emitter_init(&em, out, cap);
		em.count = limit;
		walk(raw, desc_size, count, &em, from);
		goto done;
	}

	/* Path 4: no room for the sweep at all. */
	emitter_init(&em, out, cap);
	st.overlaps = walk(raw, desc_size, count, &em, 0);
done:
	if (stats)
		*stats = st;
	return em.count > cap ? -ENOSPC : (long)em.count;
}
