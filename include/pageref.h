/* SPDX-License-Identifier: MIT */
/*
 * pageref.h - how many address spaces share a user page (copy-on-write
 * after fork). A page with one owner, the common case, costs nothing: only
 * shared pages have an entry, in a hash table keyed by frame number, so the
 * memory this takes grows with what fork shares, not with RAM.
 *
 * Single CPU, kernel not preemptible: no lock.
 */
#ifndef ATLAS_PAGEREF_H
#define ATLAS_PAGEREF_H

#include <stdint.h>

/* One more owner of the page at phys. Returns 0 or -ENOMEM (nothing changed). */
int pageref_share(uint64_t phys);

/* One owner fewer. Returns 1 when the caller was the last (it frees the page), else 0. */
int pageref_drop(uint64_t phys);

/* Owners of the page (1 when it has no entry). */
unsigned pageref_count(uint64_t phys);

/* Pages with more than one owner now, and the table's size in slots (reports, tests). */
uint64_t pageref_shared_pages(void);
uint64_t pageref_slots(void);

#endif
