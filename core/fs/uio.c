/* SPDX-License-Identifier: MIT */
/* uio.c - moving bytes to and from a struct uio (include/vfs.h): user buffers through the checked copy. */
#include "kerrno.h"
#include "kstring.h"
#include "uaccess.h"
#include "vfs.h"

int uio_copy_to(struct uio *u, const void *src, size_t n)
{
	if (n > u->len)
		n = u->len;
	if (u->user) {
		if (copy_to_user(u->addr, src, n))
			return -EFAULT;
	} else {
		memcpy((void *)(uintptr_t)u->addr, src, n);
	}
	u->addr += n;
	u->len -= n;
	return 0;
}

int uio_copy_from(struct uio *u, void *dst, size_t n)
{
	if (n > u->len)
		n = u->len;
	if (u->user) {
		if (copy_from_user(dst, u->addr, n))
			return -EFAULT;
	} else {
		memcpy(dst, (const void *)(uintptr_t)u->addr, n);
	}
	u->addr += n;
	u->len -= n;
	return 0;
}

int uio_zero(struct uio *u, size_t n)
{
	static const char zeros[256];

	if (n > u->len)
		n = u->len;
	while (n) {
		size_t k = n < sizeof(zeros) ? n : sizeof(zeros);

		if (uio_copy_to(u, zeros, k))
			return -EFAULT;
		n -= k;
	}
	return 0;
}
