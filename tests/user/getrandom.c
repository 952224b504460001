/* ATLAS-EXPECT: exit=0 */
/* SPDX-License-Identifier: MIT */
/*
 * getrandom - two 32-byte getrandom calls return 32 each, are not all zero
 * and differ; a 4 KiB request is filled too.
 */
#include <sys/random.h>

#include "utest.h"

int main(void)
{
	unsigned char a[32], b[32], big[4096];
	ssize_t ra, rb, rbig;
	int nonzero = 0, zero_words = 0;

	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	ra = getrandom(a, sizeof(a), 0);
	rb = getrandom(b, sizeof(b), 0);
	CHECK(ra == 32 && rb == 32, "getrandom returned %zd and %zd, expected 32", ra, rb);
	for (size_t i = 0; i < sizeof(a); i++)
		nonzero |= a[i] | b[i];
	CHECK(nonzero, "getrandom gave only zero bytes");
	CHECK(memcmp(a, b, sizeof(a)) != 0, "two getrandom calls gave the same 32 bytes");
	memset(big, 0, sizeof(big));
	rbig = getrandom(big, sizeof(big), 0);
	CHECK(rbig == (ssize_t)sizeof(big), "getrandom(4096) returned %zd", rbig);
	for (size_t i = 0; i < sizeof(big); i += 8) {
		uint64_t w;
		memcpy(&w, big + i, 8);
		zero_words += w == 0;
	}
	CHECK(zero_words < 4, "getrandom(4096) left %d zero words", zero_words);
	say("two getrandom(32) calls differ and are not zero; getrandom(4096) filled");
	return 0;
}
