/* SPDX-License-Identifier: MIT */
/*
 * sched.c - threads, the run queue, context switches, sleeping and waking
 * (include/sched.h, include/wait.h).
 *
 * The run queue is a FIFO of runnable threads that are not running. The
 * running thread is not in it; when it gives up the CPU while still
 * runnable (yield, preemption) it goes to the back. A sleeping thread is in
 * no queue: wait queues hold entries on the sleepers' own kernel stacks, and
 * sleepers with a deadline are also on the timed list, which the timer tick
 * scans. The kernel thread (kmain) runs when the queue is empty: it idles
 * with hlt, interrupts on, until the tick wakes someone.
 */
#include "sched.h"

#include "heap.h"
#include "kernel.h"
#include "kerrno.h"
#include "kstring.h"
#include "kvm.h"
#include "panic.h"
#include "percpu.h"
#include "pmm.h"
#include "proc.h"
#include "signal.h"
#include "sysguard.h"
#include "x86.h"

#define MXCSR_DEFAULT 0x1F80U
/* Pages the idle loop clears before looking for a runnable thread again: 256 KiB, well under a tick. */
#define IDLE_ZERO_PAGES 64
/* The switch frame switch_context pops: rflags r15 r14 r13 r12 rbx rbp, then the return address. */
#define SWITCH_FRAME_WORDS 8
#define SWITCH_FRAME_RFLAGS 0

static struct thread kthread; /* kmain: the runner, the monitor and the idle loop */
static struct thread *rq_head, *rq_tail, *timed;
static uint8_t fx_initial[FXSAVE_SIZE] __attribute__((aligned(16)));
static int nthreads, next_tid_hint = 1;
static uint64_t switches, idle_ticks;

extern char proc_first_entry[];

int thread_is_kernel(const struct thread *t)
{
	return t == &kthread;
}

void sched_init(void)
{
	uint32_t mxcsr = MXCSR_DEFAULT;

	/* The kernel never touches x87/SSE (-mgeneral-regs-only): only ring 3 has state to keep. */
	write_cr0((read_cr0() & ~(CR0_EM | CR0_TS)) | CR0_MP);
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	__asm__ volatile("fninit; ldmxcsr %0; fxsave64 %1" : : "m"(mxcsr), "m"(fx_initial) : "memory");
	kthread.tid = 0;
	kthread.state = T_RUNNABLE;
	kthread.syscall_nr = -1;
	g_percpu.cur = &kthread;
}

void sched_fpu_reset(void)
{
	__asm__ volatile("fxrstor64 %0" : : "m"(fx_initial));
}

struct thread *thread_new(struct proc *p)
{
	struct thread *t;

	if (nthreads >= THREADS_MAX)
		return NULL;
	t = kzalloc(sizeof(*t));
	if (!t)
		return NULL;
	t->kstack_slot = kstack_alloc(p ? p->name : "thread", &t->kstack_top);
	if (t->kstack_slot < 0) {
		kfree(t);
		return NULL;
	}
	t->proc = p;
	t->state = T_SLEEPING; /* not runnable until prepared and woken */
	t->syscall_nr = -1;
	t->start_tsc = rdtsc();
	memcpy(t->fxsave, fx_initial, FXSAVE_SIZE);
	nthreads++;
	(void)next_tid_hint;
	return t;
}

void thread_prepare_user(struct thread *t, const struct trap_frame *utf)
{
	struct trap_frame *tf = (struct trap_frame *)(uintptr_t)(t->kstack_top - sizeof(*tf));
	uint64_t *sw = (uint64_t *)tf - SWITCH_FRAME_WORDS;

	*tf = *utf;
	tf->cs = GDT_UCODE | RPL_USER;
	tf->ss = GDT_UDATA | RPL_USER;
	tf->rflags = (tf->rflags & RFLAGS_USER_MASK) | RFLAGS_IF | RFLAGS_RESERVED1;
	memset(sw, 0, SWITCH_FRAME_WORDS * sizeof(uint64_t));
	sw[SWITCH_FRAME_RFLAGS] = RFLAGS_RESERVED1; /* the kernel's flags: IF off */
	sw[SWITCH_FRAME_WORDS - 1] = (uint64_t)proc_first_entry;
	t->ksp = (uint64_t)sw;
	t->tf = tf;
}

