/* SPDX-License-Identifier: MIT */
/*
 * userprog.h - the ring-3 programs carried in the kernel image. The table is
 * generated at build time by tools/mkprogs.sh from the ATLAS-* comments of the
 * programs in tests/user/ (format: tests/user/README.md) and linked as
 * build/user/progs.S. tests/user/host_check.py compiles it on the host too.
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

#define USER_NAME_MAX 32
#define USER_EXPECT_EXIT 0
#define USER_EXPECT_SIGNAL 1

/* A compressed blob: an ALZ1 stream and the size it decodes to. */
struct user_lz {
	const uint8_t *lz; /* the stream, in .rodata */
	uint32_t lz_size;  /* its bytes */
	uint32_t size;	   /* bytes it decodes to */
};

struct user_prog {
	const char *name;	   /*  0: file name without .c, e.g. "hello" */
	struct user_lz elf;	   /*  8: the ELF file, compressed against user_progs_dict */
	int expect_kind;	   /* 24: USER_EXPECT_EXIT or USER_EXPECT_SIGNAL */
	int expect_code;	   /* 28: exit status 0..255, or the signal's Linux number (SIGSEGV 11) */
	const char *expect_signal; /* 32: "SIGSEGV", "SIGBUS", "SIGILL", "SIGFPE", "SIGTRAP"; "" for exit */
	const char *expect_cause;  /* 40: the kernel's cause must START with this; "" matches any */
	const char *args;	   /* 48: argv[1..], separated by single spaces; "" for none */
	const char *env;	   /* 56: K=V entries, separated by single spaces; "" for none */
	int instances;		   /* 64: copies run at once (>= 1); when > 1, copy i gets "i" appended to argv */
	int repeat;		   /* 68: runs in sequence (>= 1), each must meet the expectation */
	const char *after;	   /* 72: name of a program that must have finished first; "" for none */
};

_Static_assert(sizeof(struct user_lz) == 16, "struct user_lz is laid out by tools/mkprogs.sh: 16 bytes");
_Static_assert(offsetof(struct user_lz, lz_size) == 8 && offsetof(struct user_lz, size) == 12, "mkprogs.sh layout");
_Static_assert(sizeof(struct user_prog) == 80, "struct user_prog is laid out by tools/mkprogs.sh: 80 bytes");
_Static_assert(offsetof(struct user_prog, elf) == 8, "mkprogs.sh layout");
_Static_assert(offsetof(struct user_prog, expect_kind) == 24, "mkprogs.sh layout");
_Static_assert(offsetof(struct user_prog, expect_signal) == 32, "mkprogs.sh layout");
_Static_assert(offsetof(struct user_prog, instances) == 64, "mkprogs.sh layout");
_Static_assert(offsetof(struct user_prog, after) == 72, "mkprogs.sh layout");

extern const struct user_prog user_progs[];
extern const uint64_t user_progs_count;
/* The preset dictionary every user_progs[i].elf is compressed against (size 0: none). */
extern const struct user_lz user_progs_dict;

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
