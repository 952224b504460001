/* SPDX-License-Identifier: MIT */
/*
 * fork.c - fork, vfork and clone: a new process (or, with CLONE_THREAD, a
 * new thread of this one) that starts at the same instruction with RAX 0.
 *
 * What the child shares and what it copies follows the clone flags, as on
 * Linux: the address space (CLONE_VM: shared; else a copy-on-write copy,
 * mm/uvm_fork.c), the descriptor table (CLONE_FILES), root, cwd and umask
 * (CLONE_FS), the signal handlers (CLONE_SIGHAND). The flag combinations
 * Linux rejects get its EINVAL; namespaces, which Atlas has none of, too.
 */
#include "heap.h"
#include "kernel.h"
#include "kerrno.h"
#include "kstring.h"
#include "proc.h"
#include "syscall.h"
#include "uaccess.h"
#include "vfs.h"
#include "x86.h"

#define CSIGNAL 0x000000ff
#define CLONE_VM 0x00000100
#define CLONE_FS 0x00000200
#define CLONE_FILES 0x00000400
#define CLONE_SIGHAND 0x00000800
#define CLONE_PIDFD 0x00001000
#define CLONE_PTRACE 0x00002000
#define CLONE_VFORK 0x00004000
#define CLONE_PARENT 0x00008000
#define CLONE_THREAD 0x00010000
#define CLONE_NEWNS 0x00020000
#define CLONE_SYSVSEM 0x00040000
#define CLONE_SETTLS 0x00080000
#define CLONE_PARENT_SETTID 0x00100000
#define CLONE_CHILD_CLEARTID 0x00200000
#define CLONE_DETACHED 0x00400000
#define CLONE_UNTRACED 0x00800000
#define CLONE_CHILD_SETTID 0x01000000
#define CLONE_NEWCGROUP 0x02000000
#define CLONE_NEWUTS 0x04000000
#define CLONE_NEWIPC 0x08000000
#define CLONE_NEWUSER 0x10000000
#define CLONE_NEWPID 0x20000000
#define CLONE_NEWNET 0x40000000
#define CLONE_IO 0x80000000UL
#define CLONE_NAMESPACES \
	(CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET)
#define CLONE_KNOWN                                                                                                \
	(CSIGNAL | CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_PIDFD | CLONE_PTRACE | CLONE_VFORK |  \
	 CLONE_PARENT | CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | \
	 CLONE_DETACHED | CLONE_UNTRACED | CLONE_CHILD_SETTID | CLONE_IO | CLONE_NAMESPACES)

/* Linux's copy_process() checks, in its order. */
static long check_flags(uint64_t flags)
{
	if (flags & ~(uint64_t)CLONE_KNOWN)
		return -EINVAL;
	if ((flags & (CLONE_NEWNS | CLONE_FS)) == (CLONE_NEWNS | CLONE_FS))
		return -EINVAL;
	if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
		return -EINVAL;
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -EINVAL;
	if ((flags & CLONE_PIDFD) && (flags & CLONE_THREAD))
		return -EINVAL;
	if (flags & CLONE_NAMESPACES)
		return -EINVAL; /* no namespaces here */
	if (flags & CLONE_PIDFD)
		return -EINVAL; /* no pidfds */
	return 0;
}

/* A new thread of p that will return to ring 3 from a copy of the caller's frame, with RAX 0. */
static struct thread *child_thread(struct proc *p, int tid, uint64_t newsp, uint64_t flags, uint64_t tls)
{
	struct thread *cur = thread_current(), *t = thread_new(p);
	struct trap_frame tf = *cur->tf;

	if (!t)
		return NULL;
	t->tid = tid;
	tf.rax = 0;
	if (newsp)
		tf.rsp = newsp;
	/* The live FPU state is the caller's (the kernel never touches it). */
	__asm__ volatile("fxsave64 %0" : "=m"(t->fxsave));
	t->fs_base = (flags & CLONE_SETTLS) ? tls : cur->fs_base;
	t->sig_blocked = cur->sig_blocked;
	t->altstack = (flags & CLONE_VM) && !(flags & CLONE_VFORK) ? (struct lx_stack){ 0, SS_DISABLE, 0, 0 } :
								     cur->altstack;
	thread_prepare_user(t, &tf);
	return t;
}

