/* ATLAS-EXPECT: exit=0 */
/* SPDX-License-Identifier: MIT */
/*
 * bad_pointers - system calls given bad user pointers fail with -EFAULT and
 * never fault the process nor the kernel: NULL, the null guard, the kernel
 * image, the direct map, non-canonical addresses, an unmapped page, a buffer
 * straddling the end of a mapping, and lengths running past the top of user
 * space; bad file descriptors give -EBADF, unknown system call numbers
 * -ENOSYS. Raw syscalls throughout, so that musl neither checks nor retries.
 */
#include <errno.h>
#include <sys/mman.h>
#include <sys/uio.h>

#include "utest.h"

static int checks;

static void expect(const char *what, long got, long want)
{
	CHECK(got == want, "%s returned %ld, expected %ld", what, got, want);
	checks++;
}

int main(void)
{
	static char msg[] = "this must not be printed\n";
	char *page;
	uintptr_t edge; /* the first unmapped byte, right after a mapped page */
	long fd, wfd = 1;
	const int atlas = on_atlas();
	struct timespec ts = { 0, 1000 };
	struct iovec iov = { msg, 0 };
	char buf[64];
	const uintptr_t bad[] = {
		0,		      /* NULL */
		0x1000,		      /* null guard */
		0xffffffff80000000UL, /* kernel image */
		0xffff800000000000UL, /* direct map */
		0x0000800000000000UL, /* first non-canonical address */
		0x8000000000000000UL, /* non-canonical, high bit */
		0,		      /* filled in: an unmapped page */
	};
	const int nbad = sizeof(bad) / sizeof(bad[0]);
	uintptr_t addrs[sizeof(bad) / sizeof(bad[0])];

	/* Two pages, the second unmapped again: page is mapped, edge is not. */
	page = (char *)sys6(SYS_mmap, 0, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK((uintptr_t)page % PAGE == 0, "mmap returned %p", (void *)page);
	CHECK(sys2(SYS_munmap, page + PAGE, PAGE) == 0, "munmap failed");
	edge = (uintptr_t)page + PAGE;
	memcpy(addrs, bad, sizeof(bad));
	addrs[nbad - 1] = edge;

	/*
	 * Where the bad writes go: the console on Atlas. On Linux the outcome of
	 * a partly readable buffer depends on the file (a terminal or a file
	 * takes the readable bytes and returns a short count), so there they go
	 * into a pipe, which gives Linux's EFAULTs.
	 */
	if (!atlas) {
		int fds[2];
		CHECK(sys2(SYS_pipe2, fds, 0) == 0, "pipe2 failed");
		wfd = fds[1];
	}

	fd = sys3(SYS_open, "/proc/self/status", O_RDONLY, 0);
	CHECK(fd >= 0, "open(/proc/self/status) returned %ld", fd);

	for (int i = 0; i < nbad; i++) {
		const uintptr_t a = addrs[i];
		struct iovec bad_iov = { (void *)a, 8 };
		char what[96];
#define E(call, fmt) (snprintf(what, sizeof(what), fmt " with %#lx", (unsigned long)a), expect(what, (call), -EFAULT))
		E(sys3(SYS_write, wfd, a, 8), "write");
		E(sys3(SYS_read, fd, a, 8), "read(/proc/self/status)");
		E(sys3(SYS_writev, wfd, a, 1), "writev(iov)");
		E(sys3(SYS_writev, wfd, &bad_iov, 1), "writev(iov_base)");
		E(sys2(SYS_clock_gettime, 1, a), "clock_gettime");
		E(sys2(SYS_nanosleep, a, NULL), "nanosleep(req)");
		E(sys1(SYS_uname, a), "uname");
		E(sys3(SYS_getrandom, a, 8, 0), "getrandom");
		E(sys3(SYS_open, a, O_RDONLY, 0), "open(path)");
		E(sys2(SYS_arch_prctl, ARCH_GET_FS, a), "arch_prctl(ARCH_GET_FS)");
#undef E
	}

	/* Straddling: starts in the mapped page, ends in the unmapped one. */
	expect("write straddling the end of a mapping", sys3(SYS_write, wfd, edge - 1, 2), -EFAULT);
	expect("writev iovec array straddling", sys3(SYS_writev, wfd, edge - sizeof(struct iovec) / 2, 1), -EFAULT);
	expect("clock_gettime straddling", sys2(SYS_clock_gettime, 1, edge - 8), -EFAULT);
	expect("nanosleep straddling", sys2(SYS_nanosleep, edge - 8, NULL), -EFAULT);
	expect("uname straddling", sys1(SYS_uname, edge - 64), -EFAULT);
	memcpy((char *)edge - 4, "/pro",
	       4); /* a path with no NUL before the edge (Linux's EFAULTs above may have written) */
	expect("open of a path running into unmapped memory", sys3(SYS_open, edge - 4, O_RDONLY, 0), -EFAULT);

	/* Lengths past the top of user space (checked before anything is copied). */
	expect("write of 2^62 bytes", sys3(SYS_write, wfd, msg, 1UL << 62), -EFAULT);
	expect("write of SIZE_MAX bytes", sys3(SYS_write, wfd, msg, (long)SIZE_MAX), -EFAULT);
	expect("read of 2^62 bytes", sys3(SYS_read, fd, buf, 1UL << 62), -EFAULT);
	iov.iov_len = 1UL << 62;
	expect("writev of an iovec of 2^62 bytes", sys3(SYS_writev, wfd, &iov, 1), -EFAULT);

	/* Bad file descriptors. */
	expect("write(99)", sys3(SYS_write, 99, msg, 4), -EBADF);
	expect("write(-1)", sys3(SYS_write, -1, msg, 4), -EBADF);
	expect("read(99)", sys3(SYS_read, 99, buf, 4), -EBADF);
	expect("writev(99)", sys3(SYS_writev, 99, &iov, 1), -EBADF);
	expect("lseek(99)", sys3(SYS_lseek, 99, 0, SEEK_SET), -EBADF);
	expect("close(99)", sys1(SYS_close, 99), -EBADF);
	expect("close(status fd)", sys1(SYS_close, fd), 0);
	expect("read(closed fd)", sys3(SYS_read, fd, buf, 4), -EBADF);
	expect("close(closed fd)", sys1(SYS_close, fd), -EBADF);

	/* Unknown system calls and bad arguments. */
	expect("syscall 999", sys0(999), -ENOSYS);
	expect("syscall 0x7fffffff", sys0(0x7fffffff), -ENOSYS);
	expect("syscall 4096", sys0(4096), -ENOSYS);
	if (atlas) {
		/* Linux system calls Atlas does not have (Linux would run them). */
		expect("socket", sys3(SYS_socket, 2, 1, 0), -ENOSYS);
		expect("ptrace", sys0(SYS_ptrace), -ENOSYS);
		expect("mount", sys0(SYS_mount), -ENOSYS);
	}
	expect("syscall -1", sys0(-1), -ENOSYS);
	expect("clock_gettime(bad clock)", sys2(SYS_clock_gettime, 12345, &ts), -EINVAL);
	expect("arch_prctl(bad code)", sys2(SYS_arch_prctl, 0x9999, buf), -EINVAL);

	say("%d bad pointers/lengths -> EFAULT, bad fds -> EBADF, unknown syscalls -> ENOSYS", checks);
	return 0;
}
