/* ATLAS-EXPECT: exit=0 */
/* SPDX-License-Identifier: MIT */
/*
 * threads_clone - clone and clone3 as Linux's copy_process checks them: a
 * raw clone3 thread (own stack from stack + stack_size, CLONE_CHILD_CLEARTID
 * woken at its exit); the flag combinations Linux refuses (EINVAL, E2BIG,
 * EEXIST for a set_tid in use, EBADF for CLONE_INTO_CGROUP with no cgroup);
 * clone's upper 32 flag bits ignored; CLONE_CLEAR_SIGHAND; execve from a
 * thread that is not the first (the other threads end, the exec'd program
 * has the pid and one thread); /proc/self/task/TID/{stat,status,comm} are
 * the thread's own; /proc/self/auxv is the vector the program started with.
 * Runs on the host too.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "utest.h"

#define CLONE_VM 0x00000100
#define CLONE_FS 0x00000200
#define CLONE_FILES 0x00000400
#define CLONE_SIGHAND 0x00000800
#define CLONE_PIDFD 0x00001000
#define CLONE_THREAD 0x00010000
#define CLONE_NEWNS 0x00020000
#define CLONE_SYSVSEM 0x00040000
#define CLONE_DETACHED 0x00400000
#define CLONE_CHILD_CLEARTID 0x00200000
#define CLONE_PARENT_SETTID 0x00100000
#define CLONE_CLEAR_SIGHAND 0x100000000ULL
#define CLONE_INTO_CGROUP 0x200000000ULL
#define SYS_clone3_nr 435
#define FUTEX_WAIT 0

struct clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size,
		cgroup;
};

static volatile int child_tid_word, thread_ran, thread_tid;
static char thread_stack[64 * 1024] __attribute__((aligned(16)));

/* Runs on the clone3 thread's own stack: raw calls only (no TLS, no errno). */
static void thread_body(void)
{
	int local;

	thread_tid = (int)sys0(SYS_gettid);
	thread_ran = (uintptr_t)&local >= (uintptr_t)thread_stack &&
		     (uintptr_t)&local < (uintptr_t)thread_stack + sizeof(thread_stack);
}

/* clone3 that runs fn on the new thread and then exit(0)s it; returns the tid (or -errno) in the caller. */
static long clone3_run(struct clone_args *a, size_t size, void (*fn)(void))
{
	register void (*r12)(void) __asm__("r12") = fn;
	long ret;

	__asm__ volatile("syscall\n\t"
			 "test %%rax, %%rax\n\t"
			 "jnz 1f\n\t"
			 "xor %%ebp, %%ebp\n\t"
			 "call *%%r12\n\t"
			 "mov $60, %%eax\n\t"
			 "xor %%edi, %%edi\n\t"
			 "syscall\n\t"
			 "ud2\n"
			 "1:"
			 : "=a"(ret)
			 : "a"((long)SYS_clone3_nr), "D"(a), "S"(size), "r"(r12)
			 : "rcx", "r11", "memory");
	return ret;
}

static long clone3_raw(struct clone_args *a, size_t size)
{
	return sys2(SYS_clone3_nr, a, size);
}

static void check_clone3_thread(void)
{
	struct clone_args a;
	long tid;

	memset(&a, 0, sizeof(a));
	a.flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM |
		  CLONE_CHILD_CLEARTID | CLONE_PARENT_SETTID;
	a.child_tid = (uintptr_t)&child_tid_word;
	a.parent_tid = (uintptr_t)&child_tid_word;
	a.stack = (uintptr_t)thread_stack;
	a.stack_size = sizeof(thread_stack);
	tid = clone3_run(&a, 64, thread_body);
	CHECK(tid > 0, "clone3 thread: %ld", tid);
	/* CLONE_PARENT_SETTID wrote the tid; CLONE_CHILD_CLEARTID clears it and wakes us at the thread's exit. */
	while (child_tid_word)
		sys6(SYS_futex, (long)&child_tid_word, FUTEX_WAIT, tid, 0, 0, 0);
	CHECK(thread_ran == 1, "the clone3 thread ran on its own stack (%d)", thread_ran);
	CHECK(thread_tid == tid && tid != getpid(), "clone3 thread tid %d, returned %ld, pid %d", thread_tid, tid,
	      getpid());
}

static void expect_clone(unsigned long flags, long want, const char *what)
{
	long r = sys5(SYS_clone, flags, 0, 0, 0, 0);

	if (r == 0)
		sys1(SYS_exit_group, 0); /* a child where none was wanted: it leaves at once */
	CHECK(r == want, "clone(%s) = %ld, want %ld", what, r, want);
}

