/* SPDX-License-Identifier: MIT */
/*
 * proc.c - process creation, the run queue and context switches.
 *
 * Scheduling is round-robin over runnable processes, preempted by the LAPIC
 * timer when it fires in ring 3 (the kernel itself is never preempted: it
 * runs with interrupts off, except in the idle hlt). A process that exits or
 * dies releases its address space at once, running on the kernel's tables;
 * its kernel stack, which it is still standing on, goes when the kernel
 * thread reaps it.
 */
#include "proc.h"

#include "cpu.h"
#include "elf.h"
#include "entry.h"
#include "heap.h"
#include "json.h"
#include "kernel.h"
#include "kerrno.h"
#include "kstring.h"
#include "kvm.h"
#include "lapic.h"
#include "memlayout.h"
#include "panic.h"
#include "percpu.h"
#include "pmm.h"
#include "record.h"
#include "sysguard.h"
#include "uaccess.h"
#include "x86.h"

#define MXCSR_DEFAULT 0x1F80U
/* Pages the idle loop clears before looking for a runnable process again: 256 KiB, well under a tick. */
#define IDLE_ZERO_PAGES 64
/* The switch frame switch_context pops: rflags r15 r14 r13 r12 rbx rbp, then the return address. */
#define SWITCH_FRAME_WORDS 8
#define SWITCH_FRAME_RFLAGS 0

static struct proc *procs[PROC_MAX];
static struct proc kthread; /* pid 0: kmain, the runner and idle loop */
static int next_pid = 1, rr_next;
static uint8_t fx_initial[FXSAVE_SIZE] __attribute__((aligned(16)));
static proc_exit_fn exit_hooks[PROC_EXIT_HOOKS];
static size_t nexit_hooks;

static const char *const sig_names[] = {
	[SIGILL] = "SIGILL", [SIGTRAP] = "SIGTRAP", [SIGBUS] = "SIGBUS",
	[SIGFPE] = "SIGFPE", [SIGKILL] = "SIGKILL", [SIGSEGV] = "SIGSEGV",
};

const char *signal_name(int sig)
{
	unsigned n = (unsigned)sig; /* negative numbers become huge and fail the bound */

	if (n == 0 || n >= ARRAY_SIZE(sig_names) || !sig_names[n])
		return "SIG?";
	return sig_names[n];
}

/* The timer interrupt: count it, end it, preempt ring 3. */
static void timer_tick(struct trap_frame *tf)
{
	lapic_tick();
	lapic_eoi();
	proc_tick(tf);
}

void proc_init(void)
{
	uint32_t mxcsr = MXCSR_DEFAULT;

	/* The kernel never touches x87/SSE (-mgeneral-regs-only): only ring 3 has state to keep. */
	write_cr0((read_cr0() & ~(CR0_EM | CR0_TS)) | CR0_MP);
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	__asm__ volatile("fninit; ldmxcsr %0; fxsave64 %1" : : "m"(mxcsr), "m"(fx_initial) : "memory");
	kthread.pid = 0;
	kstrlcpy(kthread.name, "kernel", sizeof(kthread.name));
	g_percpu.cur = &kthread;
	trap_set_irq(VEC_TIMER, timer_tick);
	trap_set_user(ufault);
	trap_set_bad_return(ufault_bad_return);
	if (trap_add_fixup(uaccess_trap_fixup))
		panic("proc: no room for the user-copy fixup");
}

int proc_add_exit_hook(proc_exit_fn fn)
{
	if (nexit_hooks == PROC_EXIT_HOOKS)
		return -ENOSPC;
	exit_hooks[nexit_hooks++] = fn;
	return 0;
}

struct proc *proc_current(void)
{
	return g_percpu.cur == &kthread ? NULL : g_percpu.cur;
}

int proc_live(void)
{
	int n = 0;

	for (int i = 0; i < PROC_MAX; i++)
		n += procs[i] != NULL && procs[i]->state != PROC_ZOMBIE;
	return n;
}

static void set_err(char *err, size_t size, const char *what, int code)
{
	ksnprintf(err, size, "%s (%d)", what, code);
}

