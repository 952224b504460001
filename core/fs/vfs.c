/* SPDX-License-Identifier: MIT */
/*
 * vfs.c - the operations the file system calls share on names: open with
 * its flags, creating and removing names, link, rename, readlink, truncate.
 * The syscall layer copies paths in and results out; everything here takes
 * kernel strings and gives Linux's error codes. Bytes of an open file
 * (read/write at offsets, lseek) are vfs_rw.c; getdents64 is vfs_dir.c.
 */
#include "vfs.h"
#include "heap.h"
#include "kernel.h"
#include "kerrno.h"
#include "kstring.h"

/*
 * The open itself, once the inode is known: checks, O_TRUNC, the type's own
 * open. (dir, name): what /proc/PID/fd shows (file_set_name); dir NULL: nothing.
 */
static int open_inode(struct inode *ino, unsigned flags, struct inode *dir, const char *name, struct file **out)
{
	unsigned acc = flags & O_ACCMODE;
	struct file *f;
	int err = 0;

	if ((flags & O_DIRECTORY) && !S_ISDIR(ino->mode))
		err = -ENOTDIR;
	else if (S_ISDIR(ino->mode) && (acc != O_RDONLY || (flags & O_CREAT)))
		err = -EISDIR;
	else if (S_ISLNK(ino->mode))
		err = -ELOOP; /* O_NOFOLLOW met a symlink */
	if (err)
		return err;
	f = file_new(ino, flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_CLOEXEC));
	if (!f)
		return -ENOMEM;
	if (dir && file_set_name(f, dir, name)) {
		file_put(f);
		return -ENOMEM;
	}
	if (flags & O_PATH) {
		f->fop = NULL; /* O_PATH: a handle for *at() and fstat, nothing else */
	} else if (S_ISCHR(ino->mode)) {
		err = dev_open(ino, f);
	} else if (S_ISFIFO(ino->mode)) {
		err = fifo_open(ino, f);
	} else if (ino->iop && ino->iop->open) {
		err = ino->iop->open(ino, f);
	}
	if (!err && (flags & O_TRUNC) && S_ISREG(ino->mode) && !(flags & O_PATH))
		err = vfs_truncate(ino, 0);
	if (err) {
		file_put(f);
		return err;
	}
	*out = f;
	return 0;
}

int vfs_open_inode(struct inode *ino, unsigned flags, struct file **out)
{
	return open_inode(ino, flags, NULL, NULL, out);
}

/* O_CREAT: the name in wp->dir, which may exist (then follow it as open would) or not (create it). */
static int open_create(const struct fs_ctx *fs, struct walk_parent *wp, unsigned flags, unsigned mode,
		       struct file **out)
{
	char name[NAME_MAX + 1], final[NAME_MAX + 1];
	struct inode *ino = NULL, *parent = NULL;
	int err;

	if (wp->dot || wp->trailing_slash)
		return -EISDIR;
	memcpy(name, wp->name, wp->len);
	name[wp->len] = 0;
	err = vfs_lookup_one(wp->dir, name, wp->len, &ino);
	if (!err) {
		if (flags & O_EXCL) {
			inode_put(ino);
			return -EEXIST;
		}
		if (S_ISLNK(ino->mode)) {
			if (flags & O_NOFOLLOW) {
				inode_put(ino);
				return -ELOOP;
			}
			inode_put(ino);
			/* Follow it; a dangling link creates its target, as Linux does. */
			ino = NULL;
			err = vfs_walk_named(fs, wp->dir, name, WALK_FOLLOW, &ino, &parent, final);
			if (err == -ENOENT) {
				char *target = kmalloc(PATH_MAX);
				struct walk_parent twp;
				struct inode *link;
				long n = -ENOENT;

				if (!target)
					return -ENOMEM;
				if (!vfs_lookup_one(wp->dir, name, wp->len, &link)) {
					if (S_ISLNK(link->mode) && link->iop && link->iop->readlink)
						n = link->iop->readlink(link, target, PATH_MAX - 1);
					inode_put(link);
				}
				if (n > 0) {
					target[n] = 0;
					err = vfs_walk_parent(fs, wp->dir, target, &twp);
					if (!err) {
						err = open_create(fs, &twp, flags | O_EXCL, mode, out);
						inode_put(twp.dir);
					}
				}
				kfree(target);
				return err;
			}
			if (err)
				return err;
			err = open_inode(ino, flags, parent, final, out);
			inode_put(ino);
			inode_put(parent);
			return err;
		}
		err = open_inode(ino, flags, wp->dir, name, out);
		inode_put(ino);
		return err;
	}
	if (err != -ENOENT)
		return err;
	if (!wp->dir->iop || !wp->dir->iop->create)
		return -EACCES; /* /proc and the like take no new files */
	err = wp->dir->iop->create(wp->dir, name, wp->len, S_IFREG | (mode & ~fs->umask & S_IALLUGO), 0, NULL, &ino);
	if (err)
		return err;
	err = open_inode(ino, flags & ~O_TRUNC, wp->dir, name, out);
	inode_put(ino);
	return err;
}

