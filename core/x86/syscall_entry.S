/* SPDX-License-Identifier: MIT */
/*
 * syscall_entry.S - ring 3 -> ring 0 through SYSCALL, and every way back.
 *
 * syscall_entry builds the same struct trap_frame an exception would (CPU
 * part from RCX/R11/the saved RSP, vector VEC_SYSCALL), so that the
 * scheduler and the fault code see one kind of saved user state.
 *
 * ret_to_user returns to ring 3 from a frame on the kernel stack:
 *   - frames built by syscall_entry whose RIP is a user-half canonical
 *     address leave through SYSRET (RCX/R11 are clobbered, as SYSCALL's
 *     contract allows);
 *   - everything else leaves through IRETQ: SYSRET with a non-canonical RCX
 *     would #GP in ring 0 on Intel CPUs with the user's RSP loaded.
 */
#include "percpu.h"
#include "entry_macros.inc"
#include "trap.h"

	.text
	.globl syscall_entry
	.type syscall_entry, @function
syscall_entry:
	swapgs
	movq	%rsp, %gs:PERCPU_USER_RSP
	movq	%gs:PERCPU_KSTACK_TOP, %rsp
	pushq	$(GDT_UDATA | RPL_USER)		/* ss */
	pushq	%gs:PERCPU_USER_RSP		/* rsp */
	pushq	%r11				/* rflags */
	pushq	$(GDT_UCODE | RPL_USER)		/* cs */
	pushq	%rcx				/* rip */
	pushq	$0				/* error */
	pushq	$VEC_SYSCALL			/* vector */
	PUSH_GPRS
	xorl	%ebp, %ebp		/* backtraces end here */
	movq	%rsp, %rdi
	call	syscall_dispatch	/* it ends with exit_to_user's work, when there is any */
	jmp	.Lexit_done
	.size syscall_entry, . - syscall_entry

/*
 * %rsp points at a struct trap_frame whose cs is a ring-3 selector. Every
 * way back to ring 3 passes exit_to_user (core/proc), which delivers signals
 * and may rewrite the frame (a handler, a restarted call) or never return;
 * a system call does so inside syscall_dispatch, only when a signal, a
 * restart or a mask to restore is pending, and joins at .Lexit_done.
 */
	.globl ret_to_user
	.type ret_to_user, @function
ret_to_user:
	movq	%rsp, %rdi
	call	exit_to_user
.Lexit_done:
	cmpq	$VEC_SYSCALL, TF_VECTOR(%rsp)
	jne	.Liret
	movq	TF_RIP(%rsp), %rcx
	shrq	$47, %rcx		/* user-half canonical: bits 63..47 all clear */
	jnz	.Liret
	POP_GPRS
	addq	$(TF_RIP - TF_VECTOR), %rsp	/* now at rip */
	movq	0(%rsp), %rcx			/* rip */
	movq	(TF_RFLAGS - TF_RIP)(%rsp), %r11
	movq	(TF_RSP - TF_RIP)(%rsp), %rsp
	swapgs
	sysretq
.Liret:
	POP_GPRS
	addq	$(TF_RIP - TF_VECTOR), %rsp
	swapgs
/*
 * IRETQ checks the frame before it leaves ring 0: a non-canonical RIP or a
 * bad selector raises #GP here, with the user's GS already swapped in.
 * trap_common recognises this address, swaps GS back, and trap_dispatch
 * treats it as a fault of the process (ret_to_user_iret_fault).
 */
	.globl ret_to_user_iret
ret_to_user_iret:
	iretq
	.size ret_to_user, . - ret_to_user

/*
 * switch_context(&prev->ksp, next->ksp): save the callee-saved registers and
 * RFLAGS on the current kernel stack, store RSP in *prev, load next's RSP,
 * restore its registers and flags and return into whatever next was doing
 * (or, for a new process, into proc_first_entry). RFLAGS travels with the
 * thread, so a flag one thread left set (DF, AC, IF) is never seen by
 * kernel code running for another.
 */
	.globl switch_context
	.type switch_context, @function
switch_context:
	pushq	%rbp
	pushq	%rbx
	pushq	%r12
	pushq	%r13
	pushq	%r14
	pushq	%r15
	pushfq
	movq	%rsp, (%rdi)
	movq	%rsi, %rsp
	popfq
	popq	%r15
	popq	%r14
	popq	%r13
	popq	%r12
	popq	%rbx
	popq	%rbp
	ret
	.size switch_context, . - switch_context

/* A new process's first switch returns here, with %rsp at its user frame. */
	.globl proc_first_entry
	.type proc_first_entry, @function
proc_first_entry:
	jmp	ret_to_user
	.size proc_first_entry, . - proc_first_entry
