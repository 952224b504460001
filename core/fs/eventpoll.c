/* SPDX-License-Identifier: MIT */
/*
 * eventpoll.c - epoll (include/eventpoll.h), as Linux builds it on poll
 * hooks and wait queues.
 *
 * An epoll is a list of entries (struct epitem), one per watched (file,
 * descriptor number) pair. Each entry sits on the wait queue the file's
 * poll hook names with a wake function of its own (wait.h's wq_entry.wake):
 * whatever wakes that queue (data in a pipe, a key on the terminal, an
 * eventfd write) puts the entry on the epoll's ready list and wakes the
 * epoll's waiters. Being on the ready list means "may be ready":
 * epoll_wait asks the file's poll hook again and reports only the events
 * the entry asked for (EPOLLERR and EPOLLHUP always). A level-triggered
 * entry that was reported stays on the list, so the next epoll_wait asks
 * again; an EPOLLET one leaves it until its file's queue is woken again;
 * an EPOLLONESHOT one is disabled until EPOLL_CTL_MOD arms it again.
 *
 * Lifetimes: an entry does not hold its file. When a file's last reference
 * goes, every entry watching it is removed (eventpoll_file_gone, from
 * file_put), as Linux's eventpoll_release does; when the epoll itself goes,
 * its entries leave the files' queues. Nothing is locked: the kernel runs
 * with interrupts off, and a wake function (maybe called from the timer
 * interrupt's terminal poll) only links the entry and wakes sleepers.
 *
 * Not done: EPOLLEXCLUSIVE's "wake only one epoll" (every epoll watching a
 * file is woken; the flag's checks are Linux's), EPOLLWAKEUP (no suspend).
 */
#include "eventpoll.h"

#include "heap.h"
#include "kerrno.h"
#include "kstring.h"
#include "uaccess.h"
#include "wait.h"

#define ANON_MAGIC 0x09041934UL /* ANON_INODE_FS_MAGIC */
#define ANON_DEV MKDEV(0, 13)
#define EP_MAX_NESTS 4 /* Linux's limit on epolls watching epolls */
/* What an entry may ask for (the rest of ev->events is flags); ONESHOT clears these. */
#define EP_EVENTS (~(EPOLLEXCLUSIVE | EPOLLWAKEUP | EPOLLONESHOT | EPOLLET))
#define EPOLLEXCLUSIVE_OK_BITS (EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | EPOLLET | EPOLLEXCLUSIVE)

struct eventpoll;

struct epitem {
	struct wq_entry wait; /* first: the wake function finds the entry from it */
	struct eventpoll *ep;
	struct file *file;
	int fd;
	uint32_t events; /* what was asked for, and the EPOLL* flags */
	uint64_t data;
	int ready;	       /* on ep->rdlist */
	struct epitem *next;   /* ep->items */
	struct epitem *rdnext; /* ep->rdlist, in the order they became ready */
	struct epitem *fnext;  /* file->epitems */
};

struct eventpoll {
	struct file *file; /* its own */
	struct epitem *items;
	struct epitem *rd_head, *rd_tail;
	struct waitq wq;      /* epoll_wait sleeps here */
	struct waitq poll_wq; /* poll/select/epoll of this epoll's own descriptor */
};

static struct super eventpoll_sb = {
	.type = "eventpoll", .source = "anon_inodefs", .dev = ANON_DEV, .magic = ANON_MAGIC
};
static const struct file_ops eventpoll_fops;

int file_is_epoll(const struct file *f)
{
	return f->fop == &eventpoll_fops;
}

static void rd_add(struct eventpoll *ep, struct epitem *it)
{
	if (it->ready)
		return;
	it->ready = 1;
	it->rdnext = NULL;
	if (ep->rd_tail)
		ep->rd_tail->rdnext = it;
	else
		ep->rd_head = it;
	ep->rd_tail = it;
}

static void rd_del(struct eventpoll *ep, struct epitem *it)
{
	struct epitem **pp = &ep->rd_head, *prev = NULL;

	if (!it->ready)
		return;
	while (*pp && *pp != it) {
		prev = *pp;
		pp = &(*pp)->rdnext;
	}
	if (*pp)
		*pp = it->rdnext;
	if (ep->rd_tail == it)
		ep->rd_tail = prev;
	it->ready = 0;
	it->rdnext = NULL;
}