static void timed_remove(struct thread *t)
{
	struct thread **pp = &timed;

	if (!t->on_timed)
		return;
	while (*pp && *pp != t)
		pp = &(*pp)->timed_next;
	if (*pp)
		*pp = t->timed_next;
	t->on_timed = 0;
	t->timed_next = NULL;
}

void thread_free(struct thread *t)
{
	if (t == thread_current() || t == &kthread)
		panic("sched: freeing the running thread %d", t->tid);
	if (t->on_rq)
		panic("sched: freeing thread %d while it is queued", t->tid);
	timed_remove(t);
	kstack_free(t->kstack_slot);
	kfree(t);
	nthreads--;
}

static void rq_push(struct thread *t)
{
	if (t->on_rq || t == &kthread)
		return;
	t->rq_next = NULL;
	if (rq_tail)
		rq_tail->rq_next = t;
	else
		rq_head = t;
	rq_tail = t;
	t->on_rq = 1;
}

static struct thread *rq_pop(void)
{
	struct thread *t = rq_head;

	if (!t)
		return NULL;
	rq_head = t->rq_next;
	if (!rq_head)
		rq_tail = NULL;
	t->on_rq = 0;
	t->rq_next = NULL;
	return t;
}

void sched_wake(struct thread *t)
{
	if (t->state == T_DEAD || t->state == T_STOPPED)
		return;
	t->state = T_RUNNABLE;
	if (t != thread_current())
		rq_push(t);
}

static void switch_to(struct thread *next)
{
	struct thread *prev = g_percpu.cur;

	if (prev == next)
		return;
	switches++;
	if (prev != &kthread && prev->state != T_DEAD)
		__asm__ volatile("fxsave64 %0" : "=m"(prev->fxsave));
	if (next == &kthread) {
		write_cr3(kvm_pt()->root);
	} else {
		uint64_t root = next->proc->uvm->pt.root;

		if (!g_boot->tsc.first_user)
			g_boot->tsc.first_user = rdtsc();
		__asm__ volatile("fxrstor64 %0" : : "m"(next->fxsave));
		if (read_cr3() != root)
			write_cr3(root);
		wrmsr(MSR_FS_BASE, next->fs_base);
		tss_set_rsp0(next->kstack_top);
		g_percpu.kstack_top = next->kstack_top;
	}
	g_percpu.cur = next;
	switch_context(&prev->ksp, next->ksp);
}

void schedule(void)
{
	struct thread *cur = thread_current(), *next;

	if (cur != &kthread) {
		sysguard_block(cur);
		if (cur->state == T_RUNNABLE)
			rq_push(cur);
	}
	next = rq_pop();
	switch_to(next ? next : &kthread);
	/* Running again, maybe inside a system call that blocked: the watchdog counts from here. */
	if (cur != &kthread)
		sysguard_resume(cur);
}

void sched_yield(void)
{
	struct thread *t = thread_current();

	if (t == &kthread)
		return;
	t->voluntary++;
	/* Nobody else runnable: schedule() would queue t, take it back and not switch. */
	if (!rq_head)
		return;
	schedule();
}

