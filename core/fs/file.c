/* SPDX-License-Identifier: MIT */
/*
 * file.c - open files, descriptor tables and the per-process file-system
 * context (root, cwd, umask). A table grows on demand, by doubling, up to
 * the limit the caller passes (RLIMIT_NOFILE); the lowest free descriptor is
 * always the one handed out, as POSIX requires.
 */
#include "eventpoll.h"
#include "heap.h"
#include "kernel.h"
#include "kerrno.h"
#include "kstring.h"
#include "panic.h"
#include "vfs.h"

#define FD_INITIAL 16

struct file *file_new(struct inode *ino, unsigned flags)
{
	struct file *f = kzalloc(sizeof(*f));

	if (!f)
		return NULL;
	f->refs = 1;
	f->flags = flags;
	f->ino = inode_get(ino);
	f->fop = ino ? ino->fop : NULL;
	return f;
}

struct file *file_get(struct file *f)
{
	if (f)
		f->refs++;
	return f;
}

void file_put(struct file *f)
{
	if (!f)
		return;
	if (f->refs <= 0)
		panic("vfs: open file released more often than taken");
	if (--f->refs)
		return;
	/* Linux's eventpoll_release: epoll forgets a file when its last descriptor goes. */
	if (f->epitems)
		eventpoll_file_gone(f);
	if (f->fop && f->fop->release)
		f->fop->release(f);
	inode_put(f->ino);
	inode_put(f->dir);
	if (f->name != f->name_small)
		kfree(f->name);
	kfree(f);
}

int file_set_name(struct file *f, struct inode *dir, const char *name)
{
	if (name) {
		size_t n = strlen(name) + 1;
		char *to = n <= sizeof(f->name_small) ? f->name_small : kmalloc(n);

		if (!to)
			return -ENOMEM;
		memcpy(to, name, n);
		f->name = to;
	}
	f->dir = inode_get(dir);
	return 0;
}

struct fdtable *fdtable_new(void)
{
	struct fdtable *t = kzalloc(sizeof(*t));

	if (!t)
		return NULL;
	t->refs = 1;
	t->cap = FD_INITIAL;
	t->fd = kcalloc((size_t)t->cap, sizeof(*t->fd));
	t->cloexec = kcalloc((size_t)t->cap, 1);
	if (!t->fd || !t->cloexec) {
		kfree(t->fd);
		kfree(t->cloexec);
		kfree(t);
		return NULL;
	}
	return t;
}

/* Room for slot fd: grow (doubling) to hold it. 0 or -ENOMEM. */
static int grow(struct fdtable *t, int fd)
{
	int cap = t->cap;
	struct file **nfd;
	unsigned char *nce;

	if (fd < cap)
		return 0;
	while (cap <= fd)
		cap *= 2;
	nfd = kcalloc((size_t)cap, sizeof(*nfd));
	nce = kcalloc((size_t)cap, 1);
	if (!nfd || !nce) {
		kfree(nfd);
		kfree(nce);
		return -ENOMEM;
	}
	memcpy(nfd, t->fd, (size_t)t->cap * sizeof(*nfd));
	memcpy(nce, t->cloexec, (size_t)t->cap);
	kfree(t->fd);
	kfree(t->cloexec);
	t->fd = nfd;
	t->cloexec = nce;
	t->cap = cap;
	return 0;
}

struct fdtable *fdtable_copy(const struct fdtable *t)
{
	struct fdtable *n = fdtable_new();

	if (!n)
		return NULL;
	if (grow(n, t->cap - 1)) {
		fdtable_put(n);
		return NULL;
	}
	for (int i = 0; i < t->cap; i++) {
		n->fd[i] = file_get(t->fd[i]);
		n->cloexec[i] = t->cloexec[i];
	}
	return n;
}

struct fdtable *fdtable_get(struct fdtable *t)
{
	if (t)
		t->refs++;
	return t;
}

void fdtable_put(struct fdtable *t)
{
	if (!t || --t->refs)
		return;
	for (int i = 0; i < t->cap; i++)
		file_put(t->fd[i]);
	kfree(t->fd);
	kfree(t->cloexec);
	kfree(t);
}

int fd_install(struct fdtable *t, int min, struct file *f, int cloexec, int limit)
{
	int fd = min < 0 ? 0 : min;

	while (fd < t->cap && t->fd[fd])
		fd++;
	if (fd >= limit || grow(t, fd))
		return fd >= limit ? -EMFILE : -ENOMEM;
	t->fd[fd] = f;
	t->cloexec[fd] = cloexec != 0;
	return fd;
}

int fd_install_at(struct fdtable *t, int fd, struct file *f, int cloexec, int limit)
{
	struct file *old;

	if (fd < 0 || fd >= limit)
		return -EBADF;
	if (grow(t, fd))
		return -ENOMEM;
	old = t->fd[fd];
	t->fd[fd] = f;
	t->cloexec[fd] = cloexec != 0;
	file_put(old);
	return fd;
}

int fd_close(struct fdtable *t, int fd)
{
	struct file *f = fd_file(t, fd);

	if (!f)
		return -EBADF;
	t->fd[fd] = NULL;
	t->cloexec[fd] = 0;
	file_put(f);
	return 0;
}

int fd_get_cloexec(const struct fdtable *t, int fd)
{
	return fd_file(t, fd) ? t->cloexec[fd] : -EBADF;
}

int fd_set_cloexec(struct fdtable *t, int fd, int on)
{
	if (!fd_file(t, fd))
		return -EBADF;
	t->cloexec[fd] = on != 0;
	return 0;
}

void fdtable_close_on_exec(struct fdtable *t)
{
	for (int i = 0; i < t->cap; i++)
		if (t->fd[i] && t->cloexec[i])
			fd_close(t, i);
}

int fdtable_count(const struct fdtable *t)
{
	int n = 0;

	for (int i = 0; i < t->cap; i++)
		n += t->fd[i] != NULL;
	return n;
}

struct fs_ctx *fs_ctx_new(struct inode *root, struct inode *cwd)
{
	struct fs_ctx *fs = kzalloc(sizeof(*fs));

	if (!fs)
		return NULL;
	fs->refs = 1;
	fs->root = inode_get(root);
	fs->cwd = inode_get(cwd);
	fs->umask = 022;
	return fs;
}

struct fs_ctx *fs_ctx_copy(const struct fs_ctx *fs)
{
	struct fs_ctx *n = fs_ctx_new(fs->root, fs->cwd);

	if (n)
		n->umask = fs->umask;
	return n;
}

struct fs_ctx *fs_ctx_get(struct fs_ctx *fs)
{
	if (fs)
		fs->refs++;
	return fs;
}

void fs_ctx_put(struct fs_ctx *fs)
{
	if (!fs || --fs->refs)
		return;
	inode_put(fs->root);
	inode_put(fs->cwd);
	kfree(fs);
}