/* clone(CLONE_THREAD): one more thread of the caller's process. */
static long new_thread(uint64_t flags, uint64_t newsp, uint64_t uptid, uint64_t uctid, uint64_t tls)
{
	struct proc *p = proc_current();
	int tid = proc_alloc_pid();
	struct thread *t;

	if (tid < 0)
		return tid;
	if ((uint64_t)sched_threads() >= p->rlim[RLIMIT_NPROC].cur)
		return -EAGAIN;
	t = child_thread(p, tid, newsp, flags, tls);
	if (!t)
		return -EAGAIN;
	if (flags & CLONE_CHILD_CLEARTID)
		t->clear_child_tid = uctid;
	if ((flags & CLONE_PARENT_SETTID) && copy_to_user(uptid, &tid, sizeof(tid))) {
		thread_free(t);
		return -EFAULT;
	}
	if ((flags & CLONE_CHILD_SETTID) && copy_to_user(uctid, &tid, sizeof(tid))) {
		thread_free(t);
		return -EFAULT;
	}
	t->next_in_proc = p->threads;
	p->threads = t;
	p->nthreads++;
	sched_wake(t);
	return tid;
}

long do_clone(uint64_t flags, uint64_t newsp, uint64_t uptid, uint64_t uctid, uint64_t tls)
{
	struct thread *cur = thread_current();
	struct proc *p = cur->proc, *c, *parent;
	struct thread *t;
	long err = check_flags(flags);
	int pid;

	if (err)
		return err;
	if (flags & CLONE_THREAD)
		return new_thread(flags, newsp, uptid, uctid, tls);
	if ((uint64_t)sched_threads() >= p->rlim[RLIMIT_NPROC].cur)
		return -EAGAIN;
	pid = proc_alloc_pid();
	if (pid < 0)
		return pid;
	parent = (flags & CLONE_PARENT) ? p->parent : p;
	c = proc_alloc(parent, pid);
	if (!c)
		return -ENOMEM;
	/* proc_alloc gave it the parent's group and session; from the caller when CLONE_PARENT. */
	c->pgid = p->pgid;
	c->sid = p->sid;
	memcpy(c->rlim, p->rlim, sizeof(c->rlim));
	c->personality = p->personality;
	kstrlcpy(c->name, p->name, sizeof(c->name));
	kstrlcpy(c->path, p->path, sizeof(c->path));
	c->exit_signal = (int)(flags & CSIGNAL);
	c->quiet = 1; /* the report is for the programs the kernel started; see log= for the rest */
	c->uvm = (flags & CLONE_VM) ? uvm_get(p->uvm) : uvm_fork(p->uvm);
	c->files = (flags & CLONE_FILES) ? fdtable_get(p->files) : fdtable_copy(p->files);
	c->fs = (flags & CLONE_FS) ? fs_ctx_get(p->fs) : fs_ctx_copy(p->fs);
	c->sighand = (flags & CLONE_SIGHAND) ? sighand_get(p->sighand) : sighand_copy(p->sighand);
	c->arg_start = p->arg_start;
	c->arg_end = p->arg_end;
	c->env_start = p->env_start;
	c->env_end = p->env_end;
	if (!c->uvm || !c->files || !c->fs || !c->sighand) {
		proc_abort(c);
		return -ENOMEM;
	}
	t = child_thread(c, pid, newsp, flags, tls);
	if (!t) {
		proc_abort(c);
		return -EAGAIN;
	}
	c->threads = t;
	c->nthreads = 1;
	if (flags & CLONE_CHILD_CLEARTID)
		t->clear_child_tid = uctid;
	if ((flags & CLONE_CHILD_SETTID) && uvm_write_user(c->uvm, uctid, &pid, sizeof(pid))) {
		proc_abort(c);
		return -EFAULT;
	}
	if ((flags & CLONE_PARENT_SETTID) && copy_to_user(uptid, &pid, sizeof(pid))) {
		proc_abort(c);
		return -EFAULT;
	}
	c->vfork_done = !(flags & CLONE_VFORK);
	sched_wake(t);
	if (flags & CLONE_VFORK) {
		/* The parent waits until the child has its own address space (exec) or is gone. */
		while (!c->vfork_done)
			if (waitq_wait_killable(&p->vfork_wait))
				break;
	}
	return pid;
}

long sys_clone(uint64_t flags, uint64_t newsp, uint64_t uptid, uint64_t uctid, uint64_t tls)
{
	return do_clone(flags, newsp, uptid, uctid, tls);
}

long sys_fork(void)
{
	return do_clone(SIGCHLD, 0, 0, 0, 0);
}

long sys_vfork(void)
{
	return do_clone(CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0);
}
