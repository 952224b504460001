/* SPDX-License-Identifier: MIT */
/*
 * ramfs.c - the RAM file system (include/ramfs.h).
 *
 * References: each directory entry holds one reference to the inode it names
 * (nlink counts the entries), so an inode goes when it is neither named nor
 * used. A directory's nlink is 2 + its subdirectories, as on Linux; its
 * parent pointer holds no reference (the parent's entry already keeps the
 * child, never the other way round).
 */
#include "ramfs.h"

#include "dirhash.h"
#include "heap.h"
#include "kernel.h"
#include "kerrno.h"
#include "kstring.h"
#include "panic.h"
#include "radix.h"

#define PAGE 4096ULL
/* The largest RAM file: the radix tree's reach (2^45 pages would do; Linux's tmpfs allows up to 2^63). */
#define RAMFS_MAX_SIZE (1ULL << 44)

struct rdirent {
	struct rdirent *next, *prev; /* in creation order: what getdents64 lists, by cookie */
	struct dh_node hnode;	     /* in rdir.hash, by name */
	struct inode *ino;
	uint64_t cookie; /* getdents64 offset of the entry after this one is cookie + 1 */
	uint16_t len;
	char name[];
};

struct rdir {
	struct rdirent *head, *tail;
	struct dirhash hash;
	uint64_t next_cookie;
	size_t n;
};

static uint64_t total_pages;

static const struct inode_ops ramfs_dir_iops, ramfs_file_iops, ramfs_link_iops, ramfs_special_iops;
static const struct file_ops ramfs_file_fops, ramfs_dir_fops;

uint64_t ramfs_pages_total(void)
{
	return total_pages;
}

/* The first entry whose cookie is >= 2: "." is 0 and ".." is 1. */
#define FIRST_COOKIE 2

static struct rdirent *find(struct rdir *d, const char *name, size_t len)
{
	uint32_t h = dirhash_name(name, len);

	for (struct dh_node *n = dirhash_first(&d->hash, h); n; n = dirhash_next(n->next, h)) {
		struct rdirent *e = (struct rdirent *)((char *)n - offsetof(struct rdirent, hnode));

		size_t i = 0;

		if (e->len != len)
			continue;
		while (i < len && e->name[i] == name[i]) /* short names: no memcmp call */
			i++;
		if (i == len)
			return e;
	}
	return NULL;
}

static void page_drop(void *page, void *ctx)
{
	struct super *sb = ctx;

	ramfs_page_free(page);
	total_pages--;
	if (sb && sb->pages)
		sb->pages--;
}

static void evict(struct inode *ino)
{
	if (S_ISREG(ino->mode)) {
		struct radix *r = ino->priv;

		radix_truncate(r, 0, page_drop, ino->sb);
		kfree(r);
	} else if (S_ISDIR(ino->mode)) {
		struct rdir *d = ino->priv;

		if (d && d->n)
			panic("vfs: evicting a ramfs directory that still has %zu entries", d->n);
		if (d)
			dirhash_free(&d->hash);
		kfree(d);
	} else {
		kfree(ino->priv); /* a symlink's target */
	}
}

static struct inode *new_inode(struct super *sb, unsigned mode, uint32_t rdev, const char *target)
{
	struct inode *ino = inode_new(sb, mode);

	if (!ino)
		return NULL;
	ino->rdev = rdev;
	switch (mode & S_IFMT) {
	case S_IFDIR:
		ino->priv = kzalloc(sizeof(struct rdir));
		((struct rdir *)ino->priv)->next_cookie = FIRST_COOKIE;
		ino->iop = &ramfs_dir_iops;
		ino->fop = &ramfs_dir_fops;
		ino->nlink = 2;
		ino->size = 0;
		break;
	case S_IFREG:
		ino->priv = kzalloc(sizeof(struct radix));
		ino->iop = &ramfs_file_iops;
		ino->fop = &ramfs_file_fops;
		break;
	case S_IFLNK:
		ino->size = strlen(target);
		ino->priv = kmalloc(ino->size + 1);
		if (ino->priv)
			memcpy(ino->priv, target, ino->size + 1);
		ino->iop = &ramfs_link_iops;
		break;
	default: /* devices, FIFOs, sockets: vfs_open() finds their operations by type */
		ino->iop = &ramfs_special_iops;
		return ino;
	}
	if (!ino->priv) {
		kfree(ino);
		sb->inodes--;
		return NULL;
	}
	return ino;
}

