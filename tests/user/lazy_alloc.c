/* ATLAS-EXPECT: exit=0 */
/* SPDX-License-Identifier: MIT */
/*
 * lazy_alloc - seed 001 exercise 3: an 80 MiB array (malloc, hence an
 * anonymous mmap) costs address space at once (VmSize) but memory (VmRSS)
 * only when touched: RSS grows by less than 4 MiB on allocation, by about
 * 40 MiB (38..48) when the first half is touched, and by 78 MiB or more
 * when all of it is.
 */
#include "utest.h"

#define SIZE (80 * MiB)

static char status[16 * 1024];

static void sample(long *vmsize, long *rss)
{
	read_file("/proc/self/status", status, sizeof(status));
	*vmsize = status_kb(status, "VmSize");
	*rss = status_kb(status, "VmRSS");
}

int main(void)
{
	long size0, rss0, size1, rss1, size2, rss2, size3, rss3;
	volatile char *a;

	sample(&size0, &rss0);
	a = malloc(SIZE);
	CHECK(a != NULL, "malloc(80 MiB) failed");
	sample(&size1, &rss1);
	CHECK(size1 - size0 >= (long)(SIZE / KiB), "VmSize grew by %ld kB for an 80 MiB malloc", size1 - size0);
	CHECK(rss1 - rss0 < 4 * 1024, "VmRSS grew by %ld kB before touching anything", rss1 - rss0);

	for (size_t i = 0; i < SIZE / 2; i += PAGE)
		a[i] = 1;
	sample(&size2, &rss2);
	CHECK(rss2 - rss1 >= 38 * 1024 && rss2 - rss1 <= 48 * 1024,
	      "VmRSS grew by %ld kB after touching 40 MiB (expected 38..48 MiB)", rss2 - rss1);
	CHECK(size2 == size1, "VmSize changed from %ld to %ld kB by touching", size1, size2);

	for (size_t i = SIZE / 2; i < SIZE; i += PAGE)
		a[i] = 1;
	sample(&size3, &rss3);
	CHECK(rss3 - rss1 >= 78 * 1024, "VmRSS grew by only %ld kB after touching all 80 MiB", rss3 - rss1);
	say("80 MiB malloc: VmSize +%ld kB; VmRSS +%ld kB untouched, +%ld kB at 40 MiB touched, +%ld kB at 80 MiB",
	    size1 - size0, rss1 - rss0, rss2 - rss0, rss3 - rss0);
	return 0;
}
