/* SPDX-License-Identifier: MIT */
/*
 * trap.S - exception and interrupt entry stubs. Each stub makes the frame
 * uniform (a zero error code where the CPU pushes none, then the vector),
 * swaps GS when the trap came from ring 3, saves the general registers into
 * a struct trap_frame and calls trap_dispatch(frame). The CPU aligns %rsp to
 * 16 before pushing its part, and 22 quadwords follow, so %rsp is 16-byte
 * aligned at the call. Traps from ring 3 go back through ret_to_user.
 */
#include "entry_macros.inc"
#include "trap.h"

.macro STUB_NOERR n
	.globl trap_stub_\n
trap_stub_\n:
	pushq	$0
	pushq	$\n
	jmp	trap_common
.endm

.macro STUB_ERR n
	.globl trap_stub_\n
trap_stub_\n:
	pushq	$\n
	jmp	trap_common
.endm

	.text
STUB_NOERR 0
STUB_NOERR 1
STUB_NOERR 2
STUB_NOERR 3
STUB_NOERR 4
STUB_NOERR 5
STUB_NOERR 6
STUB_NOERR 7
STUB_ERR   8
STUB_NOERR 9
STUB_ERR   10
STUB_ERR   11
STUB_ERR   12
STUB_ERR   13
STUB_ERR   14
STUB_NOERR 15
STUB_NOERR 16
STUB_ERR   17
STUB_NOERR 18
STUB_NOERR 19
STUB_NOERR 20
STUB_ERR   21
STUB_NOERR 22
STUB_NOERR 23
STUB_NOERR 24
STUB_NOERR 25
STUB_NOERR 26
STUB_NOERR 27
STUB_NOERR 28
STUB_ERR   29
STUB_ERR   30
STUB_NOERR 31
STUB_NOERR 32	/* VEC_TIMER */
STUB_NOERR 255	/* VEC_SPURIOUS */

trap_common:
	testb	$3, (TF_CS - TF_VECTOR)(%rsp)
	jnz	1f
	/* From ring 0: only the IRETQ of ret_to_user runs there with the user's GS. */
	pushq	%rax
	leaq	ret_to_user_iret(%rip), %rax
	cmpq	%rax, (8 + TF_RIP - TF_VECTOR)(%rsp)
	popq	%rax
	jne	2f
1:
	swapgs
2:
	PUSH_GPRS
	/*
	 * The kernel's flags, whatever was interrupted: RFLAGS_RESERVED1 only.
	 * The CPU already cleared IF, TF and NT for the gate, but not AC (which
	 * would open SMAP) nor DF.
	 */
	pushq	$2
	popfq
	mov	%rsp, %rdi
	call	trap_dispatch
	testb	$3, TF_CS(%rsp)
	jnz	ret_to_user
	POP_GPRS
	add	$(TF_RIP - TF_VECTOR), %rsp
	/* Back to ret_to_user's IRETQ (an NMI landed on it): the user's GS again. */
	pushq	%rax
	leaq	ret_to_user_iret(%rip), %rax
	cmpq	%rax, 8(%rsp)
	popq	%rax
	jne	3f
	swapgs
3:
	iretq

	.section .rodata
	.balign 8
	.globl trap_stubs
trap_stubs:
	.irp n, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad trap_stub_\n
	.endr
	.globl trap_stub_timer, trap_stub_spurious
	.set trap_stub_timer, trap_stub_32
	.set trap_stub_spurious, trap_stub_255
