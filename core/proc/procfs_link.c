/* SPDX-License-Identifier: MIT */
/*
 * procfs_link.c - /proc's links: /proc/self and thread-self (ordinary
 * symlinks to "PID" and "PID/task/TID"), and the "magic" links exe, cwd,
 * root and fd/N: readlink gives a path, but a walk through them lands on
 * the inode itself (inode_ops.get_link), so /proc/self/exe opens the
 * running program even if its name is gone. Apart from procfs_dir.c (the
 * tree) because it reads the process's files and fs context, not /proc's.
 */
#include "devfs.h"
#include "kerrno.h"
#include "kprintf.h"
#include "kstring.h"
#include "pipe.h"
#include "proc.h"
#include "procfs_internal.h"
#include "vfs.h"

long file_describe(const struct fs_ctx *fs, const struct file *f, char *buf, size_t size)
{
	const char *dev;

	if (f->dir) {
		/* The directory's path now, then the name (Linux's d_path, which follows renames of directories). */
		long n = vfs_dir_path(fs, f->dir, buf, size);
		const char *gone = f->ino->nlink == 0 ? " (deleted)" : "";

		if (n == -ENOENT) /* the directory itself was removed: its name is all there is */
			return ksnprintf(buf, size, "%s (deleted)", f->name ? f->name : "");
		if (n < 0)
			return n;
		if (!f->name)
			return (long)n + ksnprintf(buf + n, size - (size_t)n, "%s", gone);
		return (long)n + ksnprintf(buf + n, size - (size_t)n, "%s%s%s", n > 1 ? "/" : "", f->name, gone);
	}
	if (file_is_pipe(f))
		return ksnprintf(buf, size, "pipe:[%llu]", (unsigned long long)f->ino->ino);
	if (f->ino && S_ISCHR(f->ino->mode) && (dev = devfs_name(f->ino->rdev)))
		return ksnprintf(buf, size, "/dev/%s", dev);
	return ksnprintf(buf, size, "anon_inode:[%s]", f->ino && f->ino->sb ? f->ino->sb->type : "?");
}

long procfs_readlink(struct inode *link, char *buf, size_t size)
{
	struct proc *p = procfs_kind_of(link) == K_SELF ? proc_current() : procfs_proc_of(link);
	char tmp[PATH_MAX];
	long n;

	if (!p)
		return -ENOENT;
	switch (procfs_kind_of(link)) {
	case K_SELF:
		n = procfs_index_of(link) ? ksnprintf(tmp, sizeof(tmp), "%d/task/%d", p->pid, thread_current()->tid) :
					    ksnprintf(tmp, sizeof(tmp), "%d", p->pid);
		break;
	case K_FDLINK: {
		struct file *f = p->files ? fd_file(p->files, (int)procfs_index_of(link)) : NULL;

		if (!f)
			return -ENOENT;
		n = file_describe(proc_current()->fs, f, tmp, sizeof(tmp));
		break;
	}
	default:
		switch (procfs_index_of(link)) {
		case P_EXE:
			n = ksnprintf(tmp, sizeof(tmp), "%s", p->path);
			break;
		case P_CWD:
		case P_ROOT:
			if (!p->fs)
				return -ENOENT;
			n = vfs_dir_path(p->fs, procfs_index_of(link) == P_CWD ? p->fs->cwd : p->fs->root, tmp,
					 sizeof(tmp));
			break;
		default:
			return -EINVAL;
		}
	}
	if (n < 0)
		return n;
	if ((size_t)n > size)
		n = (long)size;
	memcpy(buf, tmp, (size_t)n);
	return n;
}

int procfs_get_link(struct inode *link, struct inode **out)
{
	struct proc *p = procfs_proc_of(link);
	struct file *f;

	if (!p)
		return -ENOENT;
	if (procfs_kind_of(link) == K_FDLINK) {
		f = p->files ? fd_file(p->files, (int)procfs_index_of(link)) : NULL;
		if (!f)
			return -ENOENT;
		*out = inode_get(f->ino);
		return 0;
	}
	switch (procfs_index_of(link)) {
	case P_CWD:
	case P_ROOT:
		if (!p->fs)
			return -ENOENT;
		*out = inode_get(procfs_index_of(link) == P_CWD ? p->fs->cwd : p->fs->root);
		return 0;
	case P_EXE:
		if (!p->fs)
			return -ENOENT;
		return vfs_walk(p->fs, NULL, p->path, WALK_FOLLOW, out);
	default:
		return -EINVAL;
	}
}
