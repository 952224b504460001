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
#include "memlayout.h"
#include "paging.h"
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

#define CLONE_CLEAR_SIGHAND 0x100000000ULL /* clone3 only: the child's caught signals go back to SIG_DFL */
#define CLONE_INTO_CGROUP 0x200000000ULL   /* clone3 only: needs a cgroup directory fd */
#define CLONE_NEWTIME 0x00000080	   /* clone3 may use this one bit of CSIGNAL */

/* clone3's struct clone_args: version 0 is 64 bytes, 1 adds set_tid (80), 2 cgroup (88). */
struct clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size,
		cgroup;
};
#define CLONE_ARGS_SIZE_VER0 64
#define CLONE_ARGS_SIZE_VER2 88
#define MAX_PID_NS_LEVEL 32
_Static_assert(sizeof(struct clone_args) == CLONE_ARGS_SIZE_VER2, "struct clone_args is Linux's");

/* What clone and clone3 ask for, as Linux's struct kernel_clone_args. */
struct clone_req {
	uint64_t flags; /* without the exit signal */
	int exit_signal;
	uint64_t stack; /* the child's RSP (0: the caller's) */
	uint64_t parent_tid, child_tid, tls;
	int set_tid; /* 0, or the id the child must get (clone3's set_tid) */
};

/* Linux's copy_process() checks, in its order. */
static long check_flags(const struct clone_req *rq)
{
	uint64_t flags = rq->flags;
	struct proc *p = proc_current();

	if (flags & ~(uint64_t)CLONE_KNOWN & ~(CLONE_CLEAR_SIGHAND | CLONE_INTO_CGROUP))
		return -EINVAL;
	if ((flags & (CLONE_NEWNS | CLONE_FS)) == (CLONE_NEWNS | CLONE_FS))
		return -EINVAL;
	if ((flags & (CLONE_NEWUSER | CLONE_FS)) == (CLONE_NEWUSER | CLONE_FS))
		return -EINVAL;
	if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
		return -EINVAL;
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -EINVAL;
	/* init cannot give itself a sibling (SIGNAL_UNKILLABLE). */
	if ((flags & CLONE_PARENT) && p->pid == 1 && !p->parent)
		return -EINVAL;
	if ((flags & CLONE_THREAD) && (flags & (CLONE_NEWUSER | CLONE_NEWPID)))
		return -EINVAL;
	if ((flags & CLONE_PIDFD) && (flags & (CLONE_DETACHED | CLONE_THREAD)))
		return -EINVAL;
	/* A kernel built without namespaces answers EINVAL to each (create_new_namespaces). */
	if (flags & CLONE_NAMESPACES)
		return -EINVAL;
	if (flags & CLONE_PIDFD)
		return -EINVAL; /* no pidfds */
	return 0;
}

/* A new thread of p that will return to ring 3 from a copy of the caller's frame, with RAX 0. */
static struct thread *child_thread(struct proc *p, int tid, const struct clone_req *rq)
{
	struct thread *cur = thread_current(), *t = thread_new(p);
	struct trap_frame tf = *cur->tf;

	if (!t)
		return NULL;
	t->tid = tid;
	tf.rax = 0;
	if (rq->stack)
		tf.rsp = rq->stack;
	/* The live FPU state is the caller's (the kernel never touches it). */
	__asm__ volatile("fxsave64 %0" : "=m"(t->fxsave));
	t->fs_base = (rq->flags & CLONE_SETTLS) ? rq->tls : cur->fs_base;
	t->sig_blocked = cur->sig_blocked;
	if (rq->flags & CLONE_THREAD)
		kstrlcpy(t->comm, cur->comm, sizeof(t->comm)); /* a new thread is named as its creator */
	t->altstack = (rq->flags & CLONE_VM) && !(rq->flags & CLONE_VFORK) ? (struct lx_stack){ 0, SS_DISABLE, 0, 0 } :
									     cur->altstack;
	thread_prepare_user(t, &tf);
	return t;
}

/* The child's id: clone3's set_tid when given (free, else EEXIST), else the next free one. */
static int child_id(const struct clone_req *rq)
{
	return rq->set_tid ? proc_claim_pid(rq->set_tid) : proc_alloc_pid();
}

