/* SPDX-License-Identifier: MIT */
/*
 * trap.h - the trap frame core/trap.S builds, GDT selectors, IDT setup.
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
#define TF_SIZE 176
#ifndef __ASSEMBLER__
_Static_assert(offsetof(struct trap_frame, vector) == TF_VECTOR, "trap.S vector offset");
_Static_assert(offsetof(struct trap_frame, error) == TF_ERROR, "trap.S error offset");
_Static_assert(offsetof(struct trap_frame, rip) == TF_RIP, "trap.S rip offset");
_Static_assert(sizeof(struct trap_frame) == TF_SIZE, "trap frame size");
#endif

#define NUM_EXCEPTIONS 32

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
 * Give #DF, NMI and #MC stacks of their own (guarded kernel stacks on IST 1,
 * 2 and 3), so a kernel stack overflow ends in a report, not a triple fault.
 * Needs the kernel address space. Returns 0 or a negative errno.
 */
int trap_init_ist(void);

/* Vectors with an IST stack. */
#define VEC_NMI 2
#define VEC_DF 8
#define VEC_MC 18
#define IST_DF 1
#define IST_NMI 2
#define IST_MC 3
/* Name of exception vector v ("#PF page fault"). Never NULL. */
const char *trap_name(unsigned v);
/* Called by trap.S for every exception; reports and panics for now. */
void trap_dispatch(struct trap_frame *tf);
#endif

#endif
