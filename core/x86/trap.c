/* SPDX-License-Identifier: MIT */
/*
 * trap.c - where every exception and interrupt goes. trap.S saves the
 * registers and calls trap_dispatch, which routes the frame by what the
 * layers above registered at boot (include/trap.h): the timer interrupt to
 * the scheduler, a ring-3 exception to the process's fault handler, a ring-0
 * exception first to the fixups (a user copy that faulted, a firmware call
 * in progress) and otherwise, as a kernel bug, to the fatal handler: the
 * exception report of core/report/kfault.c, then panic.
 */
#include "trap.h"

#include "entry.h"
#include "kernel.h"
#include "kerrno.h"
#include "kstring.h"
#include "panic.h"
#include "x86.h"

static const char *const names[NUM_EXCEPTIONS] = {
	"#DE divide error",
	"#DB debug",
	"NMI",
	"#BP breakpoint",
	"#OF overflow",
	"#BR bound range exceeded",
	"#UD invalid opcode",
	"#NM device not available",
	"#DF double fault",
	"coprocessor segment overrun",
	"#TS invalid TSS",
	"#NP segment not present",
	"#SS stack-segment fault",
	"#GP general protection",
	"#PF page fault",
	"reserved (15)",
	"#MF x87 floating-point error",
	"#AC alignment check",
	"#MC machine check",
	"#XM SIMD floating-point error",
	"#VE virtualization exception",
	"#CP control protection",
	"reserved (22)",
	"reserved (23)",
	"reserved (24)",
	"reserved (25)",
	"reserved (26)",
	"reserved (27)",
	"#HV hypervisor injection",
	"#VC VMM communication",
	"#SX security exception",
	"reserved (31)",
};

/* Selector error code bits (SDM Vol. 3A 6.13). */
#define SEL_EXT (1U << 0)
#define SEL_IDT (1U << 1)
#define SEL_TI (1U << 2)
#define SEL_INDEX_SHIFT 3

static trap_fn irq[NUM_VECTORS - NUM_EXCEPTIONS];
static trap_fn user_fn, bad_return_fn, fatal_fn;
static trap_fixup_fn fixups[TRAP_FIXUPS];
static size_t nfixups;

const char *trap_name(unsigned v)
{
	if (v == VEC_SYSCALL)
		return "SYSCALL";
	return v < NUM_EXCEPTIONS ? names[v] : "interrupt";
}

void trap_set_irq(unsigned vector, trap_fn fn)
{
	if (vector >= NUM_EXCEPTIONS && vector < NUM_VECTORS)
		irq[vector - NUM_EXCEPTIONS] = fn;
}

void trap_set_user(trap_fn fn)
{
	user_fn = fn;
}

void trap_set_bad_return(trap_fn fn)
{
	bad_return_fn = fn;
}

int trap_add_fixup(trap_fixup_fn fn)
{
	if (nfixups == TRAP_FIXUPS)
		return -ENOSPC;
	fixups[nfixups++] = fn;
	return 0;
}

void trap_set_fatal(trap_fn fn)
{
	fatal_fn = fn;
}

void trap_decode_error(const struct trap_frame *tf, char *buf, size_t size)
{
	unsigned e = (unsigned)tf->error;

	switch (tf->vector) {
	case VEC_PF:
		ksnprintf(buf, size, "%s, %s access, %s mode%s%s%s%s",
			  e & PFERR_P ? "protection violation" : "page not present",
			  e & PFERR_I ? "instruction fetch" :
			  e & PFERR_W ? "write" :
					"read",
			  e & PFERR_U ? "user" : "supervisor", e & PFERR_RSVD ? ", reserved bit set in an entry" : "",
			  e & PFERR_PK ? ", protection key" : "", e & PFERR_SS ? ", shadow stack" : "", "");
		break;
	case VEC_TS:
	case VEC_NP:
	case VEC_SS:
	case VEC_GP:
	case VEC_AC:
		if (!e) {
			kstrlcpy(buf,
				 tf->vector == VEC_GP ? "no selector (e.g. a non-canonical address)" : "no selector",
				 size);
			break;
		}
		ksnprintf(buf, size, "selector index %u in the %s%s", e >> SEL_INDEX_SHIFT,
			  e & SEL_IDT ? "IDT" :
			  e & SEL_TI  ? "LDT" :
					"GDT",
			  e & SEL_EXT ? ", external event" : "");
		break;
	default:
		kstrlcpy(buf, tf->error ? "see the SDM for this vector" : "none", size);
	}
}

/*
 * IRETQ faulted in ring 0 on the way back to ring 3. Its own frame (the
 * user's rip, cs, rflags, rsp, ss) is at kf->rsp: that is the frame of the
 * process whose return it was, and the fault is its.
 */
static void bad_return(const struct trap_frame *kf)
{
	const uint64_t *iret = (const uint64_t *)(uintptr_t)kf->rsp;
	struct trap_frame uf;

	memset(&uf, 0, sizeof(uf));
	uf.vector = kf->vector;
	uf.error = kf->error;
	uf.rip = iret[0];
	uf.cs = iret[1];
	uf.rflags = iret[2];
	uf.rsp = iret[3];
	uf.ss = iret[4];
	bad_return_fn(&uf);
}

void trap_dispatch(struct trap_frame *tf)
{
	if (tf->vector >= NUM_EXCEPTIONS) {
		trap_fn fn = tf->vector < NUM_VECTORS ? irq[tf->vector - NUM_EXCEPTIONS] : NULL;

		/* Spurious: nothing to do, and no EOI. */
		if (fn)
			fn(tf);
		return;
	}
	if (tf_from_user(tf) && user_fn) {
		user_fn(tf);
		return;
	}
	if (tf->rip == (uint64_t)ret_to_user_iret && tf->vector != VEC_NMI && tf->vector != VEC_MC && bad_return_fn)
		bad_return(tf);
	/*
	 * A single-step trap in ring 0: TF leaked in from ring 3 (the kernel
	 * never sets it). Stop stepping and go on.
	 */
	if (tf->vector == VEC_DB && !tf_from_user(tf)) {
		tf->rflags &= ~RFLAGS_TF;
		return;
	}
	for (size_t i = 0; i < nfixups; i++)
		if (fixups[i](tf))
			return;
	if (fatal_fn)
		fatal_fn(tf);
	panic("trap: %s at 0x%llx (error 0x%llx)", trap_name((unsigned)tf->vector), (unsigned long long)tf->rip,
	      (unsigned long long)tf->error);
}
