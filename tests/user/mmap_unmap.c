/* ATLAS-EXPECT: signal=SIGSEGV cause="unmapped gap" */
/* SPDX-License-Identifier: MIT */
/*
 * mmap_unmap - three anonymous pages, the middle one unmapped: its
 * neighbours still work, touching it faults (unmapped gap).
 */
#include <sys/mman.h>

#include "utest.h"

int main(void)
{
	volatile char *p = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char v;

	CHECK(p != MAP_FAILED, "mmap failed");
	p[PAGE] = 1;
	CHECK(munmap((void *)(p + PAGE), PAGE) == 0, "munmap of the middle page failed");
	p[0] = 2;
	p[2 * PAGE] = 3;
	CHECK(p[0] == 2 && p[2 * PAGE] == 3, "the neighbours of the hole were lost");
	say("reading an munmapped page at %p: expect SIGSEGV, unmapped gap", (void *)(p + PAGE));
	v = p[PAGE];
	fail("reading an unmapped page gave %d instead of faulting", v);
}
