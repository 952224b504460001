/* SPDX-License-Identifier: MIT */
/*
 * sys_signal.c - the signal system calls: rt_sigaction, rt_sigprocmask,
 * rt_sigpending, rt_sigsuspend, pause, sigaltstack, kill, tgkill, tkill and
 * rt_sigtimedwait, with Linux's argument checks and errors. Sending and
 * delivery are signal.c.
 */
#include "kerrno.h"
#include "kstring.h"
#include "ktime.h"
#include "proc.h"
#include "signal.h"
#include "syscall.h"
#include "uaccess.h"

long sys_rt_sigaction(int sig, uint64_t uact, uint64_t uoact, uint64_t size)
{
	struct proc *p = proc_current();
	struct lx_sigaction act;

	if (size != sizeof(uint64_t))
		return -EINVAL;
	if (sig < 1 || sig > NSIG || (uact && (sig == SIGKILL || sig == SIGSTOP)))
		return -EINVAL;
	if (uact && copy_from_user(&act, uact, sizeof(act)))
		return -EFAULT;
	if (uoact && copy_to_user(uoact, &p->sighand->act[sig - 1], sizeof(act)))
		return -EFAULT;
	if (uact) {
		act.mask &= ~SIG_UNBLOCKABLE;
		p->sighand->act[sig - 1] = act;
		/* Setting SIG_IGN (or SIG_DFL where that ignores) drops what is pending, as POSIX asks. */
		if (signal_ignored(p, sig)) {
			p->shared_pending &= ~SIGBIT(sig);
			for (struct thread *t = p->threads; t; t = t->next_in_proc)
				t->sig_pending &= ~SIGBIT(sig);
		}
	}
	return 0;
}

