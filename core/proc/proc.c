/* SPDX-License-Identifier: MIT */
/*
 * proc.c - process life: creation by the kernel, pids, the family tree,
 * zombies and reaping, job-control stops, and the timer's per-process
 * work (include/proc.h). Exit (a thread or process ending, re-parenting,
 * SIGCHLD, exit hooks) lives in proc_exit.c, which shares the reaping
 * helpers of include/proc_internal.h; fork, execve and wait in fork.c,
 * exec.c and wait.c; signals in signal.c; threads and the run queue in
 * sched.c.
 *
 * Memory: a process that ends frees its address space and files at once,
 * on the kernel's tables; its last thread's stack goes at the next context
 * switch (it is still standing on it), and the struct proc when its parent
 * (or the kernel) has reaped the zombie and no thread of it is left.
 */
#include "proc.h"
#include "proc_internal.h"

#include "aslr.h"
#include "elf.h"
#include "heap.h"
#include "json.h"
#include "kernel.h"
#include "kerrno.h"
#include "kstring.h"
#include "lapic.h"
#include "memlayout.h"
#include "panic.h"
#include "pmm.h"
#include "record.h"
#include "sysguard.h"
#include "tsc.h"
#include "tty.h"
#include "uaccess.h"
#include "vfs.h"
#include "x86.h"

#define PID_FIRST_REUSED 300 /* after wrapping, pids start here (Linux's RESERVED_PIDS) */
#define NPROC_DEFAULT (THREADS_MAX / 2)
#define TICK_PENDING_US 50 /* a tick this soon after a system call returned came due inside it */

static struct proc *all;	  /* every process, newest first */
struct thread *proc_dead_threads; /* finished threads whose stacks wait to be freed (proc.h) */
static int last_pid, nprocs;

struct proc *proc_first(void)
{
	return all;
}

int proc_count(void)
{
	return nprocs;
}

int proc_last_pid(void)
{
	return last_pid;
}

int proc_live(void)
{
	int n = 0;

	for (struct proc *p = all; p; p = p->next_all)
		n += p->state == PROC_ALIVE;
	return n;
}

struct proc *proc_find(int pid, int zombies)
{
	for (struct proc *p = all; p; p = p->next_all)
		if (p->pid == pid && (zombies || p->state == PROC_ALIVE))
			return p;
	return NULL;
}

/* 1 when some process or thread uses id. */
static int id_used(int id)
{
	for (struct proc *p = all; p; p = p->next_all) {
		if (p->pid == id || p->pgid == id || p->sid == id)
			return 1;
		for (struct thread *t = p->threads; t; t = t->next_in_proc)
			if (t->tid == id)
				return 1;
	}
	return 0;
}

/* The next free pid (also used for thread ids), or -EAGAIN when all are taken. */
int proc_alloc_pid(void)
{
	for (int tries = 0; tries < PID_MAX; tries++) {
		int id = last_pid + 1;

		if (id >= PID_MAX)
			id = PID_FIRST_REUSED;
		last_pid = id;
		if (!id_used(id))
			return id;
	}
	return -EAGAIN;
}

int proc_claim_pid(int id)
{
	return id_used(id) ? -EEXIST : id;
}

static void rlimits_default(struct proc *p)
{
	for (int i = 0; i < RLIM_NLIMITS; i++)
		p->rlim[i] = (struct rlimit64){ RLIM_INFINITY, RLIM_INFINITY };
	p->rlim[RLIMIT_STACK] = (struct rlimit64){ USER_STACK_LIMIT, RLIM_INFINITY };
	p->rlim[RLIMIT_CORE] = (struct rlimit64){ 0, RLIM_INFINITY };
	p->rlim[RLIMIT_NOFILE] = (struct rlimit64){ FD_MAX_DEFAULT, FD_MAX_HARD };
	p->rlim[RLIMIT_NPROC] = (struct rlimit64){ NPROC_DEFAULT, NPROC_DEFAULT };
	p->rlim[RLIMIT_MEMLOCK] = (struct rlimit64){ 8ULL << 20, 8ULL << 20 };
	p->rlim[RLIMIT_SIGPENDING] = (struct rlimit64){ 1024, 1024 };
	p->rlim[RLIMIT_MSGQUEUE] = (struct rlimit64){ 819200, 819200 };
	p->rlim[RLIMIT_NICE] = (struct rlimit64){ 0, 0 };
	p->rlim[RLIMIT_RTPRIO] = (struct rlimit64){ 0, 0 };
}

