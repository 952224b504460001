/* SPDX-License-Identifier: MIT */
/*
 * fork_bomb - RLIMIT_NPROC bounds the tasks a program can make, and the
 * fork past the bound gets EAGAIN, not a crash. The limit is set to the
 * tasks that exist now (the second number of /proc/loadavg's fourth field,
 * what Atlas counts against the limit) plus LIMIT.
 *   1. LIMIT children at once, each blocked reading a pipe: exactly LIMIT
 *      forks succeed, the next one is EAGAIN; closing the pipe lets them all
 *      exit 0 and be reaped.
 *   2. A real bomb in its own process group: every process forks in a loop
 *      and, when fork says EAGAIN, waits on the pipe; the tasks reach the
 *      limit and stay there. Closing the pipe ends them all (each reaps its
 *      own children); the task count returns to where it was.
 * On the host (root is exempt from RLIMIT_NPROC there) only part 1's LIMIT
 * concurrent children are made, without the limit.
 */
#include <errno.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "utest.h"

#define LIMIT 200
#define SETTLE_MS 20000 /* the bomb reaches its bound, or the tasks their old count, in this time */

static char loadavg[256];

/* The number of tasks: "0.00 0.00 0.00 R/T LAST". */
static long tasks(void)
{
	const char *p;

	read_file("/proc/loadavg", loadavg, sizeof(loadavg));
	p = strchr(loadavg, '/');
	CHECK(p != NULL, "no R/T in /proc/loadavg: %s", loadavg);
	return strtol(p + 1, NULL, 10);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	sys2(SYS_nanosleep, &ts, NULL);
}

/* Wait (up to SETTLE_MS) until tasks() == want; returns what it was last. */
static long settle(long want)
{
	int64_t end = now_ns() + SETTLE_MS * 1000000LL;
	long n;

	while ((n = tasks()) != want && now_ns() < end)
		sleep_ms(20);
	return n;
}

/* A child of either part: block until the pipe closes, reap any children, exit 0. */
static __attribute__((noreturn)) void wait_for_close(int rfd, int wfd)
{
	char c;

	if (wfd >= 0)
		sys1(SYS_close, wfd);
	while (sys3(SYS_read, rfd, &c, 1) > 0)
		;
	while (sys4(SYS_wait4, -1, NULL, 0, 0) > 0)
		;
	sys1(SYS_exit_group, 0);
	__builtin_unreachable();
}

static void flat(int limited)
{
	static long pids[LIMIT];
	int fd[2], made = 0;
	long r = 0;

	CHECK(pipe(fd) == 0, "pipe");
	while (made < LIMIT + (limited ? 1 : 0)) {
		r = sys0(SYS_fork);
		if (r == 0)
			wait_for_close(fd[0], fd[1]);
		if (r < 0)
			break;
		pids[made++] = r;
	}
	if (limited) {
		CHECK(made == LIMIT && r == -EAGAIN,
		      "%d forks succeeded under a limit of %d more tasks; then %ld, want -EAGAIN", made, LIMIT, r);
	} else {
		CHECK(made == LIMIT, "fork %d returned %ld", made, r);
	}
	sys1(SYS_close, fd[1]);
	for (int i = 0; i < made; i++) {
		int status = -1;

		r = sys4(SYS_wait4, pids[i], &status, 0, 0);
		CHECK(r == pids[i] && WIFEXITED(status) && WEXITSTATUS(status) == 0, "child %ld: wait4 %ld status %#x",
		      pids[i], r, status);
	}
	sys1(SYS_close, fd[0]);
}

static void bomb(long base)
{
	int fd[2], status = -1;
	long root, n, r;

	CHECK(pipe(fd) == 0, "pipe");
	root = sys0(SYS_fork);
	CHECK(root >= 0, "fork of the bomb's root: %ld", root);
	if (root == 0) {
		sys2(SYS_setpgid, 0, 0);
		sys1(SYS_close, fd[1]);
		for (;;) {
			r = sys0(SYS_fork);
			if (r < 0) {
				if (r != -EAGAIN)
					sys1(SYS_exit_group, 3); /* anything but EAGAIN: the parent sees status 3 */
				wait_for_close(fd[0], -1);
			}
		}
	}
	n = settle(base + LIMIT);
	CHECK(n == base + LIMIT, "the bomb made the task count %ld, want the limit %ld", n, base + LIMIT);
	sys1(SYS_close, fd[1]);
	r = sys4(SYS_wait4, root, &status, 0, 0);
	CHECK(r == root && WIFEXITED(status) && WEXITSTATUS(status) == 0, "the bomb's root: wait4 %ld status %#x", r,
	      status);
	sys1(SYS_close, fd[0]);
	n = settle(base);
	CHECK(n == base, "%ld tasks after the bomb, %ld before", n, base);
}

int main(void)
{
	struct rlimit rl;
	long base;

	if (!on_atlas()) {
		flat(0);
		say("%d concurrent children (host: no limit for root)", LIMIT);
		return 0;
	}
	base = tasks();
	rl.rlim_cur = rl.rlim_max = (rlim_t)(base + LIMIT);
	CHECK(setrlimit(RLIMIT_NPROC, &rl) == 0, "setrlimit(RLIMIT_NPROC, %ld)", base + LIMIT);
	flat(1);
	CHECK(settle(base) == base, "tasks did not return to %ld", base);
	bomb(base);
	say("RLIMIT_NPROC %ld: %d children, then EAGAIN; a fork bomb held at the limit and ended", base + LIMIT, LIMIT);
	return 0;
}
