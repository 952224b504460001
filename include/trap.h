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

#define NUM_EXCEPTIONS 32
/* Interrupt vectors above the exceptions (drivers/lapic.c programs them). */
#define VEC_TIMER 0x20
#define VEC_SPURIOUS 0xFF
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
 * Give #DF, NMI, #MC and #DB stacks of their own (guarded kernel stacks on
 * IST 1 to 4), so a kernel stack overflow ends in a report, not a triple fault.
 * Needs the kernel address space. Returns 0 or a negative errno.
 */
int trap_init_ist(void);

/*
 * Vectors with an IST stack. #DB too: a single-step trap that fires on the
 * first instruction of syscall_entry would otherwise be pushed onto the
 * user's stack.
 */
#define VEC_DB 1
#define VEC_NMI 2
#define VEC_DF 8
#define VEC_MC 18
#define IST_DF 1
#define IST_NMI 2
#define IST_MC 3
#define IST_DB 4
/* Name of exception vector v ("#PF page fault"). Never NULL. */
const char *trap_name(unsigned v);
/*
 * Called by trap.S for every exception and interrupt. Kernel faults are
 * reported and panic; user faults kill the process (core/proc/ufault.c); the
 * timer preempts ring 3.
 */
void trap_dispatch(struct trap_frame *tf);
/* The CPU's error code of tf in words ("page not present, write access, user mode"). */
void trap_decode_error(const struct trap_frame *tf, char *buf, size_t size);
/*
 * core/proc/ufault.c: an exception in ring 3. Returns when it was a page the
 * process may have (demand paging); otherwise reports it (pid, program,
 * signal, address, RIP, error bits, cause) and kills the process.
 */
void ufault(struct trap_frame *tf);
/*
 * Report a ring-3 fault described by tf (signal sig at addr, cause in words)
 * and kill the current process. Never returns; needs a current process.
 */
void ufault_kill(const struct trap_frame *tf, int sig, uint64_t addr, const char *cause) __attribute__((noreturn));
/*
 * The IRETQ of ret_to_user faulted in ring 0 (kf is that fault's frame): a
 * fault of the process whose return frame it was, which is killed. Never returns.
 */
void ufault_bad_return(const struct trap_frame *kf) __attribute__((noreturn));

/* 1 when the frame was taken from ring 3. */
static inline int tf_from_user(const struct trap_frame *tf)
{
	return (tf->cs & 3) == RPL_USER;
}
#endif

#endif