/* Link p under parent (NULL: the kernel) and into the list of every process. */
static void link_proc(struct proc *p, struct proc *parent)
{
	p->parent = parent;
	if (parent) {
		p->sibling = parent->children;
		parent->children = p;
	}
	p->next_all = all;
	all = p;
	nprocs++;
}

struct proc *proc_alloc(struct proc *parent, int pid)
{
	struct pmm_stats st;
	struct proc *p = kzalloc(sizeof(*p));

	if (!p)
		return NULL;
	pmm_get_stats(&st);
	p->free_pages_at_start = st.free_pages;
	p->pid = pid;
	p->state = PROC_ALIVE;
	p->exit_signal = SIGCHLD;
	p->start_tsc = rdtsc();
	if (parent) {
		p->pgid = parent->pgid;
		p->sid = parent->sid;
		memcpy(p->rlim, parent->rlim, sizeof(p->rlim));
	} else {
		/* Started by the kernel: a process group and session of its own, like init. */
		p->pgid = p->sid = pid;
		rlimits_default(p);
	}
	link_proc(p, parent);
	return p;
}

/* Free p's struct once it is reaped and none of its threads is left. */
void proc_free_if_done(struct proc *p)
{
	struct proc **pp;

	if (p->state != PROC_ZOMBIE || p->parent != p || p->threads)
		return;
	for (pp = &all; *pp && *pp != p; pp = &(*pp)->next_all)
		;
	if (*pp)
		*pp = p->next_all;
	nprocs--;
	kfree(p);
}

/* Free the stacks of threads that have finished (never the one running). */
static void free_dead_threads(void)
{
	struct thread *keep = NULL;

	while (proc_dead_threads) {
		struct thread *t = proc_dead_threads;
		struct proc *p = t->proc;

		proc_dead_threads = t->rq_next;
		if (t == thread_current()) {
			t->rq_next = keep;
			keep = t;
			continue;
		}
		/* Unlink from the process; its struct may go with it. */
		if (p) {
			struct thread **tp = &p->threads;

			while (*tp && *tp != t)
				tp = &(*tp)->next_in_proc;
			if (*tp)
				*tp = t->next_in_proc;
		}
		t->rq_next = NULL;
		thread_free(t);
		if (p)
			proc_free_if_done(p);
	}
	proc_dead_threads = keep;
}

void proc_free_dead(void)
{
	if (proc_dead_threads)
		free_dead_threads();
}

void proc_add_dead_thread(struct thread *t)
{
	t->rq_next = proc_dead_threads;
	proc_dead_threads = t;
}

/* Take p out of its parent's list of children (it is being reaped). */
void proc_unlink_child(struct proc *p)
{
	struct proc **pp = p->parent && p->parent != p ? &p->parent->children : NULL;

	for (; pp && *pp; pp = &(*pp)->sibling) {
		if (*pp == p) {
			*pp = p->sibling;
			break;
		}
	}
	p->sibling = NULL;
	p->parent = p; /* marks "reaped" */
}

void proc_reap(struct proc *p)
{
	if (p->state != PROC_ZOMBIE)
		panic("proc: reaping pid %d, which has not finished", p->pid);
	if (p->parent == p)
		panic("proc: pid %d reaped twice", p->pid);
	if (p->parent) {
		struct proc *parent = p->parent;

		parent->cutime_ns += p->utime_ns + p->cutime_ns;
		parent->cstime_ns += p->stime_ns + p->cstime_ns;
	}
	proc_unlink_child(p);
	/* Its last thread's stack may still wait on the dead list: freeing that frees p too. */
	if (p->threads)
		free_dead_threads();
	else
		proc_free_if_done(p);
}

static int all_ended(void *ctx)
{
	(void)ctx;
	return proc_live() == 0;
}

void proc_run(void)
{
	sched_run_until(all_ended, NULL);
	free_dead_threads();
}

static int is_zombie(void *ctx)
{
	return ((struct proc *)ctx)->state == PROC_ZOMBIE;
}

void proc_run_until_exit(struct proc *p)
{
	sched_run_until(is_zombie, p);
	free_dead_threads();
}

const char *thread_comm(const struct thread *t)
{
	return t->comm[0] || !t->proc ? t->comm : t->proc->name;
}

int thread_doomed(const struct thread *t)
{
	return t->proc && (t->proc->group_exit || t->zapped);
}

void proc_yield(void)
{
	sched_yield();
}

