/* SPDX-License-Identifier: MIT */
/*
 * test_vfs.c - the file layer on the host: ramfs, path walk, the *at()
 * operations' error cases, descriptor tables, pipes, the terminal's line
 * discipline, the cpio unpacker and the radix tree, under ASan/UBSan (and
 * LeakSanitizer: every reference must come back, or the run fails).
 *
 * The kernel services the file layer uses are stubs here: the heap is
 * malloc, "user" buffers are host memory, time is a counter, and sleeping
 * is a test failure (everything below is driven without blocking).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "unit.h"

#include "cpio.h"
#include "devfs.h"
#include "heap.h"
#include "kerrno.h"
#include "ktime.h"
#include "pipe.h"
#include "radix.h"
#include "ramfs.h"
#include "tty.h"
#include "uaccess.h"
#include "vfs.h"
#include "wait.h"

/* ---- stubs ---- */

void *kmalloc(size_t n)
{
	return malloc(n ? n : 1);
}

void *kzalloc(size_t n)
{
	return calloc(1, n ? n : 1);
}

void *kcalloc(size_t n, size_t size)
{
	return calloc(n ? n : 1, size ? size : 1);
}

void kfree(void *p)
{
	free(p);
}

void panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	abort();
}

static int64_t clock_ns = 1700000000LL * 1000000000LL;

struct kts ktime_real(void)
{
	clock_ns += 1000;
	return kts_from_ns(clock_ns);
}

uint64_t ktime_deadline(uint64_t ns)
{
	return ns + 1;
}

int copy_to_user(uint64_t udst, const void *src, size_t n)
{
	memcpy((void *)(uintptr_t)udst, src, n);
	return 0;
}

int copy_from_user(void *dst, uint64_t usrc, size_t n)
{
	memcpy(dst, (const void *)(uintptr_t)usrc, n);
	return 0;
}

static long pages_live;

void *ramfs_page_alloc(void)
{
	pages_live++;
	return calloc(1, 4096);
}

/* Pages a test handed to ramfs_adopt_page (through cpio_unpack) live in this buffer: not malloc'd one by one. */
static char *adopt_lo, *adopt_hi;
static unsigned adopted_freed;

void ramfs_page_free(void *page)
{
	if ((char *)page >= adopt_lo && (char *)page < adopt_hi) {
		adopted_freed++;
		return;
	}
	pages_live--;
	free(page);
}

void random_fill(void *buf, size_t n)
{
	memset(buf, 0x5a, n);
}

static int wakes;

void waitq_wake(struct waitq *q)
{
	(void)q;
	wakes++;
}

void waitq_add(struct waitq *q, struct wq_entry *e)
{
	(void)q;
	(void)e;
}

void waitq_del(struct wq_entry *e)
{
	(void)e;
}

int task_sleep(uint64_t deadline)
{
	(void)deadline;
	fail_msg("the file layer tried to sleep in a host test");
	return -EINTR;
}

int waitq_wait(struct waitq *q, uint64_t deadline)
{
	(void)q;
	/* Only timed waits (VTIME) may happen here: they time out at once. */
	if (deadline)
		return -ETIMEDOUT;
	return task_sleep(deadline);
}

/* ---- helpers ---- */

static struct fs_ctx *fs;

static int setup(void **state)
{
	(void)state;
	assert_int_equal(vfs_init(), 0);
	fs = fs_ctx_new(vfs_root(), vfs_root());
	assert_non_null(fs);
	return 0;
}

static int write_file(const char *path, const char *text)
{
	struct file *f;
	struct uio u = uio_kernel((void *)(uintptr_t)text, strlen(text));
	int err = vfs_open(fs, NULL, path, O_WRONLY | O_CREAT | O_TRUNC, 0644, &f);
	long n;

	if (err)
		return err;
	n = vfs_write(f, &u);
	file_put(f);
	return n < 0 ? (int)n : 0;
}

static long read_file(const char *path, char *buf, size_t size)
{
	struct file *f;
	struct uio u = uio_kernel(buf, size - 1);
	int err = vfs_open(fs, NULL, path, O_RDONLY, 0, &f);
	long n;

	if (err)
		return err;
	n = vfs_read(f, &u);
	file_put(f);
	if (n >= 0)
		buf[n] = 0;
	return n;
}

static int exists(const char *path)
{
	struct inode *ino;

	if (vfs_walk(fs, NULL, path, 0, &ino))
		return 0;
	inode_put(ino);
	return 1;
}

/* ---- ramfs and the operations ---- */

static void test_create_read_unlink(void **state)
{
	char buf[64];
	struct inode *ino;
	long before = pages_live;

	(void)state;
	assert_int_equal(vfs_mkdir(fs, NULL, "/tmp/a", 0755), 0);
	assert_int_equal(write_file("/tmp/a/f", "hello"), 0);
	assert_int_equal(read_file("/tmp/a/f", buf, sizeof(buf)), 5);
	assert_string_equal(buf, "hello");
	assert_int_equal(vfs_walk(fs, NULL, "/tmp/a/f", 0, &ino), 0);
	assert_int_equal(ino->size, 5);
	assert_int_equal(ino->nlink, 1);
	assert_true(S_ISREG(ino->mode));
	assert_int_equal(ino->mode & 0777, 0644 & ~022);
	inode_put(ino);
	assert_int_equal(pages_live, before + 1);
	/* The errors of each call. */
	assert_int_equal(vfs_mkdir(fs, NULL, "/tmp/a", 0755), -EEXIST);
	assert_int_equal(vfs_mkdir(fs, NULL, "/tmp/nope/x", 0755), -ENOENT);
	assert_int_equal(vfs_mkdir(fs, NULL, "/tmp/a/f/x", 0755), -ENOTDIR);
	assert_int_equal(vfs_unlink(fs, NULL, "/tmp/a"), -EISDIR);
	assert_int_equal(vfs_rmdir(fs, NULL, "/tmp/a/f"), -ENOTDIR);
	assert_int_equal(vfs_rmdir(fs, NULL, "/tmp/a"), -ENOTEMPTY);
	assert_int_equal(vfs_rmdir(fs, NULL, "/tmp/a/."), -EINVAL);
	assert_int_equal(vfs_rmdir(fs, NULL, "/"), -EBUSY);
	assert_int_equal(vfs_unlink(fs, NULL, "/tmp/a/missing"), -ENOENT);
	assert_int_equal(vfs_unlink(fs, NULL, "/tmp/a/f/"), -ENOTDIR);
	assert_int_equal(vfs_unlink(fs, NULL, "/tmp/a/f"), 0);
	assert_int_equal(pages_live, before);
	assert_int_equal(vfs_rmdir(fs, NULL, "/tmp/a"), 0);
	assert_false(exists("/tmp/a"));
}

