/* SPDX-License-Identifier: MIT */
/*
 * pipe.c - pipes and FIFOs (include/pipe.h).
 *
 * One struct pipe per pipe: a ring buffer, counts of open read and write
 * ends, and two wait queues (readers wait for data, writers for room). The
 * ring is one page from the first write while what the pipe holds fits in
 * it, all PIPE_SIZE bytes once more is written (the bytes moved to the start
 * of the bigger ring), and back to nothing when a full-size ring empties;
 * the page stays while the pipe is open, as Linux keeps a drained pipe's
 * page (pipe->tmp_page): two processes passing small messages allocate
 * nothing per message (a heap allocation and free of the ring per write
 * was most of a 1-byte round trip).
 * An anonymous pipe's inode belongs to an internal "pipefs" super block, so
 * fstat gives S_IFIFO, a device and an inode number (/proc/PID/fd shows
 * "pipe:[N]"). A FIFO's pipe hangs off its ramfs inode.
 */
#include "pipe.h"

#include "heap.h"
#include "kerrno.h"
#include "kstring.h"
#include "memlayout.h"
#include "wait.h"

#define PIPEFS_DEV MKDEV(0, 12)
#define PIPEFS_MAGIC 0x50495045UL

struct pipe {
	char *buf;	       /* cap bytes: PAGE_SIZE or PIPE_SIZE, or NULL (cap 0) */
	size_t cap, head, len; /* head: where the next byte goes; the len bytes before it (mod cap) are queued */
	int readers, writers;
	int opened_w; /* a writer has ever opened it (FIFO read-side EOF before the first writer) */
	struct waitq rq, wq, openq;
};

static struct super pipefs = { .type = "pipefs", .source = "pipefs", .dev = PIPEFS_DEV, .magic = PIPEFS_MAGIC };

static const struct file_ops pipe_fops;

int file_is_pipe(const struct file *f)
{
	return f->fop == &pipe_fops;
}

static struct pipe *pipe_of(const struct file *f)
{
	return f->priv;
}

/* An empty full-size ring goes (all: true when the pipe itself goes); a page-sized one stays. */
static void release_buf(struct pipe *p, int all)
{
	if (p->buf && !p->len && (all || p->cap > PAGE_SIZE)) {
		kfree(p->buf);
		p->buf = NULL;
		p->cap = p->head = 0;
	}
}

/*
 * Make room in the ring for want more bytes (at most what PIPE_SIZE leaves):
 * a page while everything fits in one, else PIPE_SIZE bytes, the queued
 * bytes moved to its start in order. Returns 0 or -ENOMEM (nothing changed).
 */
static int reserve(struct pipe *p, size_t want)
{
	size_t cap = p->len + want <= PAGE_SIZE ? PAGE_SIZE : PIPE_SIZE, done = 0;
	char *nb;

	if (p->buf && p->cap >= cap)
		return 0;
	nb = kmalloc(cap);
	if (!nb)
		return -ENOMEM;
	while (done < p->len) {
		size_t tail = (p->head + p->cap - p->len + done) % p->cap, n = p->cap - tail;

		if (n > p->len - done)
			n = p->len - done;
		memcpy(nb + done, p->buf + tail, n);
		done += n;
	}
	kfree(p->buf);
	p->buf = nb;
	p->cap = cap;
	p->head = p->len % cap;
	return 0;
}

static long pipe_read(struct file *f, struct uio *u, uint64_t *pos)
{
	struct pipe *p = pipe_of(f);
	size_t done = 0;

	(void)pos;
	while (!p->len) {
		int err;

		if (!p->writers)
			return 0;
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		err = waitq_wait(&p->rq, 0);
		if (err)
			return err == -ETIMEDOUT ? -EAGAIN : -ERESTARTSYS;
	}
	while (u->len && p->len) {
		size_t tail = (p->head + p->cap - p->len) % p->cap, n = p->cap - tail;

		if (n > p->len)
			n = p->len;
		if (n > u->len)
			n = u->len;
		if (uio_copy_to(u, p->buf + tail, n)) {
			if (!done)
				return -EFAULT;
			break;
		}
		p->len -= n;
		done += n;
	}
	release_buf(p, 0);
	waitq_wake(&p->wq);
	return (long)done;
}

static long pipe_write(struct file *f, struct uio *u, uint64_t *pos)
{
	struct pipe *p = pipe_of(f);
	size_t total = u->len, done = 0;

	(void)pos;
	if (!p->readers)
		return -EPIPE;
	while (u->len) {
		size_t room = PIPE_SIZE - p->len, n;
		int err;

		if (!p->readers)
			return done ? (long)done : -EPIPE;
		/* Up to PIPE_BUF bytes go in one piece: wait until all of them fit. */
		if (!room || (total <= PIPE_BUF && room < u->len)) {
			if (f->flags & O_NONBLOCK)
				return done ? (long)done : -EAGAIN;
			waitq_wake(&p->rq);
			err = waitq_wait(&p->wq, 0);
			if (err)
				return done ? (long)done : -ERESTARTSYS;
			continue;
		}
		if (reserve(p, u->len < room ? u->len : room))
			return done ? (long)done : -ENOMEM;
		n = p->cap - p->head;
		if (n > p->cap - p->len)
			n = p->cap - p->len;
		if (n > u->len)
			n = u->len;
		if (uio_copy_from(u, p->buf + p->head, n)) {
			if (!done)
				return -EFAULT;
			break;
		}
		p->head = (p->head + n) % p->cap;
		p->len += n;
		done += n;
	}
	waitq_wake(&p->rq);
	return (long)done;
}

