/* SPDX-License-Identifier: MIT */
/*
 * sys_proc.c - the small calls about the process itself: ids (one root
 * user: every id is 0 and may be "set" only to 0, as root's set*id to root
 * succeeds on Linux), process groups and sessions, resource limits, usage
 * and times, sysinfo and uname, prctl names, the thread's TLS and tid
 * addresses, and the scheduler's answers for one CPU.
 */
#include "heap.h"
#include "kernel.h"
#include "kerrno.h"
#include "kstring.h"
#include "ktime.h"
#include "lx_time.h"
#include "memlayout.h"
#include "pmm.h"
#include "proc.h"
#include "random.h"
#include "syscall.h"
#include "tty.h"
#include "uaccess.h"
#include "x86.h"

#define ARCH_SET_GS 0x1001
#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define ARCH_GET_GS 0x1004
#define PR_SET_PDEATHSIG 1
#define PR_GET_PDEATHSIG 2
#define PR_GET_DUMPABLE 3
#define PR_SET_DUMPABLE 4
#define PR_SET_NAME 15
#define PR_GET_NAME 16
#define PR_SET_NO_NEW_PRIVS 38
#define PR_GET_NO_NEW_PRIVS 39
#define TASK_COMM_LEN 16
#define RUSAGE_SELF 0
#define RUSAGE_CHILDREN (-1)
#define RUSAGE_THREAD 1
#define SCHED_OTHER 0
#define HOSTNAME_MAX 64
#define NGROUPS_MAX 65536

static char hostname[HOSTNAME_MAX + 1] = "atlas";

long sys_getpid(void)
{
	return proc_current()->pid;
}

long sys_gettid(void)
{
	return thread_current()->tid;
}

long sys_getppid(void)
{
	struct proc *p = proc_current();

	return p->parent && p->parent != p ? p->parent->pid : 0;
}

long sys_getuid(void)
{
	return 0;
}

long sys_geteuid(void)
{
	return 0;
}

long sys_getgid(void)
{
	return 0;
}

long sys_getegid(void)
{
	return 0;
}

/* Root may take any id on Linux; here there is only root, so only 0 (or -1, "unchanged") exists. */
static long only_root(unsigned id)
{
	return id == 0 || id == (unsigned)-1 ? 0 : -EINVAL;
}

long sys_setuid(unsigned uid)
{
	return uid == (unsigned)-1 ? -EINVAL : only_root(uid);
}

long sys_setgid(unsigned gid)
{
	return gid == (unsigned)-1 ? -EINVAL : only_root(gid);
}

long sys_setreuid(unsigned r, unsigned e)
{
	return only_root(r) ? -EINVAL : only_root(e);
}

long sys_setregid(unsigned r, unsigned e)
{
	return only_root(r) ? -EINVAL : only_root(e);
}

long sys_setresuid(unsigned r, unsigned e, unsigned s)
{
	return only_root(r) || only_root(e) ? -EINVAL : only_root(s);
}

long sys_setresgid(unsigned r, unsigned e, unsigned s)
{
	return only_root(r) || only_root(e) ? -EINVAL : only_root(s);
}

static long three_zeros(uint64_t a, uint64_t b, uint64_t c)
{
	unsigned z = 0;

	if (copy_to_user(a, &z, 4) || copy_to_user(b, &z, 4) || copy_to_user(c, &z, 4))
		return -EFAULT;
	return 0;
}

long sys_getresuid(uint64_t r, uint64_t e, uint64_t s)
{
	return three_zeros(r, e, s);
}

long sys_getresgid(uint64_t r, uint64_t e, uint64_t s)
{
	return three_zeros(r, e, s);
}

long sys_getgroups(int size, uint64_t list)
{
	/* root belongs to group 0 only, as its primary group: no supplementary groups. */
	(void)list;
	return size < 0 ? -EINVAL : 0;
}

long sys_setgroups(int size, uint64_t list)
{
	unsigned g;

	if (size < 0 || size > NGROUPS_MAX)
		return -EINVAL;
	for (int i = 0; i < size; i++) {
		if (copy_from_user(&g, list + (uint64_t)i * 4, 4))
			return -EFAULT;
		if (g)
			return -EINVAL;
	}
	return 0;
}

/* ---- process groups and sessions ---- */

static int pgrp_in_session(int pgid, int sid)
{
	for (struct proc *q = proc_first(); q; q = q->next_all)
		if (q->state == PROC_ALIVE && q->pgid == pgid && q->sid == sid)
			return 1;
	return 0;
}

