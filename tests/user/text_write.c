/* ATLAS-EXPECT: signal=SIGSEGV cause="write to read-only [text]" */
/* SPDX-License-Identifier: MIT */
/* text_write - writing over a function (text is r-x) faults. */
#include "utest.h"

__attribute__((noinline)) static int victim(void)
{
	return 1;
}

int main(void)
{
	volatile unsigned char *p = hide((void *)victim);

	say("writing over victim() at %p: expect SIGSEGV, write to read-only [text]", (void *)victim);
	*p = 0xc3;
	NO_FAULT("writing to text");
}
