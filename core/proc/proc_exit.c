/* SPDX-License-Identifier: MIT */
/*
 * proc_exit.c - a thread or a process ending: exit and exit_group, a fatal
 * signal's kill, the exit hooks, the hang-up of a controlling process's
 * terminal, children re-parented to init (or the kernel), the parent told
 * with SIGCHLD, and the other threads of a process ended for exit_group
 * or execve (include/proc.h). Apart from proc.c, which keeps the process
 * list, pids, the dead threads' stacks and reaping (shared with this file
 * through include/proc_internal.h).
 *
 * Memory: a process that ends frees its address space and files at once,
 * on the kernel's tables; its last thread's stack goes at the next context
 * switch (it is still standing on it, proc.c frees it).
 */
#include "proc.h"
#include "proc_internal.h"

#include "futex.h"
#include "kerrno.h"
#include "kstring.h"
#include "kvm.h"
#include "panic.h"
#include "procfs_dir.h"
#include "tty.h"
#include "vfs.h"
#include "x86.h"

static struct proc *init; /* init=: orphans go to it */
static proc_exit_fn exit_hooks[PROC_EXIT_HOOKS];

int proc_add_exit_hook(proc_exit_fn fn)
{
	for (int i = 0; i < PROC_EXIT_HOOKS; i++) {
		if (!exit_hooks[i]) {
			exit_hooks[i] = fn;
			return 0;
		}
	}
	return -ENOSPC;
}

void proc_set_init(struct proc *p)
{
	init = p;
}

/* p is ending: its children go to init, or to the kernel, which reaps them when they end. */
static void reparent_children(struct proc *p)
{
	struct proc *heir = init && init != p && init->state == PROC_ALIVE ? init : NULL;

	while (p->children) {
		struct proc *c = p->children;

		p->children = c->sibling;
		c->sibling = NULL;
		c->parent = NULL;
		if (c->pdeath_sig && c->state == PROC_ALIVE)
			signal_send(c, c->pdeath_sig, NULL);
		if (heir) {
			c->parent = heir;
			c->sibling = heir->children;
			heir->children = c;
			if (c->state == PROC_ZOMBIE)
				proc_notify_parent(c, CLD_EXITED, 0);
		} else if (c->state == PROC_ZOMBIE && !c->kernel_waits) {
			proc_unlink_child(c);
			proc_free_if_done(c);
		}
	}
}

void proc_notify_parent(struct proc *p, int code, int status)
{
	struct proc *parent = p->parent;
	struct lx_siginfo info;
	const struct lx_sigaction *act;

	if (!parent || parent == p)
		return;
	act = &parent->sighand->act[SIGCHLD - 1];
	waitq_wake(&parent->child_wait);
	if (code == CLD_STOPPED || code == CLD_CONTINUED) {
		if (act->flags & SA_NOCLDSTOP)
			return;
	}
	memset(&info, 0, sizeof(info));
	info.si_signo = SIGCHLD;
	info.si_code = code;
	info.u.kill.pid = p->pid;
	info.u.kill.status = status;
	info.u.kill.utime = (int64_t)(p->utime_ns / 10000000ULL);
	info.u.kill.stime = (int64_t)(p->stime_ns / 10000000ULL);
	if (code == CLD_EXITED || code == CLD_KILLED || code == CLD_DUMPED) {
		if (p->exit_signal)
			signal_send(parent, p->exit_signal, &info);
	} else {
		signal_send(parent, SIGCHLD, &info);
	}
}

/* The controlling process of the console is going: its foreground group hears SIGHUP, as on a hang-up. */
static void hangup_if_leader(struct proc *p)
{
	struct tty *t = tty_console();

	if (p->pid != p->sid || t->sid != p->sid)
		return;
	if (t->pgrp && t->pgrp != p->pgid) {
		signal_send_pgrp(t->pgrp, SIGHUP);
		signal_send_pgrp(t->pgrp, SIGCONT);
	}
	t->sid = 0;
	t->pgrp = 0;
}

