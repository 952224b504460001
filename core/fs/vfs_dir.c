/* SPDX-License-Identifier: MIT */
/*
 * vfs_dir.c - getdents64: a directory's entries as linux_dirent64 records,
 * copied out in chunks. Apart from vfs.c (opening and naming files) and
 * vfs_rw.c (bytes of an open file) because listing has its own record
 * format and its own fault rule.
 */
#include "kernel.h"
#include "kerrno.h"
#include "kstring.h"
#include "uaccess.h"
#include "vfs.h"

/*
 * getdents64: struct linux_dirent64 { u64 d_ino; s64 d_off; u16 d_reclen; u8 d_type; char d_name[]; }.
 * Records are formatted into a chunk on the stack and copied out a chunk at a
 * time: one checked copy per DENTS_CHUNK bytes instead of one per entry (a
 * 100-entry directory cost a hundred copies, each a call, a range check and a
 * rep movs). A chunk whose copy faults is copied again record by record, so
 * that, as on Linux, every entry that fits before the bad address arrives
 * and the call returns their length (-EFAULT if none); the offset is left
 * after the last of them (its d_off), where the next call carries on.
 */
#define DENTS_CHUNK 1024
#define DIRENT_HDR 19

struct dirent_hdr {
	uint64_t ino;
	int64_t off;
	uint16_t reclen;
	uint8_t type;
} __attribute__((packed));
_Static_assert(sizeof(struct dirent_hdr) == DIRENT_HDR, "linux_dirent64 has a 19-byte header");

struct dents {
	struct dir_ctx ctx;
	uint64_t ubuf;
	size_t size, used;     /* used: bytes given to the user so far, copied out or in chunk[] */
	size_t pending;	       /* bytes at the start of chunk[] not copied out yet */
	uint64_t flushed_next; /* d_off of the last record copied out */
	size_t last;	       /* offset in chunk[] of the newest record */
	int err, full;
	char chunk[DENTS_CHUNK] __attribute__((aligned(8)));
};

/* Copy chunk[] out; 0, or -EFAULT with d->used cut to what arrived. */
static int dents_flush(struct dents *d)
{
	size_t n = d->pending, base = d->used - n, done = 0;

	if (!n)
		return 0;
	d->pending = 0;
	if (!copy_to_user(d->ubuf + base, d->chunk, n)) {
		d->flushed_next = (uint64_t)((struct dirent_hdr *)(d->chunk + d->last))->off;
		return 0;
	}
	while (done < n) {
		const struct dirent_hdr *h = (const struct dirent_hdr *)(d->chunk + done);

		if (copy_to_user(d->ubuf + base + done, h, h->reclen))
			break;
		d->flushed_next = (uint64_t)h->off;
		done += h->reclen;
	}
	d->used = base + done;
	return -EFAULT;
}

static int put_dirent(struct dir_ctx *ctx, const char *name, size_t len, uint64_t ino, unsigned type, uint64_t next)
{
	struct dents *d = (struct dents *)ctx;
	size_t reclen = (DIRENT_HDR + len + 1 + 7) & ~(size_t)7;
	struct dirent_hdr *h;
	char *rec;

	if (d->used + reclen > d->size) {
		d->full = 1;
		return 1;
	}
	if (d->pending + reclen > DENTS_CHUNK && dents_flush(d)) {
		d->err = -EFAULT;
		return 1;
	}
	rec = d->chunk + d->pending;
	/* The last 8 bytes first: the name's NUL and the padding after it read as zeroes. */
	*(uint64_t *)(rec + reclen - 8) = 0;
	h = (struct dirent_hdr *)rec;
	h->ino = ino;
	h->off = (int64_t)next;
	h->reclen = (uint16_t)reclen;
	h->type = (uint8_t)type;
	for (size_t i = 0; i < len; i++)
		rec[DIRENT_HDR + i] = name[i];
	d->last = d->pending;
	d->pending += reclen;
	d->used += reclen;
	return 0;
}

long vfs_getdents64(struct file *f, uint64_t ubuf, size_t size)
{
	struct dents d;
	uint64_t pos = f->pos;
	int err;

	if (!f->fop)
		return -EBADF;
	if (!S_ISDIR(f->ino->mode))
		return -ENOTDIR;
	if (!f->ino->iop || !f->ino->iop->iterate)
		return -ENOTDIR;
	if (f->ino->nlink == 0)
		return 0; /* a removed directory lists as empty, as on Linux */
	if (!user_range_ok(ubuf, size))
		return -EFAULT;
	d.ctx.emit = put_dirent;
	d.ubuf = ubuf;
	d.size = size;
	d.used = d.pending = d.last = 0;
	d.flushed_next = pos;
	d.err = d.full = 0;
	err = f->ino->iop->iterate(f->ino, &pos, &d.ctx);
	if (!d.err && dents_flush(&d))
		d.err = -EFAULT;
	if (d.err) {
		/* What did not reach the user is listed again by the next call. */
		pos = d.flushed_next;
		if (!d.used)
			return d.err;
	} else if (err && !d.used) {
		return err;
	} else if (!d.used && d.full) {
		return -EINVAL; /* not even one entry fits */
	}
	f->pos = pos;
	f->ino->atime = ktime_real();
	return d.used ? (long)d.used : 0;
}