struct super *ramfs_new(const char *source, const char *type, uint32_t dev)
{
	struct super *sb = kzalloc(sizeof(*sb));

	if (!sb)
		return NULL;
	sb->type = type;
	sb->source = source;
	sb->dev = dev;
	sb->magic = RAMFS_MAGIC;
	sb->root = new_inode(sb, S_IFDIR | 0755, 0, NULL);
	if (!sb->root) {
		kfree(sb);
		return NULL;
	}
	sb->root->parent = sb->root;
	return sb;
}

/* Add an entry for ino (whose reference the entry takes over). */
static int add_entry(struct inode *dir, const char *name, size_t len, struct inode *ino)
{
	struct rdir *d = dir->priv;
	struct rdirent *e = kmalloc(sizeof(*e) + len + 1);

	if (!e)
		return -ENOMEM;
	if (dirhash_insert(&d->hash, &e->hnode, dirhash_name(name, len))) {
		kfree(e);
		return -ENOMEM;
	}
	e->ino = ino;
	e->len = (uint16_t)len;
	memcpy(e->name, name, len);
	e->name[len] = 0;
	e->cookie = d->next_cookie++;
	e->next = NULL;
	e->prev = d->tail;
	if (d->tail)
		d->tail->next = e;
	else
		d->head = e;
	d->tail = e;
	d->n++;
	dir->size = d->n; /* what st_size of a directory shows is the file system's own */
	inode_touch(dir, 1);
	return 0;
}

/* Unlink e from dir's list; the reference it held is returned to the caller. */
static struct inode *remove_entry(struct inode *dir, struct rdirent *e)
{
	struct rdir *d = dir->priv;
	struct inode *ino = e->ino;

	if (e->prev)
		e->prev->next = e->next;
	else
		d->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		d->tail = e->prev;
	dirhash_remove(&d->hash, &e->hnode);
	d->n--;
	dir->size = d->n;
	kfree(e);
	inode_touch(dir, 1);
	return ino;
}

static int r_lookup(struct inode *dir, const char *name, size_t len, struct inode **out)
{
	struct rdirent *e = find(dir->priv, name, len);

	if (!e)
		return -ENOENT;
	*out = inode_get(e->ino);
	return 0;
}

static int r_create(struct inode *dir, const char *name, size_t len, unsigned mode, uint32_t rdev, const char *target,
		    struct inode **out)
{
	struct inode *ino;
	int err;

	if (dir->nlink == 0)
		return -ENOENT; /* a removed directory takes no new entries */
	if (find(dir->priv, name, len))
		return -EEXIST;
	ino = new_inode(dir->sb, mode, rdev, target);
	if (!ino)
		return -ENOMEM;
	err = add_entry(dir, name, len, ino);
	if (err) {
		inode_put(ino);
		return err;
	}
	if (S_ISDIR(mode)) {
		ino->parent = dir;
		dir->nlink++;
	}
	*out = inode_get(ino);
	return 0;
}

static int r_link(struct inode *dir, const char *name, size_t len, struct inode *target)
{
	int err;

	if (dir->nlink == 0)
		return -ENOENT;
	if (find(dir->priv, name, len))
		return -EEXIST;
	err = add_entry(dir, name, len, inode_get(target));
	if (err) {
		inode_put(target);
		return err;
	}
	target->nlink++;
	inode_touch(target, 0);
	return 0;
}

static int r_empty(struct inode *dir)
{
	return ((struct rdir *)dir->priv)->n == 0;
}

/* Drop one name of ino (whose entry is already gone): nlink, the parent's count, the entry's reference. */
static void drop_name(struct inode *dir, struct inode *ino)
{
	if (S_ISDIR(ino->mode)) {
		ino->nlink = 0; /* "." and the parent's entry both go */
		dir->nlink--;
	} else {
		ino->nlink--;
	}
	inode_touch(ino, 0);
	inode_put(ino);
}

