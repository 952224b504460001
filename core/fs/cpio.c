/* SPDX-License-Identifier: MIT */
/*
 * cpio.c - the initramfs unpacker (include/cpio.h).
 *
 * newc header: "070701" then 13 fields of 8 hex digits (ino, mode, uid,
 * gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor,
 * namesize, check), 110 bytes; the name (namesize bytes with its NUL) padded
 * so that the data starts 4-aligned; the data padded to 4. "TRAILER!!!" ends
 * an archive. Hard links (nlink > 1) share an inode number: the first entry
 * of a group creates the file, the others link to it, and the data comes with
 * whichever entry carries it (GNU cpio puts it on the last).
 */
#include "cpio.h"

#include "heap.h"
#include "kerrno.h"
#include "kprintf.h"
#include "kstring.h"
#include "ramfs.h"

#define HDR_SIZE 110
#define FIELDS 13
#define MSG 160
#define LINKS_MAX 256
#define PAGE 4096UL

enum { F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_FILESIZE, F_MAJ, F_MIN, F_RMAJ, F_RMIN, F_NAMESIZE, F_CHECK };

struct hardlink {
	uint32_t ino, maj, min;
	char *path;
};

struct unpack {
	const struct fs_ctx *fs;
	const char *base; /* the archive */
	uint8_t *adopt;	  /* bitmap of its pages taken over by files, or NULL */
	cpio_warn_fn warn;
	void *ctx;
	struct cpio_stats *st;
	struct hardlink links[LINKS_MAX];
	size_t nlinks;
	char *path; /* PATH_MAX: the current entry's cleaned name */
	/*
	 * PATH_MAX: the directory make_parents last made sure of ("" for none).
	 * Archives list a directory's entries together, so most entries skip the
	 * mkdir of every component; emptied whenever an entry replaces something.
	 */
	char *parents_done;
};

static void warnf(struct unpack *u, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void warnf(struct unpack *u, const char *fmt, ...)
{
	char msg[MSG];
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (u->warn)
		u->warn(u->ctx, msg);
}

static int hexfield(const char *s, uint32_t *v)
{
	*v = 0;
	for (int i = 0; i < 8; i++) {
		char c = s[i];
		unsigned d = c >= '0' && c <= '9' ? (unsigned)(c - '0') :
			     c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10) :
			     c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10) :
						    16;
		if (d == 16)
			return -EINVAL;
		*v = (*v << 4) | d;
	}
	return 0;
}

static size_t pad4(size_t x)
{
	return (x + 3) & ~(size_t)3;
}

/* "./a/b", "/a/b", "a//b/" -> "a/b"; refuses ".." components (-EINVAL) and empty names ("." is the root). */
static int clean_name(const char *in, char *out, size_t size)
{
	size_t o = 0;
	const char *p = in;

	while (*p) {
		const char *s;
		size_t len;

		while (*p == '/')
			p++;
		s = p;
		while (*p && *p != '/')
			p++;
		len = (size_t)(p - s);
		if (!len || (len == 1 && s[0] == '.'))
			continue;
		if (len == 2 && s[0] == '.' && s[1] == '.')
			return -EINVAL;
		if (o + len + 2 > size)
			return -ENAMETOOLONG;
		if (o)
			out[o++] = '/';
		memcpy(out + o, s, len);
		o += len;
	}
	out[o] = 0;
	return 0;
}

/* mkdir -p of every directory above path (a cleaned relative name). */
static void make_parents(struct unpack *u, char *path)
{
	char *slash = NULL;

	for (char *p = path; *p; p++)
		if (*p == '/')
			slash = p;
	if (!slash)
		return;
	*slash = 0;
	if (!strcmp(path, u->parents_done)) {
		*slash = '/';
		return;
	}
	kstrlcpy(u->parents_done, path, PATH_MAX);
	*slash = '/';
	for (char *p = path; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (vfs_mkdir(u->fs, u->fs->root, path, 0755) == 0)
			u->st->dirs++;
		*p = '/';
	}
}

/* Give the inode at path the archive's mode bits, owner and time. */
static void set_attrs(struct unpack *u, const char *path, const uint32_t *f)
{
	struct inode *ino;

	if (vfs_walk(u->fs, u->fs->root, path, 0, &ino))
		return;
	ino->mode = (ino->mode & S_IFMT) | (f[F_MODE] & S_IALLUGO);
	ino->uid = f[F_UID];
	ino->gid = f[F_GID];
	ino->mtime.sec = f[F_MTIME];
	ino->mtime.nsec = 0;
	inode_put(ino);
}

