/* ATLAS-EXPECT: signal=SIGTRAP cause="breakpoint (int3)" */
/* SPDX-License-Identifier: MIT */
/* int3 - a breakpoint (int3) with no debugger raises #BP. */
#include "utest.h"

int main(void)
{
	say("executing int3: expect SIGTRAP (#BP), breakpoint (int3)");
	__asm__ volatile("int3");
	NO_FAULT("int3");
}
