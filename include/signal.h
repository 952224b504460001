/* SPDX-License-Identifier: MIT */
/*
 * signal.h - Linux signals: numbers, actions, masks, the x86-64 signal
 * frame, and how the kernel sends and delivers them (core/proc/signal.c).
 *
 * Process-directed signals (kill) pend on the process and go to any thread
 * that does not block them; thread-directed ones (tgkill, faults) pend on
 * the thread. Delivery happens on the way back to ring 3 (exit_to_user):
 * the default action (terminate, dump core -- reported as such, stop,
 * continue, ignore), or a handler entered with Linux's rt_sigframe on the
 * user stack (or the alternate stack), returning through rt_sigreturn.
 */
#ifndef ATLAS_SIGNAL_H
#define ATLAS_SIGNAL_H

#include <stddef.h>
#include <stdint.h>

#include "trap.h"

#define NSIG 64
#define SIGHUP 1
#define SIGINT 2
#define SIGQUIT 3
#define SIGILL 4
#define SIGTRAP 5
#define SIGABRT 6
#define SIGBUS 7
#define SIGFPE 8
#define SIGKILL 9
#define SIGUSR1 10
#define SIGSEGV 11
#define SIGUSR2 12
#define SIGPIPE 13
#define SIGALRM 14
#define SIGTERM 15
#define SIGSTKFLT 16
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19
#define SIGTSTP 20
#define SIGTTIN 21
#define SIGTTOU 22
#define SIGURG 23
#define SIGXCPU 24
#define SIGXFSZ 25
#define SIGVTALRM 26
#define SIGPROF 27
#define SIGWINCH 28
#define SIGIO 29
#define SIGPWR 30
#define SIGSYS 31
#define SIGRTMIN 32

#define SIGBIT(s) (1ULL << ((s)-1))
#define SIG_UNBLOCKABLE (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))

#define SIG_DFL 0ULL
#define SIG_IGN 1ULL

/* sa_flags */
#define SA_NOCLDSTOP 0x00000001
#define SA_NOCLDWAIT 0x00000002
#define SA_SIGINFO 0x00000004
#define SA_RESTORER 0x04000000
#define SA_ONSTACK 0x08000000
#define SA_RESTART 0x10000000
#define SA_NODEFER 0x40000000
#define SA_RESETHAND 0x80000000U

/* sigprocmask how */
#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2

/* sigaltstack */
#define SS_ONSTACK 1
#define SS_DISABLE 2
#define SS_AUTODISARM (1U << 31)
#define MINSIGSTKSZ 2048

/* si_code values */
#define SI_USER 0
#define SI_KERNEL 0x80
#define SI_TKILL (-6)
#define SEGV_MAPERR 1
#define SEGV_ACCERR 2
#define BUS_ADRALN 1
#define ILL_ILLOPN 2
#define ILL_PRVOPC 5
#define FPE_INTDIV 1
#define FPE_FLTINV 7
#define TRAP_BRKPT 1
#define TRAP_TRACE 2
#define CLD_EXITED 1
#define CLD_KILLED 2
#define CLD_DUMPED 3
#define CLD_STOPPED 5
#define CLD_CONTINUED 6

/* The kernel's struct sigaction for rt_sigaction (x86-64). */
struct lx_sigaction {
	uint64_t handler;
	uint64_t flags;
	uint64_t restorer;
	uint64_t mask;
};

/* siginfo_t: 128 bytes; the fields Atlas fills. */
struct lx_siginfo {
	int32_t si_signo, si_errno, si_code, pad;
	union {
		struct {
			int32_t pid;
			uint32_t uid;
			int32_t status; /* SIGCHLD */
			int32_t pad2;
			int64_t utime, stime;
		} kill;
		struct {
			uint64_t addr; /* SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP */
		} fault;
		struct {
			int32_t tid, overrun;
			uint64_t value;
		} timer;
		uint8_t raw[112];
	} u;
};
_Static_assert(sizeof(struct lx_siginfo) == 128, "siginfo_t is 128 bytes");

/* The handlers a process's threads share (CLONE_SIGHAND), reference-counted. */
struct sighand {
	int refs;
	struct lx_sigaction act[NSIG];
};

struct thread;
struct proc;

struct sighand *sighand_new(void);
/* A copy for fork (refs 1); NULL when out of memory. */
struct sighand *sighand_copy(const struct sighand *s);
struct sighand *sighand_get(struct sighand *s);
void sighand_put(struct sighand *s);
/* execve: caught signals go back to SIG_DFL (ignored ones stay ignored). */
void sighand_reset_for_exec(struct sighand *s);

/* Name of a signal number ("SIGSEGV"), or "SIG?" for none. Never NULL. */
const char *signal_name(int sig);

/*
 * Send sig to process p (a process-directed signal, kill()), with info
 * (NULL: SI_USER from the sender, or SI_KERNEL from the kernel). SIGKILL
 * and SIGCONT take effect at once (a stopped process resumes). Returns 0 or
 * -EINVAL. Safe from the timer interrupt.
 */
int signal_send(struct proc *p, int sig, const struct lx_siginfo *info);
/* Send sig to one thread (tgkill, faults). */
int signal_send_thread(struct thread *t, int sig, const struct lx_siginfo *info);
/* Every process of group pgrp: the number signalled (0: -ESRCH for the caller). */
int signal_send_pgrp(int pgrp, int sig);

/* signal_pending(t): include/proc.h (inline; it reads the process). */

/* 1 when sig sent to p would be discarded: SIG_IGN, or SIG_DFL whose action is to ignore (never KILL/STOP). */
int signal_ignored(const struct proc *p, int sig);

/* 1 when sp lies on t's enabled alternate signal stack (sigaltstack's SS_ONSTACK). */
int signal_on_altstack(const struct thread *t, uint64_t sp);

/*
 * A fault in ring 3 that has a signal: deliver it when the process handles
 * it (handler installed, not blocked), else kill the process as today. The
 * caller has reported the fault. Returns only when a handler will run.
 */
void signal_fault(struct trap_frame *tf, int sig, int code, uint64_t addr, const char *cause);

/*
 * On the way back to ring 3: deliver pending signals (default actions, or
 * a handler frame), handle a restart of the interrupted system call
 * (-ERESTARTSYS and friends in tf->rax). May not return.
 */
void signal_deliver(struct trap_frame *tf);

/* rt_sigreturn: restore the frame the handler returns through. Returns the restored RAX. */
long signal_return(struct trap_frame *tf);

/* The system calls (core/proc/signal.c). */
long sys_rt_sigaction(int sig, uint64_t act, uint64_t oact, uint64_t size);
long sys_rt_sigprocmask(int how, uint64_t set, uint64_t oset, uint64_t size);
long sys_rt_sigpending(uint64_t set, uint64_t size);
long sys_rt_sigsuspend(uint64_t set, uint64_t size);
long sys_sigaltstack(uint64_t ss, uint64_t oss);
long sys_kill(int pid, int sig);
long sys_tgkill(int tgid, int tid, int sig);
long sys_tkill(int tid, int sig);
long sys_pause(void);
long sys_rt_sigtimedwait(uint64_t set, uint64_t info, uint64_t ts, uint64_t size);

#endif
