/* SPDX-License-Identifier: MIT */
/* percpu.c - GS and the SYSCALL MSRs. One CPU for now: one block. */
#include "percpu.h"

#include "trap.h"
#include "x86.h"

#define MSR_STAR 0xC0000081U
#define MSR_LSTAR 0xC0000082U
#define MSR_SFMASK 0xC0000084U
#define MSR_GS_BASE 0xC0000101U
#define MSR_KERNEL_GS_BASE 0xC0000102U
#define STAR_SYSCALL_CS_SHIFT 32 /* SYSCALL: CS = this, SS = this + 8 */
#define STAR_SYSRET_CS_SHIFT 48	 /* SYSRET (64-bit): CS = this + 16, SS = this + 8 */
#define RFLAGS_TF (1ULL << 8)
#define RFLAGS_DF (1ULL << 10)
#define RFLAGS_AC (1ULL << 18)

struct percpu g_percpu;

extern char syscall_entry[];

void percpu_init(void)
{
	g_percpu.self = &g_percpu;
	wrmsr(MSR_GS_BASE, (uint64_t)&g_percpu);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
	/* GDT order kcode, kdata, udata, ucode: SYSRET finds the user pair at kdata + 8 / + 16. */
	wrmsr(MSR_STAR, ((uint64_t)GDT_KCODE << STAR_SYSCALL_CS_SHIFT) |
				((uint64_t)(GDT_KDATA | RPL_USER) << STAR_SYSRET_CS_SHIFT));
	wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
	wrmsr(MSR_SFMASK, RFLAGS_IF | RFLAGS_DF | RFLAGS_TF | RFLAGS_AC);
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
}