static void expect_clone3(struct clone_args *a, size_t size, long want, const char *what)
{
	long r = clone3_raw(a, size);

	if (r == 0)
		sys1(SYS_exit_group, 0);
	CHECK(r == want, "clone3(%s) = %ld, want %ld", what, r, want);
}

static void check_flag_checks(void)
{
	struct clone_args a;
	static unsigned char big[4096 + 8];
	int self = getpid();

	expect_clone(CLONE_THREAD | CLONE_VM | SIGCHLD, -EINVAL, "THREAD without SIGHAND");
	expect_clone(CLONE_SIGHAND | SIGCHLD, -EINVAL, "SIGHAND without VM");
	expect_clone(CLONE_NEWNS | CLONE_FS | SIGCHLD, -EINVAL, "NEWNS|FS");

	memset(&a, 0, sizeof(a));
	a.exit_signal = SIGCHLD;
	expect_clone3(&a, 63, -EINVAL, "size 63");
	expect_clone3((struct clone_args *)big, sizeof(big), -E2BIG, "size past a page");
	memset(big, 0, sizeof(big));
	big[100] = 1;
	expect_clone3((struct clone_args *)big, 128, -E2BIG, "non-zero bytes past the known struct");
	a.exit_signal = 65;
	expect_clone3(&a, sizeof(a), -EINVAL, "exit_signal 65");
	a.exit_signal = SIGCHLD;
	a.flags = 0x11;
	expect_clone3(&a, sizeof(a), -EINVAL, "a CSIGNAL bit in flags");
	a.flags = CLONE_DETACHED;
	expect_clone3(&a, sizeof(a), -EINVAL, "CLONE_DETACHED");
	a.flags = 0;
	a.stack = (uintptr_t)thread_stack;
	expect_clone3(&a, sizeof(a), -EINVAL, "a stack without a size");
	a.stack = 0;
	a.stack_size = 4096;
	expect_clone3(&a, sizeof(a), -EINVAL, "a stack size without a stack");
	a.stack_size = 0;
	a.flags = CLONE_VM | CLONE_SIGHAND | CLONE_THREAD;
	expect_clone3(&a, sizeof(a), -EINVAL, "THREAD with an exit signal");
	a.flags = CLONE_VM | CLONE_SIGHAND | CLONE_CLEAR_SIGHAND;
	expect_clone3(&a, sizeof(a), -EINVAL, "SIGHAND|CLEAR_SIGHAND");
	a.flags = 0;
	a.set_tid_size = 1;
	expect_clone3(&a, sizeof(a), -EINVAL, "set_tid_size without set_tid");
	a.flags = CLONE_INTO_CGROUP;
	a.set_tid_size = 0;
	a.cgroup = 0; /* stdin: not a cgroup directory */
	expect_clone3(&a, sizeof(a), -EBADF, "CLONE_INTO_CGROUP of a non-cgroup");
	a.flags = 0;
	if (getuid() == 0) {
		/* Root may ask for its pid; one in use is EEXIST. */
		a.set_tid = (uintptr_t)&self;
		a.set_tid_size = 1;
		expect_clone3(&a, sizeof(a), -EEXIST, "set_tid of a pid in use");
	}
}

/* A process made by clone3 or clone runs check(); its exit status says whether it held. */
static void expect_child(long pid, int code, const char *what)
{
	int st = 0;

	CHECK(pid > 0, "%s: %ld", what, pid);
	CHECK(waitpid((pid_t)pid, &st, 0) == pid, "%s: waitpid errno %d", what, errno);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == code, "%s: status %#x, want exit %d", what, st, code);
}

static void on_usr1(int sig)
{
	(void)sig;
}

static void check_processes(void)
{
	struct clone_args a;
	struct sigaction sa, got1, got2;
	long pid;

	/* clone's flags are an unsigned long, of which Linux reads the low 32 bits. */
	pid = sys5(SYS_clone, (1UL << 40) | SIGCHLD, 0, 0, 0, 0);
	if (pid == 0)
		sys1(SYS_exit_group, 7);
	expect_child(pid, 7, "clone with bits above 31");

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sa, NULL);
	signal(SIGUSR2, SIG_IGN);
	memset(&a, 0, sizeof(a));
	a.flags = CLONE_CLEAR_SIGHAND;
	a.exit_signal = SIGCHLD;
	pid = clone3_raw(&a, sizeof(a));
	if (pid == 0) {
		sigaction(SIGUSR1, NULL, &got1);
		sigaction(SIGUSR2, NULL, &got2);
		sys1(SYS_exit_group, got1.sa_handler == SIG_DFL && got2.sa_handler == SIG_IGN ? 3 : 4);
	}
	expect_child(pid, 3, "CLONE_CLEAR_SIGHAND: caught -> SIG_DFL, ignored stays");
	signal(SIGUSR1, SIG_DFL);
	signal(SIGUSR2, SIG_DFL);
}

