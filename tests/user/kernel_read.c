/* ATLAS-EXPECT: signal=SIGSEGV cause="kernel address" */
/* SPDX-License-Identifier: MIT */
/* kernel_read - reading the kernel image (0xffffffff80000000) from ring 3 faults. */
#include "utest.h"

int main(void)
{
	volatile uint64_t *p = hide((void *)0xffffffff80000000UL);
	uint64_t v;

	say("reading 0xffffffff80000000: expect SIGSEGV, kernel address");
	v = *p;
	fail("reading the kernel image gave %#lx instead of faulting", (unsigned long)v);
}
