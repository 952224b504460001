/* SPDX-License-Identifier: MIT */
/*
 * ufault.c - exceptions in ring 3. A fault in a program never takes the
 * kernel down: it is named (signal, address, RIP, error bits and the cause in
 * words) and reported; then the program's handler for that signal runs, or,
 * when it has none (or blocks the signal), the process is killed.
 */
#include "entry.h"
#include "json.h"
#include "kernel.h"
#include "kerrno.h"
#include "kstring.h"
#include "memlayout.h"
#include "paging.h"
#include "panic.h"
#include "proc.h"
#include "record.h"
#include "trap.h"
#include "uaccess.h"
#include "x86.h"

#define INSN_MAX 15 /* the longest x86 instruction */

/*
 * Which instruction raised a #GP with no selector: the instruction bytes
 * from the program's own text, decoded by trap_gp_cause.
 */
static const char *gp_cause(const struct trap_frame *tf)
{
	uint8_t b[INSN_MAX];

	if (tf->error)
		return "general protection (bad selector or gate)";
	if (!copy_from_user(b, tf->rip, sizeof(b)))
		return trap_gp_cause(b, sizeof(b));
	if (!copy_from_user(b, tf->rip, 2))
		return trap_gp_cause(b, 2);
	return "general protection";
}

/* The fault record and line; handled: the program's handler takes it. */
static void report_fault(const struct trap_frame *tf, int sig, uint64_t addr, const char *cause, int handled)
{
	struct proc *p = proc_current();
	int tid = thread_current()->tid;
	char err[96], who[32] = "";
	struct jrec r;

	trap_decode_error(tf, err, sizeof(err));
	/* Which thread, when it is not the first: the whole process goes, but the fault is that thread's. */
	if (tid != p->pid)
		ksnprintf(who, sizeof(who), " thread %d", tid);
	if (report_human())
		kprintf("pid %d (%s)%s: %s at 0x%llx, RIP 0x%llx (%s; error 0x%llx: %s): %s; %s\n", p->pid, p->name,
			who, signal_name(sig), (unsigned long long)addr, (unsigned long long)tf->rip,
			trap_name((unsigned)tf->vector), (unsigned long long)tf->error, err, cause,
			handled ? "caught by its handler" : "killed");
	p->faults++;
	jrec_begin(&r, "fault");
	jrec_u64(&r, "pid", (uint64_t)p->pid);
	jrec_u64(&r, "tid", (uint64_t)tid);
	jrec_str(&r, "name", p->name);
	jrec_str(&r, "signal", signal_name(sig));
	jrec_hex(&r, "addr", addr);
	jrec_hex(&r, "rip", tf->rip);
	jrec_u64(&r, "vector", tf->vector);
	jrec_hex(&r, "error", tf->error);
	jrec_str(&r, "decoded", err);
	jrec_str(&r, "cause", cause);
	jrec_bool(&r, "handled", handled);
	report_emit(&r);
}

/* si_code for a fault: SEGV_MAPERR where nothing is mapped, SEGV_ACCERR where the rights say no. */
static int fault_code(int sig, unsigned vector, const char *cause)
{
	switch (sig) {
	case SIGSEGV:
		if (vector != VEC_PF)
			return SI_KERNEL;
		return !strncmp(cause, "write to", 8) || !strncmp(cause, "execute in", 10) ||
				       !strncmp(cause, "access to PROT_NONE", 19) ?
			       SEGV_ACCERR :
			       SEGV_MAPERR;
	case SIGFPE:
		return vector == VEC_DE ? FPE_INTDIV : FPE_FLTINV;
	case SIGILL:
		return ILL_ILLOPN;
	case SIGTRAP:
		return vector == VEC_DB ? TRAP_TRACE : SI_KERNEL;
	case SIGBUS:
		return BUS_ADRALN;
	default:
		return SI_KERNEL;
	}
}

