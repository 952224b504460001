/* SPDX-License-Identifier: MIT */
/*
 * dirhash.h - a chained hash table of directory entries by name (ramfs
 * lookups: a 100-entry directory was a list scan with a memcmp per entry of
 * the same length). Intrusive: the entry embeds a struct dh_node and the
 * caller compares names, so the table allocates only its bucket array. The
 * buckets double when entries outnumber them and halve when entries fall
 * below an eighth of them; a failed resize keeps the old array (longer
 * chains, same answers).
 */
#ifndef ATLAS_DIRHASH_H
#define ATLAS_DIRHASH_H

#include <stddef.h>
#include <stdint.h>

#define DIRHASH_MIN_BUCKETS 8

struct dh_node {
	struct dh_node *next;
	uint32_t hash;
};

struct dirhash {
	struct dh_node **bucket; /* nbuckets slots, a power of two; NULL while empty */
	uint32_t nbuckets, n;
};

/* The hash of a name (FNV-1a, 32 bits): what dirhash_insert and dirhash_first take. */
static inline uint32_t dirhash_name(const char *name, size_t len)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (uint8_t)name[i]) * 16777619u;
	return h;
}

/* Add node under hash. 0, or -ENOMEM when the first bucket array cannot be allocated. */
int dirhash_insert(struct dirhash *h, struct dh_node *node, uint32_t hash);

/* Take node (which must be in h) out. Never fails. */
void dirhash_remove(struct dirhash *h, struct dh_node *node);

/* The first node stored under hash, or NULL; then dirhash_next for the others with that hash. */
static inline struct dh_node *dirhash_next(struct dh_node *node, uint32_t hash)
{
	while (node && node->hash != hash)
		node = node->next;
	return node;
}

static inline struct dh_node *dirhash_first(const struct dirhash *h, uint32_t hash)
{
	return h->bucket ? dirhash_next(h->bucket[hash & (h->nbuckets - 1)], hash) : NULL;
}

/* Free the bucket array (the nodes are the caller's). */
void dirhash_free(struct dirhash *h);

#endif
