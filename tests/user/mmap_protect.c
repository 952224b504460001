/* ATLAS-EXPECT: signal=SIGSEGV cause="write to read-only [anon]" */
/* SPDX-License-Identifier: MIT */
/*
 * mmap_protect - an anonymous page, written, then mprotect(PROT_READ): reads
 * still work and see the data; the next write faults (write to read-only [anon]).
 */
#include <sys/mman.h>

#include "utest.h"

int main(void)
{
	volatile char *p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int r;

	CHECK(p != MAP_FAILED, "mmap failed");
	p[0] = 'x';
	r = mprotect((void *)p, PAGE, PROT_READ);
	CHECK(r == 0, "mprotect(PROT_READ) failed");
	CHECK(p[0] == 'x', "the page lost its contents");
	say("writing a page made read-only with mprotect: expect SIGSEGV, write to read-only [anon]");
	p[0] = 'y';
	NO_FAULT("writing a read-only mapping");
}
