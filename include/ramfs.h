/* SPDX-License-Identifier: MIT */
/*
 * ramfs.h - the RAM file system: what the root, /tmp and /dev live in. Files
 * keep their data in whole pages (a radix tree by page index, holes read as
 * zeroes); directories keep their entries in creation order, each with a
 * cookie that getdents64 offsets are made of, so a directory can be listed
 * while entries are removed (rm -r) without skipping any.
 */
#ifndef ATLAS_RAMFS_H
#define ATLAS_RAMFS_H

#include "vfs.h"

#define RAMFS_MAGIC 0x858458f6UL /* statfs f_type, as Linux's ramfs */

/* A new, empty ramfs (a root directory, mode 0755): its super, or NULL when out of memory. */
struct super *ramfs_new(const char *source, const char *type, uint32_t dev);

/*
 * Where file pages come from: one zeroed 4 KiB page (kernel virtual address)
 * or NULL; and back. The kernel takes them from the PMM (purpose "file"),
 * reached through the direct map; host tests from malloc.
 */
void *ramfs_page_alloc(void);
void ramfs_page_free(void *page);

/*
 * Make page (a whole page ramfs_page_free can take back: the kernel's are
 * PMM "file" pages) page number index of the regular file ino, as it is: no
 * copy. The file grows to cover it. Returns 0, -EINVAL (not a ramfs regular
 * file), -EEXIST (that page is there already), -EFBIG or -ENOMEM; on an error
 * the page stays the caller's.
 */
int ramfs_adopt_page(struct inode *ino, uint64_t index, void *page);

/* Pages held by every ramfs file now (the report's "file pages" line). */
uint64_t ramfs_pages_total(void);

#endif
