/* SPDX-License-Identifier: MIT */
/*
 * handoff.S - atlas_handoff(cr3, entry, stack_top, boot_info_phys)
 *
 * The one step C cannot take: after the CR3 load the next instruction is
 * fetched through Atlas's tables, so this code lives in a page that efi/vm.c
 * maps at its own physical address. It then moves to the kernel's stack and
 * jumps to kernel_entry with boot_info's physical address in %rdi.
 * A zero return address is pushed so that backtraces end here and the
 * kernel sees the SysV stack alignment of a called function.
 */
	.section .text.handoff, "ax"
	.balign 4096
	.globl atlas_handoff
	.type atlas_handoff, @function
atlas_handoff:
	cli
	mov	%rdi, %cr3
	mov	%rdx, %rsp
	mov	%rcx, %rdi
	xor	%ebp, %ebp
	pushq	$0
	jmp	*%rsi
	.size atlas_handoff, . - atlas_handoff
	.balign 4096
