/* SPDX-License-Identifier: MIT */
/*
 * sys_path.c - the system calls on names: stat and statx, access, the cwd,
 * creating, linking, renaming and removing, symlinks, truncate, the mode,
 * owner and times of a file, and statfs. Every path is copied in with
 * path_in (EFAULT, ENAMETOOLONG), every *at() base checked with at_base
 * (EBADF, ENOTDIR); the rest of Linux's errors come from the VFS.
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

#define F_OK 0
#define X_OK 1
#define W_OK 2
#define R_OK 4
#define UTIME_NOW ((1L << 30) - 1)
#define UTIME_OMIT ((1L << 30) - 2)
#define STATX_BASIC_STATS 0x7ffU
#define STATX_BTIME 0x800U
#define AT_STATX_SYNC_TYPE 0x6000
#define NAME_LEN_MAX 255

/* Resolve (dirfd, upath) to a referenced inode; flags: AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH. */
static int lookup_at(int dirfd, uint64_t upath, unsigned flags, struct inode **out)
{
	struct proc *p = proc_current();
	struct inode *base;
	char *path;
	int err = path_in(upath, &path, (flags & AT_EMPTY_PATH) != 0);

	if (err)
		return err;
	if (!path[0]) {
		/* AT_EMPTY_PATH with "": the descriptor itself (or the cwd). */
		struct file *f = dirfd == AT_FDCWD ? NULL : cur_file(dirfd);

		kfree(path);
		if (dirfd != AT_FDCWD && !f)
			return -EBADF;
		*out = inode_get(f ? f->ino : p->fs->cwd);
		return 0;
	}
	err = at_base(dirfd, path, &base);
	if (!err)
		err = vfs_walk(p->fs, base, path, (flags & AT_SYMLINK_NOFOLLOW) ? 0 : WALK_FOLLOW, out);
	kfree(path);
	return err;
}

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