int vfs_open(const struct fs_ctx *fs, struct inode *base, const char *path, unsigned flags, unsigned mode,
	     struct file **out)
{
	char name[NAME_MAX + 1];
	struct inode *ino = NULL, *parent = NULL;
	int err;

	if (flags & O_CREAT) {
		struct walk_parent wp;

		err = vfs_walk_parent(fs, base, path, &wp);
		if (err)
			return err;
		err = open_create(fs, &wp, flags, mode, out);
		inode_put(wp.dir);
		return err;
	}
	err = vfs_walk_named(fs, base, path, (flags & O_NOFOLLOW) ? 0 : WALK_FOLLOW, &ino, &parent, name);
	if (err)
		return err;
	/* A directory by itself (its path follows renames); anything else by its parent's entry. */
	err = S_ISDIR(ino->mode) ? open_inode(ino, flags, ino, NULL, out) :
	      parent		 ? open_inode(ino, flags, parent, name, out) :
				   open_inode(ino, flags, NULL, NULL, out);
	inode_put(parent);
	inode_put(ino);
	return err;
}

/* Resolve the parent of a name to create: -EEXIST for "/", "." and "..", as mkdir says. */
static int parent_for_create(const struct fs_ctx *fs, struct inode *base, const char *path, struct walk_parent *wp)
{
	int err = vfs_walk_parent(fs, base, path, wp);

	if (err)
		return err;
	if (wp->dot) {
		inode_put(wp->dir);
		return -EEXIST;
	}
	if (!wp->dir->iop || !wp->dir->iop->create) {
		inode_put(wp->dir);
		return -EACCES;
	}
	return 0;
}

static int create_node(const struct fs_ctx *fs, struct inode *base, const char *path, unsigned mode, uint32_t rdev,
		       const char *target)
{
	struct walk_parent wp;
	struct inode *ino;
	int err = parent_for_create(fs, base, path, &wp);

	if (err)
		return err;
	if (wp.trailing_slash && !S_ISDIR(mode)) {
		/* "mknod x/" names a directory: Linux says ENOENT unless x exists (EEXIST). */
		err = vfs_lookup_one(wp.dir, wp.name, wp.len, &ino);
		if (!err)
			inode_put(ino);
		inode_put(wp.dir);
		return err ? -ENOENT : -EEXIST;
	}
	err = wp.dir->iop->create(wp.dir, wp.name, wp.len, mode, rdev, target, &ino);
	if (!err)
		inode_put(ino);
	inode_put(wp.dir);
	return err;
}

int vfs_mknod(const struct fs_ctx *fs, struct inode *base, const char *path, unsigned mode, uint32_t rdev)
{
	unsigned type = mode & S_IFMT;

	if (type == 0)
		type = S_IFREG;
	if (type != S_IFREG && type != S_IFCHR && type != S_IFIFO && type != S_IFSOCK && type != S_IFBLK)
		return -EINVAL;
	return create_node(fs, base, path, type | (mode & ~fs->umask & S_IALLUGO), rdev, NULL);
}

int vfs_mkdir(const struct fs_ctx *fs, struct inode *base, const char *path, unsigned mode)
{
	return create_node(fs, base, path, S_IFDIR | (mode & ~fs->umask & S_IALLUGO), 0, NULL);
}

int vfs_symlink(const struct fs_ctx *fs, const char *target, struct inode *base, const char *path)
{
	if (!*target)
		return -ENOENT;
	if (strlen(target) >= PATH_MAX)
		return -ENAMETOOLONG;
	return create_node(fs, base, path, S_IFLNK | 0777, 0, target);
}

static int remove_name(const struct fs_ctx *fs, struct inode *base, const char *path, int rmdir)
{
	struct walk_parent wp;
	struct inode *ino;
	int err = vfs_walk_parent(fs, base, path, &wp);

	if (err)
		return err;
	if (wp.dot) {
		/* rmdir(".") is EINVAL, rmdir("..") ENOTEMPTY, rmdir("/") EBUSY; unlink of any of them EISDIR. */
		err = !rmdir				   ? -EISDIR :
		      wp.dot == 2			   ? -ENOTEMPTY :
		      wp.dir == fs->root && path[0] == '/' ? -EBUSY :
							     -EINVAL;
		inode_put(wp.dir);
		return err;
	}
	err = vfs_lookup_one(wp.dir, wp.name, wp.len, &ino);
	if (!err) {
		if (!rmdir && wp.trailing_slash)
			err = S_ISDIR(ino->mode) ? -EISDIR : -ENOTDIR;
		else if (rmdir && !S_ISDIR(ino->mode))
			err = -ENOTDIR;
		else if (ino == ino->sb->root || ino == fs->root)
			err = -EBUSY; /* a mount point, or the root */
		inode_put(ino);
	}
	if (!err)
		err = wp.dir->iop && wp.dir->iop->unlink ? wp.dir->iop->unlink(wp.dir, wp.name, wp.len, rmdir) :
							   -EACCES;
	inode_put(wp.dir);
	return err;
}

