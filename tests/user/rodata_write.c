/* ATLAS-EXPECT: signal=SIGSEGV cause="write to read-only [rodata]" */
/* SPDX-License-Identifier: MIT */
/* rodata_write - writing a const array in .rodata (r--) faults. */
#include "utest.h"

static const char message[] = "constant";

int main(void)
{
	volatile char *p = hide((void *)message);

	say("writing into .rodata at %p: expect SIGSEGV, write to read-only [rodata]", (const void *)message);
	*p = 0;
	NO_FAULT("writing to rodata");
}
