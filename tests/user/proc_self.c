/* ATLAS-EXPECT: exit=0 */
/* ATLAS-ARGS: alpha beta */
/* ATLAS-ENV: PROC_SELF=1 */
/* SPDX-License-Identifier: MIT */
/*
 * proc_self - a process reads itself through /proc as ps, pmap and top do:
 * maps (every line Linux's shape, the stack and the program there), smaps
 * (a dirty private page shows as Private_Dirty and in Rss/Pss), smaps_rollup,
 * status (Name, State, Pid, VmRSS rising after touching memory), stat (52
 * fields, pid and comm), statm, cmdline and environ (NUL-separated, as given),
 * comm, exe and cwd (links), fd/ (the descriptors open). Runs on the host too.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <sys/mman.h>

#include "utest.h"

static char text[65536];

/* What /proc/self/fd/FD reads as, NUL-terminated in out. */
static const char *fd_link(long fd, char *out, size_t size)
{
	char name[64];
	long n;

	snprintf(name, sizeof(name), "/proc/self/fd/%ld", fd);
	n = sys3(SYS_readlink, name, out, size - 1);
	out[n > 0 ? n : 0] = 0;
	return out;
}

/*
 * fd/N of a file opened by name: the path it was opened by, its directory's
 * new name once that is renamed, " (deleted)" once the file's name is gone
 * (Linux's d_path); a directory opened by its path shows that path.
 */
static void fd_links(void)
{
	char dir[] = "/tmp/proc_self.XXXXXX", moved[64], file[96], want[160], got[256];
	long fd, dfd;

	CHECK(mkdtemp(dir) != NULL, "mkdtemp: %d", errno);
	snprintf(file, sizeof(file), "%s/file", dir);
	fd = sys3(SYS_open, file, O_RDWR | O_CREAT | O_EXCL, 0600);
	CHECK(fd >= 0, "open %s: %ld", file, fd);
	CHECK(!strcmp(fd_link(fd, got, sizeof(got)), file), "fd link %s, not %s", got, file);
	dfd = sys3(SYS_open, dir, O_RDONLY | O_DIRECTORY, 0);
	CHECK(dfd >= 0, "open %s: %ld", dir, dfd);
	CHECK(!strcmp(fd_link(dfd, got, sizeof(got)), dir), "directory fd link %s, not %s", got, dir);
	snprintf(moved, sizeof(moved), "%s.moved", dir);
	CHECK(sys2(SYS_rename, dir, moved) == 0, "rename %s", dir);
	snprintf(want, sizeof(want), "%s/file", moved);
	CHECK(!strcmp(fd_link(fd, got, sizeof(got)), want), "fd link after the rename %s, not %s", got, want);
	CHECK(!strcmp(fd_link(dfd, got, sizeof(got)), moved), "directory link after the rename %s", got);
	CHECK(sys1(SYS_unlink, want) == 0, "unlink %s", want);
	snprintf(want, sizeof(want), "%s/file (deleted)", moved);
	CHECK(!strcmp(fd_link(fd, got, sizeof(got)), want), "fd link after the unlink %s, not %s", got, want);
	sys1(SYS_close, fd);
	sys1(SYS_close, dfd);
	CHECK(sys1(SYS_rmdir, moved) == 0, "rmdir %s", moved);
}

/* The number after "key:" in text, e.g. field("VmRSS") of status; -1 when absent. */
static long field(const char *t, const char *key)
{
	size_t n = strlen(key);

	for (const char *p = t; (p = strstr(p, key)); p += n)
		if ((p == t || p[-1] == '\n') && p[n] == ':')
			return strtol(p + n + 1, NULL, 10);
	return -1;
}

/* The smaps block of the area starting at start: the text from its maps line to the next one. */
static const char *smaps_block(const char *t, uintptr_t start, char *out, size_t size)
{
	char head[32];
	const char *p, *end;

	snprintf(head, sizeof(head), "%08lx-", (unsigned long)start);
	p = strstr(t, head);
	CHECK(p != NULL, "no smaps block at %s", head);
	end = strstr(p + 1, "VmFlags:");
	CHECK(end != NULL, "smaps block without VmFlags");
	end = strchr(end, '\n');
	snprintf(out, size, "%.*s", (int)(end - p), p);
	return out;
}

