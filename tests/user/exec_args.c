/* ATLAS-EXPECT: exit=0 */
/* SPDX-License-Identifier: MIT */
/*
 * exec_args - execve of the program itself (through /proc/self/exe) with new
 * argv and envp: the child sees exactly those, an auxv with AT_EXECFN,
 * AT_PHDR, AT_ENTRY, AT_RANDOM and AT_PAGESZ, and the descriptors without
 * O_CLOEXEC (the one with it is closed); a caught signal is reset to its
 * default. A failed execve (ENOENT, EACCES, ENOEXEC for a file that is
 * not a program, E2BIG, EFAULT) returns to a caller that is still intact.
 * Runs on the host too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "utest.h"

static void handler(int sig)
{
	(void)sig;
}

static int child(int argc, char **argv, char **envp)
{
	struct sigaction sa;

	CHECK(argc == 4 && !strcmp(argv[1], "child") && !strcmp(argv[2], "two words") && !strcmp(argv[3], ""),
	      "argv: %d %s", argc, argc > 1 ? argv[1] : "");
	CHECK(envp[0] && !strcmp(envp[0], "ONE=1") && envp[1] && !strcmp(envp[1], "TWO=2") && !envp[2], "envp");
	CHECK(getauxval(AT_PAGESZ) == PAGE && getauxval(AT_RANDOM) && getauxval(AT_PHDR) && getauxval(AT_ENTRY),
	      "auxv");
	CHECK(getauxval(AT_EXECFN) && !strcmp((const char *)getauxval(AT_EXECFN), "/proc/self/exe"), "AT_EXECFN %s",
	      (const char *)getauxval(AT_EXECFN));
	CHECK(fcntl(5, F_GETFD) == 0, "fd 5 (no O_CLOEXEC) was closed");
	CHECK(fcntl(6, F_GETFD) == -1 && errno == EBADF, "fd 6 (O_CLOEXEC) survived exec");
	CHECK(sigaction(SIGUSR1, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL, "SIGUSR1 handler survived exec");
	CHECK(sigaction(SIGUSR2, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN, "an ignored signal stays ignored");
	return 7;
}

int main(int argc, char **argv, char **envp)
{
	char *const cargv[] = { "exec_args", "child", "two words", "", NULL };
	char *const cenv[] = { "ONE=1", "TWO=2", NULL };
	char *const bad_argv[] = { "x", (char *)8, NULL };
	char dir[] = "/tmp/exec_args.XXXXXX", path[64];
	int status, fd;
	pid_t pid;

	if (argc > 1)
		return child(argc, argv, envp);
	/* Failures first: each returns, and the caller goes on as it was. */
	CHECK(execve("/nonexistent/prog", cargv, cenv) == -1 && errno == ENOENT, "ENOENT: %d", errno);
	CHECK(execve("/", cargv, cenv) == -1 && errno == EACCES, "directory: %d", errno);
	CHECK(mkdtemp(dir), "mkdtemp");
	snprintf(path, sizeof(path), "%s/notelf", dir);
	fd = open(path, O_CREAT | O_WRONLY, 0755);
	CHECK(fd >= 0 && write(fd,
			       "\x7f"
			       "ELF garbage that is not a program",
			       33) == 33,
	      "write %s", path);
	close(fd);
	CHECK(execve(path, cargv, cenv) == -1 && errno == ENOEXEC, "ENOEXEC: %d", errno);
	CHECK(chmod(path, 0644) == 0, "chmod");
	CHECK(execve(path, cargv, cenv) == -1 && errno == EACCES, "no x bit: %d", errno);
	unlink(path);
	rmdir(dir);
	CHECK(execve("/proc/self/exe", bad_argv, cenv) == -1 && errno == EFAULT, "EFAULT: %d", errno);
	CHECK(sys3(SYS_execve, "/proc/self/exe", cargv, (char **)8) == -EFAULT, "EFAULT in envp");
	/* The real one, from a child. */
	CHECK(dup2(1, 5) == 5 && dup3(1, 6, O_CLOEXEC) == 6, "dup");
	signal(SIGUSR1, handler);
	signal(SIGUSR2, SIG_IGN);
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		execve("/proc/self/exe", cargv, cenv);
		fail("execve returned %d", errno);
	}
	CHECK(waitpid(pid, &status, 0) == pid, "waitpid");
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 7, "child status %#x", status);
	say("execve: argv, envp, auxv, O_CLOEXEC and signal resets right; failed execs (ENOENT, EACCES, ENOEXEC, EFAULT) "
	    "came back");
	return 0;
}