long sys_setpgid(int pid, int pgid)
{
	struct proc *me = proc_current(), *p;

	if (pgid < 0)
		return -EINVAL;
	p = pid ? proc_find(pid, 0) : me;
	if (!p || (p != me && p->parent != me))
		return -ESRCH;
	if (p != me && p->did_exec)
		return -EACCES;
	if (p->sid != me->sid || p->pid == p->sid)
		return -EPERM; /* another session, or a session leader */
	if (!pgid)
		pgid = p->pid;
	if (pgid != p->pid && !pgrp_in_session(pgid, me->sid))
		return -EPERM;
	p->pgid = pgid;
	return 0;
}

long sys_getpgid(int pid)
{
	struct proc *p = pid ? proc_find(pid, 1) : proc_current();

	return p ? p->pgid : -ESRCH;
}

long sys_getpgrp(void)
{
	return proc_current()->pgid;
}

long sys_setsid(void)
{
	struct proc *me = proc_current();

	/* A group leader cannot, nor anyone whose pid is some group's id. */
	for (struct proc *q = proc_first(); q; q = q->next_all)
		if (q->pgid == me->pid)
			return -EPERM;
	me->sid = me->pgid = me->pid;
	return me->sid;
}

long sys_getsid(int pid)
{
	struct proc *p = pid ? proc_find(pid, 1) : proc_current();

	return p ? p->sid : -ESRCH;
}

/* ---- limits and usage ---- */

long sys_prlimit64(int pid, unsigned res, uint64_t unew, uint64_t uold)
{
	struct proc *p = pid ? proc_find(pid, 0) : proc_current();
	struct rlimit64 nl;

	if (!p)
		return -ESRCH;
	if (res >= RLIM_NLIMITS)
		return -EINVAL;
	if (unew) {
		if (copy_from_user(&nl, unew, sizeof(nl)))
			return -EFAULT;
		if (nl.cur > nl.max)
			return -EINVAL;
		if (res == RLIMIT_NOFILE && nl.max > FD_MAX_HARD)
			return -EPERM; /* beyond nr_open */
	}
	if (uold && copy_to_user(uold, &p->rlim[res], sizeof(p->rlim[res])))
		return -EFAULT;
	if (unew)
		p->rlim[res] = nl;
	return 0;
}

long sys_getrlimit(unsigned res, uint64_t uold)
{
	return sys_prlimit64(0, res, 0, uold);
}

long sys_setrlimit(unsigned res, uint64_t unew)
{
	return sys_prlimit64(0, res, unew, 0);
}

/* A process's own times: its ended threads' plus its live ones'. */
static void own_times(const struct proc *p, uint64_t *ut, uint64_t *st, uint64_t *vcsw, uint64_t *ivcsw)
{
	*ut = p->utime_ns;
	*st = p->stime_ns;
	*vcsw = 0;
	*ivcsw = p->preemptions;
	for (const struct thread *t = p->threads; t; t = t->next_in_proc) {
		*ut += t->utime_ns;
		*st += t->stime_ns;
		*vcsw += t->voluntary;
		*ivcsw += t->preemptions;
	}
}

long sys_getrusage(int who, uint64_t uru)
{
	struct proc *p = proc_current();
	struct thread *t = thread_current();
	struct lx_rusage ru;
	uint64_t ut, st, vcsw, ivcsw;

	memset(&ru, 0, sizeof(ru));
	switch (who) {
	case RUSAGE_SELF:
		own_times(p, &ut, &st, &vcsw, &ivcsw);
		ru.maxrss = (int64_t)(p->uvm->peak_rss >> 10);
		ru.minflt = (int64_t)p->uvm->faults;
		break;
	case RUSAGE_THREAD:
		ut = t->utime_ns;
		st = t->stime_ns;
		vcsw = t->voluntary;
		ivcsw = t->preemptions;
		break;
	case RUSAGE_CHILDREN:
		ut = p->cutime_ns;
		st = p->cstime_ns;
		vcsw = ivcsw = 0;
		break;
	default:
		return -EINVAL;
	}
	ru.utime = lx_timeval_of_ns(ut);
	ru.stime = lx_timeval_of_ns(st);
	ru.nvcsw = (int64_t)vcsw;
	ru.nivcsw = (int64_t)ivcsw;
	return copy_to_user(uru, &ru, sizeof(ru)) ? -EFAULT : 0;
}

long sys_times(uint64_t ubuf)
{
	struct proc *p = proc_current();
	uint64_t ut, st, vcsw, ivcsw, tms[4];

	own_times(p, &ut, &st, &vcsw, &ivcsw);
	tms[0] = ut / (1000000000ULL / SCHED_HZ);
	tms[1] = st / (1000000000ULL / SCHED_HZ);
	tms[2] = p->cutime_ns / (1000000000ULL / SCHED_HZ);
	tms[3] = p->cstime_ns / (1000000000ULL / SCHED_HZ);
	if (ubuf && copy_to_user(ubuf, tms, sizeof(tms)))
		return -EFAULT;
	/* Clock ticks since boot, as Linux returns (its origin differs; programs take differences). */
	return (long)(ktime_mono_ns() / (1000000000ULL / SCHED_HZ));
}

