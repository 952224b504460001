/* ATLAS-EXPECT: signal=SIGSEGV cause="stack guard (stack overflow)" */
/* SPDX-License-Identifier: MIT */
/*
 * stack_overflow - seed 001's unbounded recursion: the stack grows on demand
 * up to its 8 MiB limit, then the next frame lands in the guard below it.
 */
#include "utest.h"

static volatile int stop_at = -1; /* never reached: keeps GCC's -Winfinite-recursion quiet */

static int down(int n)
{
	volatile char pad[1024];

	pad[0] = (char)n;
	if (n == stop_at)
		return 0;
	return down(n + 1) + pad[0];
}

int main(void)
{
	say("recursing without end: expect SIGSEGV, stack guard (stack overflow)");
	down(0);
	NO_FAULT("unbounded recursion");
}
