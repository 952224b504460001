/* SPDX-License-Identifier: MIT */
/*
 * procfs_pid.c - the text of a process's files: /proc/PID/{auxv cmdline
 * comm environ maps mounts smaps smaps_rollup stat statm status}, and the
 * same of /proc/PID/task/TID for one thread (stat, status and comm are the
 * thread's own: its tid, state, signals, times, name), made each time one
 * is opened, in the formats of core/proc/procfs.c and procfs_sys.c. Apart
 * from procfs_dir.c (the tree) because it reads a process's memory, signals
 * and times, not /proc's inodes.
 */
#include "devfs.h"
#include "heap.h"
#include "kernel.h"
#include "kerrno.h"
#include "kprintf.h"
#include "kstring.h"
#include "ktime.h"
#include "pmm.h"
#include "proc.h"
#include "procfs.h"
#include "procfs_internal.h"
#include "procfs_sys.h"
#include "sched.h"
#include "tty.h"
#include "vfs.h"

#define PF_RANDOMIZE 0x00400000 /* /proc/PID/stat flags: Linux sets it when exec randomized the layout */

/* argv or envp of p: the bytes between start and end of its memory, NULs included. */
static int gen_strings(struct proc *p, uint64_t start, uint64_t end, struct text *t)
{
	size_t n = end > start ? end - start : 0;

	t->buf = kmalloc(n + 1);
	if (!t->buf)
		return -ENOMEM;
	t->len = 0;
	if (p->uvm && n && !uvm_read_user(p->uvm, start, t->buf, n))
		t->len = n;
	return 0;
}

static char state_of(const struct proc *p)
{
	if (p->state == PROC_ZOMBIE)
		return 'Z';
	if (p->stop_sig)
		return 'T';
	for (const struct thread *t = p->threads; t; t = t->next_in_proc)
		if (t->state == T_RUNNABLE)
			return 'R';
	return 'S';
}

/* One thread's state letter (a task's own, as /proc/PID/task/TID shows it). */
static char thread_state_of(const struct proc *p, const struct thread *t)
{
	if (p->state == PROC_ZOMBIE || t->state == T_DEAD)
		return 'Z';
	if (t->state == T_STOPPED)
		return 'T';
	return t->state == T_RUNNABLE ? 'R' : 'S';
}

#define CAUGHT 2 /* sigset_of: signals with a handler (neither SIG_DFL nor SIG_IGN) */

static uint64_t sigset_of(const struct proc *p, uint64_t handler)
{
	uint64_t set = 0;

	if (!p->sighand)
		return 0;
	for (int i = 0; i < NSIG; i++) {
		uint64_t h = p->sighand->act[i].handler;

		if (handler == SIG_IGN ? h == SIG_IGN : h != SIG_IGN && h != SIG_DFL)
			set |= 1ULL << i;
	}
	return set;
}

/* /proc/PID/status, or with th the thread's /proc/PID/task/TID/status. */
static int gen_status(struct proc *p, const struct thread *th, struct text *t)
{
	struct proc_status st;

	memset(&st, 0, sizeof(st));
	st.name = p->name;
	st.pid = st.tgid = p->pid;
	st.ppid = p->parent && p->parent != p ? p->parent->pid : 0;
	st.pgid = p->pgid;
	st.sid = p->sid;
	st.state = state_of(p);
	st.umask = p->fs ? p->fs->umask : 022;
	st.fdsize = p->files ? p->files->cap : 0;
	/* A zombie's leader stays counted in signal->nr_threads until it is reaped (release_task). */
	st.threads = p->nthreads ? p->nthreads : 1;
	st.shd_pnd = p->shared_pending;
	if (p->threads) {
		st.sig_pnd = p->threads->sig_pending;
		st.sig_blk = p->threads->sig_blocked;
	}
	st.sig_ign = sigset_of(p, SIG_IGN);
	st.sig_cgt = sigset_of(p, CAUGHT);
	st.no_new_privs = p->no_new_privs;
	for (struct thread *th = p->threads; th; th = th->next_in_proc) {
		st.voluntary += th->voluntary;
		st.nonvoluntary += th->preemptions;
	}
	if (th) {
		st.name = thread_comm(th);
		st.pid = th->tid;
		st.state = thread_state_of(p, th);
		st.sig_pnd = th->sig_pending;
		st.sig_blk = th->sig_blocked;
		st.voluntary = th->voluntary;
		st.nonvoluntary = th->preemptions;
	}
	if (p->uvm && state_of(p) != 'Z') { /* Linux's zombie has dropped its mm: no Vm lines */
		st.has_mm = 1;
		uvm_status(p->uvm, &st);
		st.vm_hwm = p->uvm->peak_rss > st.vm_rss ? p->uvm->peak_rss : st.vm_rss;
	}
	RENDER(t, procfs_status(&st, NULL, 0), procfs_status(&st, buf, size));
	return 0;
}

