/* SPDX-License-Identifier: MIT */
/*
 * kernel_blob.S - the kernel ELF (stripped), compressed (ALZ1, docs/lz.md),
 * carried inside atlas.efi; efi/kload.c decodes it. KERNEL_BLOB is the path
 * of the file, passed by the Makefile.
 */
	.section .rodata.kernel_blob, "a"
	.globl atlas_kernel_lz, atlas_kernel_lz_end
atlas_kernel_lz:
	.incbin KERNEL_BLOB
atlas_kernel_lz_end:
