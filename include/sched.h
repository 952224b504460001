/* SPDX-License-Identifier: MIT */
/*
 * sched.h - threads and the scheduler.
 *
 * A thread is what the CPU runs: a kernel stack (guarded, mm/kstack.c), the
 * saved kernel RSP while switched out, the user FPU/SSE state, FS base, its
 * signal mask and pending set, and a place in the run queue. Every thread
 * belongs to a process (struct proc, include/proc.h), which holds what its
 * threads share: the address space, files, signal handlers. The kernel's own
 * thread (kmain: the runner, the monitor and the idle loop) has no process.
 *
 * Scheduling is round-robin over a FIFO run queue; the LAPIC timer preempts
 * ring 3 at SCHED_HZ. The kernel itself is never preempted: it runs with
 * interrupts off, except in the idle loop, and gives up the CPU only by
 * sleeping (include/wait.h) or yielding.
 */
#ifndef ATLAS_SCHED_H
#define ATLAS_SCHED_H

#include <stddef.h>
#include <stdint.h>

#include "percpu.h"
#include "trap.h"
#include "wait.h"

#define FXSAVE_SIZE 512
#define SCHED_HZ 100	 /* the preemption tick: a 10 ms time slice */
#define THREADS_MAX 4096 /* kernel stacks are the limit: 16 KiB + a guard page each */

enum thread_state {
	T_RUNNABLE, /* running, or in the run queue */
	T_SLEEPING, /* waiting for a wake-up, a deadline or a signal */
	T_STOPPED,  /* job control (SIGSTOP, SIGTSTP, ...): until SIGCONT */
	T_DEAD,	    /* finished: its stack goes when it is reaped */
};

struct proc;

/* sigaltstack's stack_t (x86-64 layout). */
struct lx_stack {
	uint64_t ss_sp;
	int32_t ss_flags;
	int32_t pad;
	uint64_t ss_size;
};

struct thread {
	int tid;
	enum thread_state state;
	struct proc *proc; /* NULL for the kernel thread */
	struct thread *next_in_proc;
	struct thread *rq_next;	   /* run queue link */
	struct thread *timed_next; /* sleepers with a deadline */
	int on_rq, on_timed;
	int kstack_slot;
	uint64_t kstack_top;
	uint64_t ksp;	       /* saved kernel RSP while switched out */
	uint64_t fs_base;      /* ARCH_SET_FS */
	uint64_t wake_tsc;     /* deadline of the current sleep, 0 for none */
	int woken;	       /* a wait queue woke it during the current sleep */
	struct trap_frame *tf; /* the user frame of the current system call or trap */
	/* Signals (core/proc/signal.c). */
	uint64_t sig_blocked, sig_pending;
	uint64_t saved_mask; /* rt_sigsuspend / pselect: the mask to put back after delivery */
	int restore_mask;
	struct lx_stack altstack;
	/* clone/set_tid_address/set_robust_list. */
	uint64_t clear_child_tid;
	uint64_t robust_list, robust_len;
	int exit_code;	       /* a thread's own exit status (exit, not exit_group) */
	int zapped;	       /* another thread's execve ends this one (Linux's de_thread): exit silently */
	char comm[16];	       /* prctl(PR_SET_NAME) of a thread that is not the first; "": its process's name */
	long syscall_nr;       /* the system call in progress (-1: none), for restarts */
	uint64_t sys_nr;       /* the watchdog's (core/proc/sysguard.c): the call in progress */
	uint64_t sys_tsc;      /* when it entered, or the thread last ran in it; 0: not timed */
	uint64_t sys_exit_tsc; /* when its last timed call left the kernel (proc_tick's user-time sample) */
	/* Accounting. */
	uint64_t start_tsc, preemptions, syscalls, voluntary, utime_ns, stime_ns, entry_tsc;
	uint8_t fxsave[FXSAVE_SIZE] __attribute__((aligned(16)));
};

/*
 * The thread running now (the kernel thread when no process does). Never
 * NULL. Inline: every system call asks, and under QEMU TCG each call and
 * return costs a translation-block lookup.
 */
static inline struct thread *thread_current(void)
{
	return g_percpu.cur;
}
/* 1 for the kernel's own thread. */
int thread_is_kernel(const struct thread *t);

/* Set up the FPU/SSE state new threads start from and make kmain the kernel thread. */
void sched_init(void);

/*
 * A new thread of process p (not yet runnable): a kernel stack and the
 * initial FPU state. Returns NULL on failure (no stack, no memory).
 */
struct thread *thread_new(struct proc *p);

/*
 * Prepare t to enter ring 3 with the user state in tf (copied onto its
 * kernel stack): its first switch goes through exit_to_user and IRETQ/SYSRET.
 */
void thread_prepare_user(struct thread *t, const struct trap_frame *tf);

/* Load the FPU/SSE state a new program starts with (a signal handler's too). */
void sched_fpu_reset(void);

/* Free a dead thread's stack and memory; not the current thread. */
void thread_free(struct thread *t);

/* Put t in the run queue (it must not be running or queued). */
void sched_wake(struct thread *t);

/* Leave the CPU: back of the queue when still runnable; returns when scheduled again. */
void schedule(void);
/* sched_yield. */
void sched_yield(void);

/* Timer interrupt: wake sleepers whose deadline passed, run timers, preempt ring 3. */
void sched_tick(const struct trap_frame *tf);

/*
 * From the kernel thread: run threads until done(ctx) says so (checked each
 * time the kernel thread gets the CPU back), idling with hlt while every
 * thread sleeps. With done NULL: until no thread is runnable or sleeping.
 */
void sched_run_until(int (*done)(void *ctx), void *ctx);

/* Threads runnable now (for /proc/loadavg), and all threads that exist. */
int sched_runnable(void);
int sched_threads(void);
/* Context switches so far (/proc/stat ctxt). */
uint64_t sched_switches(void);
/* Timer ticks (1/SCHED_HZ s each) spent idle so far (/proc/uptime's second field, /proc/stat idle). */
uint64_t sched_idle_ticks(void);

/* Low-level (core/x86/syscall_entry.S). */
void switch_context(uint64_t *prev_ksp, uint64_t next_ksp);
/*
 * The last C code before every return to ring 3 (core/x86/trap.S and
 * syscall_entry.S call it with the user frame; after a system call,
 * syscall_dispatch calls it only when it has work): signal delivery and the
 * checks on the frame. May not return (the process dies).
 */
void exit_to_user(struct trap_frame *tf);

#endif