static int r_unlink(struct inode *dir, const char *name, size_t len, int rmdir)
{
	struct rdirent *e = find(dir->priv, name, len);
	struct inode *ino;

	if (!e)
		return -ENOENT;
	ino = e->ino;
	if (rmdir && !S_ISDIR(ino->mode))
		return -ENOTDIR;
	if (!rmdir && S_ISDIR(ino->mode))
		return -EISDIR;
	if (rmdir && !r_empty(ino))
		return -ENOTEMPTY;
	if (ino->mounted)
		return -EBUSY;
	drop_name(dir, remove_entry(dir, e));
	return 0;
}

static int r_rename(struct inode *odir, const char *oname, size_t olen, struct inode *ndir, const char *nname,
		    size_t nlen, unsigned flags)
{
	struct rdirent *oe = find(odir->priv, oname, olen), *ne = find(ndir->priv, nname, nlen);
	struct inode *ino, *victim;
	int err;

	if (!oe)
		return -ENOENT;
	ino = oe->ino;
	if (flags & RENAME_EXCHANGE) {
		struct inode *other;

		if (!ne)
			return -ENOENT;
		other = ne->ino;
		oe->ino = other;
		ne->ino = ino;
		if (S_ISDIR(ino->mode) != S_ISDIR(other->mode)) {
			/* A directory changed parents: move its ".." count. */
			struct inode *d = S_ISDIR(ino->mode) ? ino : other, *from = d == ino ? odir : ndir;
			struct inode *to = d == ino ? ndir : odir;

			from->nlink--;
			to->nlink++;
		}
		if (S_ISDIR(ino->mode))
			ino->parent = ndir;
		if (S_ISDIR(other->mode))
			other->parent = odir;
		inode_touch(odir, 1);
		inode_touch(ndir, 1);
		return 0;
	}
	if (ne && ne->ino == ino)
		return 0; /* two names of one inode: POSIX says do nothing */
	if (ne) {
		victim = ne->ino;
		if (flags & RENAME_NOREPLACE)
			return -EEXIST;
		if (S_ISDIR(ino->mode) && !S_ISDIR(victim->mode))
			return -ENOTDIR;
		if (!S_ISDIR(ino->mode) && S_ISDIR(victim->mode))
			return -EISDIR;
		if (S_ISDIR(victim->mode) && !r_empty(victim))
			return -ENOTEMPTY;
		if (victim->mounted)
			return -EBUSY;
		/* Point the existing entry at ino, then drop the old name: no moment without the new name. */
		ne->ino = inode_get(ino);
		drop_name(ndir, victim);
		if (S_ISDIR(ino->mode))
			ndir->nlink++;
		inode_touch(ndir, 1);
	} else {
		err = add_entry(ndir, nname, nlen, inode_get(ino));
		if (err) {
			inode_put(ino);
			return err;
		}
		if (S_ISDIR(ino->mode))
			ndir->nlink++;
	}
	/* The old entry goes; its reference with it (the new entry holds its own). */
	inode_put(remove_entry(odir, oe));
	if (S_ISDIR(ino->mode)) {
		odir->nlink--;
		ino->parent = ndir;
	}
	inode_touch(ino, 0);
	return 0;
}

static long r_readlink(struct inode *ino, char *buf, size_t size)
{
	size_t n = ino->size < size ? ino->size : size;

	memcpy(buf, ino->priv, n);
	return (long)n;
}

static int r_iterate(struct inode *dir, uint64_t *pos, struct dir_ctx *ctx)
{
	struct rdir *d = dir->priv;

	if (*pos == 0) {
		if (ctx->emit(ctx, ".", 1, dir->ino, DT_DIR, 1))
			return 0;
		*pos = 1;
	}
	if (*pos == 1) {
		struct inode *up = dir->parent ? dir->parent : dir;

		if (ctx->emit(ctx, "..", 2, up->ino, DT_DIR, FIRST_COOKIE))
			return 0;
		*pos = FIRST_COOKIE;
	}
	/* Cookies grow along the list: past the tail's, the listing is done (the usual last call). */
	if (!d->tail || *pos > d->tail->cookie)
		return 0;
	for (struct rdirent *e = d->head; e; e = e->next) {
		if (e->cookie < *pos)
			continue;
		if (ctx->emit(ctx, e->name, e->len, e->ino->ino, mode_to_dtype(e->ino->mode), e->cookie + 1))
			return 0;
		*pos = e->cookie + 1;
	}
	return 0;
}

