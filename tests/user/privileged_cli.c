/* ATLAS-EXPECT: signal=SIGSEGV cause="privileged instruction" */
/* SPDX-License-Identifier: MIT */
/* privileged_cli - cli in ring 3 raises #GP. */
#include "utest.h"

int main(void)
{
	say("executing cli in ring 3: expect SIGSEGV (#GP), privileged instruction");
	__asm__ volatile("cli");
	NO_FAULT("cli");
}
