/* SPDX-License-Identifier: MIT */
/*
 * entry.h - the assembly of core/x86 (entry.S, trap.S, syscall_entry.S,
 * usercopy.S), for the C that installs, calls or recognises it.
 */
#ifndef ATLAS_ENTRY_H
#define ATLAS_ENTRY_H

#include <stddef.h>
#include <stdint.h>

#include "trap.h"

/* trap.S: the 32 exception stubs, in vector order, and the two interrupt stubs idt.c installs. */
extern const uint64_t trap_stubs[NUM_EXCEPTIONS];
extern const char trap_stub_timer[], trap_stub_spurious[];

/* syscall_entry.S: where SYSCALL enters (MSR_LSTAR); it calls syscall_dispatch (core/proc). */
extern const char syscall_entry[];

/* syscall_entry.S: the IRETQ of the return to ring 3, which faults on a frame it refuses. */
extern const char ret_to_user_iret[];

/*
 * syscall_entry.S: switch kernel stacks. Saves the callee-saved registers and
 * RFLAGS, stores RSP in *prev_ksp, loads next_ksp and returns into whatever
 * that thread was doing. A new thread's stack returns into proc_first_entry,
 * which leaves for ring 3 through the trap frame above it.
 */
void switch_context(uint64_t *prev_ksp, uint64_t next_ksp);
extern const char proc_first_entry[];

/*
 * usercopy.S: copy n bytes, 64 a step in the loop [uaccess_loop,
 * uaccess_loop_end), then with `rep movsq` at uaccess_insn and the last n % 8
 * with `rep movsb` at uaccess_insn_tail; a fault at any of them that nobody
 * fixes resumes at uaccess_fixup, which returns -EFAULT. Returns 0 or
 * -EFAULT. Only mm/uaccess.c calls it, with the range checked.
 */
long uaccess_copy(void *dst, const void *src, size_t n);
extern const char uaccess_loop[], uaccess_loop_end[], uaccess_insn[], uaccess_insn_tail[], uaccess_fixup[];

/* 1 when rip is one of usercopy.S's instructions that access user memory. */
static inline int uaccess_rip(uint64_t rip)
{
	return (rip >= (uint64_t)uaccess_loop && rip < (uint64_t)uaccess_loop_end) || rip == (uint64_t)uaccess_insn ||
	       rip == (uint64_t)uaccess_insn_tail;
}

#endif
