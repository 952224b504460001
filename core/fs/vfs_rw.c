/* SPDX-License-Identifier: MIT */
/*
 * vfs_rw.c - moving bytes through an open file: read and write at the file
 * offset or at a given one (pread/pwrite), and lseek. Apart from vfs.c
 * (opening and naming files) because these act on a struct file, never on a
 * path; the directory listing is vfs_dir.c.
 */
#include "kernel.h"
#include "kerrno.h"
#include "vfs.h"

#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#define SEEK_DATA 3
#define SEEK_HOLE 4
#define LSEEK_MAX (1LL << 62) /* beyond anything a RAM file reaches; Linux's s_maxbytes analogue */

static int readable(const struct file *f)
{
	return f->fop && (f->flags & O_ACCMODE) != O_WRONLY;
}

static int writable(const struct file *f)
{
	return f->fop && (f->flags & O_ACCMODE) != O_RDONLY;
}

long vfs_read(struct file *f, struct uio *u)
{
	uint64_t pos = f->pos;
	long r;

	if (!readable(f))
		return -EBADF;
	if (S_ISDIR(f->ino->mode))
		return -EISDIR;
	if (!f->fop->read)
		return -EINVAL;
	if (!u->len)
		return 0;
	r = f->fop->read(f, u, &pos);
	if (r > 0 && f->fop->seekable)
		f->pos = pos;
	return r;
}

long vfs_write(struct file *f, struct uio *u)
{
	uint64_t pos;
	long r;

	if (!writable(f))
		return -EBADF;
	if (!f->fop->write)
		return -EINVAL;
	if (!u->len)
		return 0;
	if ((f->flags & O_APPEND) && f->ino)
		f->pos = f->ino->size;
	pos = f->pos;
	r = f->fop->write(f, u, &pos);
	if (r > 0 && f->fop->seekable)
		f->pos = pos;
	return r;
}

long vfs_pread(struct file *f, struct uio *u, uint64_t off)
{
	if (!readable(f))
		return -EBADF;
	if (S_ISDIR(f->ino->mode))
		return -EISDIR;
	if (!f->fop->seekable)
		return -ESPIPE;
	if ((int64_t)off < 0)
		return -EINVAL;
	if (!f->fop->read)
		return -EINVAL;
	return u->len ? f->fop->read(f, u, &off) : 0;
}

long vfs_pwrite(struct file *f, struct uio *u, uint64_t off)
{
	if (!writable(f))
		return -EBADF;
	if (!f->fop->seekable)
		return -ESPIPE;
	if ((int64_t)off < 0)
		return -EINVAL;
	if (!f->fop->write)
		return -EINVAL;
	/* Linux quirk kept: pwrite on an O_APPEND file appends. */
	if ((f->flags & O_APPEND) && f->ino)
		off = f->ino->size;
	return u->len ? f->fop->write(f, u, &off) : 0;
}

long vfs_lseek(struct file *f, int64_t off, int whence)
{
	int64_t base, r;

	if (!f->fop)
		return -EBADF;
	if (!f->fop->seekable)
		return -ESPIPE;
	switch (whence) {
	case SEEK_SET:
		base = 0;
		break;
	case SEEK_CUR:
		base = (int64_t)f->pos;
		break;
	case SEEK_END:
		base = (int64_t)f->ino->size;
		break;
	case SEEK_DATA:
	case SEEK_HOLE:
		if (!S_ISREG(f->ino->mode))
			return -EINVAL;
		if (off < 0 || (uint64_t)off >= f->ino->size)
			return -ENXIO;
		/* RAM files: every byte below the size counts as data (holes read as zeroes). */
		r = whence == SEEK_DATA ? off : (int64_t)f->ino->size;
		f->pos = (uint64_t)r;
		return r;
	default:
		return -EINVAL;
	}
	if ((off > 0 && base > LSEEK_MAX - off) || base + off < 0)
		return -EINVAL;
	r = base + off;
	f->pos = (uint64_t)r;
	return r;
}