static void test_open_flags(void **state)
{
	struct file *f;
	char buf[32];
	struct uio u;

	(void)state;
	assert_int_equal(vfs_open(fs, NULL, "/tmp/o", O_RDONLY, 0, &f), -ENOENT);
	assert_int_equal(vfs_open(fs, NULL, "/tmp/o", O_RDWR | O_CREAT | O_EXCL, 0600, &f), 0);
	file_put(f);
	assert_int_equal(vfs_open(fs, NULL, "/tmp/o", O_RDWR | O_CREAT | O_EXCL, 0600, &f), -EEXIST);
	assert_int_equal(vfs_open(fs, NULL, "/tmp/o/", O_RDONLY, 0, &f), -ENOTDIR);
	assert_int_equal(vfs_open(fs, NULL, "/tmp/o", O_RDONLY | O_DIRECTORY, 0, &f), -ENOTDIR);
	assert_int_equal(vfs_open(fs, NULL, "/tmp", O_WRONLY, 0, &f), -EISDIR);
	assert_int_equal(vfs_open(fs, NULL, "/tmp/", O_RDWR | O_CREAT, 0600, &f), -EISDIR);
	assert_int_equal(vfs_open(fs, NULL, "/tmp/new/", O_RDWR | O_CREAT, 0600, &f), -EISDIR);
	/* Reading a write-only file, writing a read-only one: EBADF. */
	assert_int_equal(vfs_open(fs, NULL, "/tmp/o", O_WRONLY, 0, &f), 0);
	u = uio_kernel(buf, sizeof(buf));
	assert_int_equal(vfs_read(f, &u), -EBADF);
	file_put(f);
	assert_int_equal(write_file("/tmp/o", "0123456789"), 0);
	assert_int_equal(vfs_open(fs, NULL, "/tmp/o", O_RDONLY, 0, &f), 0);
	u = uio_kernel(buf, 4);
	assert_int_equal(vfs_write(f, &u), -EBADF);
	/* pread leaves the offset alone; lseek moves it; SEEK_END; a negative result is EINVAL. */
	u = uio_kernel(buf, 3);
	assert_int_equal(vfs_pread(f, &u, 5), 3);
	assert_memory_equal(buf, "567", 3);
	assert_int_equal(f->pos, 0);
	assert_int_equal(vfs_lseek(f, -2, 2), 8);
	u = uio_kernel(buf, 10);
	assert_int_equal(vfs_read(f, &u), 2);
	assert_int_equal(vfs_lseek(f, -100, 1), -EINVAL);
	assert_int_equal(vfs_lseek(f, 0, 7), -EINVAL);
	file_put(f);
	/* O_APPEND writes at the end; O_TRUNC empties. */
	assert_int_equal(vfs_open(fs, NULL, "/tmp/o", O_WRONLY | O_APPEND, 0, &f), 0);
	u = uio_kernel("AB", 2);
	assert_int_equal(vfs_write(f, &u), 2);
	file_put(f);
	assert_int_equal(read_file("/tmp/o", buf, sizeof(buf)), 12);
	assert_string_equal(buf, "0123456789AB");
	assert_int_equal(vfs_open(fs, NULL, "/tmp/o", O_WRONLY | O_TRUNC, 0, &f), 0);
	assert_int_equal(f->ino->size, 0);
	file_put(f);
	assert_int_equal(vfs_unlink(fs, NULL, "/tmp/o"), 0);
}

static void test_sparse_and_truncate(void **state)
{
	struct file *f;
	char buf[16];
	struct uio u;
	long before = pages_live;

	(void)state;
	assert_int_equal(vfs_open(fs, NULL, "/tmp/sparse", O_RDWR | O_CREAT, 0600, &f), 0);
	/* One byte a terabyte out: one page held, the hole reads as zeroes. */
	u = uio_kernel("x", 1);
	assert_int_equal(vfs_pwrite(f, &u, 1ULL << 40), 1);
	assert_int_equal(f->ino->size, (1ULL << 40) + 1);
	assert_int_equal(pages_live, before + 1);
	u = uio_kernel(buf, sizeof(buf));
	memset(buf, 1, sizeof(buf));
	assert_int_equal(vfs_pread(f, &u, 12345), 16);
	for (int i = 0; i < 16; i++)
		assert_int_equal(buf[i], 0);
	/* Shrinking frees the page; growing again shows zeroes, not the old byte. */
	assert_int_equal(vfs_truncate(f->ino, 10), 0);
	assert_int_equal(pages_live, before);
	u = uio_kernel("abcdefghij", 10);
	assert_int_equal(vfs_pwrite(f, &u, 0), 10);
	assert_int_equal(vfs_truncate(f->ino, 3), 0);
	assert_int_equal(vfs_truncate(f->ino, 10), 0);
	u = uio_kernel(buf, 10);
	assert_int_equal(vfs_pread(f, &u, 0), 10);
	assert_memory_equal(buf, "abc\0\0\0\0\0\0\0", 10);
	assert_int_equal(vfs_truncate(f->ino, 1ULL << 50), -EFBIG);
	file_put(f);
	assert_int_equal(vfs_unlink(fs, NULL, "/tmp/sparse"), 0);
	assert_int_equal(pages_live, before);
}

static void test_unlink_while_open(void **state)
{
	struct file *f;
	char buf[16];
	struct uio u;
	long before = pages_live;

	(void)state;
	assert_int_equal(write_file("/tmp/gone", "still here"), 0);
	assert_int_equal(vfs_open(fs, NULL, "/tmp/gone", O_RDONLY, 0, &f), 0);
	assert_int_equal(vfs_unlink(fs, NULL, "/tmp/gone"), 0);
	assert_false(exists("/tmp/gone"));
	assert_int_equal(f->ino->nlink, 0);
	u = uio_kernel(buf, sizeof(buf));
	assert_int_equal(vfs_read(f, &u), 10);
	assert_int_equal(pages_live, before + 1);
	file_put(f);
	assert_int_equal(pages_live, before);
}