/* ---- file data ---- */

static int r_truncate(struct inode *ino, uint64_t size)
{
	struct radix *r = ino->priv;

	if (size > RAMFS_MAX_SIZE)
		return -EFBIG;
	if (size < ino->size) {
		uint64_t keep = (size + PAGE - 1) / PAGE;
		void *last;

		radix_truncate(r, keep, page_drop, ino->sb);
		/* The tail of the last kept page must read as zeroes if the file grows again. */
		last = size % PAGE ? radix_lookup(r, size / PAGE) : NULL;
		if (last)
			memset((char *)last + size % PAGE, 0, PAGE - size % PAGE);
	}
	ino->size = size;
	inode_touch(ino, 1);
	return 0;
}

static long r_read(struct file *f, struct uio *u, uint64_t *pos)
{
	struct inode *ino = f->ino;
	struct radix *r = ino->priv;
	size_t done = 0;

	while (u->len && *pos < ino->size) {
		uint64_t off = *pos % PAGE, n = PAGE - off;
		void *page = radix_lookup(r, *pos / PAGE);
		int err;

		if (n > ino->size - *pos)
			n = ino->size - *pos;
		if (n > u->len)
			n = u->len;
		err = page ? uio_copy_to(u, (char *)page + off, n) : uio_zero(u, n);
		if (err)
			return done ? (long)done : err;
		*pos += n;
		done += n;
	}
	return (long)done;
}

static long r_write(struct file *f, struct uio *u, uint64_t *pos)
{
	struct inode *ino = f->ino;
	struct radix *r = ino->priv;
	size_t done = 0;

	if (*pos > RAMFS_MAX_SIZE || u->len > RAMFS_MAX_SIZE - *pos)
		return -EFBIG;
	while (u->len) {
		uint64_t off = *pos % PAGE, n = PAGE - off;
		void *page = radix_lookup(r, *pos / PAGE);
		int err = 0;

		if (n > u->len)
			n = u->len;
		if (!page) {
			page = ramfs_page_alloc();
			err = page ? radix_insert(r, *pos / PAGE, page) : -ENOSPC;
			if (err) {
				if (page)
					ramfs_page_free(page);
				if (err == -ENOMEM)
					err = -ENOSPC; /* tmpfs full: what write() says */
			} else {
				total_pages++;
				ino->sb->pages++;
			}
		}
		if (!err)
			err = uio_copy_from(u, (char *)page + off, n);
		if (err) {
			if (done)
				break;
			return err;
		}
		*pos += n;
		done += n;
		if (*pos > ino->size)
			ino->size = *pos;
	}
	if (done)
		inode_touch(ino, 1);
	return (long)done;
}

int ramfs_adopt_page(struct inode *ino, uint64_t index, void *page)
{
	int err;

	if (ino->iop != &ramfs_file_iops)
		return -EINVAL;
	if (index >= RAMFS_MAX_SIZE / PAGE)
		return -EFBIG;
	if (radix_lookup(ino->priv, index))
		return -EEXIST;
	err = radix_insert(ino->priv, index, page);
	if (err)
		return err;
	total_pages++;
	ino->sb->pages++;
	if (ino->size < (index + 1) * PAGE)
		ino->size = (index + 1) * PAGE;
	inode_touch(ino, 1);
	return 0;
}

static const struct inode_ops ramfs_dir_iops = {
	.lookup = r_lookup,
	.create = r_create,
	.link = r_link,
	.unlink = r_unlink,
	.rename = r_rename,
	.iterate = r_iterate,
	.evict = evict,
	.empty = r_empty,
};

static const struct inode_ops ramfs_file_iops = {
	.truncate = r_truncate,
	.evict = evict,
};

static const struct inode_ops ramfs_link_iops = {
	.readlink = r_readlink,
	.evict = evict,
};

static const struct inode_ops ramfs_special_iops = {
	.evict = evict,
};

static const struct file_ops ramfs_file_fops = {
	.read = r_read,
	.write = r_write,
	.seekable = 1,
};

static const struct file_ops ramfs_dir_fops = {
	.seekable = 1,
};
