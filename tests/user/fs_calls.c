/* ATLAS-EXPECT: exit=0 */
/* SPDX-License-Identifier: MIT */
/*
 * fs_calls - the file system calls in a fresh directory under /tmp, each
 * with its result and its Linux error cases: open/openat/creat flags,
 * read/write/pread/pwrite/readv/writev, lseek, dup/dup2/dup3 sharing the
 * offset, fcntl, getdents64, stat/lstat/fstat/newfstatat/statx, access,
 * getcwd/chdir/fchdir, mkdir/rmdir, unlink/unlinkat, rename/renameat2,
 * link/symlink/readlink, truncate/ftruncate, umask, chmod, utimensat.
 * Errors checked: ENOENT, EEXIST, EISDIR, ENOTDIR, EBADF, EFAULT,
 * ENAMETOOLONG, EMFILE, ENOTEMPTY, EINVAL, ELOOP, EXDEV-free renames.
 * The same program runs on the host (make user-host) with the same results.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "utest.h"

#ifndef SYS_renameat2
#define SYS_renameat2 316
#endif
#ifndef SYS_statx
#define SYS_statx 332
#endif
#ifndef SYS_faccessat2
#define SYS_faccessat2 439
#endif
#define RENAME_NOREPLACE_ 1
#define RENAME_EXCHANGE_ 2

static int checks;

#define EXPECT(call, want)                                                                                        \
	do {                                                                                                      \
		long r_ = (long)(call);                                                                           \
		CHECK(r_ == (long)(want), "%s = %ld, expected %ld (line %d)", #call, r_, (long)(want), __LINE__); \
		checks++;                                                                                         \
	} while (0)

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static void put(const char *path, const char *text)
{
	long fd = sys3(SYS_open, path, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	CHECK(fd >= 0, "open(%s) = %ld", path, fd);
	CHECK(sys3(SYS_write, fd, text, strlen(text)) == (long)strlen(text), "write(%s)", path);
	sys1(SYS_close, fd);
}

static long slurp(const char *path, char *buf, size_t size)
{
	long fd = sys3(SYS_open, path, O_RDONLY, 0), n;

	if (fd < 0)
		return fd;
	n = sys3(SYS_read, fd, buf, size - 1);
	sys1(SYS_close, fd);
	if (n >= 0)
		buf[n] = 0;
	return n;
}

static void files_and_offsets(void)
{
	char buf[64];
	struct iovec iov[2] = { { buf, 3 }, { buf + 3, 4 } };
	long fd, fd2, fd3;

	EXPECT(sys3(SYS_open, "f", O_RDONLY, 0), -ENOENT);
	EXPECT(sys2(SYS_creat, "f", 0600), 3);
	EXPECT(sys1(SYS_close, 3), 0);
	EXPECT(sys3(SYS_open, "f", O_RDWR | O_CREAT | O_EXCL, 0600), -EEXIST);
	EXPECT(sys3(SYS_open, "f/", O_RDONLY, 0), -ENOTDIR);
	EXPECT(sys3(SYS_open, "f", O_RDONLY | O_DIRECTORY, 0), -ENOTDIR);
	EXPECT(sys3(SYS_open, ".", O_WRONLY, 0), -EISDIR);
	EXPECT(sys3(SYS_open, NULL, O_RDONLY, 0), -EFAULT);
	fd = sys3(SYS_open, "f", O_RDWR | O_TRUNC, 0);
	CHECK(fd >= 0, "open(f, O_RDWR) = %ld", fd);
	EXPECT(sys3(SYS_write, fd, "0123456789", 10), 10);
	EXPECT(sys3(SYS_lseek, fd, 0, SEEK_CUR), 10);
	EXPECT(sys3(SYS_lseek, fd, -3, SEEK_END), 7);
	EXPECT(sys3(SYS_read, fd, buf, sizeof(buf)), 3);
	EXPECT(memcmp(buf, "789", 3), 0);
	EXPECT(sys3(SYS_lseek, fd, -100, SEEK_SET), -EINVAL);
	EXPECT(sys4(SYS_pread64, fd, buf, 4, 2), 4);
	EXPECT(memcmp(buf, "2345", 4), 0);
	EXPECT(sys3(SYS_lseek, fd, 0, SEEK_CUR), 10); /* pread leaves the offset alone */
	EXPECT(sys4(SYS_pwrite64, fd, "AB", 2, 0), 2);
	EXPECT(sys4(SYS_pread64, fd, buf, 2, -1), -EINVAL);
	/* dup shares the offset; the original and the copy move together. */
	fd2 = sys1(SYS_dup, fd);
	CHECK(fd2 > fd, "dup = %ld", fd2);
	EXPECT(sys3(SYS_lseek, fd2, 0, SEEK_SET), 0);
	EXPECT(sys3(SYS_readv, fd, iov, 2), 7);
	EXPECT(memcmp(buf, "AB23456", 7), 0);
	EXPECT(sys3(SYS_lseek, fd2, 0, SEEK_CUR), 7);
	/* dup2 onto an open descriptor closes it first; dup3 with the same fd is EINVAL. */
	fd3 = sys2(SYS_dup2, fd, 20);
	EXPECT(fd3, 20);
	EXPECT(sys2(SYS_dup2, fd, fd), fd);
	EXPECT(sys3(SYS_dup3, fd, fd, 0), -EINVAL);
	EXPECT(sys3(SYS_dup3, fd, 21, O_CLOEXEC), 21);
	EXPECT(sys2(SYS_fcntl, 21, F_GETFD), FD_CLOEXEC);
	EXPECT(sys2(SYS_fcntl, 20, F_GETFD), 0);
	EXPECT(sys3(SYS_fcntl, 20, F_SETFD, FD_CLOEXEC), 0);
	EXPECT(sys2(SYS_fcntl, 20, F_GETFD), FD_CLOEXEC);
	EXPECT(sys3(SYS_fcntl, fd, F_DUPFD, 30), 30);
	EXPECT(sys2(SYS_fcntl, fd, F_GETFL) & O_ACCMODE, O_RDWR);
	EXPECT(sys3(SYS_fcntl, fd, F_SETFL, O_APPEND), 0);
	EXPECT(sys3(SYS_write, fd, "Z", 1), 1);
	EXPECT(sys3(SYS_lseek, fd, 0, SEEK_CUR), 11); /* O_APPEND wrote at the end */
	iov[0].iov_base = (void *)"vv";
	iov[0].iov_len = 2;
	EXPECT(sys3(SYS_writev, fd, iov, 1), 2);
	EXPECT(sys3(SYS_writev, fd, iov, -1), -EINVAL);
	/* ftruncate needs a descriptor open for writing. */
	EXPECT(sys2(SYS_ftruncate, fd, 4), 0);
	EXPECT(sys3(SYS_lseek, fd, 0, SEEK_END), 4);
	EXPECT(sys2(SYS_ftruncate, fd, -1), -EINVAL);
	for (long d = fd; d <= 30; d++)
		if (d == fd || d == fd2 || d == 20 || d == 21 || d == 30)
			EXPECT(sys1(SYS_close, d), 0);
	EXPECT(sys1(SYS_close, fd), -EBADF);
	EXPECT(sys3(SYS_read, fd, buf, 1), -EBADF);
	EXPECT(sys2(SYS_fcntl, fd, F_GETFD), -EBADF);
	EXPECT(sys2(SYS_truncate, "f", 2), 0);
	EXPECT(slurp("f", buf, sizeof(buf)), 2);
	EXPECT(strcmp(buf, "AB"), 0);
}