static void test_symlinks(void **state)
{
	char buf[PATH_MAX];
	struct inode *ino;
	struct file *f;

	(void)state;
	assert_int_equal(vfs_mkdir(fs, NULL, "/tmp/s", 0755), 0);
	assert_int_equal(write_file("/tmp/s/target", "T"), 0);
	assert_int_equal(vfs_symlink(fs, "target", NULL, "/tmp/s/rel"), 0);
	assert_int_equal(vfs_symlink(fs, "/tmp/s", NULL, "/tmp/s/up"), 0);
	assert_int_equal(vfs_symlink(fs, "loop2", NULL, "/tmp/s/loop1"), 0);
	assert_int_equal(vfs_symlink(fs, "loop1", NULL, "/tmp/s/loop2"), 0);
	assert_int_equal(vfs_symlink(fs, "nowhere", NULL, "/tmp/s/dangling"), 0);
	assert_int_equal(vfs_symlink(fs, "", NULL, "/tmp/s/empty"), -ENOENT);
	assert_int_equal(read_file("/tmp/s/rel", buf, sizeof(buf)), 1);
	assert_int_equal(read_file("/tmp/s/up/up/up/rel", buf, sizeof(buf)), 1);
	assert_int_equal(vfs_readlink(fs, NULL, "/tmp/s/rel", buf, sizeof(buf)), 6);
	assert_memory_equal(buf, "target", 6);
	assert_int_equal(vfs_readlink(fs, NULL, "/tmp/s/target", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(vfs_walk(fs, NULL, "/tmp/s/loop1", WALK_FOLLOW, &ino), -ELOOP);
	assert_int_equal(vfs_walk(fs, NULL, "/tmp/s/loop1", 0, &ino), 0);
	assert_true(S_ISLNK(ino->mode));
	inode_put(ino);
	assert_int_equal(vfs_open(fs, NULL, "/tmp/s/rel", O_RDONLY | O_NOFOLLOW, 0, &f), -ELOOP);
	/* O_CREAT through a dangling link creates its target. */
	assert_int_equal(vfs_open(fs, NULL, "/tmp/s/dangling", O_WRONLY | O_CREAT, 0644, &f), 0);
	file_put(f);
	assert_true(exists("/tmp/s/nowhere"));
	/* A link to a directory followed by a slash is the directory. */
	assert_int_equal(vfs_walk(fs, NULL, "/tmp/s/up/", 0, &ino), 0);
	assert_true(S_ISDIR(ino->mode));
	inode_put(ino);
	/* 40 links in a chain resolve; 41 do not. */
	for (int i = 0; i < 41; i++) {
		char name[32], target[32];

		snprintf(name, sizeof(name), "/tmp/s/c%d", i);
		snprintf(target, sizeof(target), i ? "c%d" : "target", i - 1);
		assert_int_equal(vfs_symlink(fs, target, NULL, name), 0);
	}
	assert_int_equal(vfs_walk(fs, NULL, "/tmp/s/c39", WALK_FOLLOW, &ino), 0);
	inode_put(ino);
	assert_int_equal(vfs_walk(fs, NULL, "/tmp/s/c40", WALK_FOLLOW, &ino), -ELOOP);
}

static void test_names_and_lengths(void **state)
{
	char *long_path = malloc(PATH_MAX + 10), name[300];
	struct inode *ino;
	struct file *f;

	(void)state;
	memset(name, 'n', 255);
	name[255] = 0;
	snprintf(long_path, PATH_MAX, "/tmp/%s", name);
	assert_int_equal(write_file(long_path, "x"), 0);
	assert_int_equal(vfs_unlink(fs, NULL, long_path), 0);
	name[255] = 'n';
	name[256] = 0;
	snprintf(long_path, PATH_MAX, "/tmp/%s", name);
	assert_int_equal(vfs_open(fs, NULL, long_path, O_RDONLY, 0, &f), -ENAMETOOLONG);
	assert_int_equal(vfs_mkdir(fs, NULL, long_path, 0755), -ENAMETOOLONG);
	/* A path of PATH_MAX bytes or more is too long, even made of short components. */
	for (int i = 0; i < PATH_MAX + 2; i += 2)
		memcpy(long_path + i, "./", 2);
	long_path[PATH_MAX + 2] = 0;
	assert_int_equal(vfs_walk(fs, NULL, long_path, 0, &ino), -ENAMETOOLONG);
	long_path[PATH_MAX - 1] = 0;
	assert_int_equal(vfs_walk(fs, NULL, long_path, 0, &ino), 0);
	inode_put(ino);
	assert_int_equal(vfs_walk(fs, NULL, "", 0, &ino), -ENOENT);
	/* ".." at the root stays there; "." and ".." inside paths. */
	assert_int_equal(vfs_walk(fs, NULL, "/../../tmp/./../tmp", 0, &ino), 0);
	assert_ptr_not_equal(ino, vfs_root());
	inode_put(ino);
	free(long_path);
}

static void test_rename(void **state)
{
	char buf[32];

	(void)state;
	assert_int_equal(vfs_mkdir(fs, NULL, "/tmp/r", 0755), 0);
	assert_int_equal(vfs_mkdir(fs, NULL, "/tmp/r/d1", 0755), 0);
	assert_int_equal(vfs_mkdir(fs, NULL, "/tmp/r/d2", 0755), 0);
	assert_int_equal(write_file("/tmp/r/a", "A"), 0);
	assert_int_equal(write_file("/tmp/r/b", "B"), 0);
	assert_int_equal(write_file("/tmp/r/d2/in", "I"), 0);
	/* File over file replaces it. */
	assert_int_equal(vfs_rename(fs, NULL, "/tmp/r/a", NULL, "/tmp/r/b", 0), 0);
	assert_int_equal(read_file("/tmp/r/b", buf, sizeof(buf)), 1);
	assert_string_equal(buf, "A");
	assert_false(exists("/tmp/r/a"));
	/* The errors Linux gives. */
	assert_int_equal(vfs_rename(fs, NULL, "/tmp/r/b", NULL, "/tmp/r/d1", 0), -EISDIR);
	assert_int_equal(vfs_rename(fs, NULL, "/tmp/r/d1", NULL, "/tmp/r/b", 0), -ENOTDIR);
	assert_int_equal(vfs_rename(fs, NULL, "/tmp/r/d1", NULL, "/tmp/r/d2", 0), -ENOTEMPTY);
	assert_int_equal(vfs_rename(fs, NULL, "/tmp/r/d1", NULL, "/tmp/r/d1/sub", 0), -EINVAL);
	assert_int_equal(vfs_rename(fs, NULL, "/tmp/r/missing", NULL, "/tmp/r/x", 0), -ENOENT);
	assert_int_equal(vfs_rename(fs, NULL, "/tmp/r/b", NULL, "/tmp/r/d2/in", RENAME_NOREPLACE), -EEXIST);
	assert_int_equal(vfs_rename(fs, NULL, "/tmp/r/.", NULL, "/tmp/r/x", 0), -EBUSY);
	assert_int_equal(vfs_rename(fs, NULL, "/tmp/r/b", NULL, "/tmp/r/b", 0), 0);
	/* Directory over an empty directory; nlink counts follow. */
	assert_int_equal(vfs_rmdir(fs, NULL, "/tmp/r/d2/../d2/in/.."), -ENOTDIR);
	assert_int_equal(vfs_unlink(fs, NULL, "/tmp/r/d2/in"), 0);
	assert_int_equal(vfs_rename(fs, NULL, "/tmp/r/d1", NULL, "/tmp/r/d2", 0), 0);
	assert_false(exists("/tmp/r/d1"));
	/* Exchange swaps two names. */
	assert_int_equal(write_file("/tmp/r/x", "X"), 0);
	assert_int_equal(vfs_rename(fs, NULL, "/tmp/r/x", NULL, "/tmp/r/b", RENAME_EXCHANGE), 0);
	assert_int_equal(read_file("/tmp/r/b", buf, sizeof(buf)), 1);
	assert_string_equal(buf, "X");
	assert_int_equal(read_file("/tmp/r/x", buf, sizeof(buf)), 1);
	assert_string_equal(buf, "A");
	assert_int_equal(vfs_rename(fs, NULL, "/tmp/r/x", NULL, "/tmp/r/nope", RENAME_EXCHANGE), -ENOENT);
	/* Moving a directory to another parent moves its ".." too. */
	assert_int_equal(vfs_mkdir(fs, NULL, "/tmp/r/d2/deep", 0755), 0);
	assert_int_equal(vfs_rename(fs, NULL, "/tmp/r/d2/deep", NULL, "/tmp/r/deep", 0), 0);
	assert_int_equal(write_file("/tmp/r/deep/../check", "C"), 0);
	assert_true(exists("/tmp/r/check"));
}

static void test_hard_links(void **state)
{
	struct inode *ino;
	char buf[8];

	(void)state;
	assert_int_equal(write_file("/tmp/l1", "L"), 0);
	assert_int_equal(vfs_link(fs, NULL, "/tmp/l1", NULL, "/tmp/l2", 0), 0);
	assert_int_equal(vfs_link(fs, NULL, "/tmp/l1", NULL, "/tmp/l2", 0), -EEXIST);
	assert_int_equal(vfs_link(fs, NULL, "/tmp", NULL, "/tmp/l3", 0), -EPERM);
	assert_int_equal(vfs_walk(fs, NULL, "/tmp/l2", 0, &ino), 0);
	assert_int_equal(ino->nlink, 2);
	inode_put(ino);
	assert_int_equal(vfs_unlink(fs, NULL, "/tmp/l1"), 0);
	assert_int_equal(read_file("/tmp/l2", buf, sizeof(buf)), 1);
	assert_int_equal(vfs_unlink(fs, NULL, "/tmp/l2"), 0);
}

/* getdents64 with entries removed between calls: every name seen exactly once. */
struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	uint16_t d_reclen;
	uint8_t d_type;
	char d_name[];
};

static void test_getdents_while_removing(void **state)
{
	char buf[200], path[64];
	int seen[100] = { 0 }, dots = 0;
	struct file *d;
	long n;

	(void)state;
	assert_int_equal(vfs_mkdir(fs, NULL, "/tmp/g", 0755), 0);
	for (int i = 0; i < 100; i++) {
		snprintf(path, sizeof(path), "/tmp/g/f%d", i);
		assert_int_equal(write_file(path, ""), 0);
	}
	assert_int_equal(vfs_open(fs, NULL, "/tmp/g", O_RDONLY | O_DIRECTORY, 0, &d), 0);
	assert_int_equal(vfs_getdents64(d, (uint64_t)(uintptr_t)buf, 10), -EINVAL);
	while ((n = vfs_getdents64(d, (uint64_t)(uintptr_t)buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct linux_dirent64 *e = (struct linux_dirent64 *)(buf + off);
			int k;

			assert_int_equal(e->d_reclen % 8, 0);
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) {
				assert_int_equal(e->d_type, DT_DIR);
				dots++;
			} else {
				assert_int_equal(sscanf(e->d_name, "f%d", &k), 1);
				assert_int_equal(e->d_type, DT_REG);
				seen[k]++;
				snprintf(path, sizeof(path), "/tmp/g/%s", e->d_name);
				assert_int_equal(vfs_unlink(fs, NULL, path), 0);
			}
			off += e->d_reclen;
		}
	}
	assert_int_equal(n, 0);
	assert_int_equal(dots, 2);
	for (int i = 0; i < 100; i++)
		assert_int_equal(seen[i], 1);
	file_put(d);
	assert_int_equal(vfs_rmdir(fs, NULL, "/tmp/g"), 0);
}

static void test_mounts_and_cwd(void **state)
{
	struct super *sb = ramfs_new("test", "ramfs", MKDEV(0, 99));
	struct inode *mnt, *ino, *up;
	char buf[PATH_MAX];
	struct fs_ctx *here;

	(void)state;
	assert_int_equal(vfs_mkdir(fs, NULL, "/tmp/mnt", 0755), 0);
	assert_int_equal(vfs_walk(fs, NULL, "/tmp/mnt", 0, &mnt), 0);
	assert_int_equal(vfs_mount(mnt, sb), 0);
	assert_int_equal(vfs_mount(mnt, sb), -EBUSY);
	inode_put(mnt);
	assert_int_equal(vfs_mkdir(fs, NULL, "/tmp/mnt/inside", 0755), 0);
	assert_int_equal(vfs_walk(fs, NULL, "/tmp/mnt/inside", 0, &ino), 0);
	assert_ptr_equal(ino->sb, sb);
	assert_int_equal(vfs_dir_path(fs, ino, buf, sizeof(buf)), (long)strlen("/tmp/mnt/inside"));
	assert_string_equal(buf, "/tmp/mnt/inside");
	assert_int_equal(vfs_dir_path(fs, ino, buf, 5), -ERANGE);
	/* ".." from the mounted root is the directory above the mount point. */
	assert_int_equal(vfs_walk(fs, ino, "../..", 0, &up), 0);
	assert_int_equal(vfs_dir_path(fs, up, buf, sizeof(buf)), 4);
	assert_string_equal(buf, "/tmp");
	inode_put(up);
	/* Cross-device link and rename: EXDEV; removing the mount point: EBUSY. */
	assert_int_equal(write_file("/tmp/mnt/inside/f", "x"), 0);
	assert_int_equal(vfs_link(fs, NULL, "/tmp/mnt/inside/f", NULL, "/tmp/f", 0), -EXDEV);
	assert_int_equal(vfs_rename(fs, NULL, "/tmp/mnt/inside/f", NULL, "/tmp/f", 0), -EXDEV);
	assert_int_equal(vfs_rmdir(fs, NULL, "/tmp/mnt"), -EBUSY);
	/* A removed cwd has no path; relative walks from it find nothing new. */
	here = fs_ctx_new(vfs_root(), ino);
	assert_int_equal(vfs_unlink(fs, NULL, "/tmp/mnt/inside/f"), 0);
	assert_int_equal(vfs_rmdir(fs, NULL, "/tmp/mnt/inside"), 0);
	assert_int_equal(vfs_dir_path(here, ino, buf, sizeof(buf)), -ENOENT);
	assert_int_equal(vfs_mkdir(here, NULL, "x", 0755), -ENOENT);
	assert_int_equal(vfs_dir_path(fs, vfs_root(), buf, sizeof(buf)), 1);
	assert_string_equal(buf, "/");
	fs_ctx_put(here);
	inode_put(ino);
}

/* ---- descriptor tables ---- */

static void test_fdtable(void **state)
{
	struct fdtable *t = fdtable_new(), *c;
	struct file *f;
	int fd;

	(void)state;
	assert_int_equal(write_file("/tmp/fd", "abcdef"), 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(vfs_open(fs, NULL, "/tmp/fd", O_RDONLY, 0, &f), 0);
		assert_int_equal(fd_install(t, 0, f, 0, FD_MAX_DEFAULT), i);
	}
	/* The lowest free slot; dup shares the offset. */
	assert_int_equal(fd_close(t, 1), 0);
	assert_int_equal(fd_close(t, 1), -EBADF);
	f = file_get(fd_file(t, 0));
	assert_int_equal(fd_install(t, 0, f, 1, FD_MAX_DEFAULT), 1);
	assert_int_equal(vfs_lseek(fd_file(t, 0), 4, 0), 4);
	assert_int_equal(fd_file(t, 1)->pos, 4);
	assert_int_equal(fd_get_cloexec(t, 1), 1);
	assert_int_equal(fd_get_cloexec(t, 0), 0);
	/* dup2 over an open slot, beyond the initial size. */
	f = file_get(fd_file(t, 2));
	assert_int_equal(fd_install_at(t, 100, f, 0, FD_MAX_DEFAULT), 100);
	assert_int_equal(fd_install_at(t, FD_MAX_DEFAULT, file_get(f), 0, FD_MAX_DEFAULT), -EBADF);
	file_put(f);
	/* fork's copy shares files; exec closes the close-on-exec ones. */
	c = fdtable_copy(t);
	assert_ptr_equal(fd_file(c, 100), fd_file(t, 100));
	fdtable_close_on_exec(c);
	assert_null(fd_file(c, 1));
	assert_non_null(fd_file(c, 0));
	assert_int_equal(fdtable_count(c), 3);
	fdtable_put(c);
	/* EMFILE at the limit. */
	for (fd = 3; fd < 16; fd++) {
		assert_int_equal(vfs_open(fs, NULL, "/tmp/fd", O_RDONLY, 0, &f), 0);
		if (fd_install(t, 0, f, 0, 16) < 0) {
			file_put(f);
			break;
		}
	}
	assert_int_equal(vfs_open(fs, NULL, "/tmp/fd", O_RDONLY, 0, &f), 0);
	assert_int_equal(fd_install(t, 0, f, 0, 16), -EMFILE);
	file_put(f);
	fdtable_put(t);
	assert_int_equal(vfs_unlink(fs, NULL, "/tmp/fd"), 0);
}

/* ---- pipes ---- */

static void test_pipe(void **state)
{
	struct file *r, *w;
	char *big = malloc(PIPE_SIZE + 10), buf[64];
	struct uio u;
	struct lx_stat st;

	(void)state;
	assert_int_equal(pipe_create(O_NONBLOCK, &r, &w), 0);
	assert_true(file_is_pipe(r));
	vfs_stat(r->ino, &st);
	assert_true(S_ISFIFO(st.st_mode));
	u = uio_kernel(buf, sizeof(buf));
	assert_int_equal(vfs_read(r, &u), -EAGAIN);
	u = uio_kernel("hello", 5);
	assert_int_equal(vfs_write(w, &u), 5);
	assert_int_equal(r->fop->poll(r, NULL) & POLLIN, POLLIN);
	u = uio_kernel(buf, 3);
	assert_int_equal(vfs_read(r, &u), 3);
	u = uio_kernel(buf, sizeof(buf));
	assert_int_equal(vfs_read(r, &u), 2);
	assert_memory_equal(buf, "lo", 2);
	/* Fill it: 64 KiB go in, then EAGAIN; a PIPE_BUF write is all or nothing. */
	memset(big, 'z', PIPE_SIZE + 10);
	u = uio_kernel(big, PIPE_SIZE + 10);
	assert_int_equal(vfs_write(w, &u), PIPE_SIZE);
	u = uio_kernel(big, 1);
	assert_int_equal(vfs_write(w, &u), -EAGAIN);
	assert_int_equal(w->fop->poll(w, NULL) & POLLOUT, 0);
	u = uio_kernel(big, 100);
	assert_int_equal(vfs_read(r, &u), 100);
	u = uio_kernel(big, 200);
	assert_int_equal(vfs_write(w, &u), -EAGAIN); /* 100 bytes free, 200 <= PIPE_BUF: none written */
	u = uio_kernel(big, PIPE_SIZE);
	assert_int_equal(vfs_read(r, &u), PIPE_SIZE - 100);
	/* The writer goes: end of file. The reader goes: EPIPE. */
	file_put(w);
	u = uio_kernel(buf, sizeof(buf));
	assert_int_equal(vfs_read(r, &u), 0);
	assert_int_equal(r->fop->poll(r, NULL) & POLLHUP, POLLHUP);
	file_put(r);
	assert_int_equal(pipe_create(0, &r, &w), 0);
	file_put(r);
	u = uio_kernel("x", 1);
	assert_int_equal(vfs_write(w, &u), -EPIPE);
	assert_int_equal(vfs_lseek(w, 0, 0), -ESPIPE);
	file_put(w);
	free(big);
}

/*
 * The ring grows from a page to PIPE_SIZE with bytes queued across its wrap
 * point, and shrinks when a full-size ring drains: random non-blocking
 * writes and reads against a model FIFO (Linux's rules: a write of at most
 * PIPE_BUF bytes goes in whole or not at all, a bigger one as far as it
 * fits), every byte numbered so that an order mistake shows.
 */
static void test_pipe_ring(void **state)
{
	struct file *r, *w;
	static uint8_t model[PIPE_SIZE], in[3 * PIPE_SIZE], out[3 * PIPE_SIZE];
	size_t mhead = 0, mlen = 0;
	uint32_t next = 0, want = 0;
	struct uio u;

	(void)state;
	unit_seed(17);
	assert_int_equal(pipe_create(O_NONBLOCK, &r, &w), 0);
	for (int step = 0; step < 4000; step++) {
		uint64_t x = unit_rnd();
		/* Mostly small, sometimes past a page or past the whole pipe. */
		size_t n = 1 + (size_t)((x >> 8) % ((x & 3) == 0 ? 2 * PIPE_SIZE : (x & 3) == 1 ? 6000 : 300));
		long got;

		if ((x >> 40) & 1) {
			size_t room = PIPE_SIZE - mlen, exp = n <= PIPE_BUF && room < n ? 0 : (n < room ? n : room);

			for (size_t i = 0; i < n; i++)
				in[i] = (uint8_t)((next + i) * 7 + ((next + i) >> 8));
			u = uio_kernel(in, n);
			got = vfs_write(w, &u);
			if (!exp) {
				assert_int_equal(got, -EAGAIN);
				continue;
			}
			assert_int_equal(got, (long)exp);
			for (size_t i = 0; i < exp; i++)
				model[(mhead + mlen + i) % PIPE_SIZE] = in[i];
			mlen += exp;
			next += (uint32_t)exp;
		} else {
			size_t exp = n < mlen ? n : mlen;

			u = uio_kernel(out, n);
			got = vfs_read(r, &u);
			if (!exp) {
				assert_int_equal(got, -EAGAIN);
				continue;
			}
			assert_int_equal(got, (long)exp);
			for (size_t i = 0; i < exp; i++)
				if (out[i] != model[(mhead + i) % PIPE_SIZE])
					fail_msg("step %d: byte %zu of a %zu-byte read is %#x, want %#x", step, i, exp,
						 out[i], model[(mhead + i) % PIPE_SIZE]);
			mhead = (mhead + exp) % PIPE_SIZE;
			mlen -= exp;
			want += (uint32_t)exp;
		}
	}
	assert_true(want > 4 * PIPE_SIZE); /* the walk went round the ring many times */
	file_put(w);
	file_put(r);
}

/* ---- the terminal ---- */

static char screen[4096];
static size_t screen_len;
static int last_sig, last_pgrp;

static void fake_write(const char *s, size_t n, int raw)
{
	(void)raw;
	memcpy(screen + screen_len, s, n);
	screen_len += n;
}

static void fake_signal(int pgrp, int sig)
{
	last_pgrp = pgrp;
	last_sig = sig;
}

static const struct tty_driver fake_drv = { fake_write, NULL, NULL, NULL };
static const struct tty_hooks fake_hooks = { fake_signal, NULL, NULL, NULL };

static void typed(struct tty *t, const char *s)
{
	tty_input(t, s, strlen(s));
}

static void test_tty_canonical(void **state)
{
	struct tty *t = tty_console();
	char buf[64];

	(void)state;
	tty_console_init(&fake_drv);
	tty_set_hooks(&fake_hooks);
	screen_len = 0;
	/* Nothing complete yet: a non-blocking read says EAGAIN. */
	typed(t, "ab");
	assert_int_equal(tty_read_kernel(t, buf, sizeof(buf), 1), -EAGAIN);
	/* Erase (DEL), word erase (^W), kill (^U), then CR becomes NL (ICRNL). */
	typed(t, "\x7f"
		 "c one two\x17three\r");
	assert_int_equal(tty_read_kernel(t, buf, sizeof(buf), 1), 13);
	assert_memory_equal(buf, "ac one three\n", 13);
	screen[screen_len] = 0;
	assert_non_null(strstr(screen, "ab\b \bc one two\b \b\b \b\b \bthree"));
	typed(t, "junk\x15ok\n");
	assert_int_equal(tty_read_kernel(t, buf, sizeof(buf), 1), 3);
	assert_memory_equal(buf, "ok\n", 3);
	/* One line per read; a short buffer leaves the rest for the next. */
	typed(t, "first\nsecond\n");
	assert_int_equal(tty_read_kernel(t, buf, 3, 1), 3);
	assert_int_equal(tty_read_kernel(t, buf, sizeof(buf), 1), 3);
	assert_memory_equal(buf, "st\n", 3);
	assert_int_equal(tty_read_kernel(t, buf, sizeof(buf), 1), 7);
	/* ^D on an empty line is end of file; after text it ends the line without a newline. */
	typed(t, "\x04");
	assert_int_equal(tty_read_kernel(t, buf, sizeof(buf), 1), 0);
	typed(t, "no newline\x04");
	assert_int_equal(tty_read_kernel(t, buf, sizeof(buf), 1), 10);
	/* ^C: SIGINT for the foreground group, the line is dropped, "^C" echoed. */
	t->pgrp = 42;
	screen_len = 0;
	typed(t, "partial\x03");
	assert_int_equal(last_sig, 2);
	assert_int_equal(last_pgrp, 42);
	assert_int_equal(tty_read_kernel(t, buf, sizeof(buf), 1), -EAGAIN);
	screen[screen_len] = 0;
	assert_non_null(strstr(screen, "^C"));
	typed(t, "\x1c");
	assert_int_equal(last_sig, 3);
	typed(t, "\x1a");
	assert_int_equal(last_sig, 20);
	/* ^V makes the next control character literal. */
	typed(t, "\x16\x03\n");
	assert_int_equal(tty_read_kernel(t, buf, sizeof(buf), 1), 2);
	assert_int_equal(buf[0], 3);
	t->pgrp = 0;
}

static void test_tty_raw(void **state)
{
	struct tty *t = tty_console();
	char buf[64];

	(void)state;
	tty_console_init(&fake_drv);
	tty_set_hooks(&fake_hooks);
	t->termios.c_lflag &= ~(ICANON | ECHO | ISIG);
	t->termios.c_cc[VMIN] = 0;
	t->termios.c_cc[VTIME] = 0;
	screen_len = 0;
	/* MIN 0 TIME 0: a poll, 0 when nothing is there. */
	assert_int_equal(tty_read_kernel(t, buf, sizeof(buf), 0), 0);
	typed(t, "\x03x\x7f");
	assert_int_equal(tty_read_kernel(t, buf, sizeof(buf), 0), 3);
	assert_memory_equal(buf, "\x03x\x7f", 3);
	assert_int_equal(screen_len, 0); /* no echo */
	/* MIN 0 TIME 1: waits one tenth of a second (a timeout here), then 0. */
	t->termios.c_cc[VTIME] = 1;
	assert_int_equal(tty_read_kernel(t, buf, sizeof(buf), 0), 0);
	/* MIN 2: what is there once two bytes are. */
	t->termios.c_cc[VMIN] = 2;
	t->termios.c_cc[VTIME] = 0;
	typed(t, "abc");
	assert_int_equal(tty_read_kernel(t, buf, sizeof(buf), 0), 3);
}

/* ---- cpio ---- */

struct ar {
	char *buf;
	size_t len;
};

static void ar_entry(struct ar *a, const char *name, unsigned mode, unsigned ino, unsigned nlink, const char *data,
		     size_t n)
{
	char hdr[111];

	snprintf(hdr, sizeof(hdr), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", ino, mode, 0, 0, nlink,
		 1700000000, (unsigned)n, 0, 0, 0, 0, (unsigned)strlen(name) + 1, 0);
	a->buf = realloc(a->buf, a->len + 110 + strlen(name) + 1 + n + 8);
	memcpy(a->buf + a->len, hdr, 110);
	a->len += 110;
	memcpy(a->buf + a->len, name, strlen(name) + 1);
	a->len += strlen(name) + 1;
	while (a->len % 4)
		a->buf[a->len++] = 0;
	memcpy(a->buf + a->len, data, n);
	a->len += n;
	while (a->len % 4)
		a->buf[a->len++] = 0;
}

static char warned[1024];

static void on_warn(void *ctx, const char *msg)
{
	(void)ctx;
	strncat(warned, msg, sizeof(warned) - strlen(warned) - 2);
	strcat(warned, "\n");
}

static void test_cpio(void **state)
{
	struct ar a = { NULL, 0 };
	struct cpio_stats st;
	char buf[64];
	struct inode *ino;

	(void)state;
	ar_entry(&a, ".", S_IFDIR | 0755, 1, 2, "", 0);
	ar_entry(&a, "./bin", S_IFDIR | 0755, 2, 2, "", 0);
	ar_entry(&a, "bin/busybox", S_IFREG | 0755, 3, 2, "", 0); /* data on the last link, as GNU cpio writes it */
	ar_entry(&a, "bin/sh", S_IFREG | 0755, 3, 2, "BB", 2);
	ar_entry(&a, "bin/ls", S_IFLNK | 0777, 4, 1, "busybox", 7);
	ar_entry(&a, "deep/er/file", S_IFREG | 0600, 5, 1, "hello", 5);
	ar_entry(&a, "../escape", S_IFREG | 0600, 6, 1, "no", 2);
	ar_entry(&a, "dev/null2", S_IFCHR | 0666, 7, 1, "", 0);
	ar_entry(&a, "TRAILER!!!", 0, 0, 1, "", 0);
	/* A second archive after zero padding, then one truncated entry. */
	a.buf = realloc(a.buf, a.len + 8);
	memset(a.buf + a.len, 0, 8);
	a.len += 8;
	ar_entry(&a, "second", S_IFREG | 0644, 1, 1, "2nd", 3);
	ar_entry(&a, "cut", S_IFREG | 0644, 9, 1, "0123456789", 10);
	a.len -= 8;
	warned[0] = 0;
	assert_int_equal(cpio_unpack(fs, a.buf, a.len, NULL, on_warn, NULL, &st), -EINVAL);
	assert_int_equal(st.files, 3);
	assert_int_equal(st.links, 1);
	assert_int_equal(st.symlinks, 1);
	assert_int_equal(st.nodes, 1);
	assert_int_equal(st.skipped, 2);
	assert_true(st.truncated);
	assert_non_null(strstr(warned, "\"../escape\""));
	assert_non_null(strstr(warned, "\"cut\""));
	assert_non_null(strstr(warned, "truncated"));
	assert_int_equal(read_file("/bin/busybox", buf, sizeof(buf)), 2);
	assert_int_equal(read_file("/bin/ls", buf, sizeof(buf)), 2);
	assert_string_equal(buf, "BB");
	assert_int_equal(read_file("/deep/er/file", buf, sizeof(buf)), 5);
	assert_int_equal(read_file("/second", buf, sizeof(buf)), 3);
	assert_false(exists("/cut"));
	assert_int_equal(vfs_walk(fs, NULL, "/bin/sh", 0, &ino), 0);
	assert_int_equal(ino->nlink, 2);
	assert_int_equal(ino->mode, S_IFREG | 0755);
	assert_int_equal(ino->mtime.sec, 1700000000);
	inode_put(ino);
	assert_int_equal(vfs_walk(fs, NULL, "/dev/null2", 0, &ino), 0);
	assert_true(S_ISCHR(ino->mode));
	inode_put(ino);
	/* Garbage: one warning naming the offset, nothing else happens. */
	warned[0] = 0;
	assert_int_equal(cpio_unpack(fs, "garbage!", 8, NULL, on_warn, NULL, &st), -EINVAL);
	assert_non_null(strstr(warned, "offset 0"));
	free(a.buf);
}

/* An archive laid out as tools/mkinitrd.py does: file data on page boundaries, names padded with NULs. */
static void test_cpio_in_place(void **state)
{
	const size_t size = 3 * 4096 + 100, small = 50;
	char *ar = aligned_alloc(4096, 8 * 4096), hdr[111], buf[64], *got = malloc(size + 1001);
	uint8_t adopt[1] = { 0 };
	struct file *f;
	struct cpio_stats st;
	size_t off = 0, namesize;
	unsigned live = pages_live;

	(void)state;
	memset(ar, 0, 8 * 4096);
	/* "big": header at 0, name padded so that the data starts at 4096. */
	namesize = 4096 - 110;
	snprintf(hdr, sizeof(hdr), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", 1, S_IFREG | 0644, 0,
		 0, 1, 0, (unsigned)size, 0, 0, 0, 0, (unsigned)namesize, 0);
	memcpy(ar, hdr, 110);
	memcpy(ar + 110, "big", 4);
	for (size_t i = 0; i < size; i++)
		ar[4096 + i] = (char)(i * 7 + 1);
	off = (4096 + size + 3) & ~3UL;
	/* "small", right after it in big's last page: copied. */
	snprintf(hdr, sizeof(hdr), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", 2, S_IFREG | 0644, 0,
		 0, 1, 0, (unsigned)small, 0, 0, 0, 0, 6, 0);
	memcpy(ar + off, hdr, 110);
	memcpy(ar + off + 110, "small", 6);
	off = (off + 116 + 3) & ~3UL;
	memset(ar + off, 's', small);
	off = (off + small + 3) & ~3UL;
	snprintf(hdr, sizeof(hdr), "070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X", 0, 0, 0, 0, 1, 0, 0, 0,
		 0, 0, 0, 11, 0);
	memcpy(ar + off, hdr, 110);
	memcpy(ar + off + 110, "TRAILER!!!", 11);
	off = (off + 121 + 3) & ~3UL;
	adopt_lo = ar;
	adopt_hi = ar + 8 * 4096;
	adopted_freed = 0;
	assert_int_equal(cpio_unpack(fs, ar, off, adopt, on_warn, NULL, &st), 0);
	assert_int_equal(st.files, 2);
	assert_int_equal(st.adopted, 3);
	assert_int_equal(adopt[0], 0x0E); /* pages 1-3: big's whole pages; page 4 (its tail, and small) stays ours */
	assert_int_equal(pages_live, live + 2); /* big's tail page and small's page were copied */
	/* The bytes read back as written; growing the file shows zeroes past them, not the archive's next entry. */
	assert_int_equal(read_file("/big", got, size + 1000 + 1), (long)size);
	assert_memory_equal(got, ar + 4096, size);
	assert_int_equal(read_file("/small", buf, sizeof(buf)), (long)small);
	assert_int_equal(vfs_open(fs, NULL, "/big", O_RDWR, 0, &f), 0);
	assert_int_equal(vfs_truncate(f->ino, size + 1000), 0);
	file_put(f);
	assert_int_equal(read_file("/big", got, size + 1000 + 1), (long)size + 1000);
	assert_memory_equal(got, ar + 4096, size);
	for (size_t i = size; i < size + 1000; i++)
		assert_int_equal(got[i], 0);
	/* Removing the file gives the adopted pages back through ramfs_page_free. */
	assert_int_equal(vfs_unlink(fs, NULL, "/big"), 0);
	assert_int_equal(adopted_freed, 3);
	assert_int_equal(vfs_unlink(fs, NULL, "/small"), 0);
	assert_int_equal(pages_live, live);
	/* A file that is no page aligned (or no bitmap) is copied whole. */
	memset(adopt, 0, sizeof(adopt));
	assert_int_equal(cpio_unpack(fs, ar, off, NULL, on_warn, NULL, &st), 0);
	assert_int_equal(st.adopted, 0);
	assert_int_equal(vfs_unlink(fs, NULL, "/big"), 0);
	assert_int_equal(vfs_unlink(fs, NULL, "/small"), 0);
	assert_int_equal(pages_live, live);
	adopt_lo = adopt_hi = NULL;
	free(got);
	free(ar);
}

/* One malformed archive: unpacks with result want, and a warning containing what (NULL: none). */
static void cpio_case(const char *buf, size_t len, int want, const char *what)
{
	struct cpio_stats st;

	int r;

	warned[0] = 0;
	r = cpio_unpack(fs, buf, len, NULL, on_warn, NULL, &st);
	if (r != want)
		fail_msg("expected %d, got %d (warnings: \"%s\")", want, r, warned);
	if (what && !strstr(warned, what))
		fail_msg("expected a warning with \"%s\", got \"%s\"", what, warned);
	if (!what && warned[0])
		fail_msg("expected no warning, got \"%s\"", warned);
}

/* An archive of one entry whose header field i (F_*) is set to text (8 characters). */
static struct ar one_entry(const char *name, unsigned mode, const char *data, size_t n, int field, const char *text)
{
	struct ar a = { NULL, 0 };

	ar_entry(&a, name, mode, 40, 1, data, n);
	if (field >= 0)
		memcpy(a.buf + 6 + 8 * field, text, 8);
	return a;
}

/*
 * A corpus of malformed archives (issue 18, part 4): each named case gives
 * its reason in one warning naming the entry or its offset; then every
 * truncation of a good archive and every byte of it set to hostile values
 * unpacks without a fault (ASan), returns 0 or -EINVAL, and says why.
 */
static void test_cpio_corpus(void **state)
{
	struct ar a = { NULL, 0 }, c;
	struct cpio_stats st;
	static const char hostile[] = { '0', '7', 'F', 'f', 'g', ' ', '/', '.', 0, (char)0xff };
	char buf[64];
	size_t good_len;

	(void)state;
	/* Named cases. */
	c = one_entry("corpus_a", S_IFREG | 0644, "x", 1, 11, "00000000"); /* namesize 0 */
	cpio_case(c.buf, c.len, -EINVAL, "bad header at offset 0");
	free(c.buf);
	c = one_entry("corpus_a", S_IFREG | 0644, "x", 1, 11, "00001001"); /* namesize past PATH_MAX */
	cpio_case(c.buf, c.len, -EINVAL, "bad header at offset 0");
	free(c.buf);
	c = one_entry("corpus_a", S_IFREG | 0644, "x", 1, 6, "0000001G"); /* not hex */
	cpio_case(c.buf, c.len, -EINVAL, "bad header at offset 0");
	free(c.buf);
	c = one_entry("corpus_a", S_IFREG | 0644, "x", 1, 6, "FFFFFFFF"); /* 4 GiB of data in a small archive */
	cpio_case(c.buf, c.len, -EINVAL, "entry \"corpus_a\" at offset 0 truncated: needs 4294967295 data bytes");
	assert_false(exists("/corpus_a"));
	free(c.buf);
	/* The name's NUL past namesize: the entry is skipped, and what follows it is no header. */
	c = one_entry("corpus_b", S_IFREG | 0644, "x", 1, 11, "00000004");
	cpio_case(c.buf, c.len, -EINVAL, "entry at offset 0: name not terminated; skipped");
	assert_false(exists("/corpus_b"));
	free(c.buf);
	c = one_entry("corpus_c", S_IFREG | 0644, "x", 1, -1, NULL);
	memcpy(c.buf, "070707", 6); /* the old portable format */
	cpio_case(c.buf, c.len, -EINVAL, "bad magic \"070707\" at offset 0");
	memcpy(c.buf, "070702", 6); /* newc with checksums: read the same */
	cpio_case(c.buf, c.len, 0, NULL);
	assert_int_equal(read_file("/corpus_c", buf, sizeof(buf)), 1);
	free(c.buf);
	c = one_entry("corpus_d/../../x", S_IFREG | 0644, "x", 1, -1, NULL);
	cpio_case(c.buf, c.len, 0, "entry \"corpus_d/../../x\" at offset 0: a \"..\" component; skipped");
	free(c.buf);
	c = one_entry("corpus_e", S_IFLNK | 0777, "", 0, -1, NULL); /* a symlink to nothing */
	cpio_case(c.buf, c.len, 0, "entry \"corpus_e\" at offset 0 (mode 120777): bad type or size");
	assert_false(exists("/corpus_e"));
	free(c.buf);
	c = one_entry("corpus_f", 0644, "", 0, -1, NULL); /* no type */
	cpio_case(c.buf, c.len, 0, "entry \"corpus_f\" at offset 0 (mode 644): bad type or size");
	free(c.buf);
	c = one_entry("corpus_f", 0170644, "", 0, -1, NULL); /* a type no file has */
	cpio_case(c.buf, c.len, 0, "bad type or size");
	free(c.buf);
	c = one_entry("///corpus_g//./h/", S_IFREG | 0600, "gh", 2, -1, NULL); /* slashes and dots cleaned */
	cpio_case(c.buf, c.len, 0, NULL);
	assert_int_equal(read_file("/corpus_g/h", buf, sizeof(buf)), 2);
	free(c.buf);
	c = one_entry("corpus_g", S_IFREG | 0600, "", 0, -1, NULL); /* a file over a directory with something in it */
	cpio_case(c.buf, c.len, 0, "entry \"corpus_g\" at offset 0: cannot replace what is there");
	assert_int_equal(read_file("/corpus_g/h", buf, sizeof(buf)), 2);
	free(c.buf);
	c = one_entry("corpus_h", S_IFREG | 0600, "h", 1, -1, NULL);
	c.buf = realloc(c.buf, c.len + 8);
	memcpy(c.buf + c.len, "\0\0xy", 4); /* junk after zero padding */
	cpio_case(c.buf, c.len + 4, -EINVAL, "stray bytes at offset");
	assert_int_equal(read_file("/corpus_h", buf, sizeof(buf)), 1);
	free(c.buf);

	/* A good archive: every kind of entry. */
	ar_entry(&a, ".", S_IFDIR | 0755, 1, 2, "", 0);
	ar_entry(&a, "corpus", S_IFDIR | 0755, 2, 2, "", 0);
	ar_entry(&a, "corpus/f", S_IFREG | 0644, 3, 1, "data", 4);
	ar_entry(&a, "corpus/l", S_IFLNK | 0777, 4, 1, "f", 1);
	ar_entry(&a, "corpus/h1", S_IFREG | 0644, 5, 2, "", 0);
	ar_entry(&a, "corpus/h2", S_IFREG | 0644, 5, 2, "linked", 6);
	ar_entry(&a, "corpus/d/e", S_IFREG | 0600, 6, 1, "deep", 4);
	ar_entry(&a, "corpus/p", S_IFIFO | 0644, 7, 1, "", 0);
	ar_entry(&a, "TRAILER!!!", 0, 0, 1, "", 0);
	good_len = a.len;
	cpio_case(a.buf, good_len, 0, NULL);
	assert_int_equal(read_file("/corpus/h1", buf, sizeof(buf)), 6);
	/* Cut at every length: an entry cut short is named, nothing faults. */
	for (size_t len = 0; len < good_len; len++) {
		int r;

		warned[0] = 0;
		r = cpio_unpack(fs, a.buf, len, NULL, on_warn, NULL, &st);
		if (r != 0 && r != -EINVAL)
			fail_msg("cut at %zu: %d", len, r);
		if (r && !strstr(warned, "offset"))
			fail_msg("cut at %zu: %d without a warning naming the offset (\"%s\")", len, r, warned);
		if (st.skipped && !warned[0])
			fail_msg("cut at %zu: %u entries skipped without a warning", len, st.skipped);
	}
	/* Every byte set to hostile values. */
	for (size_t i = 0; i < good_len; i++) {
		for (size_t k = 0; k < sizeof(hostile); k++) {
			char *m = malloc(good_len);
			int r;

			memcpy(m, a.buf, good_len);
			m[i] = hostile[k];
			warned[0] = 0;
			r = cpio_unpack(fs, m, good_len, NULL, on_warn, NULL, &st);
			if (r != 0 && r != -EINVAL)
				fail_msg("byte %zu = %#x: %d", i, (unsigned char)hostile[k], r);
			if ((r || st.skipped) && !strstr(warned, "cpio: "))
				fail_msg("byte %zu = %#x: %d, %u skipped, no warning", i, (unsigned char)hostile[k], r,
					 st.skipped);
			free(m);
		}
	}
	/* The good archive again: everything as it was. */
	cpio_case(a.buf, good_len, 0, NULL);
	assert_int_equal(read_file("/corpus/f", buf, sizeof(buf)), 4);
	assert_int_equal(read_file("/corpus/l", buf, sizeof(buf)), 4);
	assert_int_equal(read_file("/corpus/d/e", buf, sizeof(buf)), 4);
	free(a.buf);
}

/* ---- the radix tree against a model ---- */

static void count_free(void *p, void *ctx)
{
	(*(int *)ctx)++;
	free(p);
}

static void test_radix(void **state)
{
	struct radix r = { 0 };
	uint64_t keys[500];
	int freed = 0;
	uint64_t x = 88172645463325252ULL;

	(void)state;
	for (int i = 0; i < 500; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		keys[i] = i < 250 ? (uint64_t)i : x % (1ULL << 44);
		if (radix_lookup(&r, keys[i])) {
			keys[i] = UINT64_MAX;
			continue;
		}
		assert_int_equal(radix_insert(&r, keys[i], malloc(1)), 0);
	}
	for (int i = 0; i < 500; i++)
		if (keys[i] != UINT64_MAX)
			assert_non_null(radix_lookup(&r, keys[i]));
	assert_int_equal(radix_insert(&r, 1ULL << 46, (void *)1), -EFBIG);
	assert_int_equal(radix_next(&r, 0), 0);
	assert_int_equal(radix_next(&r, 249), 249);
	radix_truncate(&r, 250, count_free, &freed);
	for (int i = 0; i < 250; i++)
		assert_non_null(radix_lookup(&r, (uint64_t)i));
	assert_int_equal(radix_next(&r, 250), UINT64_MAX);
	radix_truncate(&r, 0, count_free, &freed);
	assert_null(r.root);
	assert_int_equal(r.height, 0);
}

static int teardown(void **state)
{
	(void)state;
	fs_ctx_put(fs);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_read_unlink),
		cmocka_unit_test(test_open_flags),
		cmocka_unit_test(test_sparse_and_truncate),
		cmocka_unit_test(test_unlink_while_open),
		cmocka_unit_test(test_symlinks),
		cmocka_unit_test(test_names_and_lengths),
		cmocka_unit_test(test_rename),
		cmocka_unit_test(test_hard_links),
		cmocka_unit_test(test_getdents_while_removing),
		cmocka_unit_test(test_mounts_and_cwd),
		cmocka_unit_test(test_fdtable),
		cmocka_unit_test(test_pipe),
		cmocka_unit_test(test_pipe_ring),
		cmocka_unit_test(test_tty_canonical),
		cmocka_unit_test(test_tty_raw),
		cmocka_unit_test(test_cpio),
		cmocka_unit_test(test_cpio_in_place),
		cmocka_unit_test(test_cpio_corpus),
		cmocka_unit_test(test_radix),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
