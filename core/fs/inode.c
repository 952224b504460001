/* SPDX-License-Identifier: MIT */
/*
 * inode.c - inode lifetime: creation with fresh time stamps, references,
 * and eviction when the last reference goes. A ramfs inode's directory entry
 * holds a reference of its own (see ramfs.c), so an unlinked file lives on
 * while it is open, as on Linux.
 */
#include "heap.h"
#include "kernel.h"
#include "kstring.h"
#include "panic.h"
#include "vfs.h"

struct inode *inode_new(struct super *sb, unsigned mode)
{
	struct inode *ino = kzalloc(sizeof(*ino));
	struct kts now = ktime_real();

	if (!ino)
		return NULL;
	ino->mode = mode;
	ino->nlink = 1;
	ino->refs = 1;
	ino->sb = sb;
	ino->atime = ino->mtime = ino->ctime = now;
	if (sb) {
		ino->ino = ++sb->next_ino;
		sb->inodes++;
	}
	return ino;
}

void inode_put_last(struct inode *ino)
{
	if (ino->refs <= 0)
		panic("vfs: inode %llu released more often than taken", (unsigned long long)ino->ino);
	if (--ino->refs)
		return;
	if (ino->iop && ino->iop->evict)
		ino->iop->evict(ino);
	if (ino->sb && ino->sb->inodes)
		ino->sb->inodes--;
	kfree(ino);
}

void inode_touch(struct inode *ino, int data)
{
	struct kts now = ktime_real();

	ino->ctime = now;
	if (data)
		ino->mtime = now;
}

unsigned mode_to_dtype(unsigned mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return DT_REG;
	case S_IFDIR:
		return DT_DIR;
	case S_IFLNK:
		return DT_LNK;
	case S_IFCHR:
		return DT_CHR;
	case S_IFBLK:
		return DT_BLK;
	case S_IFIFO:
		return DT_FIFO;
	case S_IFSOCK:
		return DT_SOCK;
	default:
		return DT_UNKNOWN;
	}
}

void vfs_stat(const struct inode *ino, struct lx_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = ino->sb ? ino->sb->dev : 0;
	st->st_ino = ino->ino;
	st->st_nlink = ino->nlink;
	st->st_mode = ino->mode;
	st->st_uid = ino->uid;
	st->st_gid = ino->gid;
	st->st_rdev = ino->rdev;
	st->st_size = (int64_t)ino->size;
	st->st_blksize = 4096;
	/* 512-byte blocks actually held: what the pages of a RAM file take. */
	st->st_blocks = S_ISREG(ino->mode) ? (int64_t)((ino->size + 4095) / 4096 * 8) : 0;
	st->st_atime_sec = ino->atime.sec;
	st->st_atime_nsec = ino->atime.nsec;
	st->st_mtime_sec = ino->mtime.sec;
	st->st_mtime_nsec = ino->mtime.nsec;
	st->st_ctime_sec = ino->ctime.sec;
	st->st_ctime_nsec = ino->ctime.nsec;
}