long sys_faccessat2(int dirfd, uint64_t upath, int mode, int flags)
{
	struct inode *ino;
	long r;

	if (mode & ~(F_OK | X_OK | W_OK | R_OK))
		return -EINVAL;
	if (flags & ~(uint64_t)(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	r = lookup_at(dirfd, upath, (unsigned)flags, &ino);
	if (r)
		return r;
	/* Root: read and write always; execute needs an x bit somewhere (or a directory), as Linux decides. */
	if ((mode & X_OK) && !S_ISDIR(ino->mode) && !(ino->mode & 0111))
		r = -EACCES;
	inode_put(ino);
	return r;
}

long sys_faccessat(int dirfd, uint64_t upath, int mode)
{
	return sys_faccessat2(dirfd, upath, mode, 0);
}

long sys_access(uint64_t upath, int mode)
{
	return sys_faccessat2(AT_FDCWD, upath, mode, 0);
}

long sys_getcwd(uint64_t ubuf, uint64_t size)
{
	struct proc *p = proc_current();
	char *buf = kmalloc(PATH_MAX);
	long n;

	if (!buf)
		return -ENOMEM;
	n = vfs_dir_path(p->fs, p->fs->cwd, buf, PATH_MAX);
	if (n >= 0 && (uint64_t)n + 1 > size)
		n = -ERANGE;
	if (n >= 0 && copy_to_user(ubuf, buf, (size_t)n + 1))
		n = -EFAULT;
	kfree(buf);
	return n < 0 ? n : n + 1;
}

static long set_cwd(struct inode *ino)
{
	struct fs_ctx *fs = proc_current()->fs;

	if (!S_ISDIR(ino->mode)) {
		inode_put(ino);
		return -ENOTDIR;
	}
	inode_put(fs->cwd);
	fs->cwd = ino;
	return 0;
}

long sys_chdir(uint64_t upath)
{
	struct inode *ino;
	long r = lookup_at(AT_FDCWD, upath, 0, &ino);

	return r ? r : set_cwd(ino);
}

long sys_fchdir(unsigned int fd)
{
	struct file *f = cur_file(fd);

	return f ? set_cwd(inode_get(f->ino)) : -EBADF;
}

/* The common shape of the *at() calls that take one path and create or remove it. */
static long path_op(int dirfd, uint64_t upath, int (*op)(const struct fs_ctx *, struct inode *, const char *, unsigned),
		    unsigned arg)
{
	struct proc *p = proc_current();
	struct inode *base;
	char *path;
	int err = path_in(upath, &path, 0);

	if (err)
		return err;
	err = at_base(dirfd, path, &base);
	if (!err)
		err = op(p->fs, base, path, arg);
	kfree(path);
	return err;
}

static int do_mkdir(const struct fs_ctx *fs, struct inode *base, const char *path, unsigned mode)
{
	return vfs_mkdir(fs, base, path, mode);
}

static int do_rmdir(const struct fs_ctx *fs, struct inode *base, const char *path, unsigned unused)
{
	(void)unused;
	return vfs_rmdir(fs, base, path);
}

static int do_unlink(const struct fs_ctx *fs, struct inode *base, const char *path, unsigned unused)
{
	(void)unused;
	return vfs_unlink(fs, base, path);
}

long sys_mkdirat(int dirfd, uint64_t upath, unsigned mode)
{
	return path_op(dirfd, upath, do_mkdir, mode);
}

long sys_mkdir(uint64_t upath, unsigned mode)
{
	return sys_mkdirat(AT_FDCWD, upath, mode);
}

long sys_rmdir(uint64_t upath)
{
	return path_op(AT_FDCWD, upath, do_rmdir, 0);
}

long sys_unlinkat(int dirfd, uint64_t upath, int flags)
{
	if (flags & ~(uint64_t)AT_REMOVEDIR)
		return -EINVAL;
	return path_op(dirfd, upath, flags ? do_rmdir : do_unlink, 0);
}

long sys_unlink(uint64_t upath)
{
	return sys_unlinkat(AT_FDCWD, upath, 0);
}

long sys_mknodat(int dirfd, uint64_t upath, unsigned mode, unsigned dev)
{
	struct proc *p = proc_current();
	struct inode *base;
	char *path;
	int err = path_in(upath, &path, 0);

	if (err)
		return err;
	err = at_base(dirfd, path, &base);
	if (!err && S_ISDIR(mode))
		err = -EPERM;
	if (!err)
		err = vfs_mknod(p->fs, base, path, mode, dev);
	kfree(path);
	return err;
}

long sys_mknod(uint64_t upath, unsigned mode, unsigned dev)
{
	return sys_mknodat(AT_FDCWD, upath, mode, dev);
}

long sys_symlinkat(uint64_t utarget, int dirfd, uint64_t upath)
{
	struct proc *p = proc_current();
	struct inode *base;
	char *target, *path;
	int err = path_in(utarget, &target, 0);

	if (err)
		return err;
	err = path_in(upath, &path, 0);
	if (!err) {
		err = at_base(dirfd, path, &base);
		if (!err)
			err = vfs_symlink(p->fs, target, base, path);
		kfree(path);
	}
	kfree(target);
	return err;
}

long sys_symlink(uint64_t utarget, uint64_t upath)
{
	return sys_symlinkat(utarget, AT_FDCWD, upath);
}

long sys_linkat(int olddir, uint64_t uold, int newdir, uint64_t unew, int flags)
{
	struct proc *p = proc_current();
	struct inode *obase, *nbase;
	char *oldp, *newp;
	int err;

	if (flags & ~(uint64_t)(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	err = path_in(uold, &oldp, 0);
	if (err)
		return err;
	err = path_in(unew, &newp, 0);
	if (!err) {
		err = at_base(olddir, oldp, &obase);
		if (!err)
			err = at_base(newdir, newp, &nbase);
		if (!err)
			err = vfs_link(p->fs, obase, oldp, nbase, newp, (flags & AT_SYMLINK_FOLLOW) != 0);
		kfree(newp);
	}
	kfree(oldp);
	return err;
}

long sys_link(uint64_t uold, uint64_t unew)
{
	return sys_linkat(AT_FDCWD, uold, AT_FDCWD, unew, 0);
}

long sys_renameat2(int olddir, uint64_t uold, int newdir, uint64_t unew, unsigned int flags)
{
	struct proc *p = proc_current();
	struct inode *obase, *nbase;
	char *oldp, *newp;
	int err = path_in(uold, &oldp, 0);

	if (err)
		return err;
	err = path_in(unew, &newp, 0);
	if (!err) {
		err = at_base(olddir, oldp, &obase);
		if (!err)
			err = at_base(newdir, newp, &nbase);
		if (!err)
			err = vfs_rename(p->fs, obase, oldp, nbase, newp, (unsigned)flags);
		kfree(newp);
	}
	kfree(oldp);
	return err;
}

long sys_renameat(int olddir, uint64_t uold, int newdir, uint64_t unew)
{
	return sys_renameat2(olddir, uold, newdir, unew, 0);
}

long sys_rename(uint64_t uold, uint64_t unew)
{
	return sys_renameat2(AT_FDCWD, uold, AT_FDCWD, unew, 0);
}

long sys_readlinkat(int dirfd, uint64_t upath, uint64_t ubuf, int size)
{
	struct proc *p = proc_current();
	struct inode *base;
	char *path, *buf;
	long n;
	int err;

	if (size <= 0)
		return -EINVAL;
	err = path_in(upath, &path, 0);
	if (err)
		return err;
	err = at_base(dirfd, path, &base);
	buf = err ? NULL : kmalloc(PATH_MAX);
	n = err ? err : !buf ? -ENOMEM : vfs_readlink(p->fs, base, path, buf, size < PATH_MAX ? size : PATH_MAX);
	if (n > 0 && copy_to_user(ubuf, buf, (size_t)n))
		n = -EFAULT;
	kfree(buf);
	kfree(path);
	return n;
}

long sys_readlink(uint64_t upath, uint64_t ubuf, int size)
{
	return sys_readlinkat(AT_FDCWD, upath, ubuf, size);
}

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
