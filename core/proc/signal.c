/* SPDX-License-Identifier: MIT */
/*
 * signal.c - sending and delivering signals (include/signal.h).
 *
 * Standard signals do not queue: a pending bit per signal, with the
 * siginfo of its first sending kept in the process. Delivery runs in
 * exit_to_user: the lowest pending unblocked signal, thread-directed ones
 * first; its default action, or a handler entered through Linux's x86-64
 * rt_sigframe:
 *
 *   sp -> pretcode (sa_restorer)         8 bytes
 *         struct ucontext                304 bytes (uc_mcontext: struct sigcontext)
 *         struct siginfo                 128 bytes
 *         ... fxsave image, 64-aligned   512 bytes (uc_mcontext.fpstate points here)
 *
 * with RSP + 8 16-byte aligned at the handler's first instruction, as after
 * a call. rt_sigreturn reads the ucontext back, taking from it only the
 * flags ring 3 may change, user selectors and a sanitized MXCSR, so a
 * forged frame cannot hurt the kernel; an unreturnable RIP ends in SIGSEGV
 * on the way out. The system calls (sigaction, sigprocmask, kill, ...) are
 * sys_signal.c.
 */
#include "signal.h"

#include "heap.h"
#include "kernel.h"
#include "kerrno.h"
#include "kstring.h"
#include "ktime.h"
#include "memlayout.h"
#include "proc.h"
#include "record.h"
#include "sched.h"
#include "uaccess.h"
#include "x86.h"

#define SYSCALL_INSN_LEN 2
#define RED_ZONE 128
#define FP_ALIGN 64
#define MXCSR_MASK_DEFAULT 0xFFBFU
#define MXCSR_OFFSET 24 /* in the fxsave image */
#define UC_SIGCONTEXT_SS 0x2
#define UC_STRICT_RESTORE_SS 0x4
/* The flags a signal frame may set (Linux's FIX_EFLAGS). */
#define FIX_EFLAGS                                                                                                   \
	(RFLAGS_AC | RFLAGS_OF | RFLAGS_DF | RFLAGS_TF | RFLAGS_SF | RFLAGS_ZF | RFLAGS_AF | RFLAGS_PF | RFLAGS_CF | \
	 RFLAGS_RF)

/* struct sigcontext (arch/x86/include/uapi/asm/sigcontext.h, 64-bit). */
struct lx_sigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip;
	uint64_t eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate;
	uint64_t reserved1[8];
};
_Static_assert(sizeof(struct lx_sigcontext) == 256, "struct sigcontext is 256 bytes");

struct lx_ucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	struct lx_stack uc_stack;
	struct lx_sigcontext uc_mcontext;
	uint64_t uc_sigmask;
};
_Static_assert(sizeof(struct lx_ucontext) == 304, "struct ucontext is 304 bytes");

struct rt_sigframe {
	uint64_t pretcode;
	struct lx_ucontext uc;
	struct lx_siginfo info;
};
_Static_assert(sizeof(struct rt_sigframe) == 440, "rt_sigframe is 440 bytes");
_Static_assert(offsetof(struct rt_sigframe, uc) == 8 && offsetof(struct rt_sigframe, info) == 312,
	       "rt_sigframe layout");

enum dfl { D_TERM, D_CORE, D_IGN, D_STOP, D_CONT };

