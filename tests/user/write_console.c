/* ATLAS-EXPECT: exit=0 */
/* SPDX-License-Identifier: MIT */
/*
 * write_console - one line put together from a writev of five iovecs (one of
 * them empty) on fd 1 and a write on fd 2; the return values are the byte
 * counts; writev of no iovec and write of 0 bytes return 0; a negative
 * iovec count is EINVAL; TIOCGWINSZ on Atlas's console (a terminal) gives its
 * size, and on a pipe (the host check's stdout) is ENOTTY.
 */
#include <errno.h>
#include <sys/ioctl.h>
#include <sys/uio.h>

#include "utest.h"

int main(void)
{
	static char p1[] = PROG ": ", p2[] = "writev of 5 iovecs", p3[] = "", p4[] = " on fd 1", p5[] = ",";
	static const char tail[] = " write on fd 2, empty writes and TIOCGWINSZ ok\n";
	struct iovec iov[] = {
		{ p1, sizeof(p1) - 1 }, { p2, sizeof(p2) - 1 }, { p3, 0 },
		{ p4, sizeof(p4) - 1 }, { p5, sizeof(p5) - 1 },
	};
	size_t total = 0;
	struct winsize ws;
	long r;

	for (size_t i = 0; i < 5; i++)
		total += iov[i].iov_len;
	r = sys3(SYS_writev, 1, iov, 0);
	CHECK(r == 0, "writev of 0 iovecs returned %ld", r);
	r = sys3(SYS_write, 1, p1, 0);
	CHECK(r == 0, "write of 0 bytes returned %ld", r);
	r = sys3(SYS_writev, 1, iov, -1);
	CHECK(r == -EINVAL, "writev with iovcnt -1 returned %ld, expected -EINVAL", r);
	r = sys3(SYS_ioctl, 1, TIOCGWINSZ, &ws);
	if (on_atlas())
		CHECK(r == 0 && ws.ws_row >= 24 && ws.ws_col >= 80, "ioctl(1, TIOCGWINSZ) returned %ld, %ux%u", r,
		      ws.ws_col, ws.ws_row);
	else
		CHECK(r == -ENOTTY, "ioctl(1, TIOCGWINSZ) on a pipe returned %ld, expected -ENOTTY", r);

	r = sys3(SYS_writev, 1, iov, 5);
	CHECK(r == (long)total, "\nwritev returned %ld, expected %zu", r, total);
	r = sys3(SYS_write, 2, tail, sizeof(tail) - 1);
	CHECK(r == (long)sizeof(tail) - 1, "write(2) returned %ld, expected %zu", r, sizeof(tail) - 1);
	return 0;
}
