/* SPDX-License-Identifier: MIT */
/*
 * pageref.c - owners of shared user pages (include/pageref.h): a count per
 * frame number, in a two-level array. The directory has one entry per
 * PAGEREF_CHUNK frames (8 MiB of physical memory); a chunk's counts (one
 * uint16_t per frame: the owners beyond the first) are a page from the PMM,
 * taken when the first frame in it gets a second owner and given back when
 * its last shared frame is down to one again. The page is all zeros then:
 * it goes to the PMM's zeroed pool and comes back from there without being
 * cleared, so a fork and exit that share and unshare a chunk's frames cost
 * no clearing, poisoning or heap work for it (as a heap block they were
 * most of a small fork's cost). Memory follows what fork shares, not RAM: none at
 * all while nothing is shared, 4 KiB per 8 MiB of physical memory that
 * holds a shared frame, plus the directory (16 bytes per 8 MiB of RAM, made
 * at boot by pageref_init; grown by doubling for a frame above it, kept).
 *
 * Looking a frame up is two loads (Linux keeps the count in struct page,
 * indexed by pfn, for the same reason): fork adds an owner to every page it
 * shares and exit drops one from each, so the cost per page is what makes
 * fork and exit of a large process cheap or not. The hash table this
 * replaced (probe, grow by rehashing) cost several times as much per page.
 */
#include "pageref.h"

#include "heap.h"
#include "kernel.h"
#include "kerrno.h"
#include "kstring.h"
#include "memlayout.h"
#include "panic.h"
#include "pmm.h"

#define FRAME_SHIFT 12
#define MIN_DIR 8

struct chunk {
	uint16_t *extra; /* PAGEREF_CHUNK counts, or NULL: no frame in the chunk is shared */
	uint32_t shared; /* frames in the chunk with extra > 0 */
};

_Static_assert(PAGEREF_CHUNK * sizeof(uint16_t) == PAGE_SIZE, "a chunk of counts is one page");

static struct chunk *dir;
static uint64_t ndir, shared_pages, chunks;

/* Make the directory reach chunk c (doubling). Returns 0 or -ENOMEM (nothing changed). */
static int grow_dir(uint64_t c)
{
	uint64_t n = ndir ? ndir : MIN_DIR;
	struct chunk *d;

	while (n <= c)
		n *= 2;
	d = kcalloc(n, sizeof(*d));
	if (!d)
		return -ENOMEM;
	if (dir)
		memcpy(d, dir, ndir * sizeof(*d));
	kfree(dir);
	dir = d;
	ndir = n;
	return 0;
}

int pageref_init(uint64_t top)
{
	uint64_t c = (top >> FRAME_SHIFT) / PAGEREF_CHUNK;

	return c >= ndir ? grow_dir(c) : 0;
}

int pageref_share(uint64_t phys)
{
	uint64_t pfn = phys >> FRAME_SHIFT, c = pfn / PAGEREF_CHUNK;
	struct chunk *ch;
	uint16_t *e;

	if (!pfn)
		panic("mm: sharing frame 0");
	if (c >= ndir && grow_dir(c))
		return -ENOMEM;
	ch = &dir[c];
	if (!ch->extra) {
		uint64_t pa = pmm_alloc(0, PMM_OTHER); /* zeroed */

		if (!pa)
			return -ENOMEM;
		ch->extra = PHYS_TO_DIRECT(pa);
		chunks++;
	}
	e = &ch->extra[pfn % PAGEREF_CHUNK];
	if (*e == UINT16_MAX)
		return -ENOMEM; /* 65,536 owners: more than THREADS_MAX processes can be */
	if (!(*e)++) {
		ch->shared++;
		shared_pages++;
	}
	return 0;
}

int pageref_drop(uint64_t phys)
{
	uint64_t pfn = phys >> FRAME_SHIFT, c = pfn / PAGEREF_CHUNK;
	struct chunk *ch;
	uint16_t *e;

	if (c >= ndir || !dir[c].extra)
		return 1;
	ch = &dir[c];
	e = &ch->extra[pfn % PAGEREF_CHUNK];
	if (!*e)
		return 1;
	if (!--*e) {
		shared_pages--;
		if (!--ch->shared) {
			pmm_free_zeroed(DIRECT_TO_PHYS(ch->extra), PMM_OTHER); /* every count is 0 again */
			ch->extra = NULL;
			chunks--;
		}
	}
	return 0;
}

unsigned pageref_count(uint64_t phys)
{
	uint64_t pfn = phys >> FRAME_SHIFT, c = pfn / PAGEREF_CHUNK;

	if (c >= ndir || !dir[c].extra)
		return 1;
	return dir[c].extra[pfn % PAGEREF_CHUNK] + 1U;
}

uint64_t pageref_shared_pages(void)
{
	return shared_pages;
}

uint64_t pageref_bytes(void)
{
	return ndir * sizeof(*dir) + chunks * PAGEREF_CHUNK * sizeof(uint16_t);
}