/* The last thread of p is leaving: release everything but the zombie itself. Runs on p's last thread. */
static void process_end(struct proc *p)
{
	struct thread *t = thread_current();
	int parent_ignores;

	p->end_tsc = rdtsc();
	proc_flush_output(p);
	for (int i = 0; i < PROC_EXIT_HOOKS; i++)
		if (exit_hooks[i])
			exit_hooks[i](p);
	procfs_forget();
	write_cr3(kvm_pt()->root);
	fdtable_put(p->files);
	p->files = NULL;
	fs_ctx_put(p->fs);
	p->fs = NULL;
	uvm_put(p->uvm);
	p->uvm = NULL;
	/* A vfork parent waits for this moment. */
	vfork_release(p);
	hangup_if_leader(p);
	reparent_children(p);
	p->alarm_tsc = 0;
	p->state = PROC_ZOMBIE;
	p->wstatus = p->signal ? (p->signal | (p->wstatus & WCOREFLAG)) : W_EXITCODE(p->exit_code & 0xff, 0);
	parent_ignores = p->parent && (p->parent->sighand->act[SIGCHLD - 1].handler == SIG_IGN ||
				       (p->parent->sighand->act[SIGCHLD - 1].flags & SA_NOCLDWAIT));
	if (p->parent) {
		int code = !p->signal ? CLD_EXITED : (p->wstatus & WCOREFLAG) ? CLD_DUMPED : CLD_KILLED;

		proc_notify_parent(p, code, p->signal ? p->signal : p->exit_code & 0xff);
		if (parent_ignores)
			proc_unlink_child(p); /* POSIX: no zombie when the parent ignores SIGCHLD */
	} else if (!p->kernel_waits) {
		proc_unlink_child(p); /* an orphan of the kernel's: nobody will wait */
	}
	sighand_put(p->sighand);
	p->sighand = NULL;
	if (p == init)
		init = NULL;
	(void)t;
}

/* The current thread ends; with its process when it is the last. Never returns. */
static void thread_end(struct thread *t)
{
	struct proc *p = t->proc;

	t->state = T_DEAD;
	p->utime_ns += t->utime_ns;
	p->stime_ns += t->stime_ns;
	p->preemptions += t->preemptions;
	p->syscalls += t->syscalls;
	futex_thread_exit(t);
	if (--p->nthreads == 0)
		process_end(p);
	else
		waitq_wake(&p->thread_exit_wait); /* an exec may wait for the last other thread */
	proc_add_dead_thread(t);
	schedule();
	panic("proc: a finished thread was scheduled again (tid %d)", t->tid);
}

/* Make every other thread of p die at its next chance (exit_group, a fatal signal). */
static void kill_other_threads(struct proc *p, struct thread *self)
{
	p->group_exit = 1;
	for (struct thread *o = p->threads; o; o = o->next_in_proc)
		if (o != self && o->state != T_DEAD)
			signal_send_thread(o, SIGKILL, NULL);
}

void proc_exit(int code)
{
	struct thread *t = thread_current();
	struct proc *p = t->proc;

	if (!p)
		panic("proc: exit outside a process");
	if (!p->group_exit)
		p->exit_code = code;
	kill_other_threads(p, t);
	thread_end(t);
	for (;;)
		;
}

void proc_exit_thread(int code)
{
	struct thread *t = thread_current();

	if (!t->proc)
		panic("proc: exit outside a process");
	t->exit_code = code;
	if (t->proc->nthreads == 1 && !t->proc->group_exit)
		t->proc->exit_code = code;
	thread_end(t);
	for (;;)
		;
}

void proc_kill(int sig, const char *cause, uint64_t addr, uint64_t rip)
{
	struct thread *t = thread_current();
	struct proc *p = t->proc;

	if (!p)
		panic("proc: kill outside a process");
	if (!p->group_exit || !p->signal) {
		p->signal = sig;
		p->exit_code = 128 + sig;
		p->fault_addr = addr;
		p->fault_rip = rip;
		kstrlcpy(p->cause, cause, sizeof(p->cause));
	}
	kill_other_threads(p, t);
	thread_end(t);
	for (;;)
		;
}
int proc_end_other_threads(void)
{
	struct thread *t = thread_current(), **tp;
	struct proc *p = t->proc;

	for (struct thread *o = p->threads; o; o = o->next_in_proc) {
		if (o == t || o->state == T_DEAD)
			continue;
		o->zapped = 1;
		if (o->state == T_STOPPED)
			o->state = T_SLEEPING;
		if (o->state == T_SLEEPING)
			sched_wake(o);
	}
	while (p->nthreads > 1)
		if (thread_doomed(t) || waitq_wait_killable(&p->thread_exit_wait))
			return -EINTR;
	/* The caller goes on as the process: the leader, with the pid as its tid. */
	for (tp = &p->threads; *tp && *tp != t; tp = &(*tp)->next_in_proc)
		;
	if (*tp) {
		*tp = t->next_in_proc;
		t->next_in_proc = p->threads;
		p->threads = t;
	}
	t->tid = p->pid;
	t->comm[0] = 0; /* the leader's name is the process's */
	return 0;
}
