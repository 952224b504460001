/* ATLAS-EXPECT: exit=0 */
/* SPDX-License-Identifier: MIT */
/*
 * signals - handlers and the signal frame: a SIGSEGV from a null
 * dereference caught and recovered with siglongjmp (si_addr and si_code
 * right), SIGALRM from alarm() interrupting pause(), SIGCHLD with the
 * child's pid and status, a handler on the alternate stack after a stack
 * overflow (SA_ONSTACK), masks (sigprocmask, the handler's own signal
 * blocked unless SA_NODEFER, sigpending), SA_RESETHAND, SA_RESTART (a read
 * on a pipe goes on after the handler) versus EINTR without it, kill to
 * oneself and to the group, raise(SIGABRT) caught, and registers surviving
 * a handler (RBX, R12-R15 and an SSE register) through rt_sigreturn.
 * Runs on the host too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <sys/wait.h>

#include "utest.h"

static sigjmp_buf jb;
static volatile sig_atomic_t got, depth, nested, chld_pid, chld_status, on_alt;
static volatile void *fault_addr;
static volatile int fault_code;
static char altstack[64 * 1024];

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got = sig;
	fault_addr = si->si_addr;
	fault_code = si->si_code;
	siglongjmp(jb, 1);
}

static void count(int sig)
{
	got = sig;
}

static void on_usr1(int sig)
{
	sigset_t now;

	(void)sig;
	depth++;
	sigprocmask(SIG_BLOCK, NULL, &now);
	nested = sigismember(&now, SIGUSR1);
}

static void on_chld(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	chld_pid = si->si_pid;
	chld_status = si->si_status;
}

static void on_overflow(int sig, siginfo_t *si, void *uc)
{
	char here;

	(void)sig;
	(void)si;
	(void)uc;
	on_alt = (uintptr_t)&here >= (uintptr_t)altstack && (uintptr_t)&here < (uintptr_t)altstack + sizeof(altstack);
	siglongjmp(jb, 2);
}

static volatile int stop_at = -1; /* never reached: keeps GCC's -Winfinite-recursion quiet */

/* Unbounded recursion: the stack grows to its 8 MiB limit and the next page faults. */
static int recurse(int n)
{
	volatile char pad[4096];

	pad[0] = (char)n;
	if (n == stop_at)
		return pad[0];
	return recurse(n + 1) + pad[1];
}

static void catch (int sig, void (*fn)(int), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	CHECK(sigaction(sig, &sa, NULL) == 0, "sigaction(%d)", sig);
}

static void catch_info(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO | flags;
	CHECK(sigaction(sig, &sa, NULL) == 0, "sigaction(%d)", sig);
}

/* Registers set, a signal delivered in between, registers read back. */
static int registers_survive(void)
{
	uint64_t out[5];
	double d = 2.5, e;

	catch (SIGUSR2, count, 0);
	__asm__ volatile("mov $0x1111, %%rbx\n\t"
			 "mov $0x2222, %%r12\n\t"
			 "mov $0x3333, %%r13\n\t"
			 "mov $0x4444, %%r14\n\t"
			 "mov $0x5555, %%r15\n\t"
			 "movsd %[d], %%xmm7\n\t"
			 "mov $62, %%eax\n\t" /* kill(getpid(), SIGUSR2): the handler runs on the way back */
			 "mov %[pid], %%edi\n\t"
			 "mov $12, %%esi\n\t"
			 "syscall\n\t"
			 "mov %%rbx, 0(%[out])\n\t"
			 "mov %%r12, 8(%[out])\n\t"
			 "mov %%r13, 16(%[out])\n\t"
			 "mov %%r14, 24(%[out])\n\t"
			 "mov %%r15, 32(%[out])\n\t"
			 "movsd %%xmm7, %[e]"
			 : [e] "=m"(e)
			 : [out] "r"(out), [pid] "r"(getpid()), [d] "m"(d)
			 : "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r11", "r12", "r13", "r14", "r15", "xmm7",
			   "memory");
	return got == SIGUSR2 && out[0] == 0x1111 && out[1] == 0x2222 && out[2] == 0x3333 && out[3] == 0x4444 &&
	       out[4] == 0x5555 && e == 2.5;
}

