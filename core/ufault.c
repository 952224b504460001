/* SPDX-License-Identifier: MIT */
/*
 * ufault.c - exceptions in ring 3. A fault in a program never takes the
 * kernel down: it is named (signal, address, RIP, error bits and the cause in
 * words), reported, and the process is killed; the next one runs.
 */
#include "json.h"
#include "kernel.h"
#include "kerrno.h"
#include "kstring.h"
#include "paging.h"
#include "proc.h"
#include "report.h"
#include "trap.h"
#include "uaccess.h"
#include "x86.h"

#define INSN_MAX 15
#define OP_TWO_BYTE 0x0F
#define REX_FIRST 0x40
#define REX_LAST 0x4F
#define SREG_SS 2 /* ModRM.reg of mov Sreg naming SS */

/* Vectors (SDM Vol. 3A 6.15). */
enum {
	V_DE = 0,
	V_DB = 1,
	V_BP = 3,
	V_OF = 4,
	V_BR = 5,
	V_UD = 6,
	V_NM = 7,
	V_SS = 12,
	V_GP = 13,
	V_PF = 14,
	V_MF = 16,
	V_AC = 17,
	V_XM = 19,
};

static int is_prefix(uint8_t b)
{
	return b == 0x66 || b == 0x67 || b == 0xF0 || b == 0xF2 || b == 0xF3 || b == 0x2E || b == 0x36 || b == 0x3E ||
	       b == 0x26 || b == 0x64 || b == 0x65 || (b >= REX_FIRST && b <= REX_LAST);
}

/*
 * Which instruction raised a #GP with no selector: one that needs CPL 0 (or
 * I/O privilege; sysret and sysexit too), a null selector loaded into SS
 * (mov ss, lss), or else a memory access to a non-canonical address. Reads
 * the instruction bytes from the program's own text.
 */
static const char *gp_cause(const struct trap_frame *tf)
{
	uint8_t b[INSN_MAX];
	size_t i = 0;

	if (tf->error)
		return "general protection (bad selector or gate)";
	if (copy_from_user(b, tf->rip, sizeof(b)) && copy_from_user(b, tf->rip, 2))
		return "general protection";
	while (i < sizeof(b) - 2 && is_prefix(b[i]))
		i++;
	switch (b[i]) {
	case 0xFA: /* cli */
	case 0xFB: /* sti */
	case 0xF4: /* hlt */
	case 0xE4:
	case 0xE5:
	case 0xE6:
	case 0xE7: /* in/out imm8 */
	case 0xEC:
	case 0xED:
	case 0xEE:
	case 0xEF: /* in/out dx */
	case 0x6C:
	case 0x6D:
	case 0x6E:
	case 0x6F: /* ins/outs */
	case 0xCF: /* iret with a bad frame counts too */
		return "privileged instruction";
	case 0x8E: /* mov Sreg, r/m: a bad selector has its own error code; 0 is a null one */
		if (((b[i + 1] >> 3) & 7) == SREG_SS)
			return "null selector loaded into SS";
		break;
	case OP_TWO_BYTE:
		switch (b[i + 1]) {
		case 0x07: /* sysret */
		case 0x35: /* sysexit */
			return "privileged instruction";
		case 0xB2: /* lss */
			return "null selector loaded into SS";
		case 0x00: /* sldt/str/lldt/ltr */
		case 0x01: /* lgdt/lidt/..., and sgdt/sidt/smsw under UMIP */
		case 0x06: /* clts */
		case 0x08: /* invd */
		case 0x09: /* wbinvd */
		case 0x20:
		case 0x21:
		case 0x22:
		case 0x23: /* mov to/from CRn/DRn */
		case 0x30: /* wrmsr */
		case 0x32: /* rdmsr */
		case 0x33: /* rdpmc */
			return "privileged instruction";
		}
		break;
	}
	return "non-canonical address";
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
	case V_PF: {
		int r;

		addr = read_cr2();
		r = uvm_fault(&p->uvm, addr, tf->error, cause, sizeof(cause));
		if (r == 0)
			return; /* demand paging or stack growth: retry the instruction */
		if (r == -ENOMEM)
			sig = SIGKILL; /* out of memory: Linux's OOM killer sends SIGKILL too */
		break;
	}
	case V_GP:
		kstrlcpy(cause, gp_cause(tf), sizeof(cause));
		break;
	case V_DE:
		sig = SIGFPE;
		kstrlcpy(cause, "integer divide by zero", sizeof(cause));
		break;
	case V_MF:
	case V_XM:
		sig = SIGFPE;
		kstrlcpy(cause, "floating-point exception", sizeof(cause));
		break;
	case V_UD:
	case V_NM:
		sig = SIGILL;
		kstrlcpy(cause, "invalid opcode", sizeof(cause));
		break;
	case V_BP:
		sig = SIGTRAP;
		kstrlcpy(cause, "breakpoint (int3)", sizeof(cause));
		break;
	case V_DB:
		sig = SIGTRAP;
		kstrlcpy(cause, "debug trap", sizeof(cause));
		break;
	case V_AC:
		sig = SIGBUS;
		kstrlcpy(cause, "alignment check", sizeof(cause));
		break;
	case V_SS:
		sig = SIGBUS;
		kstrlcpy(cause, "stack-segment fault", sizeof(cause));
		break;
	default:
		ksnprintf(cause, sizeof(cause), "%s", trap_name((unsigned)tf->vector));
	}
	ufault_kill(tf, sig, addr, cause);
}

void ufault_kill(const struct trap_frame *tf, int sig, uint64_t addr, const char *cause)
{
	struct proc *p = proc_current();
	char err[96];
	struct jrec r;

	trap_decode_error(tf, err, sizeof(err));
	if (report_human())
		kprintf("pid %d (%s): %s at 0x%llx, RIP 0x%llx (%s; error 0x%llx: %s): %s; killed\n", p->pid, p->name,
			signal_name(sig), (unsigned long long)addr, (unsigned long long)tf->rip,
			trap_name((unsigned)tf->vector), (unsigned long long)tf->error, err, cause);
	jrec_begin(&r, "fault");
	jrec_u64(&r, "pid", (uint64_t)p->pid);
	jrec_str(&r, "name", p->name);
	jrec_str(&r, "signal", signal_name(sig));
	jrec_hex(&r, "addr", addr);
	jrec_hex(&r, "rip", tf->rip);
	jrec_u64(&r, "vector", tf->vector);
	jrec_hex(&r, "error", tf->error);
	jrec_str(&r, "decoded", err);
	jrec_str(&r, "cause", cause);
	report_emit(&r);
	proc_kill(sig, cause, addr, tf->rip);
}

void ufault_bad_return(const struct trap_frame *kf)
{
	/* IRETQ faulted in ring 0: its own frame (the user's rip, cs, rflags, rsp, ss) is at kf->rsp. */
	const uint64_t *iret = (const uint64_t *)(uintptr_t)kf->rsp;
	struct trap_frame uf;

	if (!proc_current())
		panic("trap: %s on the return to ring 3 with no current process", trap_name((unsigned)kf->vector));
	memset(&uf, 0, sizeof(uf));
	uf.vector = kf->vector;
	uf.error = kf->error;
	uf.rip = iret[0];
	uf.cs = iret[1];
	uf.rflags = iret[2];
	uf.rsp = iret[3];
	uf.ss = iret[4];
	ufault_kill(&uf, SIGSEGV, uf.rip,
		    va_canonical(uf.rip) ? "return to ring 3 refused by IRETQ (bad frame)" :
					   "return to a non-canonical address");
}
