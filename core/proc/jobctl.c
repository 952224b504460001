/* SPDX-License-Identifier: MIT */
/*
 * jobctl.c - what the console terminal asks of processes (tty_hooks): the
 * foreground group's signals (^C, ^Z, ^\), the job-control check of a
 * background read or write (SIGTTIN, SIGTTOU with TOSTOP), who is asking,
 * and where a process's console output goes.
 */
#include "kerrno.h"
#include "proc.h"
#include "signal.h"
#include "tty.h"

static void signal_pgrp(int pgrp, int sig)
{
	signal_send_pgrp(pgrp, sig);
}

/* A process group is orphaned when no member has a parent in another group of the same session (POSIX). */
static int orphaned(int pgrp, int sid)
{
	for (struct proc *p = proc_first(); p; p = p->next_all) {
		struct proc *pp = p->parent;

		if (p->pgid != pgrp || p->state != PROC_ALIVE)
			continue;
		if (pp && pp != p && pp->pgid != pgrp && pp->sid == sid)
			return 0;
	}
	return 1;
}

static int job_check(int tty_pgrp, int tty_sid, int writing, int tostop)
{
	struct thread *t = thread_current();
	struct proc *p = t->proc;
	int sig = writing ? SIGTTOU : SIGTTIN;
	const struct lx_sigaction *a;

	if (!p || !tty_sid || p->sid != tty_sid || !tty_pgrp || p->pgid == tty_pgrp)
		return 0; /* not its controlling terminal, or it is in the foreground */
	if (writing && !tostop)
		return 0;
	a = &p->sighand->act[sig - 1];
	if ((t->sig_blocked & SIGBIT(sig)) || a->handler == SIG_IGN)
		return writing ? 0 : -EIO;
	if (orphaned(p->pgid, p->sid))
		return -EIO;
	signal_send_pgrp(p->pgid, sig);
	return -ERESTARTSYS;
}

static void ids(int *pid, int *pgrp, int *sid)
{
	struct proc *p = proc_current();

	*pid = p ? p->pid : 0;
	*pgrp = p ? p->pgid : 0;
	*sid = p ? p->sid : 0;
}

static const struct tty_hooks hooks = { signal_pgrp, job_check, ids, proc_console_output };

void jobctl_init(void)
{
	tty_set_hooks(&hooks);
}
