/* SPDX-License-Identifier: MIT */
/*
 * proc.h - processes: one thread each, an address space (mm/uvm.c), a
 * guarded kernel stack, a small file table, and a place in the round-robin
 * run queue. The kernel's own thread (kmain, "pid 0") runs the programs and
 * is where the CPU idles when nothing is runnable.
 */
#ifndef ATLAS_PROC_H
#define ATLAS_PROC_H

#include <stddef.h>
#include <stdint.h>

#include "trap.h"
#include "uvm.h"

#define PROC_MAX 64
#define PROC_FDS 16
#define PROC_NAME 32
#define PROC_PATH 96
#define PROC_CAUSE 96
#define FXSAVE_SIZE 512
#define PROC_OUT_LINE 240

enum proc_state { PROC_FREE, PROC_RUNNABLE, PROC_SLEEPING, PROC_ZOMBIE };

enum fd_kind { FD_NONE, FD_STDIN, FD_CONSOLE, FD_MEMFILE };

/* An open file: the console, or a read-only snapshot (/proc/self/...). */
struct fdesc {
	enum fd_kind kind;
	char *data; /* FD_MEMFILE: kmalloc'd text */
	size_t size, pos;
};

struct proc {
	int pid;
	enum proc_state state;
	char name[PROC_NAME]; /* program name ("hello") */
	char path[PROC_PATH]; /* what maps shows ("/hello", "\atlas\bin\x.elf") */
	struct uvm uvm;
	int kstack_slot;
	uint64_t kstack_top;
	uint64_t ksp;	    /* saved kernel RSP while switched out */
	uint64_t fs_base;   /* ARCH_SET_FS */
	uint64_t clear_tid; /* set_tid_address */
	uint64_t wake_tsc;  /* PROC_SLEEPING until this TSC value */
	uint64_t sys_nr;    /* the system call in progress (core/proc/sysguard.c) */
	uint64_t sys_tsc;   /* when it entered, or the process last ran in it */
	struct fdesc fd[PROC_FDS];
	/* How it ended. */
	int exit_code;
	int signal;		/* 0, or the signal that killed it */
	char cause[PROC_CAUSE]; /* the fault in words */
	uint64_t fault_addr, fault_rip;
	/* Accounting. */
	uint64_t start_tsc, end_tsc, preemptions, syscalls;
	uint64_t free_pages_at_start;
	int quiet; /* no exit report (repeats of the same program) */
	/* report=json: console output becomes {"rec":"output"} lines; the partial line waits here. */
	char out[PROC_OUT_LINE];
	size_t out_len;
	uint8_t fxsave[FXSAVE_SIZE] __attribute__((aligned(16)));
};

/*
 * Create a process from an ELF image (validated here; err gets the reason on
 * failure) with argv/envp (NULL-terminated kernel arrays). It is runnable but
 * does not run until the kernel thread waits. Returns NULL on failure.
 */
struct proc *proc_spawn(const char *name, const char *path, const void *elf, size_t size, const char *const *argv,
			const char *const *envp, char *err, size_t err_size);

/*
 * From the kernel thread: run processes until every one spawned so far has
 * exited or been killed. Idles (hlt with interrupts on) while all sleep.
 */
void proc_run(void);

/* Free a finished process (state ZOMBIE): its kernel stack and its slot. */
void proc_reap(struct proc *p);

/* The process running now, or NULL in the kernel thread. */
struct proc *proc_current(void);

/* From a syscall: end the current process with status code. Never returns. */
void proc_exit(int code) __attribute__((noreturn));

/* From the fault path: kill the current process with signal sig. Never returns. */
void proc_kill(int sig, const char *cause, uint64_t addr, uint64_t rip) __attribute__((noreturn));

/* Give up the CPU: back of the run queue (sched_yield, the timer). */
void proc_yield(void);

/* Sleep until the TSC reaches deadline (nanosleep). */
void proc_sleep_until(uint64_t deadline);

/* Timer interrupt: preempt ring 3. */
void proc_tick(const struct trap_frame *tf);

/* Processes alive (not free, not reaped). */
int proc_live(void);

/*
 * Make the CPU ready for processes: the FPU/SSE state every new process
 * starts from (CR0/CR4 bits, fninit, MXCSR), and the trap handlers that are
 * processes' business (include/trap.h): the timer tick preempts, a ring-3
 * exception is the process's (ufault), a user copy that faults returns
 * -EFAULT. Needs the GDT, IDT and per-CPU block.
 */
void proc_init(void);

/*
 * What else must know when a process ends (the monitor's ps, the layout
 * screen, the exit report): fn runs in the process's context as it ends,
 * its address space still there, in the order the hooks were added.
 * Returns 0, or -ENOSPC when PROC_EXIT_HOOKS are taken.
 */
#define PROC_EXIT_HOOKS 4
typedef void (*proc_exit_fn)(struct proc *p);
int proc_add_exit_hook(proc_exit_fn fn);

/*
 * core/proc/ufault.c: an exception in ring 3 (trap_set_user). Returns when it
 * was a page the process may have (demand paging); otherwise reports it (pid,
 * program, signal, address, RIP, error bits, cause) and kills the process.
 */
void ufault(struct trap_frame *tf);
/*
 * Report a ring-3 fault described by tf (signal sig at addr, cause in words)
 * and kill the current process. Never returns; needs a current process.
 */
void ufault_kill(const struct trap_frame *tf, int sig, uint64_t addr, const char *cause) __attribute__((noreturn));
/* IRETQ refused the return to ring 3 whose user frame is uf (trap_set_bad_return): kill the process. */
void ufault_bad_return(struct trap_frame *uf) __attribute__((noreturn));

/*
 * With report=json, a process's console output is cut into {"rec":"output"}
 * lines (core/proc/sys_fs.c); emit what is left of the current one.
 */
void proc_flush_output(struct proc *p);
/*
 * One {"rec":"output"} with the held bytes as they are (NUL and non-UTF-8
 * escaped), even none: an empty line is still a line. Empties the buffer.
 */
void proc_output_line(struct proc *p);

/* The open file fd of p, or NULL when fd is not open. */
static inline struct fdesc *proc_fd(struct proc *p, uint64_t fd)
{
	return fd < PROC_FDS && p->fd[fd].kind != FD_NONE ? &p->fd[fd] : NULL;
}

/* Name of a signal number ("SIGSEGV"). Never NULL. */
const char *signal_name(int sig);

#define SIGILL 4
#define SIGTRAP 5
#define SIGBUS 7
#define SIGFPE 8
#define SIGKILL 9
#define SIGSEGV 11

#endif