/* Hand the whole pages of data (page aligned in the archive) to fp's file; returns the bytes taken. */
static size_t adopt_pages(struct unpack *u, struct file *fp, const char *data, size_t n)
{
	size_t first = (size_t)(data - u->base) / PAGE, i;

	if (!u->adopt || ((uintptr_t)data & (PAGE - 1)))
		return 0;
	for (i = 0; i < n / PAGE; i++) {
		if (ramfs_adopt_page(fp->ino, i, (void *)(uintptr_t)(data + i * PAGE)))
			break; /* not a ramfs file, or no memory for the index: the rest is copied */
		u->adopt[(first + i) / 8] |= (uint8_t)(1U << ((first + i) % 8));
		u->st->adopted++;
	}
	return i * PAGE;
}

static int write_data(struct unpack *u, const char *path, const char *data, size_t n, int create)
{
	struct file *fp;
	struct uio io;
	size_t done;
	long w;
	int err = vfs_open(u->fs, u->fs->root, path, O_WRONLY | O_TRUNC | (create ? O_CREAT | O_EXCL : 0), 0600, &fp);

	if (err)
		return err;
	done = adopt_pages(u, fp, data, n);
	io = uio_kernel((void *)(uintptr_t)(data + done), n - done);
	fp->pos = done;
	w = n > done ? vfs_write(fp, &io) : 0;
	file_put(fp);
	if (w < 0)
		return (int)w;
	if ((size_t)w != n - done)
		return -ENOSPC;
	u->st->bytes += n;
	return 0;
}

static struct hardlink *find_link(struct unpack *u, const uint32_t *f)
{
	for (size_t i = 0; i < u->nlinks; i++)
		if (u->links[i].ino == f[F_INO] && u->links[i].maj == f[F_MAJ] && u->links[i].min == f[F_MIN])
			return &u->links[i];
	return NULL;
}

/* One entry: returns 0, or -errno with a warning already given. */
static int entry(struct unpack *u, const char *name, const uint32_t *f, const char *data, size_t off)
{
	char *path = u->path;
	unsigned type = f[F_MODE] & S_IFMT;
	struct inode *old;
	int err;

	err = clean_name(name, path, PATH_MAX);
	if (err) {
		warnf(u, "cpio: entry \"%s\" at offset %zu: %s; skipped", name, off,
		      err == -EINVAL ? "a \"..\" component" : "name too long");
		goto skip;
	}
	if (!path[0])
		return 0; /* "." : the root itself */
	make_parents(u, path);
	/* An existing non-directory is replaced, as the kernel's unpacker does. */
	if (!vfs_walk(u->fs, u->fs->root, path, 0, &old)) {
		int isdir = S_ISDIR(old->mode);

		inode_put(old);
		if (!(isdir && type == S_IFDIR)) {
			u->parents_done[0] = 0;
			err = isdir ? vfs_rmdir(u->fs, u->fs->root, path) : vfs_unlink(u->fs, u->fs->root, path);
			if (err) {
				warnf(u, "cpio: entry \"%s\" at offset %zu: cannot replace what is there (%d); skipped",
				      path, off, err);
				goto skip;
			}
		}
	}
	switch (type) {
	case S_IFDIR:
		err = vfs_mkdir(u->fs, u->fs->root, path, f[F_MODE]);
		if (err == -EEXIST)
			err = 0;
		else if (!err)
			u->st->dirs++;
		break;
	case S_IFREG: {
		struct hardlink *hl = f[F_NLINK] > 1 ? find_link(u, f) : NULL;

		if (hl) {
			err = vfs_link(u->fs, u->fs->root, hl->path, u->fs->root, path, 0);
			if (!err && f[F_FILESIZE])
				err = write_data(u, path, data, f[F_FILESIZE], 0);
			if (!err)
				u->st->links++;
			break;
		}
		err = write_data(u, path, data, f[F_FILESIZE], 1);
		if (!err) {
			u->st->files++;
			if (f[F_NLINK] > 1 && u->nlinks < LINKS_MAX) {
				size_t n = strlen(path) + 1;
				char *copy = kmalloc(n);

				if (copy) {
					memcpy(copy, path, n);
					u->links[u->nlinks++] = (struct hardlink){ f[F_INO], f[F_MAJ], f[F_MIN], copy };
				}
			}
		}
		break;
	}
	case S_IFLNK: {
		char *target = kmalloc((size_t)f[F_FILESIZE] + 1);

		if (!target) {
			err = -ENOMEM;
			break;
		}
		memcpy(target, data, f[F_FILESIZE]);
		target[f[F_FILESIZE]] = 0;
		err = f[F_FILESIZE] && f[F_FILESIZE] < PATH_MAX ? vfs_symlink(u->fs, target, u->fs->root, path) :
								  -EINVAL;
		kfree(target);
		if (!err)
			u->st->symlinks++;
		break;
	}
	case S_IFCHR:
	case S_IFBLK:
	case S_IFIFO:
	case S_IFSOCK:
		err = vfs_mknod(u->fs, u->fs->root, path, type | (f[F_MODE] & S_IALLUGO), MKDEV(f[F_RMAJ], f[F_RMIN]));
		if (!err)
			u->st->nodes++;
		break;
	default:
		err = -EINVAL;
	}
	if (err) {
		warnf(u, "cpio: entry \"%s\" at offset %zu (mode %o): %s (%d); skipped", path, off, f[F_MODE],
		      err == -EINVAL ? "bad type or size" : "could not create it", err);
		goto skip;
	}
	if (type != S_IFLNK)
		set_attrs(u, path, f);
	return 0;
skip:
	u->st->skipped++;
	return err;
}

