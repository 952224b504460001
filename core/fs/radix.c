/* SPDX-License-Identifier: MIT */
/* radix.c - the radix tree of include/radix.h. Nodes are kzalloc'd arrays of RADIX_SLOTS pointers. */
#include "radix.h"

#include "heap.h"
#include "kerrno.h"

#define SLOT(index, level) (((index) >> (RADIX_BITS * (level))) & (RADIX_SLOTS - 1))

/* Indices a tree of height h can hold: [0, 2^(RADIX_BITS h)). */
static uint64_t capacity(int h)
{
	if (!h)
		return 0; /* the empty tree */
	return RADIX_BITS * h >= 64 ? UINT64_MAX : 1ULL << (RADIX_BITS * h);
}

int radix_insert(struct radix *r, uint64_t index, void *p)
{
	void **node;

	if (index >> RADIX_INDEX_BITS)
		return -EFBIG;
	while (index >= capacity(r->height)) {
		void **top;

		top = kzalloc(RADIX_SLOTS * sizeof(void *));
		if (!top)
			return -ENOMEM;
		top[0] = r->root; /* NULL for an empty tree: fine */
		r->root = top;
		r->height++;
	}
	node = r->root;
	for (int level = r->height - 1; level > 0; level--) {
		void **next = node[SLOT(index, level)];

		if (!next) {
			next = kzalloc(RADIX_SLOTS * sizeof(void *));
			if (!next)
				return -ENOMEM;
			node[SLOT(index, level)] = next;
		}
		node = next;
	}
	if (node[SLOT(index, 0)])
		return -EEXIST;
	node[SLOT(index, 0)] = p;
	return 0;
}

/* Remove entries >= from under node (covering [base, base + 2^(RADIX_BITS (level + 1)))); 1 when node is now empty. */
static int trunc_node(void **node, int level, uint64_t base, uint64_t from, void (*fn)(void *, void *), void *ctx)
{
	uint64_t span = 1ULL << (RADIX_BITS * level);
	int empty = 1;

	for (unsigned i = 0; i < RADIX_SLOTS; i++) {
		uint64_t lo = base + i * span;

		if (!node[i])
			continue;
		if (lo + span <= from) {
			empty = 0; /* wholly below the cut */
			continue;
		}
		if (level == 0) {
			fn(node[i], ctx);
			node[i] = 0;
		} else if (trunc_node(node[i], level - 1, lo, from, fn, ctx)) {
			kfree(node[i]);
			node[i] = 0;
		} else {
			empty = 0;
		}
	}
	return empty;
}

void radix_truncate(struct radix *r, uint64_t from, void (*fn)(void *p, void *ctx), void *ctx)
{
	if (!r->root || from >= capacity(r->height))
		return;
	if (trunc_node(r->root, r->height - 1, 0, from, fn, ctx)) {
		kfree(r->root);
		r->root = 0;
		r->height = 0;
	}
}

static uint64_t next_in(void *const *node, int level, uint64_t base, uint64_t from)
{
	uint64_t span = 1ULL << (RADIX_BITS * level);

	for (unsigned i = 0; i < RADIX_SLOTS; i++) {
		uint64_t lo = base + i * span, r;

		if (!node[i] || lo + span <= from)
			continue;
		if (level == 0)
			return lo;
		r = next_in(node[i], level - 1, lo, from);
		if (r != UINT64_MAX)
			return r;
	}
	return UINT64_MAX;
}

uint64_t radix_next(const struct radix *r, uint64_t from)
{
	if (!r->root || from >= capacity(r->height))
		return UINT64_MAX;
	return next_in(r->root, r->height - 1, 0, from);
}