int proc_sleep_until(uint64_t deadline)
{
	for (;;) {
		int r = task_sleep(deadline);

		if (r == -ETIMEDOUT)
			return 0;
		if (r == -EINTR)
			return -EINTR;
		/* Woken early by nobody in particular: sleep on. */
	}
}

void proc_stop(struct proc *p, int sig)
{
	if (p->state != PROC_ALIVE || p->group_exit)
		return;
	p->stop_sig = sig;
	p->stop_report = 1;
	p->cont_report = 0;
	for (struct thread *t = p->threads; t; t = t->next_in_proc)
		if (t->state != T_DEAD)
			t->state = T_STOPPED;
	proc_notify_parent(p, CLD_STOPPED, sig);
}

void proc_continue(struct proc *p)
{
	int was_stopped = p->stop_sig != 0;

	p->stop_sig = 0;
	p->stop_report = 0;
	for (struct thread *t = p->threads; t; t = t->next_in_proc) {
		if (t->state == T_STOPPED) {
			t->state = T_SLEEPING;
			sched_wake(t);
		}
	}
	if (was_stopped) {
		p->cont_report = 1;
		proc_notify_parent(p, CLD_CONTINUED, SIGCONT);
	}
}

/* ITIMER_REAL: SIGALRM when the deadline passes, re-armed by the interval. */
static void run_alarms(void)
{
	uint64_t now = rdtsc();

	for (struct proc *p = all; p; p = p->next_all) {
		if (!p->alarm_tsc || now < p->alarm_tsc || p->state != PROC_ALIVE)
			continue;
		p->alarm_tsc = p->alarm_interval_ns ? ktime_deadline(p->alarm_interval_ns) : 0;
		signal_send(p, SIGALRM, NULL);
	}
}

/* Linux's calc_load: every 5 s, avenrun = avenrun * e + active * (1 - e), e = exp(-5 s / period). */
#define FSHIFT 11
#define FIXED_1 (1UL << FSHIFT)
#define LOAD_FREQ (5 * SCHED_HZ)
static const uint64_t load_exp[3] = { 1884, 2014, 2037 };
static uint64_t avenrun[3];
static unsigned load_ticks;

void proc_loadavg(uint64_t avg[3])
{
	for (int i = 0; i < 3; i++)
		avg[i] = avenrun[i];
}

static void calc_load(void)
{
	uint64_t active;

	if (++load_ticks < LOAD_FREQ)
		return;
	load_ticks = 0;
	active = (uint64_t)sched_runnable() * FIXED_1;
	for (int i = 0; i < 3; i++)
		avenrun[i] = (avenrun[i] * load_exp[i] + active * (FIXED_1 - load_exp[i]) + FIXED_1 / 2) >> FSHIFT;
}

void proc_tick(const struct trap_frame *tf)
{
	struct thread *t = thread_current();

	calc_load();
	/*
	 * User time is sampled: a tick that finds the thread in ring 3 counts
	 * one period. A tick that came due during a system call waits (the
	 * kernel runs with interrupts off) and lands the moment the call
	 * returns; that period was system time, already counted by the TSC
	 * (sysguard_exit), so a tick within TICK_PENDING_US of a return is not.
	 */
	if (t->proc && tf_from_user(tf) && rdtsc() - t->sys_exit_tsc > tsc_hz() / (1000000 / TICK_PENDING_US))
		t->utime_ns += 1000000000ULL / SCHED_HZ;
	run_alarms();
	tty_poll();
	sched_tick(tf);
	if (thread_current() == t)
		free_dead_threads();
}

/* The timer interrupt: count it, end it, then the per-process work and preemption. */
static void timer_tick(struct trap_frame *tf)
{
	lapic_tick();
	lapic_eoi();
	proc_tick(tf);
}

void proc_init(void)
{
	sched_init();
	aslr_init();
	trap_set_irq(VEC_TIMER, timer_tick);
	trap_set_user(ufault);
	trap_set_bad_return(ufault_bad_return);
	if (trap_add_fixup(uaccess_trap_fixup))
		panic("proc: no room for the user-copy fixup");
}

