/* SPDX-License-Identifier: MIT */
/*
 * elf.h - validating and describing static x86-64 ELF executables for ring 3.
 *
 * elf_parse() checks every header field a loader relies on and fills a
 * struct elf_image; nothing is mapped here. A malformed file is rejected with
 * a message naming the field, and never makes the kernel fault: every read is
 * bounds-checked against the file size.
 */
#ifndef ATLAS_ELF_H
#define ATLAS_ELF_H

#include <stddef.h>
#include <stdint.h>

#include "elf64.h"

#define ELF_ERR_MAX 128

/*
 * Validate data[0..size) as a static x86-64 executable for Atlas's user
 * space and describe it in *img. Checks: magic, class (64), data (LSB),
 * version, OS ABI (SYSV/GNU), machine (x86-64), type (ET_EXEC, or ET_DYN
 * with a non-zero load_bias added: an ET_DYN with load_bias 0, which is what
 * the kernel passes, is refused by name; PT_INTERP and PT_DYNAMIC are
 * refused for any type: Atlas applies no relocations),
 * e_ehsize, e_phentsize, program-header table bounds, e_entry inside an
 * executable PT_LOAD, PT_INTERP (dynamic programs are refused), each
 * PT_LOAD: p_filesz <= p_memsz, file range inside the file, p_align a power
 * of two and p_vaddr % p_align == p_offset % p_align, addresses inside
 * [USER_IMAGE_BASE, USER_STACK_TOP - USER_STACK_LIMIT), no overflow, no two
 * segments overlapping (page granularity), at least one PT_LOAD, at most
 * ELF_MAX_SEGMENTS. load_bias is the base for ET_DYN (ignored for ET_EXEC).
 * err may be NULL; on failure *img is zeroed.
 * Returns 0, or -ENOEXEC with err (ELF_ERR_MAX bytes) naming the field and
 * the offending value, e.g. "e_machine is 0x3 (EM_386), expected 0x3e (EM_X86_64)".
 */
int elf_parse(const void *data, size_t size, uint64_t load_bias, struct elf_image *img, char *err);

/*
 * The same, placing an ET_DYN as Linux 6.x places a static-PIE: its page
 * span ends at top (the top of the mmap area) or just below, its first page
 * aligned down to the largest PT_LOAD p_align (at least a page); the bias
 * chosen is img->load_bias. An ET_DYN that does not fit above USER_IMAGE_BASE,
 * or is linked above where it would go, is refused by name. ET_EXEC is
 * parsed as elf_parse() parses it.
 */
int elf_parse_below(const void *data, size_t size, uint64_t top, struct elf_image *img, char *err);

/*
 * elf_parse_below from the file's first avail bytes (head) of size: what
 * exec reads before the segments, which it copies from the file itself.
 * The ELF header and the program header table must lie in the head (a table
 * past it is refused by name: read more and call again).
 */
int elf_parse_head_below(const void *head, size_t avail, size_t size, uint64_t top, struct elf_image *img, char *err);

/* "r-x" style permission string of PF_* flags into buf[4]. Returns buf. */
const char *elf_perm_str(uint32_t pf, char *buf);

#endif