/* clone(CLONE_THREAD): one more thread of the caller's process. */
static long new_thread(const struct clone_req *rq)
{
	struct proc *p = proc_current();
	struct thread *t;
	int tid;

	if ((uint64_t)sched_threads() >= p->rlim[RLIMIT_NPROC].cur)
		return -EAGAIN;
	tid = child_id(rq);
	if (tid < 0)
		return tid;
	t = child_thread(p, tid, rq);
	if (!t)
		return -EAGAIN;
	if (rq->flags & CLONE_CHILD_CLEARTID)
		t->clear_child_tid = rq->child_tid;
	if ((rq->flags & CLONE_PARENT_SETTID) && copy_to_user(rq->parent_tid, &tid, sizeof(tid))) {
		thread_free(t);
		return -EFAULT;
	}
	if ((rq->flags & CLONE_CHILD_SETTID) && copy_to_user(rq->child_tid, &tid, sizeof(tid))) {
		thread_free(t);
		return -EFAULT;
	}
	/* After the first thread: p->threads stays the leader, what /proc/PID/status describes. */
	t->next_in_proc = p->threads->next_in_proc;
	p->threads->next_in_proc = t;
	p->nthreads++;
	/* Its stack is an area of its own: the layout's pictures and records label it with the tid. */
	if (rq->stack)
		uvm_note_thread_stack(p->uvm, rq->stack - 1, tid);
	sched_wake(t);
	return tid;
}

static long do_clone(const struct clone_req *rq)
{
	struct thread *cur = thread_current();
	struct proc *p = cur->proc, *c, *parent;
	struct thread *t;
	struct vfork_done vd = { WAITQ_INIT, 0 };
	uint64_t flags = rq->flags;
	long err = check_flags(rq);
	int pid;

	if (err)
		return err;
	if (flags & CLONE_THREAD)
		return new_thread(rq);
	if ((uint64_t)sched_threads() >= p->rlim[RLIMIT_NPROC].cur)
		return -EAGAIN;
	pid = child_id(rq);
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
	c->exit_signal = rq->exit_signal;
	c->quiet = 1; /* the report is for the programs the kernel started; see log= for the rest */
	c->uvm = (flags & CLONE_VM) ? uvm_get(p->uvm) : uvm_fork(p->uvm);
	c->files = (flags & CLONE_FILES) ? fdtable_get(p->files) : fdtable_copy(p->files);
	c->fs = (flags & CLONE_FS) ? fs_ctx_get(p->fs) : fs_ctx_copy(p->fs);
	c->sighand = (flags & CLONE_SIGHAND) ? sighand_get(p->sighand) : sighand_copy(p->sighand);
	if (c->sighand && (flags & CLONE_CLEAR_SIGHAND))
		sighand_reset_for_exec(c->sighand); /* caught -> SIG_DFL, ignored stays ignored */
	c->arg_start = p->arg_start;
	c->arg_end = p->arg_end;
	c->env_start = p->env_start;
	c->env_end = p->env_end;
	if (!c->uvm || !c->files || !c->fs || !c->sighand) {
		proc_abort(c);
		return -ENOMEM;
	}
	t = child_thread(c, pid, rq);
	if (!t) {
		proc_abort(c);
		return -EAGAIN;
	}
	c->threads = t;
	c->nthreads = 1;
	if (flags & CLONE_CHILD_CLEARTID)
		t->clear_child_tid = rq->child_tid;
	if ((flags & CLONE_CHILD_SETTID) && uvm_write_user(c->uvm, rq->child_tid, &pid, sizeof(pid))) {
		proc_abort(c);
		return -EFAULT;
	}
	if ((flags & CLONE_PARENT_SETTID) && copy_to_user(rq->parent_tid, &pid, sizeof(pid))) {
		proc_abort(c);
		return -EFAULT;
	}
	if (flags & CLONE_VFORK)
		c->vfork = &vd;
	sched_wake(t);
	if (flags & CLONE_VFORK) {
		/* The caller waits until the child has its own address space (exec) or is gone. */
		while (!vd.done)
			if (waitq_wait_killable(&vd.wait))
				break;
		/*
		 * Killed first: the child is alive (vfork_release runs before it is
		 * freed) and must not touch this stack frame later. The kernel is
		 * not preempted between the check and the store.
		 */
		if (!vd.done)
			c->vfork = NULL;
	}
	return pid;
}

void vfork_release(struct proc *p)
{
	struct vfork_done *vd = p->vfork;

	if (!vd)
		return;
	p->vfork = NULL;
	vd->done = 1;
	waitq_wake(&vd->wait);
}