int main(int argc, char **argv)
{
	/* comm: the file name the program was run as, cut at 15 bytes (TASK_COMM_LEN - 1), as on Linux. */
	const char *base = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
	char block[4096], path[256], link[256], comm[16], want[32];
	struct map m;
	long before, after, n;
	char *area;
	int found;

	snprintf(comm, sizeof(comm), "%.15s", base);
	CHECK(argc == 3 && !strcmp(argv[1], "alpha"), "argv");
	/* maps */
	read_file("/proc/self/maps", text, sizeof(text));
	CHECK(map_named(text, "[stack]", &m) && !strcmp(m.perm, "rw-p"), "no [stack] in maps");
	found = 0;
	for (const char *cur = text; next_map(&cur, &m);)
		found += m.perm[2] == 'x' && m.name[0] == '/';
	CHECK(found >= 1, "no executable mapping of the program");
	/* One dirty private page in a fresh mapping: smaps says so. */
	area = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(area != MAP_FAILED, "mmap");
	area[0] = 1;
	read_file("/proc/self/smaps", text, sizeof(text));
	smaps_block(text, (uintptr_t)area, block, sizeof(block));
	CHECK(field(block, "Size") == 16, "Size %ld in\n%s", field(block, "Size"), block);
	CHECK(field(block, "Rss") == 4 && field(block, "Pss") == 4, "Rss/Pss in\n%s", block);
	CHECK(field(block, "Private_Dirty") == 4 && field(block, "Shared_Dirty") == 0, "dirty counts in\n%s", block);
	CHECK(field(block, "Anonymous") == 4 && field(block, "Swap") == 0, "Anonymous/Swap in\n%s", block);
	CHECK(strstr(block, "VmFlags: rd wr") != NULL, "VmFlags in\n%s", block);
	read_file("/proc/self/smaps_rollup", text, sizeof(text));
	CHECK(strstr(text, "[rollup]") && field(text, "Rss") > 0 && field(text, "Pss_Anon") > 0, "rollup:\n%s", text);
	/* status: VmRSS rises by what is touched. */
	read_file("/proc/self/status", text, sizeof(text));
	snprintf(want, sizeof(want), "Name:\t%s\n", comm);
	CHECK(!strncmp(text, want, strlen(want)), "status starts %.40s, want %s", text, want);
	CHECK(field(text, "Pid") == getpid() && field(text, "PPid") == getppid(), "Pid/PPid");
	CHECK(strstr(text, "\nState:\tR (running)\n") != NULL, "State");
	before = field(text, "VmRSS");
	for (int i = 1; i < 4; i++)
		area[i * PAGE] = 1;
	read_file("/proc/self/status", text, sizeof(text));
	after = field(text, "VmRSS");
	CHECK(after >= before + 12, "VmRSS %ld -> %ld after touching 3 pages", before, after);
	CHECK(field(text, "Threads") == 1, "Threads");
	/* stat: 52 fields, pid and (comm). */
	n = (long)read_file("/proc/self/stat", text, sizeof(text));
	snprintf(want, sizeof(want), " (%s) R ", comm);
	CHECK(strtol(text, NULL, 10) == getpid() && strstr(text, want), "stat: %.60s", text);
	found = 1;
	for (long i = 0; i < n; i++)
		found += text[i] == ' ';
	CHECK(found == 52, "stat has %d fields", found);
	read_file("/proc/self/statm", text, sizeof(text));
	CHECK(strtol(text, NULL, 10) > 0, "statm %s", text);
	/* cmdline and environ: NUL-separated, as given. */
	n = (long)read_file("/proc/self/cmdline", text, sizeof(text));
	CHECK(n > 0 && !strcmp(text + strlen(text) + 1, "alpha") && !strcmp(text + strlen(text) + 1 + 6, "beta"),
	      "cmdline");
	n = (long)read_file("/proc/self/environ", text, sizeof(text));
	found = 0;
	for (long i = 0; i < n; i += (long)strlen(text + i) + 1)
		found += !strcmp(text + i, "PROC_SELF=1");
	CHECK(found || !on_atlas(), "environ lacks PROC_SELF=1");
	read_file("/proc/self/comm", text, sizeof(text));
	CHECK(!strncmp(text, comm, strlen(comm)) && !strcmp(text + strlen(comm), "\n"), "comm %s", text);
	/* exe and cwd are links; fd/ lists the descriptors open. */
	n = sys3(SYS_readlink, "/proc/self/exe", link, sizeof(link) - 1);
	CHECK(n > 0, "readlink exe %ld", n);
	link[n] = 0;
	CHECK(strstr(link, "proc_self") != NULL, "exe -> %s", link);
	n = sys3(SYS_readlink, "/proc/self/cwd", link, sizeof(link) - 1);
	CHECK(n > 0, "readlink cwd %ld", n);
	snprintf(path, sizeof(path), "/proc/%d/fd", getpid());
	{
		DIR *d = opendir(path);
		struct dirent *e;

		CHECK(d != NULL, "opendir %s", path);
		found = 0;
		while ((e = readdir(d)))
			found += !strcmp(e->d_name, "0") || !strcmp(e->d_name, "1") || !strcmp(e->d_name, "2");
		closedir(d);
		CHECK(found == 3, "fd/ lists %d of 0, 1, 2", found);
	}
	fd_links();
	/* /proc/PID for another pid: pid 1 exists on Linux and on Atlas whenever a program runs. */
	CHECK(sys2(SYS_access, "/proc/self/maps", 4) == 0, "access maps");
	CHECK(sys3(SYS_open, "/proc/self/nosuchfile", 0, 0) == -ENOENT, "ENOENT for a missing proc file");
	say("maps, smaps, smaps_rollup, status (VmRSS %ld -> %ld kB), stat, statm, cmdline, environ, comm, exe, cwd, fd/ and its links",
	    before, after);
	return 0;
}
