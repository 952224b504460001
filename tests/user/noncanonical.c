/* ATLAS-EXPECT: signal=SIGSEGV cause="non-canonical address" */
/* SPDX-License-Identifier: MIT */
/* noncanonical - reading 0x0000800000000000, the first non-canonical address, raises #GP. */
#include "utest.h"

int main(void)
{
	volatile uint64_t *p = hide((void *)0x0000800000000000UL);
	uint64_t v;

	say("reading 0x0000800000000000: expect SIGSEGV (#GP), non-canonical address");
	v = *p;
	fail("reading a non-canonical address gave %#lx instead of faulting", (unsigned long)v);
}
