/* SPDX-License-Identifier: MIT */
/*
 * kernel_blob.S - the kernel ELF (stripped) carried inside atlas.efi.
 * KERNEL_BLOB is the path of the file, passed by the Makefile.
 */
	.section .rodata.kernel_blob, "a"
	.balign 4096
	.globl atlas_kernel_elf, atlas_kernel_elf_end
atlas_kernel_elf:
	.incbin KERNEL_BLOB
atlas_kernel_elf_end:
