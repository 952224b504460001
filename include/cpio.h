/* SPDX-License-Identifier: MIT */
/*
 * cpio.h - unpacking an initramfs: a "newc" cpio archive (magic 070701, or
 * 070702 with checksums), or several concatenated ones with zero padding in
 * between, as Linux's init/initramfs.c accepts them, into the file system.
 */
#ifndef ATLAS_CPIO_H
#define ATLAS_CPIO_H

#include <stddef.h>
#include <stdint.h>

#include "vfs.h"

struct cpio_stats {
	uint32_t files, dirs, links, symlinks, nodes; /* entries created, by kind */
	uint32_t skipped;			      /* entries refused (named in a warning each) */
	uint64_t bytes;				      /* file data written */
	uint64_t adopted;			      /* of that, pages taken over without a copy */
	int truncated;				      /* the archive ended inside an entry */
};

/* A warning: what went wrong, naming the entry and its offset in the archive. */
typedef void (*cpio_warn_fn)(void *ctx, const char *msg);

/*
 * Unpack the archive at data (size bytes) under fs->root. Directories are
 * created as needed (also those the archive does not list); an existing
 * non-directory is replaced. A malformed or truncated entry gets one warning
 * through warn and the rest of the archive is unpacked where it can be
 * found (nothing after a bad header can be: that ends it). Returns 0 when the
 * whole archive was read, or -EINVAL (bad magic or header) / -ENOMEM after
 * unpacking what came before.
 *
 * adopt: NULL (every byte is copied), or a zeroed bitmap with one bit per
 * page of the archive, which must then start on a page boundary and consist
 * of pages ramfs_page_free() could take back. The whole pages of a regular
 * file whose data starts on a page boundary (tools/mkinitrd.py lays them out
 * so) then become the file's own pages (ramfs_adopt_page) and their bits are
 * set: from then on they belong to the file system, and the caller keeps the
 * pages whose bits are clear. A file's last partial page is copied, so its
 * tail reads as zeroes.
 */
int cpio_unpack(const struct fs_ctx *fs, const void *data, size_t size, uint8_t *adopt, cpio_warn_fn warn, void *ctx,
		struct cpio_stats *st);

#endif