static void names(void)
{
	char buf[PATH_MAX + 16], cwd[256];
	struct stat st;
	long fd;

	EXPECT(sys2(SYS_mkdir, "d", 0755), 0);
	EXPECT(sys2(SYS_mkdir, "d", 0755), -EEXIST);
	EXPECT(sys2(SYS_mkdir, "nope/d", 0755), -ENOENT);
	EXPECT(sys2(SYS_mkdir, "f/d", 0755), -ENOTDIR);
	put("d/inner", "x");
	EXPECT(sys1(SYS_rmdir, "d"), -ENOTEMPTY);
	EXPECT(sys1(SYS_rmdir, "f"), -ENOTDIR);
	EXPECT(sys1(SYS_unlink, "d"), -EISDIR);
	EXPECT(sys3(SYS_unlinkat, AT_FDCWD, "d/inner", AT_REMOVEDIR), -ENOTDIR);
	EXPECT(sys3(SYS_unlinkat, AT_FDCWD, "d/inner", 0), 0);
	EXPECT(sys3(SYS_unlinkat, AT_FDCWD, "d", 0x1234), -EINVAL);
	/* A name of 255 bytes is fine; 256 is ENAMETOOLONG; a path of PATH_MAX too. */
	memset(buf, 'n', 255);
	buf[255] = 0;
	fd = sys3(SYS_open, buf, O_CREAT | O_WRONLY, 0600);
	CHECK(fd >= 0, "255-byte name: %ld", fd);
	sys1(SYS_close, fd);
	EXPECT(sys1(SYS_unlink, buf), 0);
	buf[255] = 'n';
	buf[256] = 0;
	EXPECT(sys3(SYS_open, buf, O_CREAT | O_WRONLY, 0600), -ENAMETOOLONG);
	for (int i = 0; i < PATH_MAX + 2; i += 2)
		memcpy(buf + i, "./", 2);
	buf[PATH_MAX + 2] = 0;
	EXPECT(sys2(SYS_stat, buf, &st), -ENAMETOOLONG);
	/* A path past the kernel's short copy of 256 bytes, well within PATH_MAX, resolves: 601 bytes. */
	for (int i = 0; i < 600; i += 2)
		memcpy(buf + i, "./", 2);
	memcpy(buf + 600, "f", 2);
	EXPECT(sys2(SYS_stat, buf, &st), 0);
	fd = sys3(SYS_open, buf, O_RDONLY, 0);
	CHECK(fd >= 0, "open of a 601-byte path: %ld", fd);
	sys1(SYS_close, fd);
	/* Symlinks, loops, readlink. */
	EXPECT(sys2(SYS_symlink, "f", "lnk"), 0);
	EXPECT(sys2(SYS_symlink, "f", "lnk"), -EEXIST);
	EXPECT(sys2(SYS_symlink, "loop2", "loop1"), 0);
	EXPECT(sys2(SYS_symlink, "loop1", "loop2"), 0);
	EXPECT(sys3(SYS_open, "loop1", O_RDONLY, 0), -ELOOP);
	EXPECT(sys3(SYS_open, "lnk", O_RDONLY | O_NOFOLLOW, 0), -ELOOP);
	EXPECT(sys3(SYS_readlink, "lnk", buf, sizeof(buf)), 1);
	EXPECT(buf[0], 'f');
	EXPECT(sys3(SYS_readlink, "f", buf, sizeof(buf)), -EINVAL);
	EXPECT(sys3(SYS_readlink, "lnk", buf, 0), -EINVAL);
	EXPECT(sys2(SYS_lstat, "lnk", &st), 0);
	EXPECT(S_ISLNK(st.st_mode), 1);
	EXPECT(sys2(SYS_stat, "lnk", &st), 0);
	EXPECT(S_ISREG(st.st_mode) && st.st_size == 2, 1);
	/* Hard links count. */
	EXPECT(sys2(SYS_link, "f", "hard"), 0);
	EXPECT(sys2(SYS_stat, "f", &st), 0);
	EXPECT(st.st_nlink, 2);
	EXPECT(sys2(SYS_link, "d", "dlink"), -EPERM);
	/* rename: over a file, NOREPLACE, EXCHANGE, a directory into itself. */
	put("g", "G");
	EXPECT(sys2(SYS_rename, "g", "hard"), 0);
	EXPECT(sys2(SYS_stat, "f", &st), 0);
	EXPECT(st.st_nlink, 1);
	EXPECT(slurp("hard", buf, sizeof(buf)), 1);
	EXPECT(sys5(SYS_renameat2, AT_FDCWD, "hard", AT_FDCWD, "f", RENAME_NOREPLACE_), -EEXIST);
	EXPECT(sys5(SYS_renameat2, AT_FDCWD, "hard", AT_FDCWD, "f", RENAME_EXCHANGE_), 0);
	EXPECT(slurp("f", buf, sizeof(buf)), 1);
	EXPECT(buf[0], 'G');
	EXPECT(sys2(SYS_rename, "d", "d/sub"), -EINVAL);
	EXPECT(sys2(SYS_rename, "f", "d"), -EISDIR);
	EXPECT(sys2(SYS_rename, "missing", "x"), -ENOENT);
	/* cwd. */
	EXPECT(sys1(SYS_chdir, "d"), 0);
	CHECK(sys2(SYS_getcwd, cwd, sizeof(cwd)) > 0, "getcwd failed");
	CHECK(strlen(cwd) > 2 && !strcmp(cwd + strlen(cwd) - 2, "/d"), "cwd %s", cwd);
	EXPECT(sys2(SYS_getcwd, cwd, 2), -ERANGE);
	EXPECT(sys1(SYS_chdir, ".."), 0);
	fd = sys3(SYS_open, "d", O_RDONLY | O_DIRECTORY, 0);
	EXPECT(sys1(SYS_fchdir, fd), 0);
	EXPECT(sys1(SYS_chdir, "../f"), -ENOTDIR);
	EXPECT(sys1(SYS_chdir, ".."), 0);
	sys1(SYS_close, fd);
	EXPECT(sys1(SYS_fchdir, fd), -EBADF);
	/* access: root may read and write anything; execute needs an x bit. */
	EXPECT(sys2(SYS_access, "f", R_OK | W_OK), 0);
	EXPECT(sys2(SYS_access, "f", X_OK), -EACCES);
	EXPECT(sys2(SYS_access, "d", X_OK), 0);
	EXPECT(sys2(SYS_access, "missing", F_OK), -ENOENT);
	EXPECT(sys2(SYS_access, "f", 8), -EINVAL);
	EXPECT(sys4(SYS_faccessat2, AT_FDCWD, "lnk", F_OK, AT_SYMLINK_NOFOLLOW), 0);
	/* chmod and umask. */
	EXPECT(sys2(SYS_chmod, "f", 0751), 0);
	EXPECT(sys2(SYS_stat, "f", &st), 0);
	EXPECT(st.st_mode & 07777, 0751);
	EXPECT(sys2(SYS_access, "f", X_OK), 0);
	EXPECT(sys1(SYS_umask, 077), 022);
	put("private", "p");
	EXPECT(sys2(SYS_stat, "private", &st), 0);
	EXPECT(st.st_mode & 0777, 0600);
	EXPECT(sys1(SYS_umask, 022), 077);
	/* utimensat with explicit times. */
	struct timespec ts[2] = { { 1000000000, 0 }, { 1234567890, 5 } };
	EXPECT(sys4(SYS_utimensat, AT_FDCWD, "f", ts, 0), 0);
	EXPECT(sys2(SYS_stat, "f", &st), 0);
	EXPECT(st.st_mtim.tv_sec == 1234567890 && st.st_atim.tv_sec == 1000000000, 1);
	ts[0].tv_nsec = 2000000000;
	EXPECT(sys4(SYS_utimensat, AT_FDCWD, "f", ts, 0), -EINVAL);
	EXPECT(sys4(SYS_newfstatat, AT_FDCWD, "lnk", &st, AT_SYMLINK_NOFOLLOW), 0);
	EXPECT(S_ISLNK(st.st_mode), 1);
	EXPECT(sys4(SYS_newfstatat, 999, "lnk", &st, 0), -EBADF);
	EXPECT(sys4(SYS_newfstatat, AT_FDCWD, "lnk", &st, 0x8000), -EINVAL);
}

