/* SPDX-License-Identifier: MIT */
/*
 * eventfd.c - eventfd(2): a descriptor around a 64-bit counter
 * (include/eventpoll.h). write adds to it, blocking (or EAGAIN) while the
 * sum would pass 2^64 - 2; read returns it and resets it to 0, or with
 * EFD_SEMAPHORE returns 1 and takes 1, blocking (or EAGAIN) while it is 0.
 * Both move exactly 8 bytes: a smaller buffer is EINVAL, as is writing
 * 2^64 - 1. poll says POLLIN while the counter is above 0 and POLLOUT while
 * 1 more would fit, which is what epoll and poll users wait for.
 *
 * Its inode is an anonymous one of Linux's kind: mode 0600 with no file
 * type, readlink of /proc/PID/fd/N "anon_inode:[eventfd]".
 */
#include "eventpoll.h"

#include "heap.h"
#include "kerrno.h"
#include "wait.h"

#define EVENTFD_MAX 0xfffffffffffffffeULL /* ULLONG_MAX - 1: the most the counter holds */
#define ANON_MAGIC 0x09041934UL		  /* ANON_INODE_FS_MAGIC */
#define ANON_DEV MKDEV(0, 13)

struct eventfd {
	uint64_t count;
	int semaphore;
	struct waitq wq; /* readers, writers and pollers: every change wakes them all */
};

static struct super eventfd_sb = { .type = "eventfd", .source = "anon_inodefs", .dev = ANON_DEV, .magic = ANON_MAGIC };

/* One wait for the counter to change: -EAGAIN for O_NONBLOCK, -ERESTARTSYS when a signal ends it, else 0. */
static long efd_block(struct file *f, struct eventfd *e)
{
	if (f->flags & O_NONBLOCK)
		return -EAGAIN;
	return waitq_wait(&e->wq, 0) ? -ERESTARTSYS : 0;
}

static long efd_read(struct file *f, struct uio *u, uint64_t *pos)
{
	struct eventfd *e = f->priv;
	uint64_t v;

	(void)pos;
	if (u->len < sizeof(v))
		return -EINVAL;
	while (!e->count) {
		long err = efd_block(f, e);

		if (err)
			return err;
	}
	v = e->semaphore ? 1 : e->count;
	if (uio_copy_to(u, &v, sizeof(v)))
		return -EFAULT;
	e->count -= v;
	waitq_wake(&e->wq);
	return sizeof(v);
}

static long efd_write(struct file *f, struct uio *u, uint64_t *pos)
{
	struct eventfd *e = f->priv;
	uint64_t v;

	(void)pos;
	if (u->len < sizeof(v))
		return -EINVAL;
	if (uio_copy_from(u, &v, sizeof(v)))
		return -EFAULT;
	if (v == ~0ULL)
		return -EINVAL;
	while (EVENTFD_MAX - e->count < v) {
		long err = efd_block(f, e);

		if (err)
			return err;
	}
	e->count += v;
	if (v)
		waitq_wake(&e->wq);
	return sizeof(v);
}

static unsigned efd_poll(struct file *f, struct waitq **wq)
{
	struct eventfd *e = f->priv;
	unsigned ev = 0;

	if (wq)
		*wq = &e->wq;
	if (e->count)
		ev |= POLLIN | POLLRDNORM;
	if (e->count < EVENTFD_MAX)
		ev |= POLLOUT | POLLWRNORM;
	return ev;
}

static void efd_release(struct file *f)
{
	kfree(f->priv);
	f->priv = NULL;
}

static const struct file_ops eventfd_fops = {
	.read = efd_read,
	.write = efd_write,
	.poll = efd_poll,
	.release = efd_release,
};

int eventfd_create(uint64_t initval, int flags, struct file **out)
{
	struct eventfd *e;
	struct inode *ino;
	struct file *f;

	if (flags & ~(EFD_SEMAPHORE | EFD_CLOEXEC | EFD_NONBLOCK))
		return -EINVAL;
	e = kzalloc(sizeof(*e));
	ino = e ? inode_new(&eventfd_sb, 0600) : NULL;
	f = ino ? file_new(ino, O_RDWR | ((unsigned)flags & O_NONBLOCK)) : NULL;
	if (ino)
		inode_put(ino); /* the file holds it */
	if (!f) {
		kfree(e);
		return -ENOMEM;
	}
	e->count = initval;
	e->semaphore = (flags & EFD_SEMAPHORE) != 0;
	f->fop = &eventfd_fops;
	f->priv = e;
	*out = f;
	return 0;
}