/* 1 when the current process will run a handler for sig (installed, not blocked). */
static int handles(int sig)
{
	struct thread *t = thread_current();
	const struct lx_sigaction *a = &t->proc->sighand->act[sig - 1];

	return a->handler != SIG_DFL && a->handler != SIG_IGN && !(t->sig_blocked & SIGBIT(sig)) &&
	       !(t->sig_pending & SIGBIT(sig));
}

void ufault(struct trap_frame *tf)
{
	struct proc *p = proc_current();
	char cause[PROC_CAUSE];
	uint64_t addr = tf->rip;
	int sig = SIGSEGV;

	if (!p)
		panic("trap: ring-3 exception %s with no current process", trap_name((unsigned)tf->vector));
	switch (tf->vector) {
	case VEC_PF: {
		int r;

		addr = read_cr2();
		r = uvm_fault(p->uvm, addr, tf->error, cause, sizeof(cause));
		if (r == 0)
			return; /* demand paging or stack growth: retry the instruction */
		if (r == -ENOMEM)
			sig = SIGKILL; /* out of memory: Linux's OOM killer sends SIGKILL too */
		break;
	}
	case VEC_GP:
		kstrlcpy(cause, gp_cause(tf), sizeof(cause));
		break;
	case VEC_DE:
		sig = SIGFPE;
		kstrlcpy(cause, "integer divide by zero", sizeof(cause));
		break;
	case VEC_MF:
	case VEC_XM:
		sig = SIGFPE;
		kstrlcpy(cause, "floating-point exception", sizeof(cause));
		break;
	case VEC_UD:
	case VEC_NM:
		sig = SIGILL;
		kstrlcpy(cause, "invalid opcode", sizeof(cause));
		break;
	case VEC_BP:
		sig = SIGTRAP;
		kstrlcpy(cause, "breakpoint (int3)", sizeof(cause));
		break;
	case VEC_DB:
		sig = SIGTRAP;
		kstrlcpy(cause, "debug trap", sizeof(cause));
		break;
	case VEC_AC:
		sig = SIGBUS;
		kstrlcpy(cause, "alignment check", sizeof(cause));
		break;
	case VEC_SS:
		sig = SIGBUS;
		kstrlcpy(cause, "stack-segment fault", sizeof(cause));
		break;
	default:
		ksnprintf(cause, sizeof(cause), "%s", trap_name((unsigned)tf->vector));
	}
	if (!handles(sig))
		ufault_kill(tf, sig, addr, cause);
	report_fault(tf, sig, addr, cause, 1);
	signal_fault(tf, sig, fault_code(sig, (unsigned)tf->vector, cause), addr, cause);
}

void ufault_kill(const struct trap_frame *tf, int sig, uint64_t addr, const char *cause)
{
	report_fault(tf, sig, addr, cause, 0);
	proc_kill(sig, cause, addr, tf->rip);
}

void ufault_bad_return(struct trap_frame *uf)
{
	if (!proc_current())
		panic("trap: %s on the return to ring 3 with no current process", trap_name((unsigned)uf->vector));
	ufault_kill(uf, SIGSEGV, uf->rip,
		    va_canonical(uf->rip) ? "return to ring 3 refused by IRETQ (bad frame)" :
					    "return to a non-canonical address");
}

int uaccess_trap_fixup(struct trap_frame *tf)
{
	struct proc *p = proc_current();
	char cause[PROC_CAUSE];

	if (!uaccess_rip(tf->rip) || (tf->vector != VEC_PF && tf->vector != VEC_GP))
		return 0;
	if (tf->vector == VEC_PF && p && read_cr2() < USER_END) {
		int r = uvm_fault(p->uvm, read_cr2(), tf->error, cause, sizeof(cause));

		if (r == 0)
			return 1;
		if (r == -ENOMEM)
			p->uvm->oom = 1; /* the copy fails with -EFAULT; the process dies when the syscall ends */
	}
	tf->rip = (uint64_t)uaccess_fixup;
	return 1;
}
