/* ATLAS-EXPECT: exit=0 */
/* SPDX-License-Identifier: MIT */
/*
 * wait_status - what wait4 and waitid report, in Linux's encoding: exit
 * codes, a kill by a signal (WIFSIGNALED, WTERMSIG), a stop and a continue
 * with WUNTRACED and WCONTINUED, WNOHANG with a child still running (0), a
 * specific pid, the process group (pid 0), waitid's siginfo (CLD_EXITED,
 * CLD_KILLED) and WNOWAIT leaving the zombie to be waited for again,
 * ECHILD at the end; setpgid/getpgid and setsid of the children; a
 * zombie's /proc/PID/status (state Z, no Vm lines: its mm is gone); vfork,
 * also with SIGCHLD ignored (the child is reaped as it exits, while the
 * parent still waits for it) and with CLONE_PARENT (the child's parent is
 * not the one that waits).
 * Runs on the host too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "utest.h"

static pid_t spawn(int code, int pause_first)
{
	pid_t pid = fork();

	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		if (pause_first)
			for (;;)
				pause();
		_exit(code);
	}
	return pid;
}

/* /proc/PID/status of a zombie: "State:\tZ (zombie)", and no Vm* line (proc_pid_status prints task_mem only with an
 * mm). */
static void check_zombie_status(pid_t pid)
{
	char path[64], buf[4096];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	fd = open(path, O_RDONLY);
	CHECK(fd >= 0, "open %s: errno %d", path, errno);
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	CHECK(n > 0, "read %s", path);
	buf[n] = 0;
	CHECK(strstr(buf, "\nState:\tZ (zombie)\n") != NULL, "zombie state: %s", buf);
	CHECK(strstr(buf, "\nVm") == NULL && strstr(buf, "\nRss") == NULL, "a zombie's status has Vm lines: %s", buf);
	CHECK(strstr(buf, "\nThreads:\t1\n") != NULL, "zombie Threads: %s", buf);
}

#define CLONE_VFORK 0x00004000
#define CLONE_PARENT 0x00008000

/* The parent of a vfork sleeps until the child exits or execs, however the child ends. */
static void check_vfork(void)
{
	volatile int shared = 0;
	int status;
	pid_t a, g;

	a = vfork();
	if (a == 0) {
		shared = 1; /* the parent's memory: it is not running */
		_exit(4);
	}
	CHECK(a > 0 && shared == 1, "vfork: pid %d, the child's write %sseen", a, shared ? "" : "not ");
	CHECK(waitpid(a, &status, 0) == a && WIFEXITED(status) && WEXITSTATUS(status) == 4, "vfork child: %#x", status);
	/* SIGCHLD ignored: no zombie, so the child is freed at its exit, before the parent runs again. */
	signal(SIGCHLD, SIG_IGN);
	a = vfork();
	if (a == 0)
		_exit(0);
	CHECK(a > 0, "vfork with SIGCHLD ignored");
	CHECK(waitpid(a, &status, 0) == -1 && errno == ECHILD, "a vfork child with SIGCHLD ignored left a zombie");
	signal(SIGCHLD, SIG_DFL);
	/* CLONE_VFORK | CLONE_PARENT from a child: the grandchild is ours, yet the child is the one waiting. */
	a = fork();
	CHECK(a >= 0, "fork");
	if (a == 0) {
		alarm(10); /* a vfork that is never released ends with SIGALRM, not a hang */
		g = (pid_t)sys6(SYS_clone, CLONE_VFORK | CLONE_PARENT | SIGCHLD, 0, 0, 0, 0, 0);
		if (g == 0)
			sys1(SYS_exit_group, 7);
		_exit(g > 0 ? 0 : 1);
	}
	CHECK(waitpid(a, &status, 0) == a && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "the CLONE_VFORK|CLONE_PARENT caller: %#x", status);
	g = waitpid(-1, &status, 0);
	CHECK(g > 0 && g != a && WIFEXITED(status) && WEXITSTATUS(status) == 7, "its child, now ours: %d %#x", g,
	      status);
}

int main(void)
{
	siginfo_t si;
	int status;
	pid_t a, b;

	a = spawn(3, 0);
	CHECK(waitpid(a, &status, 0) == a && WIFEXITED(status) && WEXITSTATUS(status) == 3, "exit 3: %#x", status);
	a = spawn(0, 1);
	CHECK(waitpid(a, &status, WNOHANG) == 0, "WNOHANG with a child running");
	CHECK(kill(a, SIGSTOP) == 0, "SIGSTOP");
	CHECK(waitpid(a, &status, WUNTRACED) == a && WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP, "stop: %#x",
	      status);
	CHECK(kill(a, SIGCONT) == 0, "SIGCONT");
	CHECK(waitpid(a, &status, WCONTINUED) == a && WIFCONTINUED(status), "continued: %#x", status);
	CHECK(kill(a, SIGTERM) == 0, "SIGTERM");
	CHECK(waitpid(a, &status, 0) == a && WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM && !WCOREDUMP(status),
	      "killed: %#x", status);
	/* waitid, WNOWAIT. */
	b = spawn(9, 0);
	CHECK(waitid(P_PID, (id_t)b, &si, WEXITED | WNOWAIT) == 0 && si.si_pid == b && si.si_code == CLD_EXITED &&
		      si.si_status == 9 && si.si_signo == SIGCHLD,
	      "waitid WNOWAIT: pid %d code %d status %d", si.si_pid, si.si_code, si.si_status);
	check_zombie_status(b);
	CHECK(waitid(P_ALL, 0, &si, WEXITED) == 0 && si.si_pid == b, "waitid again");
	a = spawn(0, 1);
	kill(a, SIGKILL);
	CHECK(waitid(P_PID, (id_t)a, &si, WEXITED) == 0 && si.si_code == CLD_KILLED && si.si_status == SIGKILL,
	      "CLD_KILLED: code %d status %d", si.si_code, si.si_status);
	CHECK(waitid(P_ALL, 0, &si, 0) == -1 && errno == EINVAL, "waitid without WEXITED and friends: EINVAL");
	/* Process groups: a child in its own group, waited for by group. */
	a = fork();
	CHECK(a >= 0, "fork");
	if (a == 0) {
		CHECK(setpgid(0, 0) == 0 && getpgid(0) == getpid(), "setpgid in the child");
		CHECK(setsid() == -1 && errno == EPERM, "setsid of a group leader: EPERM");
		_exit(5);
	}
	setpgid(a, a); /* both sides, as shells do: whoever runs first */
	CHECK(waitpid(-a, &status, 0) == a && WEXITSTATUS(status) == 5, "wait by group -%d: %#x", a, status);
	a = fork();
	CHECK(a >= 0, "fork");
	if (a == 0)
		_exit(setsid() == getpid() && getsid(0) == getpid() ? 6 : 1);
	CHECK(waitpid(a, &status, 0) == a && WEXITSTATUS(status) == 6, "setsid child: %#x", status);
	check_vfork();
	CHECK(waitpid(-1, &status, 0) == -1 && errno == ECHILD, "ECHILD");
	CHECK(wait4(-1, &status, 0x12345678, NULL) == -1 && errno == EINVAL, "bad options: EINVAL");
	say("wait4/waitid: exit, signal, stop, continue, WNOHANG, WNOWAIT, groups, ECHILD, EINVAL; zombie status; vfork");
	return 0;
}