/* The rest of a kernel-started process: files, a thread, and the frame that enters ring 3. */
int proc_start(struct proc *p, uint64_t entry, uint64_t rsp, int ctty)
{
	struct trap_frame tf;
	struct thread *t;
	struct file *in = NULL, *out = NULL;
	int err;

	p->files = fdtable_new();
	p->fs = fs_ctx_new(vfs_root(), vfs_root());
	p->sighand = sighand_new();
	if (!p->files || !p->fs || !p->sighand)
		return -ENOMEM;
	/* stdin: the terminal for a shell, /dev/null for a batch program; stdout and stderr: the console. */
	err = vfs_open(p->fs, NULL, ctty ? "/dev/console" : "/dev/null", O_RDWR, 0, &in);
	if (!err)
		err = vfs_open(p->fs, NULL, "/dev/console", O_RDWR, 0, &out);
	if (err) {
		file_put(in);
		return err;
	}
	fd_install(p->files, 0, in, 0, FD_MAX_DEFAULT);
	fd_install(p->files, 1, out, 0, FD_MAX_DEFAULT);
	fd_install(p->files, 2, file_get(out), 0, FD_MAX_DEFAULT);
	if (ctty) {
		struct tty *tt = tty_console();

		tt->sid = p->sid;
		tt->pgrp = p->pgid;
	}
	t = thread_new(p);
	if (!t)
		return -EAGAIN;
	t->tid = p->pid;
	p->threads = t;
	p->nthreads = 1;
	memset(&tf, 0, sizeof(tf));
	tf.rip = entry;
	tf.rsp = rsp;
	tf.rflags = RFLAGS_IF | RFLAGS_RESERVED1;
	thread_prepare_user(t, &tf);
	sched_wake(t);
	return 0;
}

/* Undo proc_alloc for a process that never ran. */
void proc_abort(struct proc *p)
{
	fdtable_put(p->files);
	fs_ctx_put(p->fs);
	if (p->sighand)
		sighand_put(p->sighand);
	if (p->uvm)
		uvm_put(p->uvm);
	p->files = NULL;
	p->fs = NULL;
	p->sighand = NULL;
	p->uvm = NULL;
	p->state = PROC_ZOMBIE;
	proc_unlink_child(p);
	if (p->threads) {
		struct thread *t = p->threads;

		p->threads = NULL;
		thread_free(t);
	}
	proc_free_if_done(p);
}

struct proc *proc_spawn(const char *name, const char *path, const void *elf, size_t size, const char *const *argv,
			const char *const *envp, char *err, size_t err_size)
{
	struct elf_image img;
	struct aslr_pick aslr;
	struct proc *p;
	uint64_t rsp;
	int pid = proc_alloc_pid(), e;

	if (err_size)
		err[0] = 0;
	if (pid < 0) {
		ksnprintf(err, err_size, "too many processes (%d)", pid);
		return NULL;
	}
	aslr_pick(0, &aslr);
	if (elf_parse_below(elf, size, aslr.l.mmap_top, &img, err) != 0)
		return NULL;
	aslr_place_brk(&aslr, &img);
	p = proc_alloc(NULL, pid);
	if (!p) {
		ksnprintf(err, err_size, "no memory for the process (%d)", -ENOMEM);
		return NULL;
	}
	p->kernel_waits = 1;
	kstrlcpy(p->name, name, sizeof(p->name));
	kstrlcpy(p->path, path, sizeof(p->path));
	p->uvm = uvm_new();
	e = p->uvm ? 0 : -ENOMEM;
	if (!e) {
		uvm_set_layout(p->uvm, &aslr.l);
		e = uvm_load_elf(p->uvm, &img, elf, path, err, err_size);
		p->uvm->load_base = img.load_bias;
	}
	if (!e)
		e = uvm_setup_stack(p->uvm, &img, argv, envp, NULL, &rsp);
	if (!e)
		e = proc_start(p, img.entry, rsp, 0);
	if (e) {
		if (!err[0])
			ksnprintf(err, err_size, "could not build the process (%d)", e);
		proc_abort(p);
		return NULL;
	}
	p->arg_start = p->uvm->arg_start;
	p->arg_end = p->uvm->arg_end;
	p->env_start = p->uvm->env_start;
	p->env_end = p->uvm->env_end;
	return p;
}

void exit_to_user(struct trap_frame *tf)
{
	struct thread *t = thread_current();

	proc_free_dead();
	if (!t->proc)
		panic("proc: returning to ring 3 without a process");
	t->tf = tf;
	if (signal_pending(t) || t->syscall_nr >= 0 || t->restore_mask)
		signal_deliver(tf);
	t->syscall_nr = -1;
	/*
	 * A return address the CPU would refuse (rt_sigreturn, a handler, or a
	 * SYSCALL in the last bytes of the user half): SIGSEGV for the process,
	 * as on Linux, never a #GP in ring 0.
	 */
	if (tf->rip >= USER_END)
		ufault_kill(tf, SIGSEGV, tf->rip, "return to a non-canonical address");
}
