/* SPDX-License-Identifier: MIT */
/*
 * uaccess.h - copying between the kernel and the current process's memory.
 *
 * Every pointer a syscall receives goes through here: the range is checked
 * to lie in the user half (no wrap, nothing at or above USER_END), and the
 * copy itself runs under an exception fixup, so NULL, kernel, unmapped,
 * non-canonical and straddling buffers give -EFAULT, never a kernel fault.
 * With SMAP on, the copies open user access with STAC and close it with CLAC.
 */
#ifndef ATLAS_UACCESS_H
#define ATLAS_UACCESS_H

#include <stddef.h>
#include <stdint.h>

#include "memlayout.h"

/* 0, or -EFAULT when any byte of the user range is not accessible. */
int copy_from_user(void *dst, uint64_t usrc, size_t n);
int copy_to_user(uint64_t udst, const void *src, size_t n);

/*
 * Copy a NUL-terminated user string of at most max-1 characters into dst.
 * Returns its length, -EFAULT, or -ENAMETOOLONG when no NUL came in time.
 */
long strncpy_from_user(char *dst, uint64_t usrc, size_t max);

/* 1 when [u, u+n) lies entirely in the user half (n may be 0). Inline: every read and write asks. */
static inline int user_range_ok(uint64_t u, size_t n)
{
	return u + n >= u && u + n <= USER_END;
}

struct trap_frame;
/*
 * The trap fixup for the user-copy instruction (trap_add_fixup): a fault
 * there is first offered to the current process's address space (demand
 * paging, stack growth); otherwise the copy resumes at its fixup and returns
 * -EFAULT (out of memory also sets uvm.oom: the process is killed when its
 * system call returns). Returns 1 when the fault was the copy's, 0 otherwise.
 */
int uaccess_trap_fixup(struct trap_frame *tf);

#endif
