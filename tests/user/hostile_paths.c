/* ATLAS-EXPECT: exit=0 */
/* SPDX-License-Identifier: MIT */
/*
 * hostile_paths - a sweep of hostile paths through every kind of path call
 * (issue 18): bad pointers (NULL, the kernel half, non-canonical, a string
 * that runs into a PROT_NONE page or off the end of the user half), lengths
 * at the limits (255/256-byte names, 4095/4096-byte paths), "", trailing
 * slashes and dots on files, ".." above the root and under a missing or
 * non-directory component, a symlink loop, chains of 40 and 41 symlinks,
 * dangling and directory symlinks. Each of stat, lstat, open, access, chdir,
 * readlink, mkdir, unlink, rmdir, creat, truncate, rename, link, symlink,
 * chmod and utimensat gets each path, and its errno must be the one Linux
 * 6.x gives (the table below was taken on the host; it runs there too).
 * The calls that would change a path that exists are made only on paths
 * they must refuse, so the tree stays as it was, which is checked at the end.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include "utest.h"

enum { C_STAT, C_LSTAT, C_OPEN, C_ACCESS, C_CHDIR, C_READLINK, C_CHMOD, C_UTIMENS, NREAD };
enum { M_MKDIR, M_UNLINK, M_RMDIR, M_CREAT, M_TRUNCATE, M_RENAME_FROM, M_RENAME_TO, M_LINK, M_SYMLINK, NMUT };

static char dir[] = "/tmp/hostile.XXXXXX";
static char cwd[256];

/* A call's result as 0 or -errno (a descriptor is closed again). */
static long read_call(int c, uint64_t p)
{
	char buf[64];
	struct stat st;
	long r;

	switch (c) {
	case C_STAT:
		return sys2(SYS_stat, p, &st);
	case C_LSTAT:
		return sys2(SYS_lstat, p, &st);
	case C_OPEN:
		r = sys3(SYS_open, p, O_RDONLY, 0);
		if (r >= 0)
			close((int)r);
		return r < 0 ? r : 0;
	case C_ACCESS:
		return sys2(SYS_access, p, F_OK);
	case C_CHDIR:
		r = sys1(SYS_chdir, p);
		CHECK(chdir(dir) == 0, "chdir back");
		return r;
	case C_READLINK:
		r = sys3(SYS_readlink, p, buf, sizeof(buf));
		return r < 0 ? r : 0;
	case C_CHMOD:
		/* The mode the tree has: 0755 directories, 0644 files (symlinks are followed). */
		r = sys2(SYS_stat, p, &st);
		return sys2(SYS_chmod, p, r == 0 ? st.st_mode & 07777 : 0644);
	default:
		return sys4(SYS_utimensat, AT_FDCWD, p, 0, 0);
	}
}

static long mut_call(int c, uint64_t p)
{
	switch (c) {
	case M_MKDIR:
		return sys2(SYS_mkdir, p, 0755);
	case M_UNLINK:
		return sys1(SYS_unlink, p);
	case M_RMDIR:
		return sys1(SYS_rmdir, p);
	case M_CREAT: {
		long r = sys2(SYS_creat, p, 0644);

		if (r >= 0)
			close((int)r);
		return r < 0 ? r : 0;
	}
	case M_TRUNCATE:
		return sys2(SYS_truncate, p, 0);
	case M_RENAME_FROM:
		return sys2(SYS_rename, p, "renamed");
	case M_RENAME_TO:
		return sys2(SYS_rename, "victim", p);
	case M_LINK:
		return sys2(SYS_link, "victim", p);
	default:
		return sys2(SYS_symlink, "victim", p);
	}
}

static const char *err_name(long r)
{
	switch (-r) {
	case 0:
		return "0";
	case ENOENT:
		return "ENOENT";
	case EFAULT:
		return "EFAULT";
	case ENAMETOOLONG:
		return "ENAMETOOLONG";
	case ENOTDIR:
		return "ENOTDIR";
	case EISDIR:
		return "EISDIR";
	case ELOOP:
		return "ELOOP";
	case EEXIST:
		return "EEXIST";
	case EINVAL:
		return "EINVAL";
	case ENOTEMPTY:
		return "ENOTEMPTY";
	case EBUSY:
		return "EBUSY";
	case EPERM:
		return "EPERM";
	case EACCES:
		return "EACCES";
	case EXDEV:
		return "EXDEV";
	default:
		return "other";
	}
}

