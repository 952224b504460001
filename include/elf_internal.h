/* SPDX-License-Identifier: MIT */
/*
 * elf_internal.h - what core/proc/elf.c (program headers, placement, the
 * parse itself) and core/proc/elf_check.c (the ELF header's checks) share:
 * the state of one parse and the way a check refuses. No other file
 * includes it. Built into the kernel and the host tests: no allocation.
 */
#ifndef ATLAS_ELF_INTERNAL_H
#define ATLAS_ELF_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "elf.h"

#define ULL(x) ((unsigned long long)(x))

/* One parse: the untrusted bytes, the copied ELF header and where results and errors go. */
struct elf_parse_ctx {
	const uint8_t *data;
	size_t size;  /* the file's */
	size_t avail; /* bytes of it at data (elf_parse_head: the first ones; else size) */
	Elf64_Ehdr eh;
	uint64_t bias;	   /* added to every address: load_bias for ET_DYN, 0 for ET_EXEC */
	const char *vaddr; /* how messages name a (biased) p_vaddr */
	const char *entry; /* and a (biased) e_entry */
	bool have_phdr;	   /* a PT_PHDR was seen (the first one counts) */
	bool have_tls;	   /* a PT_TLS was seen (the first one counts) */
	struct elf_image *img;
	char *err;
};

/* Clear p's half-filled image and return -ENOEXEC; err was written by the REJECT() that calls this. */
int elf_reject(struct elf_parse_ctx *p, int len);

/* return REJECT(p, fmt, ...): write the one-line reason to p->err (ELF_ERR_MAX bytes) and fail. */
#define REJECT(p, ...) elf_reject((p), ksnprintf((p)->err, ELF_ERR_MAX, __VA_ARGS__))

/*
 * e_ident: magic, class, byte order, version, OS ABI; copies the ELF header
 * into p->eh once the file is long enough. 0, or -ENOEXEC (REJECT).
 */
int elf_check_ident(struct elf_parse_ctx *p);

/*
 * The copied ELF header (after elf_check_ident): version, machine, type,
 * sizes, e_phnum, and that the program header table lies in the file and in
 * the bytes at p->data. 0, or -ENOEXEC (REJECT).
 */
int elf_check_ehdr(struct elf_parse_ctx *p);

#endif
