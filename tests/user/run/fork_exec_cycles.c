/* SPDX-License-Identifier: MIT */
/*
 * fork_exec_cycles - 1,000 times: fork, execve of this program (through
 * /proc/self/exe, with the argument "child": it exits at once with 7), wait.
 * Every child's status is exit 7, and afterwards the page allocator's free
 * pages (MemFree in /proc/meminfo) are exactly where they were after a
 * warm-up of WARMUP cycles, which lets the kernel's heap reach its working
 * size: a process that was created and destroyed 1,000 times leaves no page
 * behind. Runs on the host too, where only the statuses are checked (Linux's
 * free memory moves by itself).
 */
#include <sys/wait.h>

#include "utest.h"

#define CYCLES 1000
#define WARMUP 20
#define CHILD_STATUS 7

static char meminfo[8192];

static long mem_free_kb(void)
{
	read_file("/proc/meminfo", meminfo, sizeof(meminfo));
	return status_kb(meminfo, "MemFree");
}

static void cycles(int n, char **envp)
{
	static char *const argv[] = { PROG, "child", NULL };

	for (int i = 0; i < n; i++) {
		int status = 0;
		long pid = fork(), r;

		CHECK(pid >= 0, "fork #%d returned %ld", i, pid);
		if (pid == 0) {
			sys3(SYS_execve, "/proc/self/exe", argv, envp);
			_exit(99); /* the exec failed */
		}
		r = sys4(SYS_wait4, pid, &status, 0, 0);
		CHECK(r == pid, "wait4(%ld) returned %ld in cycle %d", pid, r, i);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == CHILD_STATUS,
		      "cycle %d: child status %#x, want exit %d", i, status, CHILD_STATUS);
	}
}

int main(int argc, char **argv, char **envp)
{
	long before, after;

	if (argc > 1 && !strcmp(argv[1], "child"))
		return CHILD_STATUS;
	cycles(WARMUP, envp);
	before = mem_free_kb();
	cycles(CYCLES, envp);
	after = mem_free_kb();
	if (on_atlas())
		CHECK(after == before, "MemFree was %ld kB before %d fork+exec+exit+wait cycles, %ld kB after", before,
		      CYCLES, after);
	say("%d fork+exec+exit+wait cycles, MemFree %ld kB before and %ld kB after", CYCLES, before, after);
	return 0;
}
