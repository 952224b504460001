/* SPDX-License-Identifier: MIT */
/*
 * scratch.c - the fuzzer's files: the scratch directory /tmp/fuzz.PID it works
 * in (every name the calls create, change or remove lies there), filled
 * with a standard set of files, links, a FIFO and scripts and emptied again
 * every so often; what a descriptor names (through /proc/self/fd); and the
 * housekeeping that keeps descriptors and children few.
 */
#include <dirent.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "fuzz.h"

struct linux_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* No ".." component. */
static int no_dotdot(const char *p)
{
	for (const char *s = p; *s;) {
		const char *e = s;

		while (*e && *e != '/')
			e++;
		if (e - s == 2 && s[0] == '.' && s[1] == '.')
			return 0;
		s = *e ? e + 1 : e;
	}
	return 1;
}

int path_in_scratch(const char *p)
{
	if (!no_dotdot(p))
		return 0;
	if (p[0] != '/')
		return 1;
	return !strncmp(p, S.scratch_dir, S.scratch_len) && p[S.scratch_len] == '/';
}

/* What descriptor fd names, through /proc/self/fd: its length, or -errno. */
static long fd_target(long fd, char *out, size_t size)
{
	char link[48];
	long n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", (int)fd);
	n = sys3(SYS_readlink, link, out, size - 1);
	if (n >= 0)
		out[n] = 0;
	return n;
}

int fd_in_scratch(long fd)
{
	char t[256];

	if (fd_target(fd, t, sizeof(t)) < 0)
		return 1; /* not open: the call gets EBADF */
	return !strncmp(t, S.scratch_dir, S.scratch_len) &&
	       (t[S.scratch_len] == '/' || t[S.scratch_len] == 0 || t[S.scratch_len] == ' ');
}

int fd_is_terminal(long fd)
{
	char t[64];

	if ((int)fd >= 0 && (int)fd <= 2)
		return 1;
	if (fd_target(fd, t, sizeof(t)) < 0)
		return 0;
	return !strncmp(t, "/dev/tty", 8) || !strncmp(t, "/dev/console", 12) || !strncmp(t, "/dev/pts", 8);
}

static void put(const char *path, const char *text, int mode)
{
	long fd = sys3(SYS_open, path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	if (fd < 0)
		fail("setting up %s/%s: open = %ld", S.scratch_dir, path, fd);
	sys3(SYS_write, fd, text, strlen(text));
	sys1(SYS_close, fd);
	sys2(SYS_chmod, path, mode);
}

/* Remove what is in the directory open at dfd (relative names, at most a few levels deep). */
static void empty_dir(const char *dir, int depth)
{
	char buf[2048], sub[4096];
	long fd = sys3(SYS_open, dir, O_RDONLY | O_DIRECTORY, 0), n;

	if (fd < 0)
		return;
	while ((n = sys3(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct linux_dirent64 *e = (void *)(buf + off);

			off += e->d_reclen;
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", dir, e->d_name) >= sizeof(sub))
				continue;
			if (sys1(SYS_unlink, sub) == 0)
				continue;
			sys2(SYS_chmod, sub, 0700);
			if (depth < 40)
				empty_dir(sub, depth + 1);
			sys1(SYS_rmdir, sub);
		}
	}
	sys1(SYS_close, fd);
}

/* The standard set: files, a directory tree, symlinks (one a loop), a FIFO, a hard link, scripts. */
void scratch_refill(void)
{
	if (S.dir_fd >= 3)
		sys1(SYS_close, S.dir_fd);
	sys1(SYS_chdir, S.scratch_dir);
	sys2(SYS_chmod, S.scratch_dir, 0755);
	empty_dir(S.scratch_dir, 0);
	sys2(SYS_mkdir, "d0", 0755);
	sys2(SYS_mkdir, "d0/d1", 0755);
	put("f0", "hello\n", 0644);
	put("f1", "one page and a bit: ......................................................\n", 0600);
	put("f2", "", 0666);
	put("d0/f0", "in d0\n", 0644);
	put("d0/d1/f", "deeper\n", 0644);
	put("s0", "#!/bin/true\n", 0755);
	put("s1", "#!/bin/false an argument\n", 0755);
	sys2(SYS_symlink, "f0", "l0");
	sys2(SYS_symlink, "l1", "l1");
	sys2(SYS_symlink, "d0", "l2");
	sys2(SYS_symlink, "nope", "l3");
	sys3(SYS_mknod, "p0", S_IFIFO | 0644, 0);
	sys2(SYS_link, "f1", "h0");
	S.dir_fd = sys3(SYS_open, ".", O_RDONLY | O_DIRECTORY, 0);
}

int scratch_setup(void)
{
	long r;

	S.scratch_len = (size_t)snprintf(S.scratch_dir, sizeof(S.scratch_dir), "/tmp/fuzz.%ld", S.pid);
	r = sys2(SYS_mkdir, S.scratch_dir, 0755);
	if (r && r != -17 /* EEXIST */)
		return (int)r;
	r = sys1(SYS_chdir, S.scratch_dir);
	if (r)
		return (int)r;
	S.dir_fd = -1;
	scratch_refill();
	return 0;
}

void scratch_remove(void)
{
	sys1(SYS_chdir, S.scratch_dir);
	empty_dir(S.scratch_dir, 0);
	sys1(SYS_chdir, "/tmp");
	if (sys1(SYS_rmdir, S.scratch_dir))
		fail("could not remove %s: %ld", S.scratch_dir, sys1(SYS_rmdir, S.scratch_dir));
}

/* Descriptors 3 and up: closed (their numbers stay below NOFILE). */
void close_extra_fds(void)
{
	for (int fd = 3; fd < NOFILE; fd++)
		sys1(SYS_close, fd);
	S.dir_fd = -1;
}

/* Children of the program's own group that have ended: reaped (the child stream has a group of its own). */
void reap_children(void)
{
	int status;

	while (sys4(SYS_wait4, 0, &status, 1 /* WNOHANG */ | 0x40000000 /* __WALL */, 0) > 0)
		;
	memset(S.recent, 0, sizeof(S.recent));
}