/* /proc/PID/stat (times of every thread), or with th the thread's task/TID/stat (its own). */
static int gen_stat_pid(struct proc *p, const struct thread *th, struct text *t)
{
	struct pid_stat s;
	struct tty *tty = tty_console();
	uint64_t tick_ns = 1000000000ULL / SCHED_HZ, ut = p->utime_ns, stt = p->stime_ns;

	memset(&s, 0, sizeof(s));
	for (struct thread *th = p->threads; th; th = th->next_in_proc) {
		ut += th->utime_ns;
		stt += th->stime_ns;
	}
	s.pid = p->pid;
	s.comm = p->name;
	s.state = state_of(p);
	s.ppid = p->parent && p->parent != p ? p->parent->pid : 0;
	s.pgrp = p->pgid;
	s.session = p->sid;
	s.tty_nr = tty->sid && tty->sid == p->sid ? (int)DEV_CONSOLE : 0;
	s.tpgid = tty->sid && tty->sid == p->sid ? tty->pgrp : -1;
	s.flags = p->uvm && p->uvm->randomized ? PF_RANDOMIZE : 0;
	s.utime = ut / tick_ns;
	s.stime = stt / tick_ns;
	s.cutime = p->cutime_ns / tick_ns;
	s.cstime = p->cstime_ns / tick_ns;
	s.priority = 20;
	s.num_threads = p->nthreads ? p->nthreads : 1; /* as in status: a zombie counts its leader */
	s.starttime = ktime_tsc_to_mono_ns(p->start_tsc) / tick_ns;
	s.rsslim = RLIM_INFINITY;
	s.signal = p->shared_pending;
	s.sigignore = sigset_of(p, SIG_IGN);
	s.sigcatch = sigset_of(p, CAUGHT);
	s.exit_signal = p->exit_signal;
	if (p->threads)
		s.blocked = p->threads->sig_blocked;
	if (p->uvm) {
		struct proc_status st;

		memset(&st, 0, sizeof(st));
		uvm_status(p->uvm, &st);
		s.vsize = st.vm_size;
		s.rss = st.vm_rss >> PAGE_SHIFT;
		s.minflt = p->uvm->faults;
		s.startstack = p->uvm->stack_start;
		s.start_brk = p->uvm->brk_start;
		s.arg_start = p->arg_start;
		s.arg_end = p->arg_end;
		s.env_start = p->env_start;
		s.env_end = p->env_end;
		for_each_vma(v, p->uvm->vmas)
		{
			if (v->kind == VMA_IMAGE && (v->prot & VM_EXEC) && !s.startcode) {
				s.startcode = v->start;
				s.endcode = v->end;
			}
			if (v->kind == VMA_IMAGE && (v->prot & VM_WRITE)) {
				s.start_data = v->start;
				s.end_data = v->end;
			}
		}
	}
	s.exit_code = p->state == PROC_ZOMBIE ? p->wstatus : 0;
	if (th) {
		s.pid = th->tid;
		s.comm = thread_comm(th);
		s.state = thread_state_of(p, th);
		s.utime = th->utime_ns / tick_ns;
		s.stime = th->stime_ns / tick_ns;
		s.cutime = s.cstime = 0;
		s.starttime = ktime_tsc_to_mono_ns(th->start_tsc) / tick_ns;
		s.blocked = th->sig_blocked;
	}
	RENDER(t, procfs_pid_stat(&s, NULL, 0), procfs_pid_stat(&s, buf, size));
	return 0;
}

