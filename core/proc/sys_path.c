/* SPDX-License-Identifier: MIT */
/*
 * sys_path.c - the system calls on names: access, the cwd, creating,
 * linking, renaming and removing, symlinks. Every path is copied in with
 * path_in (EFAULT, ENAMETOOLONG), every *at() base checked with at_base
 * (EBADF, ENOTDIR); the rest of Linux's errors come from the VFS. stat and
 * statfs are sys_stat.c; a file's size, mode, owner and times sys_attr.c.
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
static long path_op(int dirfd, uint64_t upath,
		    int (*op)(const struct fs_ctx *, struct inode *, const char *, unsigned, unsigned), unsigned arg,
		    unsigned arg2)
{
	struct proc *p = proc_current();
	struct inode *base;
	char *path;
	int err = path_in(upath, &path, 0);

	if (err)
		return err;
	err = at_base(dirfd, path, &base);
	if (!err)
		err = op(p->fs, base, path, arg, arg2);
	kfree(path);
	return err;
}

static int do_mkdir(const struct fs_ctx *fs, struct inode *base, const char *path, unsigned mode, unsigned unused)
{
	(void)unused;
	return vfs_mkdir(fs, base, path, mode);
}

static int do_rmdir(const struct fs_ctx *fs, struct inode *base, const char *path, unsigned unused, unsigned unused2)
{
	(void)unused;
	(void)unused2;
	return vfs_rmdir(fs, base, path);
}

static int do_unlink(const struct fs_ctx *fs, struct inode *base, const char *path, unsigned unused, unsigned unused2)
{
	(void)unused;
	(void)unused2;
	return vfs_unlink(fs, base, path);
}

/* mknod makes no directories: EPERM, after the base was checked, as Linux's may_mknod. */
static int do_mknod(const struct fs_ctx *fs, struct inode *base, const char *path, unsigned mode, unsigned dev)
{
	return S_ISDIR(mode) ? -EPERM : vfs_mknod(fs, base, path, mode, dev);
}

long sys_mkdirat(int dirfd, uint64_t upath, unsigned mode)
{
	return path_op(dirfd, upath, do_mkdir, mode, 0);
}

long sys_mkdir(uint64_t upath, unsigned mode)
{
	return sys_mkdirat(AT_FDCWD, upath, mode);
}

long sys_rmdir(uint64_t upath)
{
	return path_op(AT_FDCWD, upath, do_rmdir, 0, 0);
}

long sys_unlinkat(int dirfd, uint64_t upath, int flags)
{
	if (flags & ~(uint64_t)AT_REMOVEDIR)
		return -EINVAL;
	return path_op(dirfd, upath, flags ? do_rmdir : do_unlink, 0, 0);
}

long sys_unlink(uint64_t upath)
{
	return sys_unlinkat(AT_FDCWD, upath, 0);
}

long sys_mknodat(int dirfd, uint64_t upath, unsigned mode, unsigned dev)
{
	return path_op(dirfd, upath, do_mknod, mode, dev);
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

/* Two user paths, each resolved against its own *at() base: link and rename. Free with two_paths_put. */
struct two_paths {
	char *oldp, *newp;
	struct inode *obase, *nbase;
};

static int two_paths_in(int olddir, uint64_t uold, int newdir, uint64_t unew, struct two_paths *tp)
{
	int err = path_in(uold, &tp->oldp, 0);

	if (err)
		return err;
	err = path_in(unew, &tp->newp, 0);
	if (err) {
		kfree(tp->oldp);
		return err;
	}
	err = at_base(olddir, tp->oldp, &tp->obase);
	if (!err)
		err = at_base(newdir, tp->newp, &tp->nbase);
	if (err) {
		kfree(tp->newp);
		kfree(tp->oldp);
	}
	return err;
}

static void two_paths_put(struct two_paths *tp)
{
	kfree(tp->newp);
	kfree(tp->oldp);
}

long sys_linkat(int olddir, uint64_t uold, int newdir, uint64_t unew, int flags)
{
	struct two_paths tp;
	int err;

	if (flags & ~(uint64_t)(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	err = two_paths_in(olddir, uold, newdir, unew, &tp);
	if (err)
		return err;
	err = vfs_link(proc_current()->fs, tp.obase, tp.oldp, tp.nbase, tp.newp, (flags & AT_SYMLINK_FOLLOW) != 0);
	two_paths_put(&tp);
	return err;
}

long sys_link(uint64_t uold, uint64_t unew)
{
	return sys_linkat(AT_FDCWD, uold, AT_FDCWD, unew, 0);
}

long sys_renameat2(int olddir, uint64_t uold, int newdir, uint64_t unew, unsigned int flags)
{
	struct two_paths tp;
	int err = two_paths_in(olddir, uold, newdir, unew, &tp);

	if (err)
		return err;
	err = vfs_rename(proc_current()->fs, tp.obase, tp.oldp, tp.nbase, tp.newp, (unsigned)flags);
	two_paths_put(&tp);
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
