/* ATLAS-EXPECT: signal=SIGSEGV cause="execute in non-executable [stack]" */
/* SPDX-License-Identifier: MIT */
/* stack_exec - a ret instruction copied to a stack buffer cannot be executed: the stack is NX. */
#include "utest.h"

int main(void)
{
	unsigned char code[16];
	void (*fn)(void);

	memset(code, 0xc3, sizeof(code)); /* ret */
	fn = (void (*)(void))hide(code);
	say("calling a ret copied to the stack at %p: expect SIGSEGV, execute in non-executable [stack]", (void *)code);
	fn();
	NO_FAULT("executing the stack");
}