struct hp {
	const char *name;
	uint64_t p;
	const char *want_read; /* the errno of each read call, space-separated */
	const char *want_mut;  /* of each changing call, or NULL: not made (the path exists) */
};

static char long_name[300], long_path[4200], long_path2[4200], chain40[16], chain41[16];

static int failures;

static void sweep(const struct hp *h)
{
	char got[512];
	size_t n = 0;

	for (int c = 0; c < NREAD; c++)
		n += (size_t)snprintf(got + n, sizeof(got) - n, "%s%s", c ? " " : "", err_name(read_call(c, h->p)));
	if (strcmp(got, h->want_read)) {
		say("FAIL: %s: %s: got \"%s\", Linux \"%s\"", h->name,
		    "stat lstat open access chdir readlink chmod utimensat", got, h->want_read);
		failures++;
	}
	if (!h->want_mut)
		return;
	n = 0;
	for (int c = 0; c < NMUT; c++)
		n += (size_t)snprintf(got + n, sizeof(got) - n, "%s%s", c ? " " : "", err_name(mut_call(c, h->p)));
	if (strcmp(got, h->want_mut)) {
		say("FAIL: %s: %s: got \"%s\", Linux \"%s\"", h->name,
		    "mkdir unlink rmdir creat truncate rename-from rename-to link symlink", got, h->want_mut);
		failures++;
	}
}

