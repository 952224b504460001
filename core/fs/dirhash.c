/* SPDX-License-Identifier: MIT */
/* dirhash.c - the bucket array of a directory's name hash (include/dirhash.h). */
#include "dirhash.h"

#include "heap.h"
#include "kerrno.h"

/* Move every node into a new array of nb buckets; on -ENOMEM h is unchanged. */
static int rehash(struct dirhash *h, uint32_t nb)
{
	struct dh_node **nbk = kcalloc(nb, sizeof(*nbk));

	if (!nbk)
		return -ENOMEM;
	for (uint32_t i = 0; i < h->nbuckets; i++) {
		struct dh_node *node = h->bucket[i], *next;

		for (; node; node = next) {
			struct dh_node **slot = &nbk[node->hash & (nb - 1)];

			next = node->next;
			node->next = *slot;
			*slot = node;
		}
	}
	kfree(h->bucket);
	h->bucket = nbk;
	h->nbuckets = nb;
	return 0;
}

int dirhash_insert(struct dirhash *h, struct dh_node *node, uint32_t hash)
{
	struct dh_node **slot;

	if (!h->bucket) {
		if (rehash(h, DIRHASH_MIN_BUCKETS))
			return -ENOMEM;
	} else if (h->n >= h->nbuckets && h->nbuckets <= UINT32_MAX / 2) {
		(void)rehash(h, h->nbuckets * 2); /* out of memory: chains grow instead */
	}
	node->hash = hash;
	slot = &h->bucket[hash & (h->nbuckets - 1)];
	node->next = *slot;
	*slot = node;
	h->n++;
	return 0;
}

void dirhash_remove(struct dirhash *h, struct dh_node *node)
{
	struct dh_node **p = &h->bucket[node->hash & (h->nbuckets - 1)];

	while (*p != node)
		p = &(*p)->next;
	*p = node->next;
	node->next = NULL;
	if (--h->n == 0) {
		dirhash_free(h);
		return;
	}
	if (h->nbuckets > DIRHASH_MIN_BUCKETS && h->n < h->nbuckets / 8)
		(void)rehash(h, h->nbuckets / 2); /* out of memory: keep the bigger array */
}

void dirhash_free(struct dirhash *h)
{
	kfree(h->bucket);
	h->bucket = NULL;
	h->nbuckets = 0;
	h->n = 0;
}