long sys_rt_sigprocmask(int how, uint64_t uset, uint64_t uoset, uint64_t size)
{
	struct thread *t = thread_current();
	uint64_t set, old = t->sig_blocked;

	if (size != sizeof(uint64_t))
		return -EINVAL;
	if (uset) {
		if (copy_from_user(&set, uset, sizeof(set)))
			return -EFAULT;
		switch (how) {
		case SIG_BLOCK:
			t->sig_blocked |= set;
			break;
		case SIG_UNBLOCK:
			t->sig_blocked &= ~set;
			break;
		case SIG_SETMASK:
			t->sig_blocked = set;
			break;
		default:
			return -EINVAL;
		}
		t->sig_blocked &= ~SIG_UNBLOCKABLE;
	}
	if (uoset && copy_to_user(uoset, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

long sys_rt_sigpending(uint64_t uset, uint64_t size)
{
	struct thread *t = thread_current();
	uint64_t set = (t->sig_pending | t->proc->shared_pending) & t->sig_blocked;

	if (size > sizeof(uint64_t))
		return -EINVAL;
	return copy_to_user(uset, &set, size) ? -EFAULT : 0;
}

long sys_rt_sigsuspend(uint64_t uset, uint64_t size)
{
	struct thread *t = thread_current();
	uint64_t set;

	if (size != sizeof(uint64_t))
		return -EINVAL;
	if (copy_from_user(&set, uset, sizeof(set)))
		return -EFAULT;
	t->saved_mask = t->sig_blocked;
	t->restore_mask = 1;
	t->sig_blocked = set & ~SIG_UNBLOCKABLE;
	while (task_sleep(0) != -EINTR)
		;
	return -ERESTARTNOHAND;
}

long sys_pause(void)
{
	while (task_sleep(0) != -EINTR)
		;
	return -ERESTARTNOHAND;
}

long sys_sigaltstack(uint64_t uss, uint64_t uoss)
{
	struct thread *t = thread_current();
	struct lx_stack ss, old = t->altstack;
	int on = signal_on_altstack(t, t->tf ? t->tf->rsp : 0);

	if (!old.ss_size)
		old.ss_flags = SS_DISABLE;
	if (on)
		old.ss_flags = SS_ONSTACK | (old.ss_flags & (int32_t)SS_AUTODISARM);
	if (uss) {
		unsigned mode;

		if (copy_from_user(&ss, uss, sizeof(ss)))
			return -EFAULT;
		if (on)
			return -EPERM;
		mode = (unsigned)ss.ss_flags & ~SS_AUTODISARM;
		if (mode != 0 && mode != SS_ONSTACK && mode != SS_DISABLE)
			return -EINVAL;
		if (mode == SS_DISABLE) {
			t->altstack.ss_sp = 0;
			t->altstack.ss_size = 0;
			t->altstack.ss_flags = SS_DISABLE;
		} else {
			if (ss.ss_size < MINSIGSTKSZ)
				return -ENOMEM;
			t->altstack.ss_sp = ss.ss_sp;
			t->altstack.ss_size = ss.ss_size;
			t->altstack.ss_flags = ss.ss_flags & (int32_t)SS_AUTODISARM;
		}
	}
	if (uoss && copy_to_user(uoss, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

long sys_kill(int pid, int sig)
{
	struct proc *me = proc_current(), *p;
	int found = 0;

	if (sig < 0 || sig > NSIG)
		return -EINVAL;
	if (pid > 0) {
		p = proc_find(pid, 1);
		if (!p)
			return -ESRCH;
		return sig ? signal_send(p, sig, NULL) : 0;
	}
	if (pid == -1) {
		for (p = proc_first(); p; p = p->next_all) {
			if (p == me || p->pid == 1 || p->state != PROC_ALIVE)
				continue;
			found++;
			if (sig)
				signal_send(p, sig, NULL);
		}
		return found ? 0 : -ESRCH;
	}
	found = signal_send_pgrp(pid == 0 ? me->pgid : -pid, sig);
	return found ? 0 : -ESRCH;
}

static struct thread *find_thread(int tgid, int tid)
{
	for (struct proc *p = proc_first(); p; p = p->next_all) {
		if (p->state != PROC_ALIVE || (tgid > 0 && p->pid != tgid))
			continue;
		for (struct thread *t = p->threads; t; t = t->next_in_proc)
			if (t->tid == tid && t->state != T_DEAD)
				return t;
	}
	return NULL;
}

static long thread_kill(int tgid, int tid, int sig)
{
	struct lx_siginfo info;
	struct thread *t;

	if (tid <= 0 || sig < 0 || sig > NSIG)
		return -EINVAL;
	t = find_thread(tgid, tid);
	if (!t)
		return -ESRCH;
	if (!sig)
		return 0;
	memset(&info, 0, sizeof(info));
	info.si_code = SI_TKILL;
	info.u.kill.pid = proc_current()->pid;
	return signal_send_thread(t, sig, &info);
}

long sys_tgkill(int tgid, int tid, int sig)
{
	if (tgid <= 0)
		return -EINVAL;
	return thread_kill(tgid, tid, sig);
}

long sys_tkill(int tid, int sig)
{
	return thread_kill(0, tid, sig);
}

long sys_rt_sigtimedwait(uint64_t uset, uint64_t uinfo, uint64_t uts, uint64_t size)
{
	struct thread *t = thread_current();
	struct proc *p = t->proc;
	uint64_t set, deadline = 0, old = t->sig_blocked;
	struct kts_pair {
		int64_t sec, nsec;
	} ts;
	struct lx_siginfo info;

	if (size != sizeof(uint64_t))
		return -EINVAL;
	if (copy_from_user(&set, uset, sizeof(set)))
		return -EFAULT;
	set &= ~SIG_UNBLOCKABLE;
	if (uts) {
		if (copy_from_user(&ts, uts, sizeof(ts)))
			return -EFAULT;
		if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= NSEC_PER_SEC)
			return -EINVAL;
		deadline = ktime_deadline((uint64_t)ts.sec * NSEC_PER_SEC + (uint64_t)ts.nsec);
	}
	for (;;) {
		uint64_t ready = (t->sig_pending | p->shared_pending) & set;
		int sig, r;

		if (ready) {
			sig = __builtin_ctzll(ready) + 1;
			if (t->sig_pending & SIGBIT(sig))
				t->sig_pending &= ~SIGBIT(sig);
			else
				p->shared_pending &= ~SIGBIT(sig);
			info = p->info[sig - 1];
			if (uinfo && copy_to_user(uinfo, &info, sizeof(info)))
				return -EFAULT;
			return sig;
		}
		if (uts && !ts.sec && !ts.nsec)
			return -EAGAIN;
		/* Sleep with the waited-for signals unblocked, so that sending them wakes us. */
		t->sig_blocked &= ~set;
		r = task_sleep(deadline);
		t->sig_blocked = old;
		if (r == -ETIMEDOUT)
			return -EAGAIN;
		if (r == -EINTR && !((t->sig_pending | p->shared_pending) & set))
			return -EINTR;
	}
}