/* struct sysinfo (x86-64, 112 bytes). */
struct lx_sysinfo {
	int64_t uptime;
	uint64_t loads[3];
	uint64_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
	uint16_t procs, pad;
	uint32_t pad2;
	uint64_t totalhigh, freehigh;
	uint32_t mem_unit;
	char f[4];
};
_Static_assert(sizeof(struct lx_sysinfo) == 112, "struct sysinfo is 112 bytes");

long sys_sysinfo(uint64_t ubuf)
{
	struct lx_sysinfo si;
	struct pmm_stats ps;

	memset(&si, 0, sizeof(si));
	pmm_get_stats(&ps);
	si.uptime = (int64_t)(ktime_mono_ns() / 1000000000ULL);
	proc_loadavg(si.loads);
	/* The kernel's loads are 11-bit fixed point; sysinfo's are 16-bit (SI_LOAD_SHIFT). */
	for (int i = 0; i < 3; i++)
		si.loads[i] <<= 5;
	si.totalram = ps.total_pages << PAGE_SHIFT;
	si.freeram = ps.free_pages << PAGE_SHIFT;
	si.procs = (uint16_t)sched_threads();
	si.mem_unit = 1;
	return copy_to_user(ubuf, &si, sizeof(si)) ? -EFAULT : 0;
}

struct lx_utsname {
	char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
};

long sys_uname(uint64_t ubuf)
{
	struct lx_utsname u;

	memset(&u, 0, sizeof(u));
	kstrlcpy(u.sysname, ATLAS_SYSNAME, sizeof(u.sysname));
	kstrlcpy(u.nodename, hostname, sizeof(u.nodename));
	kstrlcpy(u.release, ATLAS_RELEASE, sizeof(u.release));
	kstrlcpy(u.version, ATLAS_VERSION, sizeof(u.version));
	kstrlcpy(u.machine, "x86_64", sizeof(u.machine));
	kstrlcpy(u.domainname, "(none)", sizeof(u.domainname));
	return copy_to_user(ubuf, &u, sizeof(u)) ? -EFAULT : 0;
}

long sys_sethostname(uint64_t uname, int len)
{
	char buf[HOSTNAME_MAX + 1];

	if (len < 0 || len > HOSTNAME_MAX)
		return -EINVAL;
	if (copy_from_user(buf, uname, (size_t)len))
		return -EFAULT;
	buf[len] = 0;
	memcpy(hostname, buf, (size_t)len + 1);
	return 0;
}

long sys_prctl(int option, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct proc *p = proc_current();
	char name[TASK_COMM_LEN];
	long n;

	(void)a3;
	(void)a4;
	(void)a5;
	switch (option) {
	case PR_SET_NAME:
		n = strncpy_from_user(name, a2, sizeof(name));
		if (n == -EFAULT)
			return -EFAULT;
		name[TASK_COMM_LEN - 1] = 0; /* longer names are cut, as Linux does */
		/* The calling thread's name; the first thread's is the process's (/proc/PID/comm). */
		if (thread_current() == p->threads)
			kstrlcpy(p->name, name, sizeof(p->name));
		else
			kstrlcpy(thread_current()->comm, name, sizeof(thread_current()->comm));
		return 0;
	case PR_GET_NAME:
		memset(name, 0, sizeof(name));
		kstrlcpy(name, thread_comm(thread_current()), sizeof(name));
		return copy_to_user(a2, name, sizeof(name)) ? -EFAULT : 0;
	case PR_GET_DUMPABLE:
		return 1;
	case PR_SET_DUMPABLE:
		return a2 <= 1 ? 0 : -EINVAL; /* no core dumps are written either way */
	case PR_SET_PDEATHSIG:
		return a2 <= NSIG ? (p->pdeath_sig = (int)a2, 0) : -EINVAL;
	case PR_GET_PDEATHSIG:
		return copy_to_user(a2, &p->pdeath_sig, sizeof(int)) ? -EFAULT : 0;
	case PR_SET_NO_NEW_PRIVS:
		if (a2 != 1)
			return -EINVAL;
		p->no_new_privs = 1;
		return 0;
	case PR_GET_NO_NEW_PRIVS:
		return p->no_new_privs;
	default:
		return -EINVAL;
	}
}

long sys_set_tid_address(uint64_t tidptr)
{
	struct thread *t = thread_current();

	t->clear_child_tid = tidptr;
	return t->tid;
}

long sys_set_robust_list(uint64_t head, uint64_t len)
{
	struct thread *t = thread_current();

	if (len != 24) /* sizeof(struct robust_list_head) */
		return -EINVAL;
	t->robust_list = head;
	t->robust_len = len;
	return 0;
}