static void listing(void)
{
	char buf[512];
	int seen = 0, dots = 0;
	long fd, n;

	EXPECT(sys2(SYS_mkdir, "list", 0755), 0);
	for (int i = 0; i < 20; i++) {
		char name[32];

		snprintf(name, sizeof(name), "list/e%02d", i);
		put(name, "");
	}
	fd = sys3(SYS_open, "list", O_RDONLY | O_DIRECTORY, 0);
	CHECK(fd >= 0, "open(list) = %ld", fd);
	EXPECT(sys3(SYS_getdents64, fd, buf, 8), -EINVAL);
	while ((n = sys3(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct linux_dirent64 *e = (struct linux_dirent64 *)(buf + off);

			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				dots++;
			else if (e->d_name[0] == 'e' && e->d_type == DT_REG)
				seen++;
			off += e->d_reclen;
		}
	}
	EXPECT(n, 0);
	EXPECT(seen, 20);
	EXPECT(dots, 2);
	EXPECT(sys3(SYS_getdents64, 999, buf, sizeof(buf)), -EBADF);
	sys1(SYS_close, fd);
	fd = sys3(SYS_open, "f", O_RDONLY, 0);
	EXPECT(sys3(SYS_getdents64, fd, buf, sizeof(buf)), -ENOTDIR);
	sys1(SYS_close, fd);
}

/* Count the entries of one getdents64 result; each name "eNN"/"long...NN" is marked in seen[]. */
static int tally(const char *buf, long n, int *seen, int max)
{
	int count = 0;

	for (long off = 0; off < n; count++) {
		const struct linux_dirent64 *e = (const struct linux_dirent64 *)(buf + off);
		size_t len = strlen(e->d_name);

		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			int i = atoi(e->d_name + len - 2);

			CHECK(i >= 0 && i < max, "entry %s", e->d_name);
			seen[i]++;
		}
		off += e->d_reclen;
	}
	return count;
}

