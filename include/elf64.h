/* SPDX-License-Identifier: MIT */
/* elf64.h - the ELF-64 structures Atlas reads (System V gABI, x86-64 psABI). */
#ifndef ATLAS_ELF64_H
#define ATLAS_ELF64_H

#include <stdint.h>

#define EI_NIDENT 16
#define EI_CLASS 4
#define EI_DATA 5
#define EI_VERSION 6
#define ELFCLASS64 2
#define ELFDATA2LSB 1
#define EV_CURRENT 1
#define ET_EXEC 2
#define ET_DYN 3
#define EM_X86_64 62

#define PT_NULL 0
#define PT_LOAD 1
#define PT_DYNAMIC 2
#define PT_INTERP 3
#define PT_NOTE 4
#define PT_PHDR 6
#define PT_TLS 7
#define PT_GNU_STACK 0x6474e551

#define PF_X 1
#define PF_W 2
#define PF_R 4

typedef struct {
	unsigned char e_ident[EI_NIDENT];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
} Elf64_Ehdr;

typedef struct {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
} Elf64_Phdr;

/*
 * Atlas's checked summary of an executable (core/proc/elf.c's elf_parse
 * fills it; mm/uvm.c maps it): what a loader needs, every field validated.
 */
#define ELF_MAX_SEGMENTS 16

struct elf_segment {
	uint64_t vaddr;	 /* p_vaddr */
	uint64_t memsz;	 /* p_memsz */
	uint64_t offset; /* p_offset */
	uint64_t filesz; /* p_filesz */
	uint32_t flags;	 /* PF_R | PF_W | PF_X */
};

struct elf_image {
	uint64_t entry;
	uint64_t phdr_vaddr; /* where the program headers are in memory (AT_PHDR), 0 if not loaded */
	uint16_t phnum, phentsize;
	uint64_t lo, hi;    /* page-aligned span of all PT_LOAD segments */
	uint64_t bss_end;   /* end of the highest segment's memsz (unaligned; the heap starts at ALIGN_UP(bss_end,
			       PAGE_SIZE) == hi) */
	int type;	    /* ET_EXEC or ET_DYN (static-PIE) */
	uint64_t load_bias; /* added to every address of an ET_DYN (its base when linked at 0); 0 for ET_EXEC */
	int nseg;
	struct elf_segment seg[ELF_MAX_SEGMENTS];
	/* PT_TLS, for reports: musl sets TLS up itself from AT_PHDR. */
	uint64_t tls_vaddr, tls_memsz;
};

#endif
