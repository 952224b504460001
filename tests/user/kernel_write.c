/* ATLAS-EXPECT: signal=SIGSEGV cause="kernel address" */
/* SPDX-License-Identifier: MIT */
/* kernel_write - writing the kernel image (0xffffffff80000000) from ring 3 faults. */
#include "utest.h"

int main(void)
{
	volatile uint64_t *p = hide((void *)0xffffffff80000000UL);

	say("writing 0xffffffff80000000: expect SIGSEGV, kernel address");
	*p = 0x4141414141414141UL;
	NO_FAULT("writing the kernel image");
}
