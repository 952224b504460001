/* SPDX-License-Identifier: MIT */
/* percpu.c - GS and the SYSCALL MSRs. One CPU for now: one block. */
#include "percpu.h"

#include "entry.h"
#include "trap.h"
#include "x86.h"

/*
 * Every flag ring 3 can set is cleared on SYSCALL, as Linux does: the kernel
 * must not run with the user's NT (IRETQ with NT set raises #GP in ring 0),
 * AC (it would open SMAP), TF (single-stepping the kernel), DF (string
 * instructions backwards), IF (the kernel runs with interrupts off) or the
 * arithmetic flags. The user's RFLAGS is in R11 and comes back on return.
 */
#define SYSCALL_RFLAGS_MASK                                                                                          \
	(RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | RFLAGS_TF | RFLAGS_IF | RFLAGS_DF | RFLAGS_OF | \
	 RFLAGS_IOPL | RFLAGS_NT | RFLAGS_RF | RFLAGS_AC | RFLAGS_ID)

struct percpu g_percpu;

void percpu_init(void)
{
	g_percpu.self = &g_percpu;
	wrmsr(MSR_GS_BASE, (uint64_t)&g_percpu);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
	/* GDT order kcode, kdata, udata, ucode: SYSRET finds the user pair at kdata + 8 / + 16. */
	wrmsr(MSR_STAR, ((uint64_t)GDT_KCODE << STAR_SYSCALL_CS_SHIFT) |
				((uint64_t)(GDT_KDATA | RPL_USER) << STAR_SYSRET_CS_SHIFT));
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	wrmsr(MSR_SFMASK, SYSCALL_RFLAGS_MASK);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
}
