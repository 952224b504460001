/* SPDX-License-Identifier: MIT */
/* uaccess.c - checked copies to and from ring-3 memory. See include/uaccess.h. */
#include "uaccess.h"

#include "cpu.h"
#include "entry.h"
#include "kerrno.h"
#include "memlayout.h"
#include "proc.h"
#include "trap.h"
#include "x86.h"

static inline void stac(void)
{
	if (cpu()->smap)
		__asm__ volatile("stac" ::: "memory");
}

static inline void clac(void)
{
	if (cpu()->smap)
		__asm__ volatile("clac" ::: "memory");
}

int user_range_ok(uint64_t u, size_t n)
{
	return u + n >= u && u + n <= USER_END;
}

int uaccess_trap_fixup(struct trap_frame *tf)
{
	struct proc *p = proc_current();
	char cause[PROC_CAUSE];

	if (tf->rip != (uint64_t)uaccess_insn || (tf->vector != VEC_PF && tf->vector != VEC_GP))
		return 0;
	if (tf->vector == VEC_PF && p && read_cr2() < USER_END) {
		int r = uvm_fault(&p->uvm, read_cr2(), tf->error, cause, sizeof(cause));

		if (r == 0)
			return 1;
		if (r == -ENOMEM)
			p->uvm.oom = 1; /* the copy fails with -EFAULT; the process dies when the syscall ends */
	}
	tf->rip = (uint64_t)uaccess_fixup;
	return 1;
}

int copy_from_user(void *dst, uint64_t usrc, size_t n)
{
	long r;

	if (!user_range_ok(usrc, n))
		return -EFAULT;
	if (!n)
		return 0;
	stac();
	r = uaccess_copy(dst, (const void *)(uintptr_t)usrc, n);
	clac();
	return (int)r;
}

int copy_to_user(uint64_t udst, const void *src, size_t n)
{
	long r;

	if (!user_range_ok(udst, n))
		return -EFAULT;
	if (!n)
		return 0;
	stac();
	r = uaccess_copy((void *)(uintptr_t)udst, src, n);
	clac();
	return (int)r;
}

long strncpy_from_user(char *dst, uint64_t usrc, size_t max)
{
	for (size_t i = 0; i < max; i++) {
		int err = copy_from_user(&dst[i], usrc + i, 1);

		if (err)
			return err;
		if (!dst[i])
			return (long)i;
	}
	if (max)
		dst[max - 1] = 0;
	return -ENAMETOOLONG;
}
