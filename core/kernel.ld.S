/* SPDX-License-Identifier: MIT */
/*
 * kernel.ld.S - the kernel's link map (run through cpp with LINKER_SCRIPT).
 * Linked at KERNEL_BASE from include/memlayout.h; every section 4 KiB
 * aligned so efi/ and mm/ can give each its own permissions; one PT_LOAD
 * per permission set; a symbol for each section's bounds.
 */
#include "memlayout.h"

OUTPUT_FORMAT("elf64-x86-64")
OUTPUT_ARCH(i386:x86-64)
ENTRY(kernel_entry)

PHDRS
{
	text PT_LOAD FLAGS(5);   /* R X */
	rodata PT_LOAD FLAGS(4); /* R   */
	data PT_LOAD FLAGS(6);   /* R W */
}

SECTIONS
{
	. = KERNEL_BASE;
	__kernel_start = .;

	.text : ALIGN(4096) {
		__text_start = .;
		*(.text.entry)
		*(.text .text.*)
		. = ALIGN(4096);
		__text_end = .;
	} :text

	.rodata : ALIGN(4096) {
		__rodata_start = .;
		*(.rodata .rodata.*)
		. = ALIGN(4096);
		__rodata_end = .;
	} :rodata

	.data : ALIGN(4096) {
		__data_start = .;
		*(.data .data.*)
		. = ALIGN(4096);
		__data_end = .;
	} :data

	.bss : ALIGN(4096) {
		__bss_start = .;
		*(.bss .bss.*)
		*(COMMON)
		. = ALIGN(4096);
		__bss_end = .;
	} :data

	__kernel_end = .;
	ASSERT(__kernel_end - __kernel_start <= KERNEL_IMAGE_MAX, "kernel image larger than KERNEL_IMAGE_MAX")

	/DISCARD/ : {
		*(.comment) *(.note .note.*) *(.eh_frame .eh_frame_hdr) *(.interp) *(.dynamic)
	}
}
