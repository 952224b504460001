/* SPDX-License-Identifier: MIT */
/*
 * sys_stat.c - stat, lstat, fstat, newfstatat, statx, statfs and fstatfs:
 * an inode's attributes in the structures Linux x86-64 copies out.
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

#define STATX_BASIC_STATS 0x7ffU
#define STATX_BTIME 0x800U
#define AT_STATX_SYNC_TYPE 0x6000
#define NAME_LEN_MAX 255

static long stat_out(struct inode *ino, uint64_t ubuf)
{
	struct lx_stat st;

	vfs_stat(ino, &st);
	return copy_to_user(ubuf, &st, sizeof(st)) ? -EFAULT : 0;
}

long sys_newfstatat(int dirfd, uint64_t upath, uint64_t ubuf, int flags)
{
	struct inode *ino;
	long r;

	if (flags & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT))
		return -EINVAL;
	r = lookup_at(dirfd, upath, (unsigned)flags, &ino);
	if (r)
		return r;
	r = stat_out(ino, ubuf);
	inode_put(ino);
	return r;
}

long sys_stat(uint64_t upath, uint64_t ubuf)
{
	return sys_newfstatat(AT_FDCWD, upath, ubuf, 0);
}

long sys_lstat(uint64_t upath, uint64_t ubuf)
{
	return sys_newfstatat(AT_FDCWD, upath, ubuf, AT_SYMLINK_NOFOLLOW);
}

long sys_fstat(unsigned int fd, uint64_t ubuf)
{
	struct file *f = cur_file(fd);

	return f ? stat_out(f->ino, ubuf) : -EBADF;
}

/* struct statx (include/uapi/linux/stat.h): 256 bytes. */
struct lx_statx_ts {
	int64_t sec;
	uint32_t nsec;
	int32_t pad;
};

struct lx_statx {
	uint32_t mask, blksize;
	uint64_t attributes;
	uint32_t nlink, uid, gid;
	uint16_t mode, pad1;
	uint64_t ino, size, blocks, attributes_mask;
	struct lx_statx_ts atime, btime, ctime, mtime;
	uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
	uint64_t spare[14];
};
_Static_assert(sizeof(struct lx_statx) == 256, "struct statx is 256 bytes");

static struct lx_statx_ts sx_ts(struct kts t)
{
	struct lx_statx_ts r = { t.sec, (uint32_t)t.nsec, 0 };
	return r;
}

long sys_statx(int dirfd, uint64_t upath, unsigned int flags, unsigned int mask, uint64_t ubuf)
{
	struct lx_statx sx;
	struct lx_stat st;
	struct inode *ino;
	long r;

	(void)mask;
	if (flags & ~(uint64_t)(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE))
		return -EINVAL;
	if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE)
		return -EINVAL;
	r = lookup_at(dirfd, upath, (unsigned)flags, &ino);
	if (r)
		return r;
	vfs_stat(ino, &st);
	memset(&sx, 0, sizeof(sx));
	sx.mask = STATX_BASIC_STATS; /* no birth time: ramfs has none, as on Linux */
	sx.blksize = (uint32_t)st.st_blksize;
	sx.nlink = (uint32_t)st.st_nlink;
	sx.uid = st.st_uid;
	sx.gid = st.st_gid;
	sx.mode = (uint16_t)st.st_mode;
	sx.ino = st.st_ino;
	sx.size = (uint64_t)st.st_size;
	sx.blocks = (uint64_t)st.st_blocks;
	sx.atime = sx_ts(ino->atime);
	sx.mtime = sx_ts(ino->mtime);
	sx.ctime = sx_ts(ino->ctime);
	sx.rdev_major = MAJOR(ino->rdev);
	sx.rdev_minor = MINOR(ino->rdev);
	sx.dev_major = MAJOR((uint32_t)st.st_dev);
	sx.dev_minor = MINOR((uint32_t)st.st_dev);
	inode_put(ino);
	return copy_to_user(ubuf, &sx, sizeof(sx)) ? -EFAULT : 0;
}

/* struct statfs (x86-64). */
struct lx_statfs {
	int64_t f_type, f_bsize;
	uint64_t f_blocks, f_bfree, f_bavail, f_files, f_ffree;
	int32_t f_fsid[2];
	int64_t f_namelen, f_frsize, f_flags, f_spare[4];
};
_Static_assert(sizeof(struct lx_statfs) == 120, "struct statfs is 120 bytes");

#define ST_NOSUID 2
#define ST_NODEV 4
#define ST_NOEXEC 8
#define ST_RELATIME 4096

static long statfs_out(const struct inode *ino, uint64_t ubuf)
{
	struct pmm_stats ps;
	struct lx_statfs s;
	const struct super *sb = ino->sb;

	memset(&s, 0, sizeof(s));
	pmm_get_stats(&ps);
	s.f_type = sb ? (int64_t)sb->magic : 0;
	s.f_bsize = s.f_frsize = 4096;
	/* A RAM file system holds what it holds, and can grow into all free memory. */
	if (sb && !strcmp(sb->type, "proc")) {
		s.f_flags = ST_NOSUID | ST_NODEV | ST_NOEXEC | ST_RELATIME;
	} else {
		s.f_blocks = (sb ? sb->pages : 0) + ps.free_pages;
		s.f_bfree = s.f_bavail = ps.free_pages;
		s.f_files = (sb ? sb->inodes : 0) + ps.free_pages;
		s.f_ffree = ps.free_pages;
		s.f_flags = ST_RELATIME;
	}
	s.f_fsid[0] = sb ? (int32_t)sb->dev : 0;
	s.f_namelen = NAME_LEN_MAX;
	return copy_to_user(ubuf, &s, sizeof(s)) ? -EFAULT : 0;
}

long sys_statfs(uint64_t upath, uint64_t ubuf)
{
	struct inode *ino;
	long r = lookup_at(AT_FDCWD, upath, 0, &ino);

	if (r)
		return r;
	r = statfs_out(ino, ubuf);
	inode_put(ino);
	return r;
}

long sys_fstatfs(unsigned int fd, uint64_t ubuf)
{
	struct file *f = cur_file(fd);

	return f ? statfs_out(f->ino, ubuf) : -EBADF;
}
