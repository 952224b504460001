/* ATLAS-EXPECT: signal=SIGILL cause="invalid opcode" */
/* SPDX-License-Identifier: MIT */
/* ud2 - ud2, the defined undefined instruction, raises #UD. */
#include "utest.h"

int main(void)
{
	say("executing ud2: expect SIGILL (#UD), invalid opcode");
	__asm__ volatile("ud2");
	NO_FAULT("ud2");
}
