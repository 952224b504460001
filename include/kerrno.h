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

#define ENXIO 6
#define ENOTBLK 15
#define EXDEV 18
#define ENFILE 23
#define ETXTBSY 26
#define EFBIG 27
#define EMLINK 31
#define EPIPE 32
#define EDOM 33
#define EDEADLK 35
#define ENOLCK 37
#define ENOTEMPTY 39
#define ELOOP 40
#define ENOMSG 42
#define EIDRM 43
#define ENOSTR 60
#define ENODATA 61
#define ETIME 62
#define EOWNERDEAD 130
#define ENOTRECOVERABLE 131
#define EOPNOTSUPP 95
#define EAFNOSUPPORT 97
#define EADDRINUSE 98
#define ENOTSOCK 88
#define ENOTCONN 107
#define ECANCELED 125
#define ERESTARTSYS 512
#define ERESTARTNOINTR 513 /* restart always (internal, never reaches ring 3) */
#define ERESTARTNOHAND 514 /* restart when no handler runs (internal) */
#define ENOIOCTLCMD 515
/* The name of error err (either sign): "ENOENT"; "E?" for one Atlas does not use (core/lib/errname.c). */
const char *errno_name(long err);

#endif
