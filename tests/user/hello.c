/* ATLAS-EXPECT: exit=0 */
/* SPDX-License-Identifier: MIT */
/* hello - prints a line and checks that it runs in ring 3: CPL is CS & 3. */
#include "utest.h"

int main(void)
{
	uint16_t cs, ss;

	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	__asm__ volatile("mov %%ss, %0" : "=r"(ss));
	CHECK((cs & 3) == 3, "CS is 0x%x: CPL %d, not 3", cs, cs & 3);
	CHECK((ss & 3) == 3, "SS is 0x%x: RPL %d, not 3", ss, ss & 3);
	say("hello from ring 3 (CS 0x%x, SS 0x%x, CPL 3)", cs, ss);
	return 0;
}
