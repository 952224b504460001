/* ATLAS-EXPECT: signal=SIGFPE cause="integer divide by zero" */
/* SPDX-License-Identifier: MIT */
/* div_zero - integer division by zero raises #DE. */
#include "utest.h"

int main(void)
{
	volatile int num = 1, den = 0;
	int q;

	say("dividing by zero: expect SIGFPE (#DE), integer divide by zero");
	/* cppcheck-suppress zerodiv */
	q = num / den;
	fail("1 / 0 gave %d instead of faulting", q);
}