int main(void)
{
	char *guard, *edge;

	CHECK(getcwd(cwd, sizeof(cwd)), "getcwd");
	CHECK(mkdtemp(dir), "mkdtemp: %d", errno);
	CHECK(chdir(dir) == 0, "chdir");
	CHECK(mkdir("d0", 0755) == 0 && mkdir("d0/d1", 0755) == 0 && mkdir("empty", 0755) == 0, "mkdir");
	CHECK(close(open("f0", O_WRONLY | O_CREAT, 0644)) == 0 && close(open("victim", O_WRONLY | O_CREAT, 0644)) == 0,
	      "files");
	CHECK(symlink("f0", "lf") == 0 && symlink("loop", "loop") == 0 && symlink("d0", "ld") == 0 &&
		      symlink("nope", "dangling") == 0,
	      "symlinks");
	/* c1 -> f0, cN -> c(N-1): c40 takes 40 links to reach f0, c41 one more than Linux follows. */
	CHECK(symlink("f0", "c1") == 0, "c1");
	for (int i = 2; i <= 41; i++) {
		char from[16], to[16];

		snprintf(to, sizeof(to), "c%d", i - 1);
		snprintf(from, sizeof(from), "c%d", i);
		CHECK(symlink(to, from) == 0, "symlink %s", from);
	}
	strcpy(chain40, "c40");
	strcpy(chain41, "c41");
	memset(long_name, 'n', 256); /* 256 bytes: one past NAME_MAX */
	long_name[256] = 0;
	/* 4095 bytes "d0/./././..." (a valid path one short of PATH_MAX), and 4096. */
	strcpy(long_path, "d0");
	while (strlen(long_path) < 4093)
		strcat(long_path, "/.");
	strcat(long_path, strlen(long_path) == 4093 ? "/f" : "f");
	strcpy(long_path2, long_path);
	strcat(long_path2, "f");
	CHECK(strlen(long_path) == 4095 && strlen(long_path2) == 4096, "long paths %zu %zu", strlen(long_path),
	      strlen(long_path2));
	/* A name in the last bytes of a page followed by a PROT_NONE page: no terminator before it. */
	guard = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(guard != MAP_FAILED, "mmap");
	CHECK(mprotect(guard + PAGE, PAGE, PROT_NONE) == 0, "mprotect");
	edge = guard + PAGE - 2;
	memcpy(edge, "f0", 2);

	{
		/* Linux's answers: stat lstat open access chdir readlink chmod utimensat, then the changing calls. */
		const struct hp paths[] = {
#define P(s) ((uint64_t)(uintptr_t)(s))
			{ "NULL", 0, "EFAULT EFAULT EFAULT EFAULT EFAULT EFAULT EFAULT EFAULT",
			  "EFAULT EFAULT EFAULT EFAULT EFAULT EFAULT EFAULT EFAULT EFAULT" },
			{ "the kernel half", 0xffff800000000000ULL,
			  "EFAULT EFAULT EFAULT EFAULT EFAULT EFAULT EFAULT EFAULT",
			  "EFAULT EFAULT EFAULT EFAULT EFAULT EFAULT EFAULT EFAULT EFAULT" },
			{ "non-canonical", 0x800000000000ULL, "EFAULT EFAULT EFAULT EFAULT EFAULT EFAULT EFAULT EFAULT",
			  "EFAULT EFAULT EFAULT EFAULT EFAULT EFAULT EFAULT EFAULT EFAULT" },
			{ "the last user byte", 0x7fffffffffffULL,
			  "EFAULT EFAULT EFAULT EFAULT EFAULT EFAULT EFAULT EFAULT",
			  "EFAULT EFAULT EFAULT EFAULT EFAULT EFAULT EFAULT EFAULT EFAULT" },
			{ "into a PROT_NONE page", P(edge), "EFAULT EFAULT EFAULT EFAULT EFAULT EFAULT EFAULT EFAULT",
			  "EFAULT EFAULT EFAULT EFAULT EFAULT EFAULT EFAULT EFAULT EFAULT" },
			{ "\"\"", P(""), "ENOENT ENOENT ENOENT ENOENT ENOENT ENOENT ENOENT ENOENT",
			  "ENOENT ENOENT ENOENT ENOENT ENOENT ENOENT ENOENT ENOENT ENOENT" },
			{ "a 256-byte name", P(long_name),
			  "ENAMETOOLONG ENAMETOOLONG ENAMETOOLONG ENAMETOOLONG ENAMETOOLONG ENAMETOOLONG ENAMETOOLONG ENAMETOOLONG",
			  "ENAMETOOLONG ENAMETOOLONG ENAMETOOLONG ENAMETOOLONG ENAMETOOLONG ENAMETOOLONG ENAMETOOLONG ENAMETOOLONG ENAMETOOLONG" },
			{ "a 4095-byte path", P(long_path), "ENOENT ENOENT ENOENT ENOENT ENOENT ENOENT ENOENT ENOENT",
			  NULL },
			{ "a 4096-byte path", P(long_path2),
			  "ENAMETOOLONG ENAMETOOLONG ENAMETOOLONG ENAMETOOLONG ENAMETOOLONG ENAMETOOLONG ENAMETOOLONG ENAMETOOLONG",
			  "ENAMETOOLONG ENAMETOOLONG ENAMETOOLONG ENAMETOOLONG ENAMETOOLONG ENAMETOOLONG ENAMETOOLONG ENAMETOOLONG ENAMETOOLONG" },
			{ "file/", P("f0/"), "ENOTDIR ENOTDIR ENOTDIR ENOTDIR ENOTDIR ENOTDIR ENOTDIR ENOTDIR",
			  "EEXIST ENOTDIR ENOTDIR EISDIR ENOTDIR ENOTDIR ENOTDIR EEXIST EEXIST" },
			{ "file/.", P("f0/."), "ENOTDIR ENOTDIR ENOTDIR ENOTDIR ENOTDIR ENOTDIR ENOTDIR ENOTDIR",
			  "ENOTDIR ENOTDIR ENOTDIR ENOTDIR ENOTDIR ENOTDIR ENOTDIR ENOTDIR ENOTDIR" },
			{ "file/..", P("f0/.."), "ENOTDIR ENOTDIR ENOTDIR ENOTDIR ENOTDIR ENOTDIR ENOTDIR ENOTDIR",
			  "ENOTDIR ENOTDIR ENOTDIR ENOTDIR ENOTDIR ENOTDIR ENOTDIR ENOTDIR ENOTDIR" },
			{ "file/x", P("f0/x"), "ENOTDIR ENOTDIR ENOTDIR ENOTDIR ENOTDIR ENOTDIR ENOTDIR ENOTDIR",
			  "ENOTDIR ENOTDIR ENOTDIR ENOTDIR ENOTDIR ENOTDIR ENOTDIR ENOTDIR ENOTDIR" },
			{ "missing/..", P("nope/.."), "ENOENT ENOENT ENOENT ENOENT ENOENT ENOENT ENOENT ENOENT",
			  "ENOENT ENOENT ENOENT ENOENT ENOENT ENOENT ENOENT ENOENT ENOENT" },
			{ "missing/", P("nope/"), "ENOENT ENOENT ENOENT ENOENT ENOENT ENOENT ENOENT ENOENT", NULL },
			{ "..", P(".."), "0 0 0 0 0 EINVAL 0 0", NULL },
			{ "/..", P("/.."), "0 0 0 0 0 EINVAL 0 0", NULL },
			{ "/../../..", P("/../../.."), "0 0 0 0 0 EINVAL 0 0", NULL },
			{ "loop", P("loop"), "ELOOP 0 ELOOP ELOOP ELOOP 0 ELOOP ELOOP", NULL },
			{ "loop/", P("loop/"), "ELOOP ELOOP ELOOP ELOOP ELOOP ELOOP ELOOP ELOOP",
			  "EEXIST ENOTDIR ENOTDIR EISDIR ELOOP ENOTDIR ENOTDIR EEXIST EEXIST" },
			{ "loop/x", P("loop/x"), "ELOOP ELOOP ELOOP ELOOP ELOOP ELOOP ELOOP ELOOP",
			  "ELOOP ELOOP ELOOP ELOOP ELOOP ELOOP ELOOP ELOOP ELOOP" },
			{ "40 links", P(chain40), "0 0 0 0 ENOTDIR 0 0 0", NULL },
			{ "41 links", P(chain41), "ELOOP 0 ELOOP ELOOP ELOOP 0 ELOOP ELOOP", NULL },
			{ "41 links/x", P("c41/x"), "ELOOP ELOOP ELOOP ELOOP ELOOP ELOOP ELOOP ELOOP",
			  "ELOOP ELOOP ELOOP ELOOP ELOOP ELOOP ELOOP ELOOP ELOOP" },
			{ "dangling", P("dangling"), "ENOENT 0 ENOENT ENOENT ENOENT 0 ENOENT ENOENT", NULL },
			{ "dangling/", P("dangling/"), "ENOENT ENOENT ENOENT ENOENT ENOENT ENOENT ENOENT ENOENT",
			  NULL },
			{ "dir symlink/", P("ld/"), "0 0 0 0 0 EINVAL 0 0", NULL },
			{ "dir", P("d0"), "0 0 0 0 0 EINVAL 0 0", NULL },
			{ "dir/./d1//", P("d0/./d1//"), "0 0 0 0 0 EINVAL 0 0", NULL },
			{ "file", P("f0"), "0 0 0 0 ENOTDIR EINVAL 0 0", NULL },
			{ "file symlink", P("lf"), "0 0 0 0 ENOTDIR 0 0 0", NULL },
			{ "file symlink/", P("lf/"), "ENOTDIR ENOTDIR ENOTDIR ENOTDIR ENOTDIR ENOTDIR ENOTDIR ENOTDIR",
			  "EEXIST ENOTDIR ENOTDIR EISDIR ENOTDIR ENOTDIR ENOTDIR EEXIST EEXIST" },
			{ "empty dir/..", P("empty/.."), "0 0 0 0 0 EINVAL 0 0", NULL },
#undef P
		};

		for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
			sweep(&paths[i]);
		CHECK(!failures, "%d path(s) differ from Linux", failures);
		say("%zu hostile paths through %d calls each: the errors Linux gives", sizeof(paths) / sizeof(paths[0]),
		    NREAD + NMUT);
	}
	/* The tree is as it was. */
	{
		static const char *const names[] = { "d0/d1", "d0",   "empty", "f0",	  "victim",
						     "lf",    "loop", "ld",    "dangling" };
		struct stat st;

		CHECK(stat("f0", &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0777) == 0644, "f0 changed");
		CHECK(stat("d0", &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0755, "d0 changed: %o",
		      st.st_mode);
		CHECK(access("renamed", F_OK) == -1 && errno == ENOENT, "something was renamed");
		for (int i = 41; i >= 1; i--) {
			char from[16];

			snprintf(from, sizeof(from), "c%d", i);
			CHECK(unlink(from) == 0, "unlink %s: %d", from, errno);
		}
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			CHECK((i < 3 ? rmdir(names[i]) : unlink(names[i])) == 0, "remove %s: %d", names[i], errno);
		CHECK(chdir(cwd) == 0 && rmdir(dir) == 0, "rmdir %s: %d (something was left in it)", dir, errno);
	}
	return 0;
}
