/* SPDX-License-Identifier: MIT */
/*
 * trap.c - what happens when the CPU raises an exception in the kernel:
 * a report with everything needed to find the cause, then panic.
 */
#include "kernel.h"
#include "trap.h"
#include "x86.h"

static const char *const names[NUM_EXCEPTIONS] = {
	"#DE divide error",	   "#DB debug",		     "NMI",
	"#BP breakpoint",	   "#OF overflow",	     "#BR bound range",
	"#UD invalid opcode",	   "#NM device not available", "#DF double fault",
	"coprocessor overrun",	   "#TS invalid TSS",	     "#NP segment not present",
	"#SS stack fault",	   "#GP general protection", "#PF page fault",
	"reserved (15)",	   "#MF x87 error",	     "#AC alignment check",
	"#MC machine check",	   "#XM SIMD error",	     "#VE virtualization",
	"#CP control protection", "reserved (22)",	     "reserved (23)",
	"reserved (24)",	   "reserved (25)",	     "reserved (26)",
	"reserved (27)",	   "#HV hypervisor injection", "#VC VMM communication",
	"#SX security",		   "reserved (31)",
};

/* #PF error code bits (SDM Vol. 3A 4.7). */
#define PF_P (1U << 0)
#define PF_W (1U << 1)
#define PF_U (1U << 2)
#define PF_RSVD (1U << 3)
#define PF_I (1U << 4)
#define PF_PK (1U << 5)

const char *trap_name(unsigned v)
{
	return v < NUM_EXCEPTIONS ? names[v] : "interrupt";
}

void trap_dispatch(struct trap_frame *tf)
{
	kprintf("\n*** exception %llu: %s, error 0x%llx\n", (unsigned long long)tf->vector, trap_name(tf->vector),
		(unsigned long long)tf->error);
	if (tf->vector == 14) {
		unsigned e = (unsigned)tf->error;
		kprintf("    CR2 0x%016llx: %s, %s, %s%s%s%s\n", (unsigned long long)read_cr2(),
			e & PF_P ? "protection violation" : "page not present", e & PF_W ? "write" : "read",
			e & PF_U ? "user" : "kernel", e & PF_I ? ", instruction fetch" : "",
			e & PF_RSVD ? ", reserved bit set" : "", e & PF_PK ? ", protection key" : "");
	}
	kprintf("    RIP %04llx:%016llx  RSP %04llx:%016llx  RFLAGS %016llx  CR3 %016llx\n",
		(unsigned long long)tf->cs, (unsigned long long)tf->rip, (unsigned long long)tf->ss,
		(unsigned long long)tf->rsp, (unsigned long long)tf->rflags, (unsigned long long)read_cr3());
	kprintf("    RAX %016llx RBX %016llx RCX %016llx RDX %016llx\n", (unsigned long long)tf->rax,
		(unsigned long long)tf->rbx, (unsigned long long)tf->rcx, (unsigned long long)tf->rdx);
	kprintf("    RSI %016llx RDI %016llx RBP %016llx R8  %016llx\n", (unsigned long long)tf->rsi,
		(unsigned long long)tf->rdi, (unsigned long long)tf->rbp, (unsigned long long)tf->r8);
	kprintf("    R9  %016llx R10 %016llx R11 %016llx R12 %016llx\n", (unsigned long long)tf->r9,
		(unsigned long long)tf->r10, (unsigned long long)tf->r11, (unsigned long long)tf->r12);
	kprintf("    R13 %016llx R14 %016llx R15 %016llx\n", (unsigned long long)tf->r13,
		(unsigned long long)tf->r14, (unsigned long long)tf->r15);
	panic("trap: unhandled %s at 0x%llx", trap_name(tf->vector), (unsigned long long)tf->rip);
}
