/* SPDX-License-Identifier: MIT */
/*
 * aslr.h - address-space layout randomization (core/proc/aslr.c): where
 * exec puts the stack, the mmap area, the break and a static-PIE, with the
 * ranges of include/memlayout.h, and the Linux controls over it:
 * kernel.randomize_va_space (/proc/sys/kernel/randomize_va_space; aslr=on
 * makes it 2 at boot, aslr=off 0) and personality(2)'s ADDR_NO_RANDOMIZE
 * (setarch -R, busybox's linux64 -R).
 */
#ifndef ATLAS_ASLR_H
#define ATLAS_ASLR_H

#include <stddef.h>
#include <stdint.h>

#include "elf64.h"
#include "uvm.h"

/* personality(2) bits Atlas acts on (Linux's include/uapi/linux/personality.h). */
#define ADDR_NO_RANDOMIZE 0x0040000
#define READ_IMPLIES_EXEC 0x0400000
#define PERSONALITY_QUERY 0xffffffffU /* personality(0xffffffff) only reads */

/* One exec's choice: what was drawn, and the layout it makes. */
struct aslr_pick {
	int level;	    /* 0: the fixed layout; 1: stack and mmap moved; 2: the break too */
	uint64_t stack_rnd; /* the stack top is this far below USER_STACK_TOP */
	uint64_t stack_pad; /* the vectors this far below the strings (before 16-byte alignment) */
	uint64_t mmap_rnd;  /* the mmap top is this far below USER_MMAP_TOP_RANDOM */
	uint64_t brk_rnd;   /* the break starts this far above where it would without ASLR (after the gap page) */
	struct uvm_layout l;
};

/* At boot: randomize_va_space from the aslr= option. */
void aslr_init(void);

/* kernel.randomize_va_space: 0, 1 or 2. aslr_set returns 0 or -EINVAL (outside 0..2, as Linux's minmax). */
int aslr_get(void);
int aslr_set(int level);

/*
 * The stack top, its pad and the mmap top for the next exec of a process
 * with this personality: fixed when randomize_va_space is 0 or the
 * personality has ADDR_NO_RANDOMIZE, else drawn from random_u64()
 * (RDSEED/RDRAND, TSC-mixed without them). a->l.brk_start is left for
 * aslr_place_brk, once the image is known.
 */
void aslr_pick(unsigned personality, struct aslr_pick *a);

/*
 * Where img's break starts under a: after .bss (ET_EXEC), or at
 * USER_STATIC_PIE_BRK (a static-PIE, as Linux 6.x moves it there); at level
 * 2 a random page offset of up to 1 GiB is added (and a page of gap after
 * .bss), as Linux's arch_randomize_brk does.
 */
void aslr_place_brk(struct aslr_pick *a, const struct elf_image *img);

/* /proc/sys/kernel/randomize_va_space: the text ("2\n"), and a write of it. */
long aslr_sysctl_show(char *buf, size_t size);
int aslr_sysctl_store(const char *text, size_t len);

#endif
