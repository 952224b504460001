/* SPDX-License-Identifier: MIT */
/*
 * namei.c - path walk: from a starting directory (the cwd, a dirfd, or the
 * root for absolute paths), one component at a time, crossing mount points
 * both ways, following symlinks (at most SYMLOOP_MAX in one walk, counted
 * over every level of nesting, as Linux counts them).
 *
 * Errors, as Linux gives them: a component longer than NAME_MAX is
 * ENAMETOOLONG; a missing one ENOENT; a non-directory in the middle ENOTDIR;
 * too many links ELOOP; a trailing slash after a non-directory ENOTDIR.
 * Permission checks are those of root: every directory is searchable.
 */
#include "heap.h"
#include "kerrno.h"
#include "kstring.h"
#include "vfs.h"

/* The first buffer a symlink's target is read into (follow()); longer targets are read again. */
#define LINK_SHORT 256

struct walker {
	const struct fs_ctx *fs;
	int links;
};

int vfs_lookup_one(struct inode *dir, const char *name, size_t len, struct inode **out)
{
	struct inode *ino;
	int err;

	if (!S_ISDIR(dir->mode))
		return -ENOTDIR;
	if (!dir->iop || !dir->iop->lookup)
		return -ENOENT;
	err = dir->iop->lookup(dir, name, len, &ino);
	if (err)
		return err;
	while (ino->mounted) {
		struct inode *top = inode_get(ino->mounted);

		inode_put(ino);
		ino = top;
	}
	*out = ino;
	return 0;
}

struct inode *vfs_parent(const struct fs_ctx *fs, struct inode *dir)
{
	for (;;) {
		if (dir == fs->root)
			return inode_get(dir);
		/* The root of a mounted file system: ".." is the parent of the directory it covers. */
		if (dir->sb && dir == dir->sb->root && dir->sb->mountpoint) {
			dir = dir->sb->mountpoint;
			continue;
		}
		return inode_get(dir->parent ? dir->parent : dir);
	}
}

/* Follow a symlink found in directory *cur: *cur becomes what the link leads to. */
static int follow(struct walker *w, struct inode **cur, struct inode *link, struct inode **parent, char *name);

/*
 * Walk path from *cur (referenced; replaced by the result). The last
 * component is followed when it is a symlink and follow_last is set (or a
 * slash comes after it). With parent/name non-NULL, *parent gets the directory
 * the final component was found in (referenced) and *name its name.
 */
static int walk(struct walker *w, struct inode **cur, const char *path, int follow_last, struct inode **parent,
		char *name)
{
	const char *p = path;

	if (*p == '/') {
		inode_put(*cur);
		*cur = inode_get(w->fs->root);
	}
	for (;;) {
		const char *s, *rest;
		struct inode *next;
		size_t len;
		int err, last;

		while (*p == '/')
			p++;
		if (!*p)
			return 0;
		s = p;
		while (*p && *p != '/')
			p++;
		len = (size_t)(p - s);
		if (len > NAME_MAX)
			return -ENAMETOOLONG;
		rest = p;
		while (*rest == '/')
			rest++;
		last = !*rest;
		if (!S_ISDIR((*cur)->mode))
			return -ENOTDIR;
		if (len == 1 && s[0] == '.')
			continue;
		if (len == 2 && s[0] == '.' && s[1] == '.') {
			next = vfs_parent(w->fs, *cur);
			inode_put(*cur);
			*cur = next;
			continue;
		}
		err = vfs_lookup_one(*cur, s, len, &next);
		if (err)
			return err;
		if (S_ISLNK(next->mode) && (!last || follow_last || *p == '/')) {
			err = follow(w, cur, next, last ? parent : NULL, name);
			inode_put(next);
			if (err)
				return err;
			continue;
		}
		if (last && parent) {
			inode_put(*parent);
			*parent = inode_get(*cur);
			memcpy(name, s, len);
			name[len] = 0;
		}
		inode_put(*cur);
		*cur = next;
	}
}

static int follow(struct walker *w, struct inode **cur, struct inode *link, struct inode **parent, char *name)
{
	char *target;
	long n;
	int err;

	if (++w->links > SYMLOOP_MAX)
		return -ELOOP;
	/* A "magic" link (/proc/PID/exe, /proc/PID/fd/N) leads straight to an inode, as on Linux. */
	if (link->iop && link->iop->get_link) {
		struct inode *to;

		err = link->iop->get_link(link, &to);
		if (err)
			return err;
		inode_put(*cur);
		*cur = to;
		if (parent) {
			/* No directory holds it under a name we know: the caller asks the link itself. */
			inode_put(*parent);
			*parent = NULL;
		}
		return 0;
	}
	if (!link->iop || !link->iop->readlink)
		return -ENOENT;
	/*
	 * Most targets are short (/proc/self is "PID"): read into a slab object
	 * of LINK_SHORT bytes first, and again into PATH_MAX bytes only when it
	 * came back full. A PATH_MAX kmalloc is a large block, whose pages the
	 * heap maps and unmaps on each call (about 50,000 cycles under TCG).
	 */
	for (size_t size = LINK_SHORT;; size = PATH_MAX) {
		target = kmalloc(size);
		if (!target)
			return -ENOMEM;
		n = link->iop->readlink(link, target, size - 1);
		if (n < 0) {
			kfree(target);
			return (int)n;
		}
		if ((size_t)n < size - 1 || size == PATH_MAX)
			break;
		kfree(target);
	}
	target[n] = 0;
	err = n ? walk(w, cur, target, 1, parent, name) : -ENOENT;
	kfree(target);
	return err;
}

