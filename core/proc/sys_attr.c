/* SPDX-License-Identifier: MIT */
/*
 * sys_attr.c - changing what stat reports: truncate and ftruncate, umask,
 * the chmod and chown families and utimensat, with Linux's permission and
 * flag checks (paths resolved as in sys_path.c).
 */
#include "heap.h"
#include "kerrno.h"
#include "kstring.h"
#include "ktime.h"
#include "pmm.h"
#include "proc.h"
#include "ramfs.h"
#include "syscall.h"
#include "sysfs_util.h"
#include "uaccess.h"
#include "vfs.h"

#define UTIME_NOW ((1L << 30) - 1)
#define UTIME_OMIT ((1L << 30) - 2)

long sys_truncate(uint64_t upath, int64_t len)
{
	struct inode *ino;
	long r;

	if (len < 0)
		return -EINVAL;
	r = lookup_at(AT_FDCWD, upath, 0, &ino);
	if (r)
		return r;
	r = vfs_truncate(ino, (uint64_t)len);
	inode_put(ino);
	return r;
}

long sys_ftruncate(unsigned int fd, int64_t len)
{
	struct file *f = cur_file(fd);

	if (!f)
		return -EBADF;
	if (len < 0 || !S_ISREG(f->ino->mode) || (f->flags & O_ACCMODE) == O_RDONLY)
		return -EINVAL;
	return vfs_truncate(f->ino, (uint64_t)len);
}

long sys_umask(int mask)
{
	struct fs_ctx *fs = proc_current()->fs;
	unsigned old = fs->umask;

	fs->umask = mask & 0777;
	return old;
}

static long set_mode(struct inode *ino, unsigned mode)
{
	ino->mode = (ino->mode & S_IFMT) | (mode & S_IALLUGO);
	inode_touch(ino, 0);
	inode_put(ino);
	return 0;
}

long sys_fchmodat(int dirfd, uint64_t upath, unsigned mode)
{
	struct inode *ino;
	long r = lookup_at(dirfd, upath, 0, &ino);

	return r ? r : set_mode(ino, mode);
}

long sys_chmod(uint64_t upath, unsigned mode)
{
	return sys_fchmodat(AT_FDCWD, upath, mode);
}

long sys_fchmod(unsigned int fd, unsigned int mode)
{
	struct file *f = cur_file(fd);

	return f ? set_mode(inode_get(f->ino), mode) : -EBADF;
}

/* chown: -1 leaves a field as it is; the new owner is recorded (one root user: nothing checks it). */
static long set_owner(struct inode *ino, unsigned uid, unsigned gid)
{
	if (uid != (unsigned)-1)
		ino->uid = uid;
	if (gid != (unsigned)-1)
		ino->gid = gid;
	if (!S_ISDIR(ino->mode))
		ino->mode &= ~(unsigned)(S_ISUID | ((ino->mode & 010) ? S_ISGID : 0));
	inode_touch(ino, 0);
	inode_put(ino);
	return 0;
}

long sys_fchownat(int dirfd, uint64_t upath, unsigned int uid, unsigned int gid, int flags)
{
	struct inode *ino;
	long r;

	if (flags & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	r = lookup_at(dirfd, upath, (unsigned)flags, &ino);
	return r ? r : set_owner(ino, uid, gid);
}

long sys_chown(uint64_t upath, unsigned uid, unsigned gid)
{
	return sys_fchownat(AT_FDCWD, upath, uid, gid, 0);
}

long sys_lchown(uint64_t upath, unsigned uid, unsigned gid)
{
	return sys_fchownat(AT_FDCWD, upath, uid, gid, AT_SYMLINK_NOFOLLOW);
}

long sys_fchown(unsigned int fd, unsigned int uid, unsigned int gid)
{
	struct file *f = cur_file(fd);

	return f ? set_owner(inode_get(f->ino), uid, gid) : -EBADF;
}

long sys_utimensat(int dirfd, uint64_t upath, uint64_t utimes, int flags)
{
	struct kts t[2], now = ktime_real();
	struct inode *ino;
	long r;

	if (flags & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (utimes) {
		if (copy_from_user(t, utimes, sizeof(t)))
			return -EFAULT;
		for (int i = 0; i < 2; i++)
			if (t[i].nsec != UTIME_NOW && t[i].nsec != UTIME_OMIT &&
			    (t[i].nsec < 0 || t[i].nsec >= NSEC_PER_SEC))
				return -EINVAL;
	} else {
		t[0].nsec = t[1].nsec = UTIME_NOW;
	}
	/* A NULL path is futimens(dirfd) (Linux's do_utimes_fd: no flags); with AT_FDCWD a path to read: EFAULT. */
	if (!upath && dirfd != AT_FDCWD) {
		struct file *f = cur_file(dirfd);

		if (flags)
			return -EINVAL;
		if (!f)
			return -EBADF;
		ino = inode_get(f->ino);
	} else {
		r = lookup_at(dirfd, upath, (unsigned)flags, &ino);
		if (r)
			return r;
	}
	if (t[0].nsec != UTIME_OMIT)
		ino->atime = t[0].nsec == UTIME_NOW ? now : t[0];
	if (t[1].nsec != UTIME_OMIT)
		ino->mtime = t[1].nsec == UTIME_NOW ? now : t[1];
	ino->ctime = now;
	inode_put(ino);
	return 0;
}