/*
 * Listings longer than one of the kernel's 1 KiB formatting chunks, read with
 * a big and a small buffer; and a buffer that runs into an unreadable page:
 * as on Linux, the entries that fit before it arrive (their length is the
 * result) and the next call carries on with the first that did not.
 */
static void listing_chunks(void)
{
	static char big[8192];
	int seen[60] = { 0 }, fit_count = 0;
	char name[64], *pages;
	long fd, n, total, fit = 0;

	EXPECT(sys2(SYS_mkdir, "long", 0755), 0);
	for (int i = 0; i < 60; i++) {
		snprintf(name, sizeof(name), "long/%030d", i);
		put(name, "");
	}
	fd = sys3(SYS_open, "long", O_RDONLY | O_DIRECTORY, 0);
	CHECK(fd >= 0, "open(long) = %ld", fd);
	n = sys3(SYS_getdents64, fd, big, sizeof(big));
	/* 60 records of 56 bytes (19 + 30 + 1, rounded up to 8) and the two dots of 24 each. */
	EXPECT(n, 60 * 56 + 2 * 24);
	EXPECT(tally(big, n, seen, 60), 62);
	/* The records that fit in 300 bytes, in the order the directory lists them (Linux's ext4 hashes it). */
	total = n;
	while (fit < total && fit + ((struct linux_dirent64 *)(big + fit))->d_reclen <= 300) {
		fit += ((struct linux_dirent64 *)(big + fit))->d_reclen;
		fit_count++;
	}
	EXPECT(sys3(SYS_getdents64, fd, big, sizeof(big)), 0);
	for (int i = 0; i < 60; i++)
		CHECK(seen[i] == 1, "entry %d listed %d times", i, seen[i]);
	/* 200 bytes a call: three records at most, every entry once. */
	memset(seen, 0, sizeof(seen));
	EXPECT(sys3(SYS_lseek, fd, 0, SEEK_SET), 0);
	while ((n = sys3(SYS_getdents64, fd, big, 200)) > 0)
		CHECK(n <= 200, "getdents64 gave %ld bytes for 200", n);
	EXPECT(n, 0);
	EXPECT(sys3(SYS_lseek, fd, 0, SEEK_SET), 0);
	while ((n = sys3(SYS_getdents64, fd, big, 200)) > 0)
		tally(big, n, seen, 60);
	for (int i = 0; i < 60; i++)
		CHECK(seen[i] == 1, "entry %d listed %d times with a small buffer", i, seen[i]);
	/* 300 bytes before an unreadable page: the records that fit arrive, no more. */
	pages = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(pages != MAP_FAILED, "mmap");
	EXPECT(sys3(SYS_mprotect, pages + 4096, 4096, PROT_NONE), 0);
	memset(seen, 0, sizeof(seen));
	EXPECT(sys3(SYS_lseek, fd, 0, SEEK_SET), 0);
	n = sys3(SYS_getdents64, fd, pages + 4096 - 300, 4000);
	EXPECT(n, fit);
	EXPECT(tally(pages + 4096 - 300, n, seen, 60), fit_count);
	/* Nothing fits: EFAULT, and the offset stays. */
	EXPECT(sys3(SYS_getdents64, fd, pages + 4096 - 8, 4000), -EFAULT);
	n = sys3(SYS_getdents64, fd, big, sizeof(big));
	EXPECT(n, total - fit);
	tally(big, n, seen, 60);
	for (int i = 0; i < 60; i++)
		CHECK(seen[i] == 1, "entry %d listed %d times around the fault", i, seen[i]);
	munmap(pages, 8192);
	sys1(SYS_close, fd);
	for (int i = 0; i < 60; i++) {
		snprintf(name, sizeof(name), "long/%030d", i);
		EXPECT(sys1(SYS_unlink, name), 0);
	}
	EXPECT(sys1(SYS_rmdir, "long"), 0);
}

