/* SPDX-License-Identifier: MIT */
/*
 * usercopy.S - the two instructions that touch user memory on the kernel's
 * behalf, and their fixup. If `rep movsq` at uaccess_insn or the `rep movsb`
 * of the tail at uaccess_insn_tail faults and the fault is not a page the
 * process is entitled to (demand paging, stack growth), trap_dispatch
 * resumes at uaccess_fixup, which returns -EFAULT: a bad user pointer never
 * becomes a kernel fault. A fault that is settled resumes the instruction,
 * which carries on from where it stopped (RSI, RDI and RCX say where).
 *
 * Eight bytes a step, then the last n % 8: without ERMS (QEMU's default CPU
 * model has none) `rep movsb` is a byte loop, and under TCG each step is a
 * helper call, so a 4 KiB read cost 2.5 times what Linux's copy takes.
 *
 * long uaccess_copy(void *dst, const void *src, size_t n); 0 or -EFAULT
 */
	.text
	.globl uaccess_copy, uaccess_insn, uaccess_insn_tail, uaccess_fixup
	.type uaccess_copy, @function
uaccess_copy:
	movq	%rdx, %rcx
	shrq	$3, %rcx
uaccess_insn:
	rep movsq
	movq	%rdx, %rcx
	andq	$7, %rcx
uaccess_insn_tail:
	rep movsb
	xorl	%eax, %eax
	ret
uaccess_fixup:
	movq	$-14, %rax	/* -EFAULT */
	ret
	.size uaccess_copy, . - uaccess_copy