/* A kernel stack whose top holds the user frame and a switch frame that "returns" into ring 3. */
static void prepare_stack(struct proc *p, uint64_t entry, uint64_t user_rsp)
{
	struct trap_frame *tf = (struct trap_frame *)(uintptr_t)(p->kstack_top - sizeof(*tf));
	uint64_t *sw = (uint64_t *)tf - SWITCH_FRAME_WORDS;

	memset(tf, 0, sizeof(*tf));
	tf->rip = entry;
	tf->cs = GDT_UCODE | RPL_USER;
	tf->rflags = RFLAGS_IF | RFLAGS_RESERVED1;
	tf->rsp = user_rsp;
	tf->ss = GDT_UDATA | RPL_USER;
	memset(sw, 0, SWITCH_FRAME_WORDS * sizeof(uint64_t));
	sw[SWITCH_FRAME_RFLAGS] = RFLAGS_RESERVED1; /* the kernel's flags: IF off */
	sw[SWITCH_FRAME_WORDS - 1] = (uint64_t)proc_first_entry;
	p->ksp = (uint64_t)sw;
}

struct proc *proc_spawn(const char *name, const char *path, const void *elf, size_t size, const char *const *argv,
			const char *const *envp, char *err, size_t err_size)
{
	struct pmm_stats st;
	struct elf_image img;
	struct proc *p;
	uint64_t rsp;
	int slot = -1, e;

	for (int i = 0; i < PROC_MAX && slot < 0; i++)
		if (!procs[i])
			slot = i;
	if (slot < 0) {
		set_err(err, err_size, "too many processes", -EAGAIN);
		return NULL;
	}
	if (elf_parse(elf, size, 0, &img, err) != 0)
		return NULL;
	pmm_get_stats(&st);
	p = kzalloc(sizeof(*p));
	if (!p) {
		set_err(err, err_size, "no memory for the process", -ENOMEM);
		return NULL;
	}
	p->free_pages_at_start = st.free_pages;
	p->pid = next_pid++;
	kstrlcpy(p->name, name, sizeof(p->name));
	kstrlcpy(p->path, path, sizeof(p->path));
	memcpy(p->fxsave, fx_initial, FXSAVE_SIZE);
	p->fd[0].kind = FD_STDIN;
	p->fd[1].kind = FD_CONSOLE;
	p->fd[2].kind = FD_CONSOLE;
	p->kstack_slot = kstack_alloc(p->name, &p->kstack_top);
	if (p->kstack_slot < 0) {
		set_err(err, err_size, "no kernel stack", p->kstack_slot);
		kfree(p);
		return NULL;
	}
	e = uvm_create(&p->uvm);
	if (!e)
		e = uvm_load_elf(&p->uvm, &img, elf, path, err, err_size);
	if (!e)
		e = uvm_setup_stack(&p->uvm, &img, argv, envp, &rsp);
	if (e) {
		if (!err[0])
			set_err(err, err_size, "could not build the address space", e);
		uvm_destroy(&p->uvm);
		kstack_free(p->kstack_slot);
		kfree(p);
		return NULL;
	}
	prepare_stack(p, img.entry, rsp);
	p->state = PROC_RUNNABLE;
	p->start_tsc = rdtsc();
	procs[slot] = p;
	return p;
}

static void switch_to(struct proc *next)
{
	struct proc *prev = g_percpu.cur;

	if (prev == next)
		return;
	if (prev != &kthread && prev->state != PROC_ZOMBIE)
		__asm__ volatile("fxsave64 %0" : "=m"(prev->fxsave));
	if (next == &kthread) {
		write_cr3(kvm_pt()->root);
	} else {
		if (!g_boot->tsc.first_user)
			g_boot->tsc.first_user = rdtsc();
		__asm__ volatile("fxrstor64 %0" : : "m"(next->fxsave));
		write_cr3(next->uvm.pt.root);
		wrmsr(MSR_FS_BASE, next->fs_base);
		tss_set_rsp0(next->kstack_top);
		g_percpu.kstack_top = next->kstack_top;
	}
	g_percpu.cur = next;
	switch_context(&prev->ksp, next->ksp);
}

static void wake_sleepers(void)
{
	uint64_t now = rdtsc();

	for (int i = 0; i < PROC_MAX; i++)
		if (procs[i] && procs[i]->state == PROC_SLEEPING && now >= procs[i]->wake_tsc)
			procs[i]->state = PROC_RUNNABLE;
}