static const char *const names[32] = {
	[SIGHUP] = "SIGHUP",   [SIGINT] = "SIGINT",	  [SIGQUIT] = "SIGQUIT", [SIGILL] = "SIGILL",
	[SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT",	  [SIGBUS] = "SIGBUS",	 [SIGFPE] = "SIGFPE",
	[SIGKILL] = "SIGKILL", [SIGUSR1] = "SIGUSR1",	  [SIGSEGV] = "SIGSEGV", [SIGUSR2] = "SIGUSR2",
	[SIGPIPE] = "SIGPIPE", [SIGALRM] = "SIGALRM",	  [SIGTERM] = "SIGTERM", [SIGSTKFLT] = "SIGSTKFLT",
	[SIGCHLD] = "SIGCHLD", [SIGCONT] = "SIGCONT",	  [SIGSTOP] = "SIGSTOP", [SIGTSTP] = "SIGTSTP",
	[SIGTTIN] = "SIGTTIN", [SIGTTOU] = "SIGTTOU",	  [SIGURG] = "SIGURG",	 [SIGXCPU] = "SIGXCPU",
	[SIGXFSZ] = "SIGXFSZ", [SIGVTALRM] = "SIGVTALRM", [SIGPROF] = "SIGPROF", [SIGWINCH] = "SIGWINCH",
	[SIGIO] = "SIGIO",     [SIGPWR] = "SIGPWR",	  [SIGSYS] = "SIGSYS",
};

const char *signal_name(int sig)
{
	static char rt[8][12];
	unsigned n = (unsigned)sig;

	if (n >= 1 && n < 32 && names[n])
		return names[n];
	if (n >= SIGRTMIN && n <= NSIG) {
		/* SIGRTMIN+N as strsignal-ish text; a few slots are plenty for the reports. */
		char *s = rt[n % 8];

		ksnprintf(s, sizeof(rt[0]), "SIGRT%u", n - SIGRTMIN);
		return s;
	}
	return "SIG?";
}

static enum dfl default_action(int sig)
{
	switch (sig) {
	case SIGQUIT:
	case SIGILL:
	case SIGTRAP:
	case SIGABRT:
	case SIGBUS:
	case SIGFPE:
	case SIGSEGV:
	case SIGXCPU:
	case SIGXFSZ:
	case SIGSYS:
		return D_CORE;
	case SIGCHLD:
	case SIGURG:
	case SIGWINCH:
		return D_IGN;
	case SIGSTOP:
	case SIGTSTP:
	case SIGTTIN:
	case SIGTTOU:
		return D_STOP;
	case SIGCONT:
		return D_CONT;
	default:
		return D_TERM;
	}
}

struct sighand *sighand_new(void)
{
	struct sighand *s = kzalloc(sizeof(*s));

	if (s)
		s->refs = 1;
	return s;
}

struct sighand *sighand_copy(const struct sighand *s)
{
	struct sighand *n = kmalloc(sizeof(*n));

	if (n) {
		memcpy(n, s, sizeof(*n));
		n->refs = 1;
	}
	return n;
}

struct sighand *sighand_get(struct sighand *s)
{
	if (s)
		s->refs++;
	return s;
}

void sighand_put(struct sighand *s)
{
	if (s && --s->refs == 0)
		kfree(s);
}

void sighand_reset_for_exec(struct sighand *s)
{
	for (int i = 0; i < NSIG; i++) {
		struct lx_sigaction *a = &s->act[i];

		if (a->handler != SIG_IGN)
			memset(a, 0, sizeof(*a));
		a->flags &= ~(uint64_t)SA_ONSTACK;
	}
}

int signal_ignored(const struct proc *p, int sig)
{
	const struct lx_sigaction *a = &p->sighand->act[sig - 1];

	if (sig == SIGKILL || sig == SIGSTOP)
		return 0;
	return a->handler == SIG_IGN || (a->handler == SIG_DFL && default_action(sig) == D_IGN);
}

/* Wake t if it sleeps, so that it sees its new signal. */
static void kick(struct thread *t)
{
	if (t->state == T_SLEEPING)
		sched_wake(t);
}

/* What every sender does first: job-control side effects, the ignored case. Returns 0 to go on queueing. */
static int prepare(struct proc *p, int sig)
{
	if (p->state != PROC_ALIVE || !p->sighand)
		return 1;
	if (sig == SIGCONT) {
		uint64_t stops = SIGBIT(SIGSTOP) | SIGBIT(SIGTSTP) | SIGBIT(SIGTTIN) | SIGBIT(SIGTTOU);

		p->shared_pending &= ~stops;
		for (struct thread *t = p->threads; t; t = t->next_in_proc)
			t->sig_pending &= ~stops;
		proc_continue(p);
	} else if (default_action(sig) == D_STOP) {
		p->shared_pending &= ~SIGBIT(SIGCONT);
	}
	if (sig == SIGKILL) {
		/* Nothing stops SIGKILL: a stopped process wakes to die. */
		for (struct thread *t = p->threads; t; t = t->next_in_proc)
			if (t->state == T_STOPPED)
				t->state = T_SLEEPING;
		p->stop_sig = 0;
	}
	return signal_ignored(p, sig);
}

static void keep_info(struct proc *p, int sig, const struct lx_siginfo *info)
{
	struct lx_siginfo *dst = &p->info[sig - 1];
	struct proc *me = proc_current();

	if (info) {
		*dst = *info;
	} else {
		memset(dst, 0, sizeof(*dst));
		dst->si_code = me ? SI_USER : SI_KERNEL;
		dst->u.kill.pid = me ? me->pid : 0;
	}
	dst->si_signo = sig;
}

int signal_send(struct proc *p, int sig, const struct lx_siginfo *info)
{
	struct thread *pick = NULL;

	if (sig < 1 || sig > NSIG)
		return -EINVAL;
	if (prepare(p, sig))
		return 0;
	if (!(p->shared_pending & SIGBIT(sig)))
		keep_info(p, sig, info);
	p->shared_pending |= SIGBIT(sig);
	/* Any thread that does not block it takes it: wake one (all, for SIGKILL). */
	for (struct thread *t = p->threads; t; t = t->next_in_proc) {
		if (t->state == T_DEAD)
			continue;
		if (sig == SIGKILL || !(t->sig_blocked & SIGBIT(sig))) {
			kick(t);
			if (!pick)
				pick = t;
			if (sig != SIGKILL)
				break;
		}
	}
	return 0;
}

int signal_send_thread(struct thread *t, int sig, const struct lx_siginfo *info)
{
	struct proc *p = t->proc;

	if (sig < 1 || sig > NSIG)
		return -EINVAL;
	if (!p || prepare(p, sig))
		return 0;
	if (!(t->sig_pending & SIGBIT(sig)))
		keep_info(p, sig, info);
	t->sig_pending |= SIGBIT(sig);
	kick(t);
	return 0;
}

int signal_send_pgrp(int pgrp, int sig)
{
	int n = 0;

	for (struct proc *p = proc_first(); p; p = p->next_all) {
		if (p->pgid != pgrp || p->state != PROC_ALIVE)
			continue;
		n++;
		if (sig)
			signal_send(p, sig, NULL);
	}
	return n;
}

/* ---- delivery ---- */

/* Take the signal to deliver now: thread-directed first, lowest number first. 0 when none. */
static int dequeue(struct thread *t, struct lx_siginfo *info)
{
	struct proc *p = t->proc;
	uint64_t mine = t->sig_pending & ~t->sig_blocked, shared = p->shared_pending & ~t->sig_blocked;
	uint64_t set = mine ? mine : shared;
	int sig;

	if (!set)
		return 0;
	/* Synchronous faults before anything else, as Linux's SYNCHRONOUS_MASK. */
	uint64_t sync = set & (SIGBIT(SIGSEGV) | SIGBIT(SIGBUS) | SIGBIT(SIGILL) | SIGBIT(SIGTRAP) | SIGBIT(SIGFPE) |
			       SIGBIT(SIGSYS));
	if (sync)
		set = sync;
	sig = __builtin_ctzll(set) + 1;
	if (mine)
		t->sig_pending &= ~SIGBIT(sig);
	else
		p->shared_pending &= ~SIGBIT(sig);
	*info = p->info[sig - 1];
	return sig;
}

int signal_on_altstack(const struct thread *t, uint64_t sp)
{
	return t->altstack.ss_size && !(t->altstack.ss_flags & SS_DISABLE) && sp > t->altstack.ss_sp &&
	       sp - t->altstack.ss_sp <= t->altstack.ss_size;
}

/* Save the live user FPU state (the kernel has not touched it: it never uses x87/SSE). */
static void fpu_save(uint8_t *buf)
{
	__asm__ volatile("fxsave64 %0" : "=m"(*(uint8_t(*)[FXSAVE_SIZE])buf));
}

static void fpu_load(const uint8_t *buf)
{
	__asm__ volatile("fxrstor64 %0" : : "m"(*(const uint8_t(*)[FXSAVE_SIZE])buf));
}

/* Build the handler frame for sig on the user stack and point tf at the handler. 0, or -EFAULT. */
static int setup_frame(struct thread *t, struct trap_frame *tf, int sig, const struct lx_siginfo *info,
		       const struct lx_sigaction *act, uint64_t oldmask)
{
	static uint8_t fx[FXSAVE_SIZE] __attribute__((aligned(16)));
	struct rt_sigframe f;
	uint64_t sp = tf->rsp - RED_ZONE, fp, frame;
	int was_on = signal_on_altstack(t, tf->rsp);

	if ((act->flags & SA_ONSTACK) && t->altstack.ss_size && !(t->altstack.ss_flags & SS_DISABLE) && !was_on)
		sp = t->altstack.ss_sp + t->altstack.ss_size;
	fp = ALIGN_DOWN(sp - FXSAVE_SIZE, FP_ALIGN);
	frame = ALIGN_DOWN(fp - sizeof(f), 16) - 8;
	if (!(act->flags & SA_RESTORER) || !act->restorer)
		return -EFAULT; /* x86-64 has no kernel trampoline: Linux refuses the same way */
	memset(&f, 0, sizeof(f));
	f.pretcode = act->restorer;
	f.uc.uc_flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
	f.uc.uc_stack.ss_sp = t->altstack.ss_sp;
	f.uc.uc_stack.ss_size = t->altstack.ss_size;
	f.uc.uc_stack.ss_flags = !t->altstack.ss_size || (t->altstack.ss_flags & SS_DISABLE) ? SS_DISABLE :
				 was_on							     ? SS_ONSTACK :
											       0;
	struct lx_sigcontext *sc = &f.uc.uc_mcontext;
	sc->r8 = tf->r8, sc->r9 = tf->r9, sc->r10 = tf->r10, sc->r11 = tf->r11;
	sc->r12 = tf->r12, sc->r13 = tf->r13, sc->r14 = tf->r14, sc->r15 = tf->r15;
	sc->rdi = tf->rdi, sc->rsi = tf->rsi, sc->rbp = tf->rbp, sc->rbx = tf->rbx;
	sc->rdx = tf->rdx, sc->rax = tf->rax, sc->rcx = tf->rcx, sc->rsp = tf->rsp, sc->rip = tf->rip;
	sc->eflags = tf->rflags;
	sc->cs = (uint16_t)tf->cs;
	sc->ss = (uint16_t)tf->ss;
	sc->err = tf->vector < NUM_EXCEPTIONS ? tf->error : 0;
	sc->trapno = tf->vector < NUM_EXCEPTIONS ? tf->vector : 0;
	sc->oldmask = oldmask;
	sc->cr2 = info->u.fault.addr;
	sc->fpstate = fp;
	f.uc.uc_sigmask = oldmask;
	f.info = *info;
	fpu_save(fx);
	if (copy_to_user(fp, fx, FXSAVE_SIZE) || copy_to_user(frame, &f, sizeof(f)))
		return -EFAULT;
	if ((t->altstack.ss_flags & SS_AUTODISARM) && sp != tf->rsp - RED_ZONE) {
		t->altstack.ss_sp = 0;
		t->altstack.ss_size = 0;
		t->altstack.ss_flags = SS_DISABLE;
	}
	tf->rsp = frame;
	tf->rip = act->handler;
	tf->rdi = (uint64_t)sig;
	tf->rsi = frame + offsetof(struct rt_sigframe, info);
	tf->rdx = frame + offsetof(struct rt_sigframe, uc);
	tf->rax = 0;
	tf->rflags &= ~(RFLAGS_DF | RFLAGS_TF | RFLAGS_RF);
	/* The handler starts with a clean FPU, as on Linux. */
	sched_fpu_reset();
	return 0;
}

/* An interrupted system call: restart it, or make it -EINTR, by what the handler says. */
static void restart_syscall(struct thread *t, struct trap_frame *tf, const struct lx_sigaction *act)
{
	long r = (long)tf->rax;

	if (t->syscall_nr < 0)
		return;
	if (r == -ERESTARTSYS || r == -ERESTARTNOINTR || r == -ERESTARTNOHAND) {
		int restart = !act || r == -ERESTARTNOINTR || (r == -ERESTARTSYS && (act->flags & SA_RESTART));

		if (restart) {
			tf->rax = (uint64_t)t->syscall_nr;
			tf->rip -= SYSCALL_INSN_LEN;
		} else {
			tf->rax = (uint64_t)-EINTR;
		}
	}
	t->syscall_nr = -1;
}

void signal_deliver(struct trap_frame *tf)
{
	struct thread *t = thread_current();
	struct proc *p = t->proc;
	struct lx_siginfo info;
	int sig;

	for (;;) {
		const struct lx_sigaction *act;
		uint64_t oldmask;
		char cause[PROC_CAUSE];

		if (p->group_exit || t->zapped)
			proc_exit_thread(p->exit_code); /* another thread ended the process, or exec'd */
		sig = dequeue(t, &info);
		if (!sig)
			break;
		act = &p->sighand->act[sig - 1];
		if (act->handler == SIG_IGN && sig != SIGKILL && sig != SIGSTOP)
			continue;
		if (act->handler == SIG_DFL || sig == SIGKILL || sig == SIGSTOP) {
			switch (default_action(sig)) {
			case D_IGN:
			case D_CONT:
				continue;
			case D_STOP:
				proc_stop(p, sig);
				schedule(); /* stopped: back here after SIGCONT (or SIGKILL) */
				continue;
			default:
				if (info.si_code == SI_USER || info.si_code == SI_TKILL)
					ksnprintf(cause, sizeof(cause), "killed by %s from pid %d", signal_name(sig),
						  info.u.kill.pid);
				else
					ksnprintf(cause, sizeof(cause), "killed by %s", signal_name(sig));
				/* A fault queued for its handler names its own cause. */
				proc_kill(sig, p->cause[0] && sig == p->signal_fault_sig ? p->cause : cause,
					  info.u.fault.addr, tf->rip);
			}
		}
		/* A handler runs. */
		restart_syscall(t, tf, act);
		oldmask = t->restore_mask ? t->saved_mask : t->sig_blocked;
		t->restore_mask = 0;
		if (setup_frame(t, tf, sig, &info, act, oldmask)) {
			ksnprintf(cause, sizeof(cause), "no room for the %s frame (bad stack or no restorer)",
				  signal_name(sig));
			proc_kill(SIGSEGV, cause, tf->rsp, tf->rip);
		}
		t->sig_blocked |= act->mask | (act->flags & SA_NODEFER ? 0 : SIGBIT(sig));
		t->sig_blocked &= ~SIG_UNBLOCKABLE;
		if (act->flags & SA_RESETHAND)
			memset(&p->sighand->act[sig - 1], 0, sizeof(struct lx_sigaction));
		tf->vector = VEC_SIGNAL; /* back through IRETQ: every register is the handler's */
		return;
	}
	/* No handler ran: an interrupted call restarts; a sigsuspend mask goes back. */
	restart_syscall(t, tf, NULL);
	if (t->restore_mask) {
		t->restore_mask = 0;
		t->sig_blocked = t->saved_mask;
	}
}

long signal_return(struct trap_frame *tf)
{
	static uint8_t fx[FXSAVE_SIZE] __attribute__((aligned(16)));
	struct thread *t = thread_current();
	uint64_t frame = tf->rsp - 8;
	struct lx_ucontext uc;
	const struct lx_sigcontext *sc = &uc.uc_mcontext;

	if (copy_from_user(&uc, frame + offsetof(struct rt_sigframe, uc), sizeof(uc)))
		proc_kill(SIGSEGV, "rt_sigreturn with no signal frame on the stack", frame, tf->rip);
	tf->r8 = sc->r8, tf->r9 = sc->r9, tf->r10 = sc->r10, tf->r11 = sc->r11;
	tf->r12 = sc->r12, tf->r13 = sc->r13, tf->r14 = sc->r14, tf->r15 = sc->r15;
	tf->rdi = sc->rdi, tf->rsi = sc->rsi, tf->rbp = sc->rbp, tf->rbx = sc->rbx;
	tf->rdx = sc->rdx, tf->rcx = sc->rcx, tf->rsp = sc->rsp, tf->rip = sc->rip;
	tf->rflags = (tf->rflags & ~FIX_EFLAGS) | (sc->eflags & FIX_EFLAGS);
	tf->cs = GDT_UCODE | RPL_USER;
	tf->ss = GDT_UDATA | RPL_USER;
	tf->vector = VEC_SIGNAL; /* IRETQ: RCX and R11 are the program's again */
	t->sig_blocked = uc.uc_sigmask & ~SIG_UNBLOCKABLE;
	t->syscall_nr = -1;
	if (sc->fpstate) {
		uint32_t mxcsr;

		if (copy_from_user(fx, sc->fpstate, FXSAVE_SIZE))
			proc_kill(SIGSEGV, "rt_sigreturn: FPU state not readable", sc->fpstate, tf->rip);
		/* Reserved MXCSR bits would make FXRSTOR fault in ring 0. */
		memcpy(&mxcsr, fx + MXCSR_OFFSET, sizeof(mxcsr));
		mxcsr &= MXCSR_MASK_DEFAULT;
		memcpy(fx + MXCSR_OFFSET, &mxcsr, sizeof(mxcsr));
		fpu_load(fx);
	} else {
		sched_fpu_reset();
	}
	/* The alternate stack as the frame has it (sigaltstack's checks; errors ignored, as Linux does). */
	if (!signal_on_altstack(t, tf->rsp)) {
		if (uc.uc_stack.ss_flags & SS_DISABLE) {
			t->altstack.ss_flags = SS_DISABLE;
			t->altstack.ss_size = 0;
		} else if (uc.uc_stack.ss_size >= MINSIGSTKSZ) {
			t->altstack.ss_sp = uc.uc_stack.ss_sp;
			t->altstack.ss_size = uc.uc_stack.ss_size;
			t->altstack.ss_flags = uc.uc_stack.ss_flags & (int32_t)SS_AUTODISARM;
		}
	}
	return (long)sc->rax;
}

void signal_fault(struct trap_frame *tf, int sig, int code, uint64_t addr, const char *cause)
{
	struct thread *t = thread_current();
	struct proc *p = t->proc;
	const struct lx_sigaction *act = &p->sighand->act[sig - 1];
	struct lx_siginfo info;

	if (act->handler == SIG_DFL || act->handler == SIG_IGN || (t->sig_blocked & SIGBIT(sig)) ||
	    (t->sig_pending & SIGBIT(sig)))
		proc_kill(sig, cause, addr, tf->rip); /* as Linux's force_sig: blocked or ignored faults kill */
	memset(&info, 0, sizeof(info));
	info.si_signo = sig;
	info.si_code = code;
	info.u.fault.addr = addr;
	kstrlcpy(p->cause, cause, sizeof(p->cause));
	p->signal_fault_sig = sig;
	p->faults_handled++;
	signal_send_thread(t, sig, &info);
}
