/* ATLAS-EXPECT: signal=SIGSEGV cause="privileged instruction" */
/* SPDX-License-Identifier: MIT */
/* privileged_hlt - hlt in ring 3 raises #GP. */
#include "utest.h"

int main(void)
{
	say("executing hlt in ring 3: expect SIGSEGV (#GP), privileged instruction");
	__asm__ volatile("hlt");
	NO_FAULT("hlt");
}
