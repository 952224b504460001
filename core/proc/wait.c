/* SPDX-License-Identifier: MIT */
/*
 * wait.c - wait4 and waitid: collect a child that exited (reaping the
 * zombie), stopped or continued, with Linux's status encoding, or sleep on
 * the caller's child_wait until one does. A parent with no child that
 * matches gets ECHILD; a signal interrupts the wait (-ERESTARTSYS: SA_RESTART
 * restarts it).
 */
#include "kerrno.h"
#include "kstring.h"
#include "lx_time.h"
#include "proc.h"
#include "syscall.h"
#include "uaccess.h"

#define WNOHANG 0x00000001
#define WUNTRACED 0x00000002
#define WSTOPPED WUNTRACED
#define WEXITED 0x00000004
#define WCONTINUED 0x00000008
#define WNOWAIT 0x01000000
#define __WNOTHREAD 0x20000000
#define __WALL 0x40000000
#define __WCLONE 0x80000000U
#define P_ALL 0
#define P_PID 1
#define P_PGID 2
#define P_PIDFD 3

/* What a wait found. */
struct waited {
	int pid, code, status; /* CLD_* and the si_status / wait status */
	int wstatus;
	uint64_t utime_ns, stime_ns, maxrss;
};

static int matches(const struct proc *me, const struct proc *c, int idtype, int id, unsigned options)
{
	int clone_child = c->exit_signal != SIGCHLD;

	if (!(options & __WALL) && clone_child != !!(options & __WCLONE))
		return 0;
	switch (idtype) {
	case P_PID:
		return c->pid == id;
	case P_PGID:
		return c->pgid == (id ? id : me->pgid);
	default:
		return 1;
	}
}

/* One pass over the children: 1 with *w filled, 0 when none is ready, -ECHILD when none matches. */
static int scan(struct proc *me, int idtype, int id, unsigned options, struct waited *w)
{
	int any = 0;

	for (struct proc *c = me->children; c; c = c->sibling) {
		if (!matches(me, c, idtype, id, options))
			continue;
		any = 1;
		memset(w, 0, sizeof(*w));
		w->pid = c->pid;
		if (c->state == PROC_ZOMBIE && (options & WEXITED)) {
			w->wstatus = c->wstatus;
			w->code = !c->signal ? CLD_EXITED : (c->wstatus & WCOREFLAG) ? CLD_DUMPED : CLD_KILLED;
			w->status = c->signal ? c->signal : (c->exit_code & 0xff);
			w->utime_ns = c->utime_ns + c->cutime_ns;
			w->stime_ns = c->stime_ns + c->cstime_ns;
			if (!(options & WNOWAIT))
				proc_reap(c);
			return 1;
		}
		if (c->state == PROC_ALIVE && c->stop_sig && c->stop_report && (options & WUNTRACED)) {
			w->wstatus = W_STOPCODE(c->stop_sig);
			w->code = CLD_STOPPED;
			w->status = c->stop_sig;
			if (!(options & WNOWAIT))
				c->stop_report = 0;
			return 1;
		}
		if (c->state == PROC_ALIVE && c->cont_report && (options & WCONTINUED)) {
			w->wstatus = W_CONTINUED;
			w->code = CLD_CONTINUED;
			w->status = SIGCONT;
			if (!(options & WNOWAIT))
				c->cont_report = 0;
			return 1;
		}
	}
	return any ? 0 : -ECHILD;
}

static long do_wait(int idtype, int id, unsigned options, struct waited *w)
{
	struct proc *me = proc_current();

	for (;;) {
		int r = scan(me, idtype, id, options, w);

		if (r)
			return r < 0 ? r : w->pid;
		if (options & WNOHANG)
			return 0;
		if (waitq_wait(&me->child_wait, 0) == -EINTR)
			return -ERESTARTSYS;
	}
}

static int rusage_out(uint64_t uru, const struct waited *w)
{
	struct lx_rusage ru;

	if (!uru)
		return 0;
	memset(&ru, 0, sizeof(ru));
	ru.utime = lx_timeval_of_ns(w->utime_ns);
	ru.stime = lx_timeval_of_ns(w->stime_ns);
	return copy_to_user(uru, &ru, sizeof(ru)) ? -EFAULT : 0;
}

long sys_wait4(int pid, uint64_t ustatus, int options, uint64_t urusage)
{
	struct waited w;
	long r;

	if (options & ~(uint64_t)(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL))
		return -EINVAL;
	if (pid == INT32_MIN)
		return -ESRCH; /* -INT_MIN has no process group */
	r = do_wait(pid > 0   ? P_PID :
		    pid == -1 ? P_ALL :
				P_PGID,
		    pid < -1 ? -pid :
		    pid > 0  ? pid :
			       0,
		    (unsigned)options | WEXITED, &w);
	if (r <= 0)
		return r;
	if (ustatus && copy_to_user(ustatus, &w.wstatus, sizeof(int)))
		return -EFAULT;
	if (rusage_out(urusage, &w))
		return -EFAULT;
	return r;
}

long sys_waitid(int idtype, int id, uint64_t uinfo, int options, uint64_t urusage)
{
	struct lx_siginfo info;
	struct waited w;
	long r;

	if (options &
	    ~(uint64_t)(WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL))
		return -EINVAL;
	if (!(options & (WEXITED | WSTOPPED | WCONTINUED)))
		return -EINVAL;
	if (idtype == P_PIDFD || (idtype != P_ALL && idtype != P_PID && idtype != P_PGID))
		return -EINVAL;
	if ((idtype == P_PID && id <= 0) || (idtype == P_PGID && id < 0))
		return -EINVAL;
	memset(&w, 0, sizeof(w));
	r = do_wait(idtype, id, (unsigned)options, &w);
	if (r < 0)
		return r;
	memset(&info, 0, sizeof(info));
	if (r > 0) {
		info.si_signo = SIGCHLD;
		info.si_code = w.code;
		info.u.kill.pid = w.pid;
		info.u.kill.status = w.status;
	}
	if (uinfo && copy_to_user(uinfo, &info, sizeof(info)))
		return -EFAULT;
	if (rusage_out(urusage, &w))
		return -EFAULT;
	return 0;
}
