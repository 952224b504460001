/* SPDX-License-Identifier: MIT */
/* errname.c - the names of the error codes of kerrno.h, as strace prints them. */
#include "kerrno.h"

#include "kernel.h"

const char *errno_name(long err)
{
	static const char *const names[] = {
		[EPERM] = "EPERM",
		[ENOENT] = "ENOENT",
		[ESRCH] = "ESRCH",
		[EINTR] = "EINTR",
		[EIO] = "EIO",
		[E2BIG] = "E2BIG",
		[ENOEXEC] = "ENOEXEC",
		[EBADF] = "EBADF",
		[ECHILD] = "ECHILD",
		[EAGAIN] = "EAGAIN",
		[ENOMEM] = "ENOMEM",
		[EACCES] = "EACCES",
		[EFAULT] = "EFAULT",
		[EBUSY] = "EBUSY",
		[EEXIST] = "EEXIST",
		[ENODEV] = "ENODEV",
		[ENOTDIR] = "ENOTDIR",
		[EISDIR] = "EISDIR",
		[EINVAL] = "EINVAL",
		[EMFILE] = "EMFILE",
		[ENOTTY] = "ENOTTY",
		[ENOSPC] = "ENOSPC",
		[ESPIPE] = "ESPIPE",
		[EROFS] = "EROFS",
		[ERANGE] = "ERANGE",
		[ENAMETOOLONG] = "ENAMETOOLONG",
		[ENOSYS] = "ENOSYS",
		[EBADMSG] = "EBADMSG",
		[EOVERFLOW] = "EOVERFLOW",
		[ENOTSUP] = "ENOTSUP",
		[ETIMEDOUT] = "ETIMEDOUT",
	};
	unsigned long e = err < 0 ? (unsigned long)-err : (unsigned long)err;

	return e < ARRAY_SIZE(names) && names[e] ? names[e] : "E?";
}
