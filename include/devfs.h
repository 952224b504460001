/* SPDX-License-Identifier: MIT */
/*
 * devfs.h - /dev: a ramfs mounted at /dev holding the device nodes Linux
 * programs open (null, zero, full, random, urandom, tty, console, and the
 * links fd, stdin, stdout, stderr into /proc/self/fd), and the table that
 * maps a character device number to its driver's file operations.
 */
#ifndef ATLAS_DEVFS_H
#define ATLAS_DEVFS_H

#include "vfs.h"

/* Linux's numbers (Documentation/admin-guide/devices.txt). */
#define DEV_MEM_MAJOR 1
#define DEV_NULL MKDEV(1, 3)
#define DEV_ZERO MKDEV(1, 5)
#define DEV_FULL MKDEV(1, 7)
#define DEV_RANDOM MKDEV(1, 8)
#define DEV_URANDOM MKDEV(1, 9)
#define DEV_TTY MKDEV(5, 0)
#define DEV_CONSOLE MKDEV(5, 1)

/*
 * Register a character device: opening an inode with number rdev gets fops
 * (and open, if given, is called to finish: it may pick other fops). name
 * is its node in /dev. Returns 0, -EBUSY (taken) or -ENOSPC (table full).
 */
int devfs_register(uint32_t rdev, const char *name, const struct file_ops *fops,
		   int (*open)(struct inode *ino, struct file *f));

/*
 * Mount a ramfs on /dev (which vfs_init made) and create a node for every
 * registered device, plus fd, stdin, stdout and stderr. Call after the
 * drivers registered. Returns 0 or -errno.
 */
int devfs_init(void);

/* The /dev name of a registered device ("null"), or NULL. */
const char *devfs_name(uint32_t rdev);

#endif
