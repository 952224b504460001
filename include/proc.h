/* SPDX-License-Identifier: MIT */
/*
 * proc.h - processes as Linux has them: a pid, a parent and children, a
 * process group and a session, an address space (shared with a vfork
 * child until it execs), a descriptor table, a file-system context, signal
 * handlers, resource limits, and one or more threads (include/sched.h).
 *
 * Life cycle: created by the kernel (proc_spawn: the test runner, init=,
 * the monitor's sh) or by fork/vfork/clone; changed by execve; ends with
 * exit/exit_group or a fatal signal, which frees the address space and the
 * files at once and leaves a zombie holding the exit status until the
 * parent waits for it (or, for processes the kernel started, until the
 * kernel reaps it). Orphans are re-parented to init (pid 1) when there is
 * one, else to the kernel, which reaps them when they end.
 */
#ifndef ATLAS_PROC_H
#define ATLAS_PROC_H

#include <stddef.h>
#include <stdint.h>

#include "sched.h"
#include "signal.h"
#include "trap.h"
#include "uvm.h"
#include "wait.h"

#define PROC_NAME 32
#define PROC_PATH 256
#define PROC_CAUSE 96
#define PROC_OUT_LINE 240
#define PID_MAX 32768 /* pids wrap here, as Linux's default pid_max */

/* Resource limits (RLIMIT_*, Linux's numbering). */
#define RLIMIT_CPU 0
#define RLIMIT_FSIZE 1
#define RLIMIT_DATA 2
#define RLIMIT_STACK 3
#define RLIMIT_CORE 4
#define RLIMIT_RSS 5
#define RLIMIT_NPROC 6
#define RLIMIT_NOFILE 7
#define RLIMIT_MEMLOCK 8
#define RLIMIT_AS 9
#define RLIMIT_LOCKS 10
#define RLIMIT_SIGPENDING 11
#define RLIMIT_MSGQUEUE 12
#define RLIMIT_NICE 13
#define RLIMIT_RTPRIO 14
#define RLIMIT_RTTIME 15
#define RLIM_NLIMITS 16
#define RLIM_INFINITY (~0ULL)

struct rlimit64 {
	uint64_t cur, max;
};

enum proc_state { PROC_ALIVE, PROC_ZOMBIE };

/*
 * A vfork caller's wait, on its kernel stack (Linux's vfork_done completion):
 * the child points at it until it execs or exits, so the wake-up reaches the
 * caller whoever the child's parent is (CLONE_PARENT) and whenever the child
 * is freed (SIGCHLD ignored: at its exit).
 */
struct vfork_done {
	struct waitq wait;
	int done;
};

struct proc {
	int pid, pgid, sid;
	enum proc_state state;
	char name[PROC_NAME]; /* comm: the program's file name (prctl PR_SET_NAME changes it) */
	char path[PROC_PATH]; /* the executable's path (/proc/PID/exe, the maps lines) */
	struct uvm *uvm;      /* shared by a vfork child until it execs */
	struct fdtable *files;
	struct fs_ctx *fs;
	struct sighand *sighand;
	struct thread *threads; /* the first is the thread the process started with */
	int nthreads;
	/* Family. */
	struct proc *parent; /* NULL: the kernel */
	struct proc *children, *sibling;
	struct proc *next_all; /* every process, newest first */
	int exit_signal;       /* what the parent gets at exit (SIGCHLD; 0 for none) */
	int kernel_waits;      /* started by the kernel, which reaps it (the runner) */
	int did_exec;	       /* setpgid on it from its parent: EACCES after exec */
	/* How it ended, or is stopped. */
	int exit_code;	 /* exit status, or 128 + the signal that killed it (the runner's view) */
	int wstatus;	 /* what wait4 reports: Linux's encoding */
	int signal;	 /* 0, or the signal that killed it */
	int group_exit;	 /* exit_group or a fatal signal is taking every thread down */
	int stop_sig;	 /* the signal that stopped it (job control), 0 when running */
	int stop_report; /* 1: a stop the parent has not collected with WUNTRACED */
	int cont_report; /* 1: a SIGCONT the parent has not collected with WCONTINUED */
	char cause[PROC_CAUSE];
	uint64_t fault_addr, fault_rip;
	int signal_fault_sig;	 /* the signal a fault queued for a handler (its cause is in cause) */
	unsigned faults;	 /* CPU faults reported (a fault record each), caught by a handler or not */
	int pdeath_sig;		 /* prctl(PR_SET_PDEATHSIG): sent when the parent ends */
	unsigned personality;	 /* personality(2): inherited by fork, kept by exec (ADDR_NO_RANDOMIZE) */
	int no_new_privs;	 /* prctl(PR_SET_NO_NEW_PRIVS), recorded */
	uint64_t faults_handled; /* faults the program caught with a handler */
	/* Signals sent to the process as a whole, and their information. */
	uint64_t shared_pending;
	struct lx_siginfo info[NSIG];
	struct waitq child_wait;       /* wait4/waitid sleep here; a child's change wakes them */
	struct waitq thread_exit_wait; /* execve in a threaded process waits here for the others to end */
	struct vfork_done *vfork;      /* the vforking caller's, until this process execs or exits (vfork_release) */
	struct rlimit64 rlim[RLIM_NLIMITS];
	uint64_t alarm_tsc, alarm_interval_ns;		 /* ITIMER_REAL; 0: off */
	uint64_t arg_start, arg_end, env_start, env_end; /* argv and envp strings in user memory */
	/* Accounting. */
	uint64_t start_tsc, end_tsc, preemptions, syscalls, minflt;
	uint64_t utime_ns, stime_ns, cutime_ns, cstime_ns; /* own (threads that ended), and of waited-for children */
	uint64_t free_pages_at_start;
	int quiet; /* no exit report (repeats of the same program) */
	/* report=json: console output becomes {"rec":"output"} lines; the partial line waits here. */
	char out[PROC_OUT_LINE];
	size_t out_len;
};