/* EMFILE at RLIMIT_NOFILE; the lowest free descriptor is always the one given. */
static void limits(void)
{
	struct rlimit old, lim;
	long fds[32];
	int n = 0;

	EXPECT(sys2(SYS_getrlimit, RLIMIT_NOFILE, &old), 0);
	lim.rlim_cur = 16; /* the soft limit only: raising a hard limit again takes CAP_SYS_RESOURCE */
	lim.rlim_max = old.rlim_max;
	EXPECT(sys2(SYS_setrlimit, RLIMIT_NOFILE, &lim), 0);
	for (;;) {
		long fd = sys3(SYS_open, "f", O_RDONLY, 0);

		if (fd < 0) {
			EXPECT(fd, -EMFILE);
			break;
		}
		CHECK(n < 32, "no EMFILE at 16");
		fds[n++] = fd;
	}
	EXPECT(fds[n - 1], 15);
	EXPECT(sys1(SYS_close, fds[2]), 0);
	EXPECT(sys3(SYS_open, "f", O_RDONLY, 0), fds[2]);
	for (int i = 0; i < n; i++)
		sys1(SYS_close, fds[i]);
	EXPECT(sys2(SYS_setrlimit, RLIMIT_NOFILE, &old), 0);
}

static void cleanup(void)
{
	static const char *const files[] = { "f", "lnk", "loop1", "loop2", "hard", "private" };
	char name[32];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		EXPECT(sys1(SYS_unlink, files[i]), 0);
	for (int i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "list/e%02d", i);
		EXPECT(sys1(SYS_unlink, name), 0);
	}
	EXPECT(sys1(SYS_rmdir, "list"), 0);
	EXPECT(sys1(SYS_rmdir, "d"), 0);
}

int main(void)
{
	char dir[] = "/tmp/fs_calls.XXXXXX";

	CHECK(mkdtemp(dir) != NULL, "mkdtemp: %d", errno);
	CHECK(sys1(SYS_chdir, dir) == 0, "chdir(%s)", dir);
	files_and_offsets();
	names();
	listing();
	listing_chunks();
	limits();
	cleanup();
	CHECK(sys1(SYS_chdir, "/") == 0, "chdir(/)");
	EXPECT(sys1(SYS_rmdir, dir), 0);
	say("%d checks of the file calls and their errors", checks);
	return 0;
}
