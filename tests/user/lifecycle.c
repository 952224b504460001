/* ATLAS-EXPECT: exit=0 */
/* SPDX-License-Identifier: MIT */
/*
 * lifecycle - one of each lifetime the kernel must clean up after: a forked
 * child that exits (and is waited for), an exec of the program itself, a
 * thread created and joined, a pipe with data through it and a child at the
 * other end. With an argument (fork, exec, thread, pipe) only that one: the
 * kernel's mm.lifetimes runs each kind 1,000 times (core/selftest/lifetimes.c)
 * and checks that free pages and heap bytes come back. Runs on the host too.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sys/wait.h>

#include "utest.h"

static void do_fork(void)
{
	int status;
	pid_t pid = fork();

	CHECK(pid >= 0, "fork");
	if (pid == 0)
		_exit(7);
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 7, "child status %#x",
	      status);
}

static void do_exec(void)
{
	char *const argv[] = { "lifecycle", "--exited", NULL };
	char *const envp[] = { NULL };
	int status;
	pid_t pid = fork();

	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		execve("/proc/self/exe", argv, envp);
		_exit(99);
	}
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "exec of the program: status %#x", status);
}

static void *thread_fn(void *arg)
{
	return (char *)arg + 1;
}

static void do_thread(void)
{
	pthread_t t;
	void *ret;
	char x[2];

	CHECK(pthread_create(&t, NULL, thread_fn, x) == 0, "pthread_create");
	CHECK(pthread_join(t, &ret) == 0 && ret == x + 1, "pthread_join");
}

static void do_pipe(void)
{
	char buf[4096];
	int p[2], status;
	pid_t pid;

	CHECK(pipe(p) == 0, "pipe");
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		close(p[0]);
		memset(buf, 'p', sizeof(buf));
		_exit(write(p[1], buf, sizeof(buf)) == (ssize_t)sizeof(buf) ? 0 : 1);
	}
	close(p[1]);
	for (ssize_t n, got = 0;; got += n) {
		n = read(p[0], buf, sizeof(buf));
		CHECK(n >= 0, "read from the pipe");
		if (n == 0) {
			CHECK(got == (ssize_t)sizeof(buf), "%zd bytes through the pipe", got);
			break;
		}
	}
	close(p[0]);
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0, "writer status %#x",
	      status);
}

int main(int argc, char **argv)
{
	const char *k = argc > 1 ? argv[1] : "all";
	int all = !strcmp(k, "all");

	if (!strcmp(k, "--exited"))
		return 0;
	if (all || !strcmp(k, "fork"))
		do_fork();
	if (all || !strcmp(k, "exec"))
		do_exec();
	if (all || !strcmp(k, "thread"))
		do_thread();
	if (all || !strcmp(k, "pipe"))
		do_pipe();
	return 0;
}
