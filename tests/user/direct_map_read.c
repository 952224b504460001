/* ATLAS-EXPECT: signal=SIGSEGV cause="kernel address" */
/* SPDX-License-Identifier: MIT */
/* direct_map_read - reading the direct map of RAM (0xffff800000000000) from ring 3 faults. */
#include "utest.h"

int main(void)
{
	volatile uint64_t *p = hide((void *)0xffff800000000000UL);
	uint64_t v;

	say("reading 0xffff800000000000 (direct map): expect SIGSEGV, kernel address");
	v = *p;
	fail("reading the direct map gave %#lx instead of faulting", (unsigned long)v);
}
