/* SPDX-License-Identifier: MIT */
/*
 * mount.c - the mount table: which file system's root covers which
 * directory. Mounts are made at boot (the root ramfs, /proc, /dev) and never
 * undone; a covered directory keeps a reference to what is mounted on it.
 */
#include "kerrno.h"
#include "ramfs.h"
#include "vfs.h"

#define MOUNTS_MAX 16
#define ROOT_DEV MKDEV(0, 1) /* Linux numbers its anonymous devices 0:N */

static struct super *mounts[MOUNTS_MAX];
static size_t nmounts;
static struct inode *root;

int vfs_mount(struct inode *dir, struct super *sb)
{
	if (!S_ISDIR(dir->mode))
		return -ENOTDIR;
	if (dir->mounted || nmounts == MOUNTS_MAX)
		return -EBUSY;
	dir->mounted = inode_get(sb->root);
	sb->mountpoint = inode_get(dir);
	mounts[nmounts++] = sb;
	return 0;
}

struct inode *vfs_root(void)
{
	return root;
}

struct super *const *vfs_mounts(size_t *n)
{
	*n = nmounts;
	return mounts;
}

int vfs_init(void)
{
	static const char *const dirs[] = { "bin",  "dev", "etc", "home", "proc", "root",
					    "sbin", "sys", "tmp", "usr",  "var" };
	struct super *sb;

	if (root)
		return 0;
	sb = ramfs_new("ramfs", "ramfs", ROOT_DEV);
	if (!sb)
		return -ENOMEM;
	mounts[nmounts++] = sb;
	root = sb->root;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		struct inode *d;
		size_t len = 0;
		int err;

		while (dirs[i][len])
			len++;
		err = root->iop->create(root, dirs[i], len, S_IFDIR | (i == 8 ? 01777 : 0755), 0, NULL, &d);
		if (err)
			return err;
		inode_put(d);
	}
	return 0;
}
