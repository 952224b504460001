/* SPDX-License-Identifier: MIT */
/*
 * percpu.h - the per-CPU block, reached through GS in ring 0.
 *
 * SYSCALL does not switch stacks, so syscall_entry needs one scratch slot
 * (the user RSP) and the current thread's kernel stack top before it can
 * touch memory: both live here. In ring 3, GS belongs to the user (0); the
 * kernel's block waits in IA32_KERNEL_GS_BASE, and swapgs exchanges them on
 * every crossing.
 */
#ifndef ATLAS_PERCPU_H
#define ATLAS_PERCPU_H

#define PERCPU_SELF 0
#define PERCPU_USER_RSP 8
#define PERCPU_KSTACK_TOP 16

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

struct thread;

struct percpu {
	struct percpu *self;
	uint64_t user_rsp;   /* syscall_entry's scratch */
	uint64_t kstack_top; /* the current thread's kernel stack top */
	struct thread *cur;  /* the thread running (or last run) on this CPU */
};

_Static_assert(offsetof(struct percpu, self) == PERCPU_SELF, "percpu self offset");
_Static_assert(offsetof(struct percpu, user_rsp) == PERCPU_USER_RSP, "percpu user_rsp offset");
_Static_assert(offsetof(struct percpu, kstack_top) == PERCPU_KSTACK_TOP, "percpu kstack_top offset");

extern struct percpu g_percpu;

/*
 * Point GS at the per-CPU block and program SYSCALL/SYSRET: EFER.SCE, STAR
 * (kernel CS/SS and the user pair base), LSTAR (syscall_entry), SFMASK
 * (every user-settable flag cleared on entry). Needs the GDT loaded.
 */
void percpu_init(void);
#endif

#endif