/* Sleep; interruptible: a pending signal ends it (else only the process's end does). */
static int sleep_on(uint64_t deadline, int interruptible)
{
	struct thread *t = thread_current();

	if (t == &kthread)
		panic("sched: the kernel thread cannot sleep");
	if (interruptible ? signal_pending(t) : thread_doomed(t))
		return -EINTR;
	if (deadline && rdtsc() >= deadline)
		return -ETIMEDOUT;
	t->state = T_SLEEPING;
	t->woken = 0;
	t->wake_tsc = deadline;
	if (deadline) {
		t->timed_next = timed;
		timed = t;
		t->on_timed = 1;
	}
	t->voluntary++;
	schedule();
	timed_remove(t);
	t->wake_tsc = 0;
	if (t->woken)
		return 0;
	if (interruptible ? signal_pending(t) : thread_doomed(t))
		return -EINTR;
	return deadline && rdtsc() >= deadline ? -ETIMEDOUT : 0;
}

int task_sleep(uint64_t deadline)
{
	return sleep_on(deadline, 1);
}

int waitq_wait_killable(struct waitq *q)
{
	struct wq_entry e = { 0 };
	int r;

	waitq_add(q, &e);
	r = sleep_on(0, 0);
	waitq_del(&e);
	return r;
}

void waitq_add(struct waitq *q, struct wq_entry *e)
{
	e->t = thread_current();
	e->next = q->head;
	e->pprev = &q->head;
	if (q->head)
		q->head->pprev = &e->next;
	q->head = e;
}

void waitq_del(struct wq_entry *e)
{
	if (!e->pprev)
		return;
	*e->pprev = e->next;
	if (e->next)
		e->next->pprev = e->pprev;
	e->next = NULL;
	e->pprev = NULL;
}

void waitq_wake(struct waitq *q)
{
	for (struct wq_entry *e = q->head; e; e = e->next) {
		struct thread *t = e->t;

		if (e->wake) {
			e->wake(e);
			continue;
		}
		if (t->state == T_SLEEPING) {
			t->woken = 1;
			sched_wake(t);
		}
	}
}

int waitq_wait(struct waitq *q, uint64_t deadline)
{
	struct wq_entry e = { 0 };
	int r;

	waitq_add(q, &e);
	r = task_sleep(deadline);
	waitq_del(&e);
	return r;
}

/* Wake every timed sleeper whose deadline has passed. */
static void wake_expired(void)
{
	uint64_t now = rdtsc();

	for (struct thread *t = timed, *next; t; t = next) {
		next = t->timed_next;
		if (t->state == T_SLEEPING && now >= t->wake_tsc) {
			timed_remove(t);
			sched_wake(t);
		}
	}
}

void sched_tick(const struct trap_frame *tf)
{
	struct thread *t = thread_current();

	wake_expired();
	if (t == &kthread) {
		idle_ticks++;
		return;
	}
	if (!tf_from_user(tf))
		return;
	t->preemptions++;
	schedule();
}

void sched_run_until(int (*done)(void *ctx), void *ctx)
{
	if (thread_current() != &kthread)
		panic("sched: sched_run_until called from a process");
	for (;;) {
		struct thread *next;

		if (done && done(ctx))
			return;
		wake_expired();
		next = rq_pop();
		if (next) {
			switch_to(next);
			continue;
		}
		if (!done && !timed && nthreads == 0)
			return;
		if (!done) {
			/* Without a condition: done once nothing can run again by itself. */
			int waiting = 0;

			for (struct proc *p = proc_first(); p; p = p->next_all)
				waiting += p->state == PROC_ALIVE;
			if (!waiting)
				return;
		}
		/* Everyone sleeps: clear pages for the next faults, then idle until the timer (or any interrupt). */
		if (pmm_zero_idle(IDLE_ZERO_PAGES))
			continue;
		__asm__ volatile("sti; hlt; cli" ::: "memory");
	}
}

int sched_runnable(void)
{
	int n = thread_current() != &kthread;

	for (struct thread *t = rq_head; t; t = t->rq_next)
		n++;
	return n;
}

int sched_threads(void)
{
	return nthreads;
}

uint64_t sched_switches(void)
{
	return switches;
}

uint64_t sched_idle_ticks(void)
{
	return idle_ticks;
}
