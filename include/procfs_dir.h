/* SPDX-License-Identifier: MIT */
/*
 * procfs_dir.h - /proc as a file system (core/proc/procfs_dir.c; procfs_set_text in procfs_text.c).
 */
#ifndef ATLAS_PROCFS_DIR_H
#define ATLAS_PROCFS_DIR_H

#include <stddef.h>

/* Mount /proc (vfs_init made the directory). Returns 0 or -errno. */
int procfs_mount(void);

/*
 * A system file whose text comes from elsewhere (/proc/iomem from the PCI
 * and ACPI code): fn writes like snprintf and returns the length needed.
 */
typedef long (*procfs_text_fn)(char *buf, size_t size);
void procfs_set_text(const char *name, procfs_text_fn fn);

/*
 * Drop the inodes /proc keeps for the next walk (procfs_dir.c). Called as
 * each process ends, so that none of its inodes outlives it in the cache
 * and the heap holds after a process what it held before it. Inodes still
 * in use stay alive through their own references.
 */
void procfs_forget(void);

#endif
