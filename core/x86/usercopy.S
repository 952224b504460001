/* SPDX-License-Identifier: MIT */
/*
 * usercopy.S - the one instruction that touches user memory on the kernel's
 * behalf, and its fixup. If `rep movsb` at uaccess_insn faults and the fault
 * is not a page the process is entitled to (demand paging, stack growth),
 * trap_dispatch resumes at uaccess_fixup, which returns -EFAULT: a bad user
 * pointer never becomes a kernel fault.
 *
 * long uaccess_copy(void *dst, const void *src, size_t n); 0 or -EFAULT
 */
	.text
	.globl uaccess_copy, uaccess_insn, uaccess_fixup
	.type uaccess_copy, @function
uaccess_copy:
	movq	%rdx, %rcx
uaccess_insn:
	rep movsb
	xorl	%eax, %eax
	ret
uaccess_fixup:
	movq	$-14, %rax	/* -EFAULT */
	ret
	.size uaccess_copy, . - uaccess_copy