int cpio_unpack(const struct fs_ctx *fs, const void *data, size_t size, uint8_t *adopt, cpio_warn_fn warn, void *ctx,
		struct cpio_stats *st)
{
	const char *a = data;
	struct unpack *u = kzalloc(sizeof(*u));
	size_t off = 0;
	int ret = 0;

	memset(st, 0, sizeof(*st));
	if (u) {
		u->path = kmalloc(PATH_MAX);
		u->parents_done = kzalloc(PATH_MAX);
	}
	if (!u || !u->path || !u->parents_done) {
		if (u) {
			kfree(u->path);
			kfree(u->parents_done);
		}
		kfree(u);
		return -ENOMEM;
	}
	u->fs = fs;
	u->base = data;
	u->adopt = ((uintptr_t)data & (PAGE - 1)) ? NULL : adopt;
	u->warn = warn;
	u->ctx = ctx;
	u->st = st;
	while (off < size) {
		uint32_t f[FIELDS];
		size_t name_off, data_off, end;
		const char *name;
		int bad = 0;

		/* Zero padding between concatenated archives (4-byte steps), as Linux allows. */
		if (a[off] == 0) {
			if (off % 4 || (size - off >= 4 && (a[off + 1] || a[off + 2] || a[off + 3]))) {
				warnf(u, "cpio: stray bytes at offset %zu; the rest is not unpacked", off);
				ret = -EINVAL;
				break;
			}
			off += 4;
			continue;
		}
		if (size - off < HDR_SIZE) {
			warnf(u, "cpio: archive truncated in a header at offset %zu (%zu bytes left)", off, size - off);
			st->truncated = 1;
			ret = -EINVAL;
			break;
		}
		if (memcmp(a + off, "070701", 6) && memcmp(a + off, "070702", 6)) {
			warnf(u,
			      "cpio: bad magic \"%.6s\" at offset %zu (not a newc archive); the rest is not unpacked",
			      a + off, off);
			ret = -EINVAL;
			break;
		}
		for (int i = 0; i < FIELDS && !bad; i++)
			bad = hexfield(a + off + 6 + 8 * i, &f[i]);
		if (bad || f[F_NAMESIZE] == 0 || f[F_NAMESIZE] > PATH_MAX) {
			warnf(u, "cpio: bad header at offset %zu; the rest is not unpacked", off);
			ret = -EINVAL;
			break;
		}
		name_off = off + HDR_SIZE;
		data_off = pad4(name_off + f[F_NAMESIZE]);
		end = pad4(data_off + f[F_FILESIZE]);
		if (data_off > size || data_off + f[F_FILESIZE] > size) {
			char shown[64];
			size_t n = size - name_off < f[F_NAMESIZE] ? size - name_off : f[F_NAMESIZE];

			if (n >= sizeof(shown))
				n = sizeof(shown) - 1;
			memcpy(shown, a + name_off, n);
			shown[n] = 0;
			warnf(u, "cpio: entry \"%s\" at offset %zu truncated: needs %u data bytes, %zu left", shown,
			      off, f[F_FILESIZE], data_off < size ? size - data_off : 0);
			st->truncated = 1;
			st->skipped++;
			ret = -EINVAL;
			break;
		}
		name = a + name_off;
		if (name[f[F_NAMESIZE] - 1] != 0) {
			warnf(u, "cpio: entry at offset %zu: name not terminated; skipped", off);
			st->skipped++;
			off = end;
			continue;
		}
		if (!strcmp(name, "TRAILER!!!")) {
			off = end;
			/* Hard-link groups do not span archives. */
			for (size_t i = 0; i < u->nlinks; i++)
				kfree(u->links[i].path);
			u->nlinks = 0;
			continue;
		}
		if (entry(u, name, f, a + data_off, off) == -ENOMEM) {
			ret = -ENOMEM;
			break;
		}
		off = end > size ? size : end;
	}
	for (size_t i = 0; i < u->nlinks; i++)
		kfree(u->links[i].path);
	kfree(u->path);
	kfree(u->parents_done);
	kfree(u);
	return ret;
}
