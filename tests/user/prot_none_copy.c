/* ATLAS-EXPECT: exit=0 */
/* SPDX-License-Identifier: MIT */
/*
 * prot_none_copy - the kernel's own copies respect PROT_NONE: write(1,
 * prot_none_page, 2) and read(fd, prot_none_page, n) are -EFAULT, as on
 * Linux, whether the page was never touched or was touched and then made
 * PROT_NONE (its contents are kept and come back with the access).
 */
#include <sys/mman.h>

#include "utest.h"

#define EFAULT 14

int main(void)
{
	char *fresh = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *used = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long r, fd;

	CHECK(fresh != MAP_FAILED && used != MAP_FAILED, "mmap failed");
	r = sys3(SYS_write, 1, fresh, 2);
	CHECK(r == -EFAULT, "write(1, untouched PROT_NONE page, 2) returned %ld, not -EFAULT", r);

	memcpy(used, "ok\n", 3);
	used[PAGE] = 'x';
	CHECK(mprotect(used, 2 * PAGE, PROT_NONE) == 0, "mprotect(PROT_NONE) failed");
	r = sys3(SYS_write, 1, used, 3);
	CHECK(r == -EFAULT, "write(1, touched PROT_NONE page, 3) returned %ld, not -EFAULT", r);
	fd = sys3(SYS_open, "/proc/self/status", O_RDONLY, 0);
	CHECK(fd >= 0, "open(/proc/self/status) returned %ld", fd);
	r = sys3(SYS_read, fd, used + PAGE, 16);
	CHECK(r == -EFAULT, "read into a PROT_NONE page returned %ld, not -EFAULT", r);
	r = sys2(SYS_clock_gettime, CLOCK_MONOTONIC, used);
	CHECK(r == -EFAULT, "clock_gettime into a PROT_NONE page returned %ld, not -EFAULT", r);
	sys1(SYS_close, fd);

	/* Read-only again: the bytes written before PROT_NONE are still there, and the kernel may read them. */
	CHECK(mprotect(used, 2 * PAGE, PROT_READ) == 0, "mprotect(PROT_READ) failed");
	CHECK(memcmp(used, "ok\n", 3) == 0 && used[PAGE] == 'x', "contents lost across PROT_NONE");
	r = sys3(SYS_write, 1, used, 0);
	CHECK(r == 0, "write of 0 bytes returned %ld", r);
	/* A read-only page is no target for the kernel's writes either. */
	r = sys2(SYS_clock_gettime, CLOCK_MONOTONIC, used);
	CHECK(r == -EFAULT, "clock_gettime into a read-only page returned %ld, not -EFAULT", r);
	say("copies to and from PROT_NONE pages are -EFAULT; contents survive PROT_NONE");
	return 0;
}
