/* SPDX-License-Identifier: MIT */
/* kerrno.h - Atlas's error codes: Linux's numbers, returned negated. */
#ifndef ATLAS_KERRNO_H
#define ATLAS_KERRNO_H

#define EPERM 1
#define ENOENT 2
#define ESRCH 3
#define EINTR 4
#define EIO 5
#define E2BIG 7
#define ENOEXEC 8
#define EBADF 9
#define ECHILD 10
#define EAGAIN 11
#define ENOMEM 12
#define ENODEV 19
#define EACCES 13
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define ENOTDIR 20
#define EISDIR 21
#define EINVAL 22
#define EMFILE 24
#define ENOSPC 28
#define ESPIPE 29
#define EPIPE 32
#define EROFS 30
#define ERANGE 34
#define ENAMETOOLONG 36
#define ENOSYS 38
#define EBADMSG 74
#define EOVERFLOW 75
#define EMSGSIZE 90
#define ENOTSUP 95
#define ENOTTY 25
#define ETIMEDOUT 110

/* The name of error err (either sign): "ENOENT"; "E?" for one Atlas does not use (core/lib/errname.c). */
const char *errno_name(long err);

#endif