static unsigned pipe_poll(struct file *f, struct waitq **wq)
{
	struct pipe *p = pipe_of(f);
	unsigned ev = 0;

	if ((f->flags & O_ACCMODE) != O_WRONLY) {
		if (p->len)
			ev |= POLLIN | POLLRDNORM;
		if (!p->writers && p->opened_w)
			ev |= POLLHUP;
		if (wq)
			*wq = &p->rq;
	}
	if ((f->flags & O_ACCMODE) != O_RDONLY) {
		if (PIPE_SIZE - p->len >= PIPE_BUF)
			ev |= POLLOUT | POLLWRNORM;
		if (!p->readers)
			ev |= POLLERR;
		if (wq)
			*wq = (f->flags & O_ACCMODE) == O_WRONLY ? &p->wq : *wq;
	}
	return ev;
}

#define FIONREAD 0x541B

static long pipe_ioctl(struct file *f, unsigned cmd, uint64_t arg)
{
	struct pipe *p = pipe_of(f);
	int n = (int)p->len;
	struct uio u = uio_user(arg, sizeof(n));

	if (cmd != FIONREAD)
		return -ENOTTY;
	return uio_copy_to(&u, &n, sizeof(n));
}

/* An end goes: the other side learns of it (EOF for readers, EPIPE for writers). */
static void pipe_release(struct file *f)
{
	struct pipe *p = pipe_of(f);
	unsigned acc = f->flags & O_ACCMODE;

	if (!p)
		return;
	if (acc != O_WRONLY)
		p->readers--;
	if (acc != O_RDONLY)
		p->writers--;
	waitq_wake(&p->rq);
	waitq_wake(&p->wq);
	if (!p->readers && !p->writers) {
		p->len = 0;
		release_buf(p, 1);
		/* An anonymous pipe goes with its inode; a FIFO keeps its struct for the next open. */
		if (f->ino && f->ino->sb == &pipefs) {
			kfree(p);
			f->ino->priv = NULL;
		}
	}
}

static const struct file_ops pipe_fops = {
	.read = pipe_read,
	.write = pipe_write,
	.poll = pipe_poll,
	.ioctl = pipe_ioctl,
	.release = pipe_release,
};

int pipe_create(unsigned flags, struct file **rd, struct file **wr)
{
	struct pipe *p = kzalloc(sizeof(*p));
	struct inode *ino = p ? inode_new(&pipefs, S_IFIFO | 0600) : NULL;
	struct file *r = ino ? file_new(ino, O_RDONLY | (flags & O_NONBLOCK)) : NULL;
	struct file *w = r ? file_new(ino, O_WRONLY | (flags & O_NONBLOCK)) : NULL;

	if (!w) {
		file_put(r);
		inode_put(ino);
		kfree(p);
		return -ENOMEM;
	}
	ino->priv = p;
	p->readers = p->writers = 1;
	p->opened_w = 1;
	r->fop = w->fop = &pipe_fops;
	r->priv = w->priv = p;
	inode_put(ino); /* the two files hold it */
	*rd = r;
	*wr = w;
	return 0;
}

int fifo_open(struct inode *ino, struct file *f)
{
	struct pipe *p = ino->priv;
	unsigned acc = f->flags & O_ACCMODE;

	if (!p) {
		p = kzalloc(sizeof(*p));
		if (!p)
			return -ENOMEM;
		ino->priv = p; /* ramfs's evict frees it with the inode */
	}
	if (acc == O_WRONLY && (f->flags & O_NONBLOCK) && !p->readers)
		return -ENXIO;
	f->fop = &pipe_fops;
	f->priv = p;
	if (acc != O_WRONLY)
		p->readers++;
	if (acc != O_RDONLY) {
		p->writers++;
		p->opened_w = 1;
	}
	waitq_wake(&p->openq);
	/* A blocking open waits for the other side, as POSIX says (O_RDWR never waits). */
	if (!(f->flags & O_NONBLOCK) && acc != O_RDWR) {
		while (acc == O_RDONLY ? !p->writers : !p->readers) {
			if (waitq_wait(&p->openq, 0)) {
				f->fop = NULL;
				if (acc == O_RDONLY)
					p->readers--;
				else
					p->writers--;
				return -ERESTARTSYS;
			}
		}
	}
	return 0;
}