/*
 * Nonzero when thread t of process p has an unblocked signal pending, or p
 * is ending (exit_group, a fatal signal, another thread's execve). Without
 * a branch: the way out of every system call asks.
 */
static inline uint64_t signal_work(const struct thread *t, const struct proc *p)
{
	return ((t->sig_pending | p->shared_pending) & ~t->sig_blocked) | (uint64_t)(p->group_exit | t->zapped);
}

/* 1 when t has an unblocked signal pending (a sleep ends with -EINTR), or its process is ending. */
static inline int signal_pending(const struct thread *t)
{
	return t->proc && signal_work(t, t->proc) != 0;
}

/* Finished threads whose stacks wait to be freed (proc_free_dead); read inline on the way out of a call. */
extern struct thread *proc_dead_threads;

/*
 * Create a process from an ELF image in memory (validated here; err gets
 * the reason on failure) with argv/envp (NULL-terminated kernel arrays),
 * as a child of the kernel: it is runnable, and the kernel reaps it
 * (proc_reap) once it is a zombie. stdin is /dev/null, stdout and stderr
 * the console. Returns NULL on failure.
 */
struct proc *proc_spawn(const char *name, const char *path, const void *elf, size_t size, const char *const *argv,
			const char *const *envp, char *err, size_t err_size);

/*
 * The same from a file of the root file system (execve's loader): fds 0-2
 * the console terminal when ctty is set, and then the process leads a new
 * session with the console as its controlling terminal (init=, sh).
 */
struct proc *proc_spawn_path(const char *path, const char *const *argv, const char *const *envp, int ctty, char *err,
			     size_t err_size);

/* From the kernel thread: run until every process the kernel started has ended. */
void proc_run(void);
/* From the kernel thread: run until p is a zombie. */
void proc_run_until_exit(struct proc *p);

/* Orphans go to p from now on (init=). */
void proc_set_init(struct proc *p);
/* Free the stacks of threads that ended (called on the way to ring 3 and by the kernel thread). */
void proc_free_dead(void);

/* For fork.c and exec.c: a pid (or -EAGAIN), a new process under parent, its start, its undoing. */
int proc_alloc_pid(void);
/* clone3's set_tid: id itself when no process, group, session or thread uses it, else -EEXIST. */
int proc_claim_pid(int id);
struct proc *proc_alloc(struct proc *parent, int pid);
int proc_start(struct proc *p, uint64_t entry, uint64_t rsp, int ctty);
void proc_abort(struct proc *p);
/* At exec or exit: wake the vfork caller p->vfork, if any, and forget it. No-op otherwise. */
void vfork_release(struct proc *p);

/* Free a zombie the kernel started (kernel_waits), with its last thread. */
void proc_reap(struct proc *p);