static int count_tasks(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static void *execs(void *arg)
{
	char *argv[] = { "threads_clone", "execd", NULL };

	(void)arg;
	execve("/proc/self/exe", argv, environ);
	fail("execve from a thread: errno %d", errno);
}

static void check_exec_from_thread(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		pthread_t th;

		CHECK(pthread_create(&th, NULL, execs, NULL) == 0, "pthread_create");
		pthread_join(th, NULL); /* the exec ends this thread */
		fail("the first thread outlived an exec in another");
	}
	expect_child(pid, 42, "execve from a thread that is not the first");
}

/* /proc/self/task/TID as the thread sees it: its own tid, name and the process's pid. */
static void *names_itself(void *arg)
{
	char path[64], buf[4096];
	int tid = (int)sys0(SYS_gettid), pid = getpid(), n;
	long f1;

	(void)arg;
	prctl(PR_SET_NAME, "worker");
	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	read_file(path, buf, sizeof(buf));
	CHECK(sscanf(buf, "%ld", &f1) == 1 && f1 == tid, "%s starts with %ld, want %d", path, f1, tid);
	CHECK(strstr(buf, "(worker)") != NULL, "%s names the thread: %.60s", path, buf);
	snprintf(path, sizeof(path), "/proc/self/task/%d/status", tid);
	read_file(path, buf, sizeof(buf));
	n = 0;
	CHECK(strstr(buf, "Name:\tworker\n") != NULL, "%s Name", path);
	{
		char want[64];

		snprintf(want, sizeof(want), "\nPid:\t%d\n", tid);
		n += strstr(buf, want) != NULL;
		snprintf(want, sizeof(want), "\nTgid:\t%d\n", pid);
		n += strstr(buf, want) != NULL;
	}
	CHECK(n == 2, "%s has Pid %d and Tgid %d", path, tid, pid);
	snprintf(path, sizeof(path), "/proc/self/task/%d/comm", tid);
	read_file(path, buf, sizeof(buf));
	CHECK(!strcmp(buf, "worker\n"), "%s is %s", path, buf);
	read_file("/proc/self/comm", buf, sizeof(buf));
	CHECK(strcmp(buf, "worker\n") != 0, "PR_SET_NAME in a thread renamed the process");
	read_file("/proc/self/status", buf, sizeof(buf));
	{
		char want[64];

		snprintf(want, sizeof(want), "\nPid:\t%d\n", pid);
		CHECK(strstr(buf, want) != NULL, "/proc/self/status of a thread's process has Pid %d", pid);
	}
	return NULL;
}

static void check_auxv(void)
{
	static uint64_t v[256];
	size_t n = read_file("/proc/self/auxv", (char *)v, sizeof(v) - 1) / 8;
	int pagesz = 0, entry = 0, last_null = 0;

	CHECK(n >= 2 && n % 2 == 0, "/proc/self/auxv has %zu words", n);
	for (size_t i = 0; i + 1 < n; i += 2) {
		pagesz |= v[i] == AT_PAGESZ && v[i + 1] == 4096;
		entry |= v[i] == AT_ENTRY && v[i + 1] == getauxval(AT_ENTRY);
		last_null = v[i] == AT_NULL && i + 2 == n;
	}
	CHECK(pagesz && entry && last_null, "/proc/self/auxv: AT_PAGESZ %d AT_ENTRY %d ends with AT_NULL %d", pagesz,
	      entry, last_null);
}

int main(int argc, char **argv)
{
	pthread_t th;

	if (argc > 1 && !strcmp(argv[1], "execd")) {
		/* The program an exec from a second thread started: the pid's, alone. */
		int tasks = count_tasks();

		if (sys0(SYS_gettid) != getpid() || tasks != 1) {
			say("after exec: tid %ld pid %d tasks %d", sys0(SYS_gettid), getpid(), tasks);
			return 1;
		}
		return 42;
	}
	check_clone3_thread();
	check_flag_checks();
	check_processes();
	check_exec_from_thread();
	CHECK(pthread_create(&th, NULL, names_itself, NULL) == 0, "pthread_create");
	pthread_join(th, NULL);
	check_auxv();
	say("clone3 thread, flag checks, exec from a thread, per-thread /proc, auxv: ok");
	return 0;
}
