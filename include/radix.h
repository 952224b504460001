/* SPDX-License-Identifier: MIT */
/*
 * radix.h - a radix tree from 64-bit indices to pointers, 64 slots a node
 * (512 bytes, a heap slab object): a RAM file's pages by page index. Height
 * grows as higher indices are stored, so a sparse file costs nodes only
 * where it has data; lookups are O(height) <= 8 steps for any index below
 * 2^45. 64 slots, not the page-table shape's 512: a 512-slot node is 4 KiB,
 * which the heap serves as a two-page large block, and most RAM files are a
 * few pages long (the initramfs's 89 files held 178 heap pages that way).
 */
#ifndef ATLAS_RADIX_H
#define ATLAS_RADIX_H

#include <stddef.h>
#include <stdint.h>

#define RADIX_BITS 6
#define RADIX_SLOTS (1U << RADIX_BITS)
#define RADIX_INDEX_BITS 45 /* indices below 2^45 */
#define RADIX_MAX_HEIGHT ((RADIX_INDEX_BITS + RADIX_BITS - 1) / RADIX_BITS)

struct radix {
	void *root; /* height 0: NULL; else a node of RADIX_SLOTS pointers */
	int height;
};

/*
 * The pointer stored at index, or NULL. Inline: a RAM file's read and write
 * ask once a page, and a call is dear under TCG. A tree of height h holds
 * the indices below 2^(9h).
 */
static inline void *radix_lookup(const struct radix *r, uint64_t index)
{
	void *const *node = r->root;
	int h = r->height;

	if (!node || (h < 7 && index >> (RADIX_BITS * h)))
		return NULL;
	for (int level = h - 1; level > 0; level--) {
		node = node[(index >> (RADIX_BITS * level)) & (RADIX_SLOTS - 1)];
		if (!node)
			return NULL;
	}
	return node[index & (RADIX_SLOTS - 1)];
}

/* Store p (non-NULL) at index, which must be empty. Returns 0, -ENOMEM or -EFBIG (index too large). */
int radix_insert(struct radix *r, uint64_t index, void *p);

/*
 * Remove every entry at index >= from, calling fn on each (in index order),
 * and free the nodes that become empty. from 0 empties the tree.
 */
void radix_truncate(struct radix *r, uint64_t from, void (*fn)(void *p, void *ctx), void *ctx);

/* The first index >= from holding an entry, or UINT64_MAX (SEEK_DATA). */
uint64_t radix_next(const struct radix *r, uint64_t from);

#endif