int main(void)
{
	volatile char *null = hide(NULL);
	int fds[2], status;
	sigset_t set, pending;
	stack_t ss;
	pid_t pid;
	char c;

	/* SIGSEGV caught, the program carries on. */
	catch_info(SIGSEGV, on_segv, 0);
	if (sigsetjmp(jb, 1) == 0) {
		c = *(null + 8);
		fail("no SIGSEGV (read %d)", c);
	}
	CHECK(got == SIGSEGV && fault_addr == (void *)8 && fault_code == SEGV_MAPERR, "SIGSEGV at %p code %d",
	      (void *)fault_addr, fault_code);
	/* SIGALRM interrupts pause. */
	catch (SIGALRM, count, 0);
	got = 0;
	alarm(1);
	CHECK(pause() == -1 && errno == EINTR && got == SIGALRM, "pause/alarm: got %d errno %d", got, errno);
	/* The handler's own signal is blocked inside it, unless SA_NODEFER. */
	catch (SIGUSR1, on_usr1, 0);
	raise(SIGUSR1);
	CHECK(depth == 1 && nested == 1, "SIGUSR1 blocked in its handler: depth %d nested %d", depth, nested);
	catch (SIGUSR1, on_usr1, SA_NODEFER);
	raise(SIGUSR1);
	CHECK(depth == 2 && nested == 0, "SA_NODEFER: nested %d", nested);
	/* sigprocmask and sigpending. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	CHECK(sigprocmask(SIG_BLOCK, &set, NULL) == 0, "block");
	raise(SIGUSR1);
	CHECK(depth == 2 && sigpending(&pending) == 0 && sigismember(&pending, SIGUSR1), "pending while blocked");
	CHECK(sigprocmask(SIG_UNBLOCK, &set, NULL) == 0 && depth == 3, "delivered on unblock: depth %d", depth);
	/* SA_RESETHAND: the second one takes the default action (ignore, for SIGWINCH). */
	catch (SIGWINCH, count, SA_RESETHAND);
	got = 0;
	raise(SIGWINCH);
	CHECK(got == SIGWINCH, "SIGWINCH caught");
	got = 0;
	raise(SIGWINCH);
	CHECK(got == 0, "SA_RESETHAND: the handler ran twice");
	/* SIGCHLD carries the child's pid and status. */
	catch_info(SIGCHLD, on_chld, 0);
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (pid == 0)
		_exit(11);
	CHECK(waitpid(pid, &status, 0) == pid && WEXITSTATUS(status) == 11, "child");
	CHECK(chld_pid == pid && chld_status == 11, "SIGCHLD pid %d status %d", chld_pid, chld_status);
	/* SA_RESTART: a read interrupted by a handler goes on; without it, EINTR. */
	CHECK(pipe(fds) == 0, "pipe");
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		usleep(200000);
		kill(getppid(), SIGUSR2);
		usleep(200000);
		(void)!write(fds[1], "r", 1);
		_exit(0);
	}
	catch (SIGUSR2, count, SA_RESTART);
	got = 0;
	CHECK(read(fds[0], &c, 1) == 1 && c == 'r' && got == SIGUSR2, "SA_RESTART read: got %d", got);
	waitpid(pid, &status, 0);
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		usleep(200000);
		kill(getppid(), SIGUSR2);
		_exit(0);
	}
	catch (SIGUSR2, count, 0);
	got = 0;
	CHECK(read(fds[0], &c, 1) == -1 && errno == EINTR && got == SIGUSR2, "read without SA_RESTART: errno %d",
	      errno);
	waitpid(pid, &status, 0);
	/* A stack overflow handled on the alternate stack. */
	ss.ss_sp = altstack;
	ss.ss_size = sizeof(altstack);
	ss.ss_flags = 0;
	CHECK(sigaltstack(&ss, NULL) == 0, "sigaltstack");
	ss.ss_size = 100;
	CHECK(sigaltstack(&ss, NULL) == -1 && errno == ENOMEM, "a tiny alternate stack: ENOMEM");
	catch_info(SIGSEGV, on_overflow, SA_ONSTACK);
	if (sigsetjmp(jb, 1) == 0) {
		recurse(0);
		fail("recursion returned");
	}
	CHECK(on_alt, "the SIGSEGV handler did not run on the alternate stack");
	/* raise(SIGABRT) caught, and kill(0) to the group. */
	catch (SIGABRT, count, 0);
	got = 0;
	raise(SIGABRT);
	CHECK(got == SIGABRT, "SIGABRT");
	/* kill(0) reaches the caller's process group: done from a child in a group of its own. */
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		setpgid(0, 0);
		catch (SIGUSR2, count, 0);
		got = 0;
		_exit(kill(0, SIGUSR2) == 0 && got == SIGUSR2 ? 0 : 1);
	}
	CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0, "kill(0): %#x", status);
	CHECK(kill(getpid(), 65) == -1 && errno == EINVAL, "signal 65: EINVAL");
	CHECK(sigaction(SIGKILL, &(struct sigaction){ 0 }, NULL) == -1 && errno == EINVAL, "SIGKILL handler: EINVAL");
	CHECK(registers_survive(), "registers changed across a signal handler");
	say("SIGSEGV caught at %p, SIGALRM, masks, SA_NODEFER/RESETHAND/RESTART/ONSTACK, SIGCHLD, registers kept",
	    (void *)fault_addr);
	return 0;
}
