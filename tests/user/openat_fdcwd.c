/* ATLAS-EXPECT: exit=0 */
/* SPDX-License-Identifier: MIT */
/*
 * openat_fdcwd - openat's dirfd is an int, so only the low 32 bits of RDI
 * count. glibc loads AT_FDCWD with `mov $0xffffff9c, %edi`, which leaves
 * RDI = 0x00000000ffffff9c: that must open a file exactly as -100
 * sign-extended does, and so must junk in the upper half. An absolute path
 * ignores dirfd altogether; a relative one needs AT_FDCWD (a closed fd is
 * EBADF, an open fd that is no directory ENOTDIR), as on Linux.
 */
#include <errno.h>

#include "utest.h"

#define AT_FDCWD_ZERO_EXTENDED 0x00000000ffffff9cL /* what glibc's open() passes */
#define AT_FDCWD_JUNK_ABOVE 0x12345678ffffff9cL
#define NOT_OPEN_FD 0x7fffffffL

/* openat(dirfd, path, O_RDONLY) through the raw syscall; on success reads the file's start and closes it. */
static long try_open(long dirfd, const char *path, const char *what)
{
	char buf[64];
	long fd = sys6(SYS_openat, dirfd, (long)path, O_RDONLY, 0, 0, 0), n;

	if (fd < 0)
		return fd;
	n = sys3(SYS_read, fd, buf, sizeof(buf) - 1);
	CHECK(n > 5, "%s: read %ld bytes from %s", what, n, path);
	buf[n] = 0;
	CHECK(!strncmp(buf, "Name:", 5), "%s: %s starts \"%.10s\", not \"Name:\"", what, path, buf);
	CHECK(sys1(SYS_close, fd) == 0, "%s: close failed", what);
	return fd;
}

int main(void)
{
	long r;

	r = try_open(AT_FDCWD_ZERO_EXTENDED, "/proc/self/status", "zero-extended AT_FDCWD");
	CHECK(r >= 0, "openat(0x%lx, /proc/self/status) = %ld, want a file descriptor", AT_FDCWD_ZERO_EXTENDED, r);
	r = try_open(AT_FDCWD, "/proc/self/status", "sign-extended AT_FDCWD");
	CHECK(r >= 0, "openat(AT_FDCWD, /proc/self/status) = %ld", r);
	r = try_open(AT_FDCWD_JUNK_ABOVE, "/proc/self/status", "AT_FDCWD under junk");
	CHECK(r >= 0, "openat(0x%lx, /proc/self/status) = %ld: the upper 32 bits must not count", AT_FDCWD_JUNK_ABOVE,
	      r);
	r = try_open(NOT_OPEN_FD, "/proc/self/status", "absolute path");
	CHECK(r >= 0, "openat(closed fd, absolute path) = %ld: an absolute path ignores dirfd", r);
	r = try_open(NOT_OPEN_FD, "proc/self/status", "relative path, closed fd");
	CHECK(r == -EBADF, "openat(closed fd, relative path) = %ld, want -EBADF (%d)", r, -EBADF);
	r = try_open(1, "proc/self/status", "relative path, stdout");
	CHECK(r == -ENOTDIR, "openat(1, relative path) = %ld, want -ENOTDIR (%d)", r, -ENOTDIR);
	say("openat with AT_FDCWD zero-extended, sign-extended and under junk opens /proc/self/status; "
	    "dirfd is ignored for an absolute path, EBADF / ENOTDIR for a relative one");
	return 0;
}