int vfs_rmdir(const struct fs_ctx *fs, struct inode *base, const char *path)
{
	return remove_name(fs, base, path, 1);
}

int vfs_unlink(const struct fs_ctx *fs, struct inode *base, const char *path)
{
	return remove_name(fs, base, path, 0);
}

int vfs_link(const struct fs_ctx *fs, struct inode *obase, const char *opath, struct inode *nbase, const char *npath,
	     int follow)
{
	struct walk_parent wp;
	struct inode *target;
	int err = vfs_walk(fs, obase, opath, follow ? WALK_FOLLOW : 0, &target);

	if (err)
		return err;
	if (S_ISDIR(target->mode)) {
		inode_put(target);
		return -EPERM;
	}
	err = parent_for_create(fs, nbase, npath, &wp);
	if (err) {
		inode_put(target);
		return err;
	}
	if (wp.trailing_slash) {
		/* "link x y/": as for mknod, EEXIST when y exists, else ENOENT (before EXDEV, as Linux's
		 * filename_create). */
		struct inode *ino;

		err = vfs_lookup_one(wp.dir, wp.name, wp.len, &ino);
		if (!err)
			inode_put(ino);
		err = err ? -ENOENT : -EEXIST;
	} else if (wp.dir->sb != target->sb)
		err = -EXDEV;
	else
		err = wp.dir->iop->link ? wp.dir->iop->link(wp.dir, wp.name, wp.len, target) : -EPERM;
	inode_put(wp.dir);
	inode_put(target);
	return err;
}

/* 1 when dir is anc or lies below it. */
static int is_below(const struct fs_ctx *fs, struct inode *dir, struct inode *anc)
{
	for (int depth = 0; depth < 4096; depth++) {
		if (dir == anc)
			return 1;
		if (dir == fs->root || !dir->parent || dir->parent == dir)
			return 0;
		dir = dir->parent;
	}
	return 0;
}

int vfs_rename(const struct fs_ctx *fs, struct inode *obase, const char *opath, struct inode *nbase, const char *npath,
	       unsigned flags)
{
	struct walk_parent o, n;
	struct inode *src = NULL, *dst = NULL;
	int err;

	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
		return -EINVAL;
	if ((flags & RENAME_EXCHANGE) && (flags & (RENAME_NOREPLACE | RENAME_WHITEOUT)))
		return -EINVAL;
	if (flags & RENAME_WHITEOUT)
		return -EINVAL; /* no overlay file systems: Linux's tmpfs says EINVAL too without a whiteout device */
	err = vfs_walk_parent(fs, obase, opath, &o);
	if (err)
		return err;
	err = vfs_walk_parent(fs, nbase, npath, &n);
	if (err) {
		inode_put(o.dir);
		return err;
	}
	if (o.dot || n.dot) {
		err = -EBUSY; /* ".", ".." or "/" on either side, as Linux's do_renameat2 says */
		goto out;
	}
	err = vfs_lookup_one(o.dir, o.name, o.len, &src);
	if (err)
		goto out;
	if (vfs_lookup_one(n.dir, n.name, n.len, &dst))
		dst = NULL;
	if ((o.trailing_slash || n.trailing_slash) && !S_ISDIR(src->mode)) {
		err = -ENOTDIR;
		goto out;
	}
	if (o.dir->sb != n.dir->sb || src->sb != o.dir->sb) {
		err = -EXDEV; /* crossing a mount point, or renaming a mount */
		goto out;
	}
	if (src == fs->root || src == src->sb->root || (dst && (dst == dst->sb->root || dst->mounted))) {
		err = -EBUSY;
		goto out;
	}
	/* A directory cannot move below itself; nor can the other side of an exchange. */
	if ((S_ISDIR(src->mode) && is_below(fs, n.dir, src)) ||
	    ((flags & RENAME_EXCHANGE) && dst && S_ISDIR(dst->mode) && is_below(fs, o.dir, dst))) {
		err = src == dst ? 0 : -EINVAL;
		goto out;
	}
	err = o.dir->iop->rename ? o.dir->iop->rename(o.dir, o.name, o.len, n.dir, n.name, n.len, flags) : -EPERM;
out:
	inode_put(src);
	inode_put(dst);
	inode_put(o.dir);
	inode_put(n.dir);
	return err;
}

long vfs_readlink(const struct fs_ctx *fs, struct inode *base, const char *path, char *buf, size_t size)
{
	struct inode *ino;
	long n;
	int err = vfs_walk(fs, base, path, 0, &ino);

	if (err)
		return err;
	if (!S_ISLNK(ino->mode) || !ino->iop || !ino->iop->readlink)
		n = -EINVAL;
	else
		n = ino->iop->readlink(ino, buf, size);
	inode_put(ino);
	return n;
}

int vfs_truncate(struct inode *ino, uint64_t size)
{
	if (S_ISDIR(ino->mode))
		return -EISDIR;
	if (!S_ISREG(ino->mode))
		return -EINVAL;
	if ((int64_t)size < 0)
		return -EINVAL;
	if (!ino->iop || !ino->iop->truncate)
		return -EPERM;
	return ino->iop->truncate(ino, size);
}