long sys_get_robust_list(int tid, uint64_t uhead, uint64_t ulen)
{
	struct thread *t = thread_current();
	uint64_t len = 24;

	if (tid) {
		t = NULL;
		for (struct proc *p = proc_first(); p && !t; p = p->next_all)
			for (struct thread *o = p->threads; o; o = o->next_in_proc)
				if (o->tid == tid)
					t = o;
		if (!t)
			return -ESRCH;
	}
	if (copy_to_user(uhead, &t->robust_list, 8) || copy_to_user(ulen, &len, 8))
		return -EFAULT;
	return 0;
}

long sys_arch_prctl(int code, uint64_t addr)
{
	struct thread *t = thread_current();

	switch (code) {
	case ARCH_SET_FS:
		if (addr >= USER_END)
			return -EPERM;
		t->fs_base = addr;
		wrmsr(MSR_FS_BASE, addr);
		return 0;
	case ARCH_GET_FS:
		return copy_to_user(addr, &t->fs_base, sizeof(t->fs_base)) ? -EFAULT : 0;
	case ARCH_SET_GS:
	case ARCH_GET_GS:
		return -EINVAL; /* the kernel keeps GS for itself (its per-CPU block) */
	default:
		return -EINVAL;
	}
}

long sys_sched_yield(void)
{
	proc_yield();
	return 0;
}

/* One CPU runs processes: every mask says CPU 0. */
long sys_sched_getaffinity(int pid, unsigned int size, uint64_t umask)
{
	uint64_t mask = 1;

	if (pid && !proc_find(pid, 0))
		return -ESRCH;
	if (size < sizeof(mask) || (size & 7))
		return -EINVAL;
	if (copy_to_user(umask, &mask, sizeof(mask)))
		return -EFAULT;
	return sizeof(mask);
}

long sys_sched_setaffinity(int pid, unsigned int size, uint64_t umask)
{
	uint64_t mask = 0;

	if (pid && !proc_find(pid, 0))
		return -ESRCH;
	if (copy_from_user(&mask, umask, size < 8 ? size : 8))
		return -EFAULT;
	return mask & 1 ? 0 : -EINVAL; /* a mask without CPU 0 has no CPU to run on */
}

long sys_sched_getscheduler(int pid)
{
	if (pid < 0)
		return -EINVAL;
	return pid && !proc_find(pid, 0) ? -ESRCH : SCHED_OTHER;
}

long sys_sched_getparam(int pid, uint64_t uparam)
{
	int prio = 0;

	if (pid < 0 || !uparam)
		return -EINVAL;
	if (pid && !proc_find(pid, 0))
		return -ESRCH;
	return copy_to_user(uparam, &prio, sizeof(prio)) ? -EFAULT : 0;
}

long sys_sched_setscheduler(int pid, int policy, uint64_t uparam)
{
	int prio;

	if (pid < 0 || !uparam)
		return -EINVAL;
	if (pid && !proc_find(pid, 0))
		return -ESRCH;
	if (copy_from_user(&prio, uparam, sizeof(prio)))
		return -EFAULT;
	return policy == SCHED_OTHER && prio == 0 ? 0 : -EINVAL; /* round robin for all: only SCHED_OTHER exists */
}

long sys_getpriority(int which, int who)
{
	(void)who;
	if (which < 0 || which > 2)
		return -EINVAL;
	return 20; /* nice 0, as the kernel returns it: 20 - nice */
}

long sys_setpriority(int which, int who, int prio)
{
	(void)who;
	if (which < 0 || which > 2)
		return -EINVAL;
	return prio == 0 ? 0 : -EACCES; /* every process has nice 0 */
}

long sys_exit(int code)
{
	proc_exit_thread(code & 0xff);
}

long sys_exit_group(int code)
{
	proc_exit(code & 0xff);
}

#define GRND_NONBLOCK 1
#define GRND_RANDOM 2
#define GRND_INSECURE 4
#define GETRANDOM_MAX (32U << 20) /* Linux caps one call at 32 MiB - 1 page; a round number is close */

long sys_getrandom(uint64_t ubuf, uint64_t len, unsigned int flags)
{
	uint8_t chunk[64];
	uint64_t done = 0;

	if (flags & ~(uint64_t)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if ((flags & GRND_INSECURE) && (flags & GRND_RANDOM))
		return -EINVAL;
	if (len > GETRANDOM_MAX)
		len = GETRANDOM_MAX;
	if (!user_range_ok(ubuf, len))
		return -EFAULT;
	while (done < len) {
		size_t n = len - done < sizeof(chunk) ? len - done : sizeof(chunk);

		random_fill(chunk, n);
		if (copy_to_user(ubuf + done, chunk, n))
			return done ? (long)done : -EFAULT;
		done += n;
	}
	return (long)done;
}
