/* SPDX-License-Identifier: MIT */
/* lifetimes.h - mm.lifetimes: many process lifetimes, and nothing left behind (core/selftest/lifetimes.c). */
#ifndef ATLAS_LIFETIMES_H
#define ATLAS_LIFETIMES_H

/*
 * When tests= names mm.lifetimes (never through "all": it runs thousands of
 * processes): LIFETIMES_RUNS lifetimes of each kind, and the check that the
 * page allocator's free pages and the heap's bytes in use are back where
 * they were. Emits one {"rec":"lifetimes"} and one test per kind.
 */
void lifetimes_run(void);

#endif