/* The process running now, or NULL in the kernel thread (inline, as thread_current). */
static inline struct proc *proc_current(void)
{
	return thread_current()->proc;
}
/* The live process with that pid (not zombies unless zombies is set), or NULL. */
struct proc *proc_find(int pid, int zombies);
/* Every process, newest first (the list /proc and ps walk). */
struct proc *proc_first(void);
/* Processes that exist (not reaped), and the last pid handed out. */
int proc_count(void);
int proc_last_pid(void);
/* Processes alive (not zombies). */
int proc_live(void);

/*
 * End the current process with exit status code (exit_group). Never returns.
 * proc_exit_thread ends only the calling thread (exit); the last one out
 * ends the process.
 */
void proc_exit(int code) __attribute__((noreturn));
void proc_exit_thread(int code) __attribute__((noreturn));

/*
 * Kill the current process with signal sig (a fault, or a fatal signal
 * being delivered), recording the cause for the report. Never returns.
 */
void proc_kill(int sig, const char *cause, uint64_t addr, uint64_t rip) __attribute__((noreturn));

/*
 * execve of a process with several threads (Linux's de_thread): every other
 * thread ends without a trace (no exit status, no signal), and the caller
 * waits until they have (their robust lists and CLONE_CHILD_CLEARTID words
 * are handled in the old address space); then the caller takes the
 * process's pid as its tid. Returns 0, or -EINTR when the process is being
 * killed meanwhile (the caller then fails the exec and dies on its way out).
 */
int proc_end_other_threads(void);

/* 1 when t must end at its next chance: its process is exiting, or an exec in another thread ended it. */
int thread_doomed(const struct thread *t);

/* A thread's name (comm): its own when it set one, else its process's. Never NULL. */
const char *thread_comm(const struct thread *t);

/* Give up the CPU (sched_yield). */
void proc_yield(void);

/* Sleep until the TSC reaches deadline; -EINTR when a signal comes first (nanosleep). */
int proc_sleep_until(uint64_t deadline);

/* The load averages (1, 5, 15 minutes) in Linux's fixed point (FSHIFT 11), updated every 5 s. */
void proc_loadavg(uint64_t avg[3]);

/* Timer interrupt: account, run ITIMER_REAL, preempt ring 3. */
void proc_tick(const struct trap_frame *tf);

/*
 * Processes at boot: the FPU/SSE state every program starts from, the kernel
 * thread, and the trap routes (timer tick, ring-3 faults, the bad-return and
 * user-copy fixups).
 */
void proc_init(void);

/* Job control: stop or continue every thread of p (SIGSTOP and friends, SIGCONT). */
void proc_stop(struct proc *p, int sig);
void proc_continue(struct proc *p);

/* A child changed state (exit, stop, continue): wake the parent's waiters and send exit_signal/SIGCHLD. */
void proc_notify_parent(struct proc *p, int code, int status);

/*
 * Exit hooks: called in the ending process's context, its address space
 * still there, just before it is freed (the monitor's ps history, the layout
 * screen's snapshots). At most PROC_EXIT_HOOKS.
 */
#define PROC_EXIT_HOOKS 4
typedef void (*proc_exit_fn)(struct proc *p);
int proc_add_exit_hook(proc_exit_fn fn);

/*
 * core/proc/ufault.c: an exception in ring 3 (trap_set_user): demand paging
 * and copy-on-write return; a fault the program handles becomes its signal;
 * anything else is reported (pid, program, signal, address, RIP, error bits,
 * cause) and kills the process.
 */
void ufault(struct trap_frame *tf);
/* Report a ring-3 fault and kill the current process. Never returns. */
void ufault_kill(const struct trap_frame *tf, int sig, uint64_t addr, const char *cause) __attribute__((noreturn));
/* The IRETQ to ring 3 refused uf (trap_set_bad_return): the process's fault. Never returns. */
void ufault_bad_return(struct trap_frame *uf) __attribute__((noreturn));

/*
 * With report=json, a process's console output is cut into {"rec":"output"}
 * lines (core/proc/output.c); emit what is left of the current one.
 */
void proc_flush_output(struct proc *p);

/* Name of a signal number ("SIGSEGV"). Never NULL. */
const char *signal_name(int sig);

/* Console output on behalf of the current process (report=json wraps it in records). */
void proc_console_output(const char *s, size_t n, int raw);

/* The Linux wait status of a zombie or a stop: exited (code << 8), signaled (sig | 0x80 for core), stopped (sig << 8 |
 * 0x7f). */
#define W_EXITCODE(ret, sig) ((ret) << 8 | (sig))
#define W_STOPCODE(sig) ((sig) << 8 | 0x7f)
#define W_CONTINUED 0xffff
#define WCOREFLAG 0x80

#endif
