/* SPDX-License-Identifier: MIT */
/*
 * suitefile.h - the ring-3 test suite as a file beside the image
 * (BOOT_SUITE_PATH, \atlas\suite.bin on the ESP), the way the initramfs
 * travels: tools/mkprogs.sh writes it, efi/suite.c reads it into loader
 * memory before ExitBootServices, and the kernel reads the table through the
 * direct map (core/selftest/userprog.c). Format (docs/lz.md, "The suite
 * file"), all little-endian, offsets from the start of the file:
 *
 *   struct suite_header            64 bytes
 *   struct suite_entry[count]      56 bytes each, at entries_off
 *   strings                        NUL-terminated, at strings_off; the last byte is NUL
 *   dictionary, then one ALZ1 stream per program (include/lz.h)
 *
 * checksum is FNV-1a (32 bits) over the whole file but the checksum's own 4
 * bytes (offsets [0, 48) then [52, file_size)); reserved fields are 0.
 */
#ifndef ATLAS_SUITEFILE_H
#define ATLAS_SUITEFILE_H

#include <stddef.h>
#include <stdint.h>

#define SUITE_MAGIC "ATLSUITE"
#define SUITE_VERSION 1
#define SUITE_HEADER_SIZE 64
#define SUITE_ENTRY_SIZE 56
#define SUITE_PROGS_MAX 1024
#define SUITE_ERR_MAX 120
#define SUITE_SUM_OFF 48
#define SUITE_FNV_OFFSET 0x811c9dc5u
#define SUITE_FNV_PRIME 0x01000193u

struct suite_header {
	char magic[8];	    /*  0: SUITE_MAGIC, no NUL */
	uint32_t version;   /*  8: SUITE_VERSION */
	uint32_t count;	    /* 12: programs */
	uint64_t file_size; /* 16: bytes of the whole file */
	uint32_t entries_off;
	uint32_t strings_off, strings_size;
	uint32_t dict_off, dict_lz_size, dict_size; /* the preset dictionary, compressed (against nothing) */
	uint32_t checksum;			    /* 48 */
	uint32_t reserved[3];			    /* 0 */
};

/* String fields are offsets into the strings; 0 is the empty string's. */
struct suite_entry {
	uint32_t name;
	uint32_t lz_off, lz_size, size; /* the ELF file: its stream (against the dictionary), the bytes it decodes to */
	uint32_t expect_kind;		/* USER_EXPECT_EXIT (0) or USER_EXPECT_SIGNAL (1) */
	uint32_t expect_code;
	uint32_t expect_signal, expect_cause, args, env;
	uint32_t instances, repeat;
	uint32_t after;
	uint32_t reserved;
};

_Static_assert(sizeof(struct suite_header) == SUITE_HEADER_SIZE, "suite file header: 64 bytes (tools/mkprogs.sh)");
_Static_assert(offsetof(struct suite_header, checksum) == 48, "suite file header layout (tools/mkprogs.sh)");
_Static_assert(sizeof(struct suite_entry) == SUITE_ENTRY_SIZE, "suite file entry: 56 bytes (tools/mkprogs.sh)");

/* The table as the kernel uses it: pointers into the loaded file (strings never NULL). */
#define USER_NAME_MAX 32
#define USER_EXPECT_EXIT 0
#define USER_EXPECT_SIGNAL 1
#define USER_INSTANCES_MAX 8
#define USER_REPEAT_MAX 10000

/* A compressed blob: an ALZ1 stream and the size it decodes to. */
struct user_lz {
	const uint8_t *lz; /* the stream */
	uint32_t lz_size;  /* its bytes */
	uint32_t size;	   /* bytes it decodes to */
};

struct user_prog {
	const char *name;	   /* file name without .c, e.g. "hello" (shorter than USER_NAME_MAX) */
	struct user_lz elf;	   /* the ELF file, compressed against the suite's dictionary */
	int expect_kind;	   /* USER_EXPECT_EXIT or USER_EXPECT_SIGNAL */
	int expect_code;	   /* exit status 0..255, or the signal's Linux number (SIGSEGV 11) */
	const char *expect_signal; /* "SIGSEGV", "SIGBUS", "SIGILL", "SIGFPE", "SIGTRAP"; "" for exit */
	const char *expect_cause;  /* the kernel's cause must START with this; "" matches any */
	const char *args;	   /* argv[1..], separated by single spaces; "" for none */
	const char *env;	   /* K=V entries, separated by single spaces; "" for none */
	int instances;		   /* copies run at once (1..8); when > 1, copy i gets "i" appended to argv */
	int repeat;		   /* runs in sequence (>= 1), each must meet the expectation */
	const char *after;	   /* name of a program that must have finished first; "" for none */
};

/*
 * Check the suite file buf[0..size) (header, sizes, checksum, every offset
 * and string) and return its program count, or -EINVAL with the reason in
 * err (no file name: the caller adds it). With out (room for the count
 * programs), fill out[] and *dict with pointers into buf, which must stay
 * mapped as long as they are used. Reads only buf; allocates nothing.
 */
long suite_parse(const void *buf, uint64_t size, struct user_prog *out, struct user_lz *dict, char *err,
		 size_t err_size);

#endif
