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

#endif
