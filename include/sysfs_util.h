/* SPDX-License-Identifier: MIT */
/*
 * sysfs_util.h - what the file system calls share (core/proc/sys_*.c): paths
 * copied in from ring 3, the directory a *at() call starts from, the
 * current process's descriptor lookups.
 */
#ifndef ATLAS_SYSFS_UTIL_H
#define ATLAS_SYSFS_UTIL_H

#include <stdint.h>

#include "proc.h"
#include "vfs.h"

/*
 * Copy the user path at upath (at most PATH_MAX bytes with its NUL) into a
 * kmalloc'd buffer just big enough for it (*out, freed by the caller with
 * kfree: a string to read, not a PATH_MAX buffer to write into). Returns 0,
 * -EFAULT, -ENAMETOOLONG, or -ENOENT for "" unless empty_ok.
 */
int path_in(uint64_t upath, char **out, int empty_ok);

/*
 * A user path in a buffer on the caller's stack when it is short (the usual
 * case: no heap round trip, whose poisoning and checks cost an open or stat
 * more than the walk), in a kmalloc'd PATH_MAX buffer when not. Fill with
 * path_in_short (errors as path_in's), read kp.s, release with path_release.
 */
#define PATH_SHORT 256

struct kpath {
	char *s;
	char small[PATH_SHORT];
};

int path_in_short(uint64_t upath, struct kpath *kp, int empty_ok);
void path_release(struct kpath *kp);

/*
 * The directory an *at() call resolves a relative path from: NULL (the cwd)
 * for AT_FDCWD or an absolute path, else dirfd's inode (not referenced:
 * valid while the descriptor is). -EBADF, -ENOTDIR.
 */
int at_base(int dirfd, const char *path, struct inode **base);

/*
 * Resolve (dirfd, upath) to an inode the caller must inode_put. flags:
 * AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH ("" means dirfd itself, or the cwd).
 * Returns 0 or path_in's, at_base's and the walk's negative errno.
 */
int lookup_at(int dirfd, uint64_t upath, unsigned flags, struct inode **out);

/* The file at fd of the current process, or NULL. */
struct file *cur_file(int fd);

/* The descriptor limit of the current process (RLIMIT_NOFILE). */
int fd_limit(void);

#endif
