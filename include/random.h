/* SPDX-License-Identifier: MIT */
/* random.h - random numbers for AT_RANDOM and getrandom(). */
#ifndef ATLAS_RANDOM_H
#define ATLAS_RANDOM_H

#include <stddef.h>
#include <stdint.h>

/*
 * 64 random bits: RDSEED or RDRAND where the CPU has them (retried a bounded
 * number of times), else a xorshift generator seeded from the TSC. Not for
 * cryptography on CPUs without RDRAND: random_source() says which it was.
 */
uint64_t random_u64(void);
/* Fill buf with n random bytes. */
void random_fill(void *buf, size_t n);
/* "rdseed", "rdrand" or "tsc-xorshift". */
const char *random_source(void);

#endif
