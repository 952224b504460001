/* SPDX-License-Identifier: MIT */
/*
 * devfs.c - the device table and /dev (include/devfs.h), and the memory
 * devices of major 1: null, zero, full, random and urandom. random and
 * urandom read the kernel's generator (RDRAND/RDSEED where the CPU has them,
 * a TSC-seeded mix otherwise; core/random.c) and never block, as Linux's
 * have not since 5.6 once seeded.
 */
#include "devfs.h"

#include "kerrno.h"
#include "kstring.h"
#include "ramfs.h"
#include "random.h"

#define DEVICES_MAX 16
#define DEVFS_DEV MKDEV(0, 5)

struct device {
	uint32_t rdev;
	const char *name;
	const struct file_ops *fops;
	int (*open)(struct inode *ino, struct file *f);
};

static struct device devices[DEVICES_MAX];
static size_t ndevices;

int devfs_register(uint32_t rdev, const char *name, const struct file_ops *fops,
		   int (*open)(struct inode *ino, struct file *f))
{
	for (size_t i = 0; i < ndevices; i++)
		if (devices[i].rdev == rdev)
			return -EBUSY;
	if (ndevices == DEVICES_MAX)
		return -ENOSPC;
	devices[ndevices++] = (struct device){ rdev, name, fops, open };
	return 0;
}

const char *devfs_name(uint32_t rdev)
{
	for (size_t i = 0; i < ndevices; i++)
		if (devices[i].rdev == rdev)
			return devices[i].name;
	return NULL;
}

int dev_open(struct inode *ino, struct file *f)
{
	for (size_t i = 0; i < ndevices; i++) {
		if (devices[i].rdev != ino->rdev)
			continue;
		f->fop = devices[i].fops;
		return devices[i].open ? devices[i].open(ino, f) : 0;
	}
	return -ENXIO;
}

static long null_read(struct file *f, struct uio *u, uint64_t *pos)
{
	(void)f;
	(void)u;
	(void)pos;
	return 0;
}

static long null_write(struct file *f, struct uio *u, uint64_t *pos)
{
	size_t n = u->len;

	(void)f;
	(void)pos;
	u->addr += n;
	u->len = 0;
	return (long)n;
}

static long zero_read(struct file *f, struct uio *u, uint64_t *pos)
{
	size_t n = u->len;

	(void)f;
	(void)pos;
	return uio_zero(u, n) ? -EFAULT : (long)n;
}

static long full_write(struct file *f, struct uio *u, uint64_t *pos)
{
	(void)f;
	(void)u;
	(void)pos;
	return -ENOSPC;
}

static long random_read(struct file *f, struct uio *u, uint64_t *pos)
{
	uint8_t chunk[256];
	size_t done = 0;

	(void)f;
	(void)pos;
	while (u->len) {
		size_t n = u->len < sizeof(chunk) ? u->len : sizeof(chunk);

		random_fill(chunk, n);
		if (uio_copy_to(u, chunk, n))
			return done ? (long)done : -EFAULT;
		done += n;
	}
	return (long)done;
}

static unsigned always_ready(struct file *f, struct waitq **wq)
{
	(void)f;
	(void)wq;
	return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
}

/* Reading /dev/null and friends: the offset means nothing, lseek succeeds at 0 as on Linux. */
static const struct file_ops null_fops = { null_read, null_write, always_ready, NULL, NULL, 1 };
static const struct file_ops zero_fops = { zero_read, null_write, always_ready, NULL, NULL, 1 };
static const struct file_ops full_fops = { zero_read, full_write, always_ready, NULL, NULL, 1 };
static const struct file_ops random_fops = { random_read, null_write, always_ready, NULL, NULL, 1 };

static int create(struct inode *dir, const char *name, unsigned mode, uint32_t rdev, const char *target)
{
	struct inode *ino;
	int err = dir->iop->create(dir, name, strlen(name), mode, rdev, target, &ino);

	if (!err)
		inode_put(ino);
	return err;
}

int devfs_init(void)
{
	static const char *const links[][2] = {
		{ "fd", "/proc/self/fd" },
		{ "stdin", "/proc/self/fd/0" },
		{ "stdout", "/proc/self/fd/1" },
		{ "stderr", "/proc/self/fd/2" },
	};
	struct inode *root = vfs_root(), *dev;
	struct super *sb;
	int err;

	devfs_register(DEV_NULL, "null", &null_fops, NULL);
	devfs_register(DEV_ZERO, "zero", &zero_fops, NULL);
	devfs_register(DEV_FULL, "full", &full_fops, NULL);
	devfs_register(DEV_RANDOM, "random", &random_fops, NULL);
	devfs_register(DEV_URANDOM, "urandom", &random_fops, NULL);
	if (!root)
		return -ENOENT;
	err = root->iop->lookup(root, "dev", 3, &dev);
	if (err)
		return err;
	sb = ramfs_new("devtmpfs", "devtmpfs", DEVFS_DEV);
	err = sb ? vfs_mount(dev, sb) : -ENOMEM;
	inode_put(dev);
	if (err)
		return err;
	for (size_t i = 0; i < ndevices && !err; i++)
		err = create(sb->root, devices[i].name, S_IFCHR | 0666, devices[i].rdev, NULL);
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]) && !err; i++)
		err = create(sb->root, links[i][0], S_IFLNK | 0777, 0, links[i][1]);
	if (!err)
		err = create(sb->root, "shm", S_IFDIR | 01777, 0, NULL);
	return err;
}
