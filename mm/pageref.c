/* SPDX-License-Identifier: MIT */
/*
 * pageref.c - owners of shared user pages (include/pageref.h): an open-
 * addressing hash table (linear probing, deletion by backward shift, so no
 * tombstones) from frame number to the number of extra owners, grown by
 * doubling at half load and shrunk when it empties.
 */
#include "pageref.h"

#include "heap.h"
#include "kernel.h"
#include "kerrno.h"
#include "panic.h"

#define MIN_SLOTS 64
#define FRAME_SHIFT 12

struct slot {
	uint64_t pfn; /* 0: empty (frame 0 is never a user page) */
	uint32_t extra;
};

static struct slot *table;
static uint64_t nslots, used;

static uint64_t hash(uint64_t pfn)
{
	pfn ^= pfn >> 33;
	pfn *= 0xff51afd7ed558ccdULL;
	pfn ^= pfn >> 33;
	return pfn;
}

static struct slot *find(uint64_t pfn)
{
	if (!nslots)
		return NULL;
	for (uint64_t i = hash(pfn) & (nslots - 1);; i = (i + 1) & (nslots - 1)) {
		if (table[i].pfn == pfn)
			return &table[i];
		if (!table[i].pfn)
			return NULL;
	}
}

static void put_slot(struct slot *t, uint64_t n, uint64_t pfn, uint32_t extra)
{
	uint64_t i = hash(pfn) & (n - 1);

	while (t[i].pfn)
		i = (i + 1) & (n - 1);
	t[i].pfn = pfn;
	t[i].extra = extra;
}

static int resize(uint64_t n)
{
	struct slot *t = NULL;

	if (n) {
		t = kcalloc(n, sizeof(*t));
		if (!t)
			return -ENOMEM;
		for (uint64_t i = 0; i < nslots; i++)
			if (table[i].pfn)
				put_slot(t, n, table[i].pfn, table[i].extra);
	}
	kfree(table);
	table = t;
	nslots = n;
	return 0;
}

int pageref_share(uint64_t phys)
{
	uint64_t pfn = phys >> FRAME_SHIFT;
	struct slot *s = find(pfn);

	if (!pfn)
		panic("mm: sharing frame 0");
	if (s) {
		if (s->extra == UINT32_MAX)
			return -ENOMEM;
		s->extra++;
		return 0;
	}
	if ((used + 1) * 2 > nslots && resize(nslots ? nslots * 2 : MIN_SLOTS))
		return -ENOMEM;
	put_slot(table, nslots, pfn, 1);
	used++;
	return 0;
}

/* Remove slot i, moving later entries of its probe run back (no tombstones). */
static void remove_at(uint64_t i)
{
	uint64_t j = i;

	table[i].pfn = 0;
	for (;;) {
		uint64_t home;

		j = (j + 1) & (nslots - 1);
		if (!table[j].pfn)
			break;
		home = hash(table[j].pfn) & (nslots - 1);
		/* Move j back to i unless its home lies cyclically in (i, j]. */
		if ((j > i && (home <= i || home > j)) || (j < i && home <= i && home > j)) {
			table[i] = table[j];
			table[j].pfn = 0;
			i = j;
		}
	}
}

int pageref_drop(uint64_t phys)
{
	struct slot *s = find(phys >> FRAME_SHIFT);

	if (!s)
		return 1;
	if (--s->extra == 0) {
		remove_at((uint64_t)(s - table));
		used--;
		if (!used)
			resize(0);
	}
	return 0;
}

unsigned pageref_count(uint64_t phys)
{
	struct slot *s = find(phys >> FRAME_SHIFT);

	return s ? s->extra + 1 : 1;
}

uint64_t pageref_shared_pages(void)
{
	return used;
}

uint64_t pageref_slots(void)
{
	return nslots;
}
