/* ATLAS-EXPECT: signal=SIGSEGV cause="null guard" */
/* SPDX-License-Identifier: MIT */
/* null_deref - reading address 0 faults in the null guard [0, 4 MiB). */
#include "utest.h"

int main(void)
{
	volatile int *p = hide(NULL);
	int v;

	say("reading address 0: expect SIGSEGV, null guard");
	v = *p;
	fail("reading address 0 gave %d instead of faulting", v);
}
