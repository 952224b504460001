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
		[ENODEV] = "ENODEV",
		[EACCES] = "EACCES",
		[EFAULT] = "EFAULT",
		[EBUSY] = "EBUSY",
		[EEXIST] = "EEXIST",
		[ENOTDIR] = "ENOTDIR",
		[EISDIR] = "EISDIR",
		[EINVAL] = "EINVAL",
		[EMFILE] = "EMFILE",
		[ENOSPC] = "ENOSPC",
		[ESPIPE] = "ESPIPE",
		[EROFS] = "EROFS",
		[ERANGE] = "ERANGE",
		[ENAMETOOLONG] = "ENAMETOOLONG",
		[ENOSYS] = "ENOSYS",
		[EBADMSG] = "EBADMSG",
		[EOVERFLOW] = "EOVERFLOW",
		[ENOTTY] = "ENOTTY",
		[ETIMEDOUT] = "ETIMEDOUT",
		[ENXIO] = "ENXIO",
		[ENOTBLK] = "ENOTBLK",
		[EXDEV] = "EXDEV",
		[ENFILE] = "ENFILE",
		[ETXTBSY] = "ETXTBSY",
		[EFBIG] = "EFBIG",
		[EMLINK] = "EMLINK",
		[EPIPE] = "EPIPE",
		[EDOM] = "EDOM",
		[EDEADLK] = "EDEADLK",
		[ENOLCK] = "ENOLCK",
		[ENOTEMPTY] = "ENOTEMPTY",
		[ELOOP] = "ELOOP",
		[ENOMSG] = "ENOMSG",
		[EIDRM] = "EIDRM",
		[ENOSTR] = "ENOSTR",
		[ENODATA] = "ENODATA",
		[ETIME] = "ETIME",
		[EOWNERDEAD] = "EOWNERDEAD",
		[ENOTRECOVERABLE] = "ENOTRECOVERABLE",
		[EOPNOTSUPP] = "EOPNOTSUPP",
		[EAFNOSUPPORT] = "EAFNOSUPPORT",
		[EADDRINUSE] = "EADDRINUSE",
		[ENOTSOCK] = "ENOTSOCK",
		[ENOTCONN] = "ENOTCONN",
		[ECANCELED] = "ECANCELED",
	};
	unsigned long e = err < 0 ? (unsigned long)-err : (unsigned long)err;

	/* The kernel's own restart codes, as strace names them should one ever show. */
	switch (e) {
	case ERESTARTSYS:
		return "ERESTARTSYS";
	case ERESTARTNOINTR:
		return "ERESTARTNOINTR";
	case ERESTARTNOHAND:
		return "ERESTARTNOHAND";
	case ENOIOCTLCMD:
		return "ENOIOCTLCMD";
	}
	return e < ARRAY_SIZE(names) && names[e] ? names[e] : "E?";
}