/* The next runnable process after the last one picked, or NULL. */
static struct proc *pick(void)
{
	wake_sleepers();
	for (int k = 0; k < PROC_MAX; k++) {
		int i = (rr_next + k) % PROC_MAX;

		if (procs[i] && procs[i]->state == PROC_RUNNABLE) {
			rr_next = (i + 1) % PROC_MAX;
			return procs[i];
		}
	}
	return NULL;
}

/* Leave the current process (already marked runnable, sleeping or zombie). */
static void schedule(void)
{
	struct proc *next = pick();

	switch_to(next ? next : &kthread);
	/* Running again, maybe inside a system call that blocked: the watchdog counts from here. */
	if (proc_current())
		sysguard_resume(proc_current());
}

void proc_run(void)
{
	if (proc_current())
		panic("proc: proc_run called from a process");
	for (;;) {
		struct proc *next = pick();
		int sleeping = 0;

		if (next) {
			switch_to(next);
			continue;
		}
		for (int i = 0; i < PROC_MAX; i++)
			sleeping += procs[i] && procs[i]->state == PROC_SLEEPING;
		if (!sleeping)
			return;
		/* Everyone sleeps: clear pages for the next faults, then idle until the timer (or any interrupt). */
		if (pmm_zero_idle(IDLE_ZERO_PAGES))
			continue;
		__asm__ volatile("sti; hlt; cli" ::: "memory");
	}
}

void proc_output_line(struct proc *p)
{
	struct jrec r;

	jrec_begin(&r, "output");
	jrec_u64(&r, "pid", (uint64_t)p->pid);
	jrec_str(&r, "name", p->name);
	jrec_strn(&r, "text", p->out, p->out_len);
	report_emit(&r);
	p->out_len = 0;
}

void proc_flush_output(struct proc *p)
{
	if (p->out_len)
		proc_output_line(p);
}

/* Release what a finished process holds, except the kernel stack it runs on. */
static void finish_current(struct proc *p)
{
	p->end_tsc = rdtsc();
	proc_flush_output(p);
	for (size_t i = 0; i < nexit_hooks; i++)
		exit_hooks[i](p);
	write_cr3(kvm_pt()->root);
	for (int i = 0; i < PROC_FDS; i++) {
		kfree(p->fd[i].data);
		p->fd[i].data = NULL;
		p->fd[i].kind = FD_NONE;
	}
	uvm_destroy(&p->uvm);
	p->state = PROC_ZOMBIE;
	schedule();
	panic("proc: a finished process was scheduled again (pid %d)", p->pid);
}

void proc_exit(int code)
{
	struct proc *p = proc_current();

	if (!p)
		panic("proc: exit outside a process");
	p->exit_code = code;
	finish_current(p);
	for (;;)
		;
}

void proc_kill(int sig, const char *cause, uint64_t addr, uint64_t rip)
{
	struct proc *p = proc_current();

	if (!p)
		panic("proc: kill outside a process");
	p->signal = sig;
	p->exit_code = 128 + sig;
	p->fault_addr = addr;
	p->fault_rip = rip;
	kstrlcpy(p->cause, cause, sizeof(p->cause));
	finish_current(p);
	for (;;)
		;
}

void proc_reap(struct proc *p)
{
	for (int i = 0; i < PROC_MAX; i++) {
		if (procs[i] != p)
			continue;
		if (p->state != PROC_ZOMBIE)
			panic("proc: reaping pid %d, which has not finished", p->pid);
		kstack_free(p->kstack_slot);
		procs[i] = NULL;
		kfree(p);
		return;
	}
	panic("proc: reaping an unknown process");
}

void proc_yield(void)
{
	struct proc *p = proc_current();

	if (!p)
		return;
	p->state = PROC_RUNNABLE;
	schedule();
}

void proc_sleep_until(uint64_t deadline)
{
	struct proc *p = proc_current();

	if (!p)
		return;
	p->wake_tsc = deadline;
	p->state = PROC_SLEEPING;
	schedule();
}

void proc_tick(const struct trap_frame *tf)
{
	struct proc *p = proc_current();

	if (!p || !tf_from_user(tf))
		return;
	p->preemptions++;
	p->state = PROC_RUNNABLE;
	schedule();
}
