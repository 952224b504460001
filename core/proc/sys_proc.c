/* SPDX-License-Identifier: MIT */
/* sys_proc.c - the process's own calls: who it is, giving up the CPU, its TLS base, ending. */
#include "kerrno.h"
#include "memlayout.h"
#include "proc.h"
#include "syscall.h"
#include "uaccess.h"
#include "x86.h"

#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003
#define EXIT_STATUS_MASK 0xff

long sys_getpid(struct proc *p, const uint64_t *a)
{
	(void)a;
	return p->pid;
}

/* One thread per process: the thread id is the pid. */
long sys_gettid(struct proc *p, const uint64_t *a)
{
	(void)a;
	return p->pid;
}

long sys_set_tid_address(struct proc *p, const uint64_t *a)
{
	p->clear_tid = a[0];
	return p->pid;
}

long sys_sched_yield(struct proc *p, const uint64_t *a)
{
	(void)p;
	(void)a;
	proc_yield();
	return 0;
}

long sys_arch_prctl(struct proc *p, const uint64_t *a)
{
	uint64_t addr = a[1];

	switch ((int64_t)a[0]) {
	case ARCH_SET_FS:
		if (!user_range_ok(addr, 0) || addr >= USER_END)
			return -EPERM;
		p->fs_base = addr;
		wrmsr(MSR_FS_BASE, addr);
		return 0;
	case ARCH_GET_FS:
		return copy_to_user(addr, &p->fs_base, sizeof(p->fs_base));
	default:
		return -EINVAL;
	}
}

/* One thread per process: exit and exit_group end the same way. */
long sys_exit(struct proc *p, const uint64_t *a)
{
	(void)p;
	proc_exit((int)(a[0] & EXIT_STATUS_MASK));
}

long sys_exit_group(struct proc *p, const uint64_t *a)
{
	return sys_exit(p, a);
}
