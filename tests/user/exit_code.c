/* ATLAS-EXPECT: exit=42 */
/* SPDX-License-Identifier: MIT */
/* exit_code - exit(42) must reach the runner as exit status 42. */
#include "utest.h"

int main(void)
{
	say("calling exit(42)");
	exit(42);
}
