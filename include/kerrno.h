/* SPDX-License-Identifier: MIT */
/* kerrno.h - Atlas's error codes: Linux's numbers, returned negated. */
#ifndef ATLAS_KERRNO_H
#define ATLAS_KERRNO_H

#define EPERM 1
#define ENOENT 2
#define EIO 5
#define E2BIG 7
#define ENOEXEC 8
#define EBADF 9
#define ENOMEM 12
#define ENODEV 19
#define EFAULT 14
#define EBUSY 16
#define EEXIST 17
#define EINVAL 22
#define ENOSPC 28
#define ERANGE 34
#define ENOSYS 38
#define ENOTTY 25
#define ETIMEDOUT 110

#endif