static int gen_statm(struct proc *p, struct text *t)
{
	uint64_t pages[7] = { 0 };

	if (p->uvm) {
		struct proc_status st;

		memset(&st, 0, sizeof(st));
		uvm_status(p->uvm, &st);
		pages[0] = st.vm_size >> PAGE_SHIFT;
		pages[1] = st.vm_rss >> PAGE_SHIFT;
		pages[2] = st.rss_file >> PAGE_SHIFT;
		pages[3] = st.vm_exe >> PAGE_SHIFT;
		pages[5] = (st.vm_data + st.vm_stk) >> PAGE_SHIFT;
	}
	RENDER(t, procfs_statm(pages, NULL, 0), procfs_statm(pages, buf, size));
	return 0;
}

static int gen_smaps(struct proc *p, int rollup, struct text *t)
{
	struct smaps_usage total;
	struct sb s = { 0 };
	char *line;

	memset(&total, 0, sizeof(total));
	if (!p->uvm)
		return procfs_sb_done(&s, t);
	for_each_vma(v, p->uvm->vmas)
	{
		struct smaps_usage u;
		size_t n;

		uvm_smaps(p->uvm, v, &u);
		if (rollup) {
			total.rss += u.rss;
			total.pss += u.pss;
			total.pss_dirty += u.pss_dirty;
			total.shared_clean += u.shared_clean;
			total.shared_dirty += u.shared_dirty;
			total.private_clean += u.private_clean;
			total.private_dirty += u.private_dirty;
			total.referenced += u.referenced;
			total.anonymous += u.anonymous;
			continue;
		}
		n = procfs_smaps_area(v, &u, NULL, 0);
		line = kmalloc(n + 1);
		if (!line) {
			s.err = -ENOMEM;
			break;
		}
		procfs_smaps_area(v, &u, line, n + 1);
		procfs_sb_add(&s, line, n);
		kfree(line);
	}
	if (rollup && p->uvm->vmas->n) {
		uint64_t lo = 0, hi = 0;
		size_t n;

		for_each_vma(v, p->uvm->vmas)
		{
			if (!lo)
				lo = v->start;
			hi = v->end;
		}
		procfs_sb_printf(&s, "%08llx-%08llx ---p 00000000 00:00 0", (unsigned long long)lo,
				 (unsigned long long)hi);
		/* The same padding as a maps line before the name. */
		while (s.len < 73 && !s.err)
			procfs_sb_add(&s, " ", 1);
		procfs_sb_add(&s, "[rollup]\n", 9);
		n = procfs_smaps_area(NULL, &total, NULL, 0);
		line = kmalloc(n + 1);
		if (line) {
			procfs_smaps_area(NULL, &total, line, n + 1);
			procfs_sb_add(&s, line, n);
			kfree(line);
		}
	}
	return procfs_sb_done(&s, t);
}

/*
 * /proc/PID/maps in one pass, O(areas): each line formatted by hand into a
 * line buffer and appended (no measuring pass, no allocation per line).
 */
static int gen_maps(struct proc *p, struct text *t)
{
	char line[PROCFS_MAPS_LINE_MAX];
	struct sb s = { 0 };

	if (p->uvm)
		for_each_vma(v, p->uvm->vmas) procfs_sb_add(&s, line, (size_t)(procfs_maps_put(line, v) - line));
	return procfs_sb_done(&s, t);
}

int procfs_gen_pid(struct proc *p, const struct thread *th, unsigned e, struct text *t)
{
	struct sb s = { 0 };

	switch (e) {
	case P_AUXV:
		/* The vector exec gave the program, as Linux keeps it (mm->saved_auxv), whatever it did to its stack.
		 */
		if (p->uvm)
			procfs_sb_add(&s, (const char *)p->uvm->auxv, p->uvm->auxv_words * sizeof(uint64_t));
		return procfs_sb_done(&s, t);
	case P_CMDLINE:
		return gen_strings(p, p->arg_start, p->arg_end, t);
	case P_ENVIRON:
		return gen_strings(p, p->env_start, p->env_end, t);
	case P_COMM:
		procfs_sb_printf(&s, "%.15s\n", th ? thread_comm(th) : p->name);
		return procfs_sb_done(&s, t);
	case P_MAPS:
		return gen_maps(p, t);
	case P_SMAPS:
	case P_SMAPS_ROLLUP:
		return gen_smaps(p, e == P_SMAPS_ROLLUP, t);
	case P_STATUS:
		return gen_status(p, th, t);
	case P_STAT:
		return gen_stat_pid(p, th, t);
	case P_STATM:
		return gen_statm(p, t);
	case P_MOUNTS:
		return procfs_gen_mounts(t);
	default:
		return -EINVAL;
	}
}
