/* SPDX-License-Identifier: MIT */
/*
 * userprog.h - the ring-3 test programs: the suite file (include/suitefile.h,
 * \atlas\suite.bin beside the image) efi/ loaded, generated at build time by
 * tools/mkprogs.sh from the ATLAS-* comments of the programs in tests/user/
 * (format: tests/user/README.md).
 *
 * The ELF files ride compressed (include/lz.h), each on its own against one
 * shared preset dictionary, user_progs_dict, which is itself compressed
 * (against nothing): running one program decodes the dictionary and that
 * program only (core/selftest/userprog.c).
 */
#ifndef ATLAS_USERPROG_H
#define ATLAS_USERPROG_H

#include <stddef.h>
#include <stdint.h>

#include "suitefile.h"

/* The table, filled by userprog_load(): empty when the suite file is missing or bad. */
extern const struct user_prog *user_progs;
extern uint64_t user_progs_count;
/* The preset dictionary every user_progs[i].elf is compressed against (size 0: none). */
extern struct user_lz user_progs_dict;

/*
 * Read the suite file efi/ loaded (g_boot->suite_*) and fill the table above
 * (kmalloc'd once, kept for the boot). A missing, truncated or corrupt file
 * is one warning line and {"rec":"warning"} record naming the file and the
 * reason, and leaves the table empty. Returns 0 or a negative errno; call once,
 * after the heap is up, before anything reads the table.
 */
int userprog_load(void);

/* Why the table is empty ("" when it was loaded), e.g. "\atlas\suite.bin: not on the boot volume". */
const char *userprog_missing(void);

/*
 * Decode user_progs_dict into kernel memory. Returns a kmalloc'd buffer of
 * user_progs_dict.size bytes, which the caller kfree()s, or NULL with a
 * message in err (err_size bytes) when memory is short or the stream is
 * malformed.
 */
uint8_t *userprog_dict(char *err, size_t err_size);

/*
 * Decode up's ELF file into kernel memory, against dict (from
 * userprog_dict(); NULL decodes the dictionary here and frees it again).
 * Returns a kmalloc'd buffer of up->elf.size bytes, which the caller
 * kfree()s once the process is spawned (proc_spawn copies the file), or
 * NULL with err naming the program and the reason.
 */
uint8_t *userprog_unpack(const struct user_prog *up, const uint8_t *dict, char *err, size_t err_size);

#endif
