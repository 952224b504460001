/* ATLAS-EXPECT: signal=SIGSEGV cause="privileged instruction" */
/* SPDX-License-Identifier: MIT */
/* privileged_io - in/out in ring 3 raises #GP. */
#include "utest.h"

int main(void)
{
	say("executing in/out in ring 3: expect SIGSEGV (#GP), privileged instruction");
	__asm__ volatile("outb %%al, $0x80" : : "a"(0));
	__asm__ volatile("inb $0x80, %%al" : : : "eax");
	NO_FAULT("in/out");
}
