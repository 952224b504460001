/* SPDX-License-Identifier: MIT */
/*
 * trap.h - the trap frame core/x86/trap.S builds, GDT selectors, IDT setup.
 */
#ifndef ATLAS_TRAP_H
#define ATLAS_TRAP_H

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>
#endif

/* GDT layout; the user pair is in the order SYSRET needs (STAR[63:48]+8/+16). */
#define GDT_KCODE 0x08
#define GDT_KDATA 0x10
#define GDT_UDATA 0x18
#define GDT_UCODE 0x20
#define GDT_TSS 0x28
#define RPL_USER 3

#ifndef __ASSEMBLER__
/* What trap.S pushes, lowest address first; the CPU's part starts at rip. */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector;
	uint64_t error; /* the CPU's error code, or 0 */
	uint64_t rip, cs, rflags, rsp, ss;
};
#endif

/* trap.S addresses these fields by offset; keep both in step. */
#define TF_VECTOR 120
#define TF_ERROR 128
#define TF_RIP 136
#define TF_CS 144
#define TF_RFLAGS 152
#define TF_RSP 160
#define TF_SS 168
#define TF_SIZE 176
#ifndef __ASSEMBLER__
_Static_assert(offsetof(struct trap_frame, vector) == TF_VECTOR, "trap.S vector offset");
_Static_assert(offsetof(struct trap_frame, error) == TF_ERROR, "trap.S error offset");
_Static_assert(offsetof(struct trap_frame, rip) == TF_RIP, "trap.S rip offset");
_Static_assert(offsetof(struct trap_frame, cs) == TF_CS, "trap.S cs offset");
_Static_assert(offsetof(struct trap_frame, rflags) == TF_RFLAGS, "trap.S rflags offset");
_Static_assert(offsetof(struct trap_frame, rsp) == TF_RSP, "trap.S rsp offset");
_Static_assert(offsetof(struct trap_frame, ss) == TF_SS, "trap.S ss offset");
_Static_assert(sizeof(struct trap_frame) == TF_SIZE, "trap frame size");
#endif

/* Exception vectors (SDM Vol. 3A 6.15). */
#define NUM_EXCEPTIONS 32
#define VEC_DE 0 /* divide error */
#define VEC_DB 1 /* debug */
#define VEC_NMI 2
#define VEC_BP 3  /* breakpoint (int3) */
#define VEC_OF 4  /* overflow (into) */
#define VEC_BR 5  /* bound range exceeded */
#define VEC_UD 6  /* invalid opcode */
#define VEC_NM 7  /* device not available */
#define VEC_DF 8  /* double fault */
#define VEC_TS 10 /* invalid TSS */
#define VEC_NP 11 /* segment not present */
#define VEC_SS 12 /* stack-segment fault */
#define VEC_GP 13 /* general protection */
#define VEC_PF 14 /* page fault */
#define VEC_MF 16 /* x87 floating-point error */
#define VEC_AC 17 /* alignment check */
#define VEC_MC 18 /* machine check */
#define VEC_XM 19 /* SIMD floating-point error */
/* Interrupt vectors above the exceptions (drivers/lapic.c programs them). */
#define VEC_TIMER 0x20
#define VEC_SPURIOUS 0xFF
#define NUM_VECTORS 256
/* tf->vector of a frame built by syscall_entry: not a real vector. */
#define VEC_SYSCALL 0x100
/*
 * tf->vector of a frame signal delivery or rt_sigreturn rewrote: it must go
 * back through IRETQ (SYSRET would clobber the RCX and R11 it restored).
 */
#define VEC_SIGNAL 0x101

#ifndef __ASSEMBLER__
/* Load Atlas's GDT and TSS and reload every segment register. */
void gdt_init(void);
/* Install the 32 exception gates and load the IDT. */
void idt_init(void);
/* Deliver vector on interrupt stack table entry ist (1..7; 0 = current stack). */
void idt_set_ist(unsigned vector, unsigned ist);
/* Set TSS.IST[n] (n = 1..7) and TSS.RSP0 (the ring-0 stack for ring-3 traps). */
void tss_set_ist(unsigned n, uint64_t top);
void tss_set_rsp0(uint64_t top);
/*
 * Vectors with an IST stack. #DB too: a single-step trap that fires on the
 * first instruction of syscall_entry would otherwise be pushed onto the
 * user's stack.
 */
#define IST_DF 1
#define IST_NMI 2
#define IST_MC 3
#define IST_DB 4
/* Name of exception vector v ("#PF page fault"). Never NULL. */
const char *trap_name(unsigned v);
/*
 * Called by trap.S for every exception and interrupt, and routed by what
 * the layers above registered at boot: an interrupt to its handler; an
 * exception from ring 3 to the user handler (the process's fault); an
 * exception in ring 0 first to the fixups (a user copy that faulted, a
 * firmware call), then, as a kernel bug, to the fatal handler.
 */
void trap_dispatch(struct trap_frame *tf);

typedef void (*trap_fn)(struct trap_frame *tf);
typedef int (*trap_fixup_fn)(struct trap_frame *tf);

/* Interrupt vector (NUM_EXCEPTIONS..NUM_VECTORS-1) goes to fn, which ends it (EOI). */
void trap_set_irq(unsigned vector, trap_fn fn);
/* Exceptions from ring 3 go to fn (core/proc/ufault.c). */
void trap_set_user(trap_fn fn);
/*
 * IRETQ refused the frame of a return to ring 3 (a non-canonical RIP, a bad
 * selector): fn gets that user frame, with the fault's vector and error code,
 * and does not return (core/proc/ufault.c kills the process).
 */
void trap_set_bad_return(trap_fn fn);
/*
 * Offer ring-0 exceptions to fn, after the fixups added before it: fn returns
 * 1 when it dealt with the fault (it may change tf to resume elsewhere) or
 * does not return, 0 when the fault is not its business. Returns 0, or
 * -ENOSPC when TRAP_FIXUPS are taken.
 */
#define TRAP_FIXUPS 4
int trap_add_fixup(trap_fixup_fn fn);
/*
 * What a kernel bug ends in: fn reports it and panics (core/report/kfault.c).
 * Until one is set, a bare panic naming the vector and RIP.
 */
void trap_set_fatal(trap_fn fn);

/* The CPU's error code of tf in words ("page not present, write access, user mode"). */
void trap_decode_error(const struct trap_frame *tf, char *buf, size_t size);

/*
 * core/x86/insn.c: which instruction raised a #GP with no selector, from its
 * first bytes insn[0..n): "privileged instruction" (one that needs CPL 0 or
 * I/O privilege, sysret, sysexit), "null selector loaded into SS" (mov ss,
 * lss) or "non-canonical address" (a memory access).
 */
const char *trap_gp_cause(const uint8_t *insn, size_t n);

/* 1 when the frame was taken from ring 3. */
static inline int tf_from_user(const struct trap_frame *tf)
{
	return (tf->cs & 3) == RPL_USER;
}
#endif

#endif
