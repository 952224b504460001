/* SPDX-License-Identifier: MIT */
/*
 * pageref.h - how many address spaces share a user page (copy-on-write
 * after fork). A page with one owner, the common case, costs nothing: the
 * counts live in a two-level array indexed by frame number whose chunks
 * (PAGEREF_CHUNK frames each) exist only while a frame in them is shared, so
 * the memory this takes grows with what fork shares, not with RAM, and a
 * lookup is two loads.
 *
 * Single CPU, kernel not preemptible: no lock.
 */
#ifndef ATLAS_PAGEREF_H
#define ATLAS_PAGEREF_H

#include <stdint.h>

/* Frames per chunk of counts: one 4 KiB allocation of uint16_t, 8 MiB of physical memory. */
#define PAGEREF_CHUNK 2048

/*
 * At boot, after heap_init: the directory for every frame below top (the end
 * of RAM), so that fork's first sharing allocates no structure that stays
 * (a process lifetime then leaves the heap as it found it). Returns 0 or
 * -ENOMEM (the directory then grows on demand, as for frames above top).
 */
int pageref_init(uint64_t top);

/* One more owner of the page at phys. Returns 0 or -ENOMEM (nothing changed; also at 65,536 owners). */
int pageref_share(uint64_t phys);

/* One owner fewer. Returns 1 when the caller was the last (it frees the page), else 0. */
int pageref_drop(uint64_t phys);

/* Owners of the page (1 when it has no entry). */
unsigned pageref_count(uint64_t phys);

/* Pages with more than one owner now, and the bytes the counts take (directory and chunks). */
uint64_t pageref_shared_pages(void);
uint64_t pageref_bytes(void);

#endif