/* The watched file's queue was woken: the entry may be ready (ep_poll_callback). */
static void item_woken(struct wq_entry *w)
{
	struct epitem *it = (struct epitem *)w;
	struct eventpoll *ep = it->ep;

	if (!(it->events & EP_EVENTS))
		return; /* a fired EPOLLONESHOT: disabled until EPOLL_CTL_MOD */
	rd_add(ep, it);
	waitq_wake(&ep->wq);
	waitq_wake(&ep->poll_wq);
}

/* The events of it's file that it asks for, now (EPOLLERR and EPOLLHUP are always asked for). */
static uint32_t item_events(struct epitem *it)
{
	return it->file->fop->poll(it->file, NULL) & it->events & EP_EVENTS;
}

static void item_free(struct eventpoll *ep, struct epitem *it)
{
	struct epitem **pp;

	waitq_del(&it->wait);
	rd_del(ep, it);
	for (pp = &ep->items; *pp && *pp != it; pp = &(*pp)->next)
		;
	if (*pp)
		*pp = it->next;
	for (pp = &it->file->epitems; *pp && *pp != it; pp = &(*pp)->fnext)
		;
	if (*pp)
		*pp = it->fnext;
	kfree(it);
}

void eventpoll_file_gone(struct file *f)
{
	while (f->epitems)
		item_free(f->epitems->ep, f->epitems);
}

static unsigned ep_poll(struct file *f, struct waitq **wq)
{
	struct eventpoll *ep = f->priv;

	if (wq)
		*wq = &ep->poll_wq;
	for (struct epitem *it = ep->rd_head; it; it = it->rdnext)
		if (item_events(it))
			return POLLIN | POLLRDNORM;
	return 0;
}

static void ep_release(struct file *f)
{
	struct eventpoll *ep = f->priv;

	while (ep->items)
		item_free(ep, ep->items);
	kfree(ep);
	f->priv = NULL;
}

static const struct file_ops eventpoll_fops = {
	.poll = ep_poll,
	.release = ep_release,
};

int epoll_create(struct file **out)
{
	struct eventpoll *ep = kzalloc(sizeof(*ep));
	struct inode *ino = ep ? inode_new(&eventpoll_sb, 0600) : NULL;
	struct file *f = ino ? file_new(ino, O_RDWR) : NULL;

	if (ino)
		inode_put(ino);
	if (!f) {
		kfree(ep);
		return -ENOMEM;
	}
	f->fop = &eventpoll_fops;
	f->priv = ep;
	ep->file = f;
	*out = f;
	return 0;
}

/* 1 when target (an epoll) watches ep, directly or through other epolls (ep_loop_check). */
static int loops(const struct eventpoll *ep, const struct eventpoll *target)
{
	if (target == ep)
		return 1;
	for (const struct epitem *it = target->items; it; it = it->next)
		if (file_is_epoll(it->file) && loops(ep, it->file->priv))
			return 1;
	return 0;
}

/* How many epolls deep ep's watched set goes (0: it watches no epoll). */
static int depth_below(const struct eventpoll *ep)
{
	int most = 0;

	for (const struct epitem *it = ep->items; it; it = it->next) {
		if (file_is_epoll(it->file)) {
			int d = 1 + depth_below(it->file->priv);

			most = d > most ? d : most;
		}
	}
	return most;
}

/* How many epolls deep the epolls watching ep go (0: none watches it). */
static int depth_above(const struct eventpoll *ep)
{
	int most = 0;

	for (const struct epitem *it = ep->file->epitems; it; it = it->fnext) {
		int d = 1 + depth_above(it->ep);

		most = d > most ? d : most;
	}
	return most;
}

static int item_add(struct eventpoll *ep, int fd, struct file *tf, const struct epoll_event *ev)
{
	struct epitem *it = kzalloc(sizeof(*it));
	struct waitq *q = NULL;

	if (!it)
		return -ENOMEM;
	it->ep = ep;
	it->file = tf;
	it->fd = fd;
	it->events = ev->events | EPOLLERR | EPOLLHUP;
	it->data = ev->data;
	it->wait.wake = item_woken;
	tf->fop->poll(tf, &q);
	if (q)
		waitq_add(q, &it->wait);
	it->next = ep->items;
	ep->items = it;
	it->fnext = tf->epitems;
	tf->epitems = it;
	if (item_events(it)) {
		rd_add(ep, it);
		waitq_wake(&ep->wq);
		waitq_wake(&ep->poll_wq);
	}
	return 0;
}

