/* SPDX-License-Identifier: MIT */
/*
 * entry.S - kernel_entry: efi/handoff.S jumps here on Atlas's page tables,
 * on the boot stack (KSTACK_TOP(KSTACK_BOOT_SLOT)), interrupts off, with
 * boot_info's physical address in %rdi and a zero return address pushed.
 */
	.section .text.entry, "ax"
	.globl kernel_entry
	.type kernel_entry, @function
kernel_entry:
	xor	%ebp, %ebp
	/* The kernel's first TSC stamp, as kmain's second argument (%rsi): taken
	   here, kmain starts with a line of its own for debuggers. */
	rdtsc
	shl	$32, %rdx
	or	%rdx, %rax
	mov	%rax, %rsi
	call	kmain
1:	cli
	hlt
	jmp	1b
	.size kernel_entry, . - kernel_entry
