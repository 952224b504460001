/* ATLAS-EXPECT: signal=SIGSEGV cause="privileged instruction" */
/* SPDX-License-Identifier: MIT */
/* privileged_rdmsr - rdmsr in ring 3 raises #GP. */
#include "utest.h"

int main(void)
{
	say("executing rdmsr in ring 3: expect SIGSEGV (#GP), privileged instruction");
	__asm__ volatile("rdmsr" : : "c"(0x10) : "eax", "edx");
	NO_FAULT("rdmsr");
}
