/* ATLAS-EXPECT: signal=SIGSEGV cause="privileged instruction" */
/* SPDX-License-Identifier: MIT */
/* privileged_cr3 - mov to CR3 in ring 3 raises #GP. */
#include "utest.h"

int main(void)
{
	say("executing mov to CR3 in ring 3: expect SIGSEGV (#GP), privileged instruction");
	__asm__ volatile("mov %0, %%cr3" : : "r"(0UL) : "memory");
	NO_FAULT("mov to CR3");
}
