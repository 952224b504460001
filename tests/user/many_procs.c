/* ATLAS-EXPECT: exit=0 */
/* ATLAS-REPEAT: 200 */
/* SPDX-License-Identifier: MIT */
/*
 * many_procs - a tiny program run 200 times in a row: process creation and
 * teardown must not leak (pages, page tables, descriptors). Silent on success
 * so that 200 runs do not flood the console.
 */
#include "utest.h"

int main(void)
{
	long pid = sys0(SYS_getpid);

	CHECK(pid > 0, "getpid returned %ld", pid);
	return 0;
}
