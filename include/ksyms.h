/* SPDX-License-Identifier: MIT */
/*
 * ksyms.h - the kernel's own symbol table, for backtraces and fault reports.
 * Generated at build time from the linked kernel (tools/gensyms.sh, a
 * two-pass link: function addresses do not move between the passes).
 */
#ifndef ATLAS_KSYMS_H
#define ATLAS_KSYMS_H

#include <stddef.h>
#include <stdint.h>

#define KSYM_NAME_MAX 64

/* The generated table (build/ksyms.S): ksyms_count function addresses, sorted, and their names. */
extern const uint64_t ksyms_count;
extern const uint64_t ksyms_addr[];
extern const char *const ksyms_name[];

/*
 * The function containing addr: returns its name and sets *offset, or NULL
 * when addr is outside the kernel's text.
 */
const char *ksym_lookup(uint64_t addr, uint64_t *offset);

/* "name+0x1c" or "0x..." into buf; returns buf. */
const char *ksym_format(uint64_t addr, char *buf, size_t size);

/* Address of the function called name, or 0. */
uint64_t ksym_address(const char *name);

#endif