int epoll_ctl(struct file *epf, int op, int fd, struct file *tf, const struct epoll_event *ev)
{
	struct eventpoll *ep;
	struct epitem *it;

	if (!tf->fop || !tf->fop->poll)
		return -EPERM;
	if (epf == tf || !file_is_epoll(epf))
		return -EINVAL;
	ep = epf->priv;
	if (op != EPOLL_CTL_DEL && (ev->events & EPOLLEXCLUSIVE)) {
		if (op == EPOLL_CTL_MOD)
			return -EINVAL;
		if (op == EPOLL_CTL_ADD && (file_is_epoll(tf) || (ev->events & ~EPOLLEXCLUSIVE_OK_BITS)))
			return -EINVAL;
	}
	if (op == EPOLL_CTL_ADD && file_is_epoll(tf) &&
	    (loops(ep, tf->priv) || depth_above(ep) + 1 + depth_below(tf->priv) > EP_MAX_NESTS))
		return -ELOOP;
	for (it = ep->items; it; it = it->next)
		if (it->file == tf && it->fd == fd)
			break;
	switch (op) {
	case EPOLL_CTL_ADD:
		return it ? -EEXIST : item_add(ep, fd, tf, ev);
	case EPOLL_CTL_DEL:
		if (!it)
			return -ENOENT;
		item_free(ep, it);
		return 0;
	case EPOLL_CTL_MOD:
		if (!it)
			return -ENOENT;
		if (it->events & EPOLLEXCLUSIVE)
			return 0; /* Linux leaves an exclusive entry as it is */
		it->events = ev->events | EPOLLERR | EPOLLHUP;
		it->data = ev->data;
		if (item_events(it)) {
			rd_add(ep, it);
			waitq_wake(&ep->wq);
			waitq_wake(&ep->poll_wq);
		}
		return 0;
	default:
		return -EINVAL;
	}
}

/*
 * Report the ready entries (ep_send_events): each entry on the ready list is
 * polled again; a level-triggered one that had events goes back on the list.
 * Returns how many were copied, or -EFAULT when the first copy failed.
 */
static long send_events(struct eventpoll *ep, uint64_t uevents, int max)
{
	struct epitem *list = ep->rd_head, *keep_head = NULL, *keep_tail = NULL;
	long n = 0;
	int fault = 0;

	ep->rd_head = ep->rd_tail = NULL;
	while (list) {
		struct epitem *it = list;
		struct epoll_event e;
		uint32_t ev;

		list = it->rdnext;
		it->rdnext = NULL;
		it->ready = 0;
		if (n >= max || fault) {
			rd_add(ep, it); /* for the next call, in the same order */
			continue;
		}
		ev = item_events(it);
		if (!ev)
			continue; /* woken, but nothing it asked for: off the list until woken again */
		e.events = ev;
		e.data = it->data;
		if (copy_to_user(uevents + (uint64_t)n * sizeof(e), &e, sizeof(e))) {
			fault = 1;
			rd_add(ep, it);
			continue;
		}
		n++;
		if (it->events & EPOLLONESHOT) {
			it->events &= ~EP_EVENTS;
		} else if (!(it->events & EPOLLET)) {
			/* Level-triggered: asked again next time, after the entries not looked at yet. */
			if (keep_tail)
				keep_tail->rdnext = it;
			else
				keep_head = it;
			keep_tail = it;
		}
	}
	for (struct epitem *it = keep_head, *next; it; it = next) {
		next = it->rdnext;
		it->rdnext = NULL;
		rd_add(ep, it);
	}
	return n ? n : fault ? -EFAULT : 0;
}

long epoll_wait_events(struct file *epf, uint64_t uevents, int max, uint64_t deadline, int timed)
{
	struct eventpoll *ep = epf->priv;

	for (;;) {
		long n = ep->rd_head ? send_events(ep, uevents, max) : 0;
		int r;

		if (n)
			return n;
		if (timed && !deadline)
			return 0;
		r = waitq_wait(&ep->wq, timed ? deadline : 0);
		if (r == -ETIMEDOUT)
			return 0;
		if (r == -EINTR)
			return -EINTR;
	}
}
