/* SPDX-License-Identifier: MIT */
/*
 * uaccess.c - checked copies to and from ring-3 memory. See include/uaccess.h.
 * A fault inside uaccess_copy is settled by uaccess_trap_fixup
 * (core/proc/ufault.c), which knows the process.
 */
#include "uaccess.h"

#include "cpu.h"
#include "entry.h"
#include "kerrno.h"
#include "memlayout.h"
#include "x86.h"

/*
 * STAC and CLAC when the CPU has SMAP. Whether it has is read from cpu() at
 * the first copy and kept (a call a copy is dear under TCG); cpu_detect()
 * runs before any process exists.
 */
static int smap_known = -1;

static inline int has_smap(void)
{
	if (smap_known < 0)
		smap_known = cpu()->smap;
	return smap_known;
}

static inline void stac(int smap)
{
	if (smap)
		__asm__ volatile("stac" ::: "memory");
}

static inline void clac(int smap)
{
	if (smap)
		__asm__ volatile("clac" ::: "memory");
}

int copy_from_user(void *dst, uint64_t usrc, size_t n)
{
	long r;
	int smap;

	if (!user_range_ok(usrc, n))
		return -EFAULT;
	if (!n)
		return 0;
	smap = has_smap();
	stac(smap);
	r = uaccess_copy(dst, (const void *)(uintptr_t)usrc, n);
	clac(smap);
	return (int)r;
}

int copy_to_user(uint64_t udst, const void *src, size_t n)
{
	long r;
	int smap;

	if (!user_range_ok(udst, n))
		return -EFAULT;
	if (!n)
		return 0;
	smap = has_smap();
	stac(smap);
	r = uaccess_copy((void *)(uintptr_t)udst, src, n);
	clac(smap);
	return (int)r;
}

/*
 * In chunks that never cross a page: a chunk either faults whole (EFAULT, as
 * Linux when the string runs into an unmapped page) or copies, and bytes read
 * past the NUL come from a page the string already lies in. One uaccess_copy
 * per chunk, not per byte: STAC/CLAC and the call are dear under TCG.
 */
#define STRNCPY_CHUNK 64

long strncpy_from_user(char *dst, uint64_t usrc, size_t max)
{
	size_t i = 0;

	while (i < max) {
		size_t n = PAGE_SIZE - ((usrc + i) & (PAGE_SIZE - 1));
		int err;

		if (n > STRNCPY_CHUNK)
			n = STRNCPY_CHUNK;
		if (n > max - i)
			n = max - i;
		err = copy_from_user(&dst[i], usrc + i, n);
		if (err)
			return err;
		for (size_t end = i + n; i < end; i++)
			if (!dst[i])
				return (long)i;
	}
	if (max)
		dst[max - 1] = 0;
	return -ENAMETOOLONG;
}