long sys_clone(uint64_t flags, uint64_t newsp, uint64_t uptid, uint64_t uctid, uint64_t tls)
{
	/* The flags are an unsigned long, but only their low 32 bits count (kernel_clone_args). */
	struct clone_req rq = { .flags = (uint32_t)flags & ~(uint64_t)CSIGNAL,
				.exit_signal = (int)(flags & CSIGNAL),
				.stack = newsp,
				.parent_tid = uptid,
				.child_tid = uctid,
				.tls = tls };

	/* One address for the pidfd and the parent's tid cannot hold both. */
	if ((rq.flags & CLONE_PIDFD) && (rq.flags & CLONE_PARENT_SETTID))
		return -EINVAL;
	return do_clone(&rq);
}

/*
 * clone3: the arguments in a struct whose size says its version. Linux's
 * copy_clone_args_from_user and clone3_args_valid, in their order: a struct
 * bigger than a page is E2BIG, smaller than version 0 EINVAL; bytes past the
 * version Atlas knows must be zero (E2BIG); then set_tid, exit_signal, the
 * flags clone3 gave other meanings (CSIGNAL, CLONE_DETACHED), and the stack
 * (a base and a size, both or neither).
 */
long sys_clone3(uint64_t uargs, uint64_t size)
{
	struct clone_args a;
	struct clone_req rq;
	int tid = 0;

	if (size > PAGE_SIZE)
		return -E2BIG;
	if (size < CLONE_ARGS_SIZE_VER0)
		return -EINVAL;
	memset(&a, 0, sizeof(a));
	if (copy_from_user(&a, uargs, size < sizeof(a) ? size : sizeof(a)))
		return -EFAULT;
	for (uint64_t off = sizeof(a); off < size; off += 8) {
		uint64_t rest = 0;
		size_t n = size - off < 8 ? size - off : 8;

		if (copy_from_user(&rest, uargs + off, n))
			return -EFAULT;
		if (rest)
			return -E2BIG;
	}
	if (a.set_tid_size > MAX_PID_NS_LEVEL || (!a.set_tid && a.set_tid_size) || (a.set_tid && !a.set_tid_size))
		return -EINVAL;
	if ((a.exit_signal & ~(uint64_t)CSIGNAL) || a.exit_signal > NSIG)
		return -EINVAL;
	if ((a.flags & CLONE_INTO_CGROUP) && (a.cgroup > 0x7fffffff || size < CLONE_ARGS_SIZE_VER2))
		return -EINVAL;
	if (a.flags & ~(0xffffffffULL | CLONE_CLEAR_SIGHAND | CLONE_INTO_CGROUP))
		return -EINVAL;
	if (a.flags & (CLONE_DETACHED | (CSIGNAL & ~(uint64_t)CLONE_NEWTIME)))
		return -EINVAL;
	if ((a.flags & (CLONE_SIGHAND | CLONE_CLEAR_SIGHAND)) == (CLONE_SIGHAND | CLONE_CLEAR_SIGHAND))
		return -EINVAL;
	if ((a.flags & (CLONE_THREAD | CLONE_PARENT)) && a.exit_signal)
		return -EINVAL;
	if (a.stack ? !a.stack_size || a.stack + a.stack_size < a.stack || a.stack + a.stack_size > USER_END :
		      a.stack_size)
		return -EINVAL;
	/* One level of pid namespace: set_tid names one id. */
	if (a.set_tid) {
		if (a.set_tid_size > 1)
			return -EINVAL;
		if (copy_from_user(&tid, a.set_tid, sizeof(tid)))
			return -EFAULT;
		if (tid < 1 || tid >= PID_MAX)
			return -EINVAL;
	}
	if (a.flags & CLONE_NEWTIME)
		return -EINVAL; /* no time namespaces (create_new_namespaces) */
	if (a.flags & CLONE_INTO_CGROUP)
		return -EBADF; /* no cgroup file system: no descriptor can name a cgroup */
	rq = (struct clone_req){ .flags = a.flags,
				 .exit_signal = (int)a.exit_signal,
				 .stack = a.stack ? a.stack + a.stack_size : 0,
				 .parent_tid = a.parent_tid,
				 .child_tid = a.child_tid,
				 .tls = a.tls,
				 .set_tid = tid };
	return do_clone(&rq);
}

long sys_fork(void)
{
	struct clone_req rq = { .exit_signal = SIGCHLD };

	return do_clone(&rq);
}

long sys_vfork(void)
{
	struct clone_req rq = { .flags = CLONE_VM | CLONE_VFORK, .exit_signal = SIGCHLD };

	return do_clone(&rq);
}
