/* ATLAS-EXPECT: exit=0 */
/* SPDX-License-Identifier: MIT */
/*
 * write_binary - bytes that are not text reach the console whole: a NUL, a
 * byte that is not UTF-8 and the text after them (found by the fuzzer: with
 * report=json, a NUL used to end the {"rec":"output"} text there, losing the
 * rest of the line), and a line of 300 NULs, which must be cut into records
 * that still fit once escaped. tests/boot/test_ring3.py reads the records.
 */
#include "utest.h"

int main(void)
{
	static const char mixed[] = "write_binary: \0\xff after\n";
	char zeros[301];

	memset(zeros, 0, 300);
	zeros[300] = '\n';
	CHECK(sys3(SYS_write, 1, mixed, sizeof(mixed) - 1) == (long)sizeof(mixed) - 1,
	      "write of the mixed line failed");
	CHECK(sys3(SYS_write, 1, zeros, sizeof(zeros)) == (long)sizeof(zeros), "write of 300 NULs failed");
	say("done");
	return 0;
}