int vfs_walk_named(const struct fs_ctx *fs, struct inode *base, const char *path, unsigned flags, struct inode **out,
		   struct inode **parent, char *name)
{
	struct walker w = { fs, 0 };
	struct inode *cur;
	size_t n = strlen(path);
	int err;

	if (!*path)
		return -ENOENT;
	if (n >= PATH_MAX)
		return -ENAMETOOLONG;
	cur = inode_get(base ? base : fs->cwd);
	err = walk(&w, &cur, path, flags & WALK_FOLLOW, parent, name);
	if (!err && !S_ISDIR(cur->mode) && ((flags & WALK_DIRECTORY) || path[n - 1] == '/'))
		err = -ENOTDIR;
	if (err) {
		inode_put(cur);
		if (parent) {
			inode_put(*parent);
			*parent = NULL;
		}
		return err;
	}
	*out = cur;
	return 0;
}

int vfs_walk(const struct fs_ctx *fs, struct inode *base, const char *path, unsigned flags, struct inode **out)
{
	return vfs_walk_named(fs, base, path, flags, out, NULL, NULL);
}

int vfs_walk_parent(const struct fs_ctx *fs, struct inode *base, const char *path, struct walk_parent *wp)
{
	struct walker w = { fs, 0 };
	size_t n = strlen(path), end, start;
	struct inode *cur;
	char *head;
	int err;

	memset(wp, 0, sizeof(*wp));
	if (!n)
		return -ENOENT;
	if (n >= PATH_MAX)
		return -ENAMETOOLONG;
	end = n;
	while (end > 0 && path[end - 1] == '/')
		end--;
	wp->trailing_slash = end < n;
	if (end == 0) {
		/* "/" or "///": the root itself. */
		wp->dir = inode_get(fs->root);
		wp->dot = 1;
		return 0;
	}
	start = end;
	while (start > 0 && path[start - 1] != '/')
		start--;
	if (end - start > NAME_MAX)
		return -ENAMETOOLONG;
	wp->name = path + start;
	wp->len = end - start;
	if (wp->len == 1 && wp->name[0] == '.')
		wp->dot = 1;
	else if (wp->len == 2 && wp->name[0] == '.' && wp->name[1] == '.')
		wp->dot = 2;
	cur = inode_get(base ? base : fs->cwd);
	if (start) {
		head = kmalloc(start + 1);
		if (!head) {
			inode_put(cur);
			return -ENOMEM;
		}
		memcpy(head, path, start);
		head[start] = 0;
		err = walk(&w, &cur, head, 1, NULL, NULL);
		kfree(head);
		if (err) {
			inode_put(cur);
			return err;
		}
	}
	if (!S_ISDIR(cur->mode)) {
		inode_put(cur);
		return -ENOTDIR;
	}
	if (wp->dot) {
		wp->len = 0;
		wp->name = NULL;
	}
	wp->dir = cur;
	return 0;
}

/* Find dir's name in parent: the entry whose inode number is dir's. */
struct name_search {
	struct dir_ctx ctx;
	uint64_t ino;
	char name[NAME_MAX + 1];
	size_t len;
	int found;
};

static int match(struct dir_ctx *ctx, const char *name, size_t len, uint64_t ino, unsigned type, uint64_t next)
{
	struct name_search *s = (struct name_search *)ctx;

	(void)type;
	(void)next;
	if (ino != s->ino || (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
		return 0;
	memcpy(s->name, name, len);
	s->len = len;
	s->found = 1;
	return 1;
}

long vfs_dir_path(const struct fs_ctx *fs, struct inode *dir, char *buf, size_t size)
{
	struct name_search s;
	size_t at = size;
	struct inode *cur = dir;

	if (size < 2)
		return -ERANGE;
	buf[--at] = 0;
	for (;;) {
		struct inode *parent;
		uint64_t pos = 0;

		while (cur != fs->root && cur->sb && cur == cur->sb->root && cur->sb->mountpoint)
			cur = cur->sb->mountpoint;
		if (cur == fs->root)
			break;
		if (cur->nlink == 0)
			return -ENOENT; /* removed: Linux's getcwd says so */
		parent = cur->parent;
		if (!parent || parent == cur || !parent->iop || !parent->iop->iterate)
			break; /* outside fs->root: the walk ends at the top */
		memset(&s, 0, sizeof(s));
		s.ctx.emit = match;
		s.ino = cur->ino;
		parent->iop->iterate(parent, &pos, &s.ctx);
		if (!s.found)
			return -ENOENT;
		if (at < s.len + 1)
			return -ERANGE;
		at -= s.len;
		memcpy(buf + at, s.name, s.len);
		buf[--at] = '/';
		cur = parent;
	}
	if (at == size - 1)
		buf[--at] = '/';
	memmove(buf, buf + at, size - at);
	return (long)(size - at - 1);
}

int vfs_exists(const char *path)
{
	struct fs_ctx fs = { 1, vfs_root(), vfs_root(), 0 };
	struct inode *ino;

	if (!fs.root || vfs_walk(&fs, NULL, path, WALK_FOLLOW, &ino))
		return 0;
	inode_put(ino);
	return 1;
}
