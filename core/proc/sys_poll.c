/* SPDX-License-Identifier: MIT */
/*
 * sys_poll.c - poll, ppoll, select and pselect6 over one mechanism: ask
 * each file which events are ready (file_ops.poll; a file without one, like
 * a RAM file, is always ready), and when none is, sleep on every wait queue
 * the files named until one of them is woken, the timeout passes or a
 * signal comes (then the call is interrupted, -ERESTARTNOHAND: EINTR to the
 * program, as on Linux). Also epoll's and eventfd's calls, on the files
 * core/fs/eventpoll.c and core/fs/eventfd.c make.
 */
#include "eventpoll.h"
#include "heap.h"
#include "kerrno.h"
#include "kstring.h"
#include "ktime.h"
#include "lx_time.h"
#include "memlayout.h"
#include "proc.h"
#include "signal.h"
#include "syscall.h"
#include "sysfs_util.h"
#include "uaccess.h"
#include "vfs.h"
#include "wait.h"

#define POLL_ALWAYS (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM)
#define FD_SETSIZE_BITS 64

struct lx_pollfd {
	int32_t fd;
	int16_t events, revents;
};

/* One file's ready events; with e non-NULL, also sleep on its wait queue (added to e). */
static unsigned poll_file(struct file *f, struct wq_entry *e)
{
	struct waitq *q = NULL;
	unsigned ev;

	if (!f->fop || !f->fop->poll)
		return POLL_ALWAYS;
	ev = f->fop->poll(f, e ? &q : NULL);
	if (e && q && !e->pprev)
		waitq_add(q, e);
	return ev;
}

/* The common loop: fill revents for n pollfds; returns how many are ready, or -errno. */
static long do_poll(struct lx_pollfd *fds, unsigned n, uint64_t deadline, int timed)
{
	struct wq_entry *ents = n ? kcalloc(n, sizeof(*ents)) : NULL;
	long ready = 0;

	if (n && !ents)
		return -ENOMEM;
	for (int pass = 0;; pass++) {
		int r;

		ready = 0;
		for (unsigned i = 0; i < n; i++) {
			struct file *f = fds[i].fd >= 0 ? cur_file(fds[i].fd) : NULL;
			unsigned want = (unsigned)(uint16_t)fds[i].events | POLLERR | POLLHUP, ev;

			fds[i].revents = 0;
			if (fds[i].fd < 0)
				continue;
			if (!f) {
				fds[i].revents = POLLNVAL;
				ready++;
				continue;
			}
			ev = poll_file(f, pass ? NULL : &ents[i]) & want;
			fds[i].revents = (int16_t)ev;
			ready += ev != 0;
		}
		if (ready || (timed && !deadline))
			break;
		r = task_sleep(timed ? deadline : 0);
		if (r == -ETIMEDOUT)
			break;
		if (r == -EINTR) {
			ready = -ERESTARTNOHAND;
			break;
		}
		/* Woken: look again; the entries of the first pass stay on their queues. */
	}
	for (unsigned i = 0; i < n; i++)
		waitq_del(&ents[i]);
	kfree(ents);
	return ready;
}

/* A deadline from a timespec; *timed 0 for none (wait for ever). A zero timeout gives deadline 0, timed 1. */
static int deadline_of(uint64_t uts, uint64_t *deadline, int *timed)
{
	struct lx_timespec ts;

	*timed = uts != 0;
	*deadline = 0;
	if (!uts)
		return 0;
	if (copy_from_user(&ts, uts, sizeof(ts)))
		return -EFAULT;
	if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= NSEC_PER_SEC)
		return -EINVAL;
	if (ts.sec || ts.nsec)
		*deadline = ktime_deadline((uint64_t)ts.sec * NSEC_PER_SEC + (uint64_t)ts.nsec);
	return 0;
}

/* ppoll / pselect6: the mask to wait with, put back afterwards unless a handler runs (then the frame does it). */
static int mask_in(uint64_t usig, uint64_t size)
{
	struct thread *t = thread_current();
	uint64_t set;

	if (!usig)
		return 0;
	if (size != sizeof(uint64_t))
		return -EINVAL;
	if (copy_from_user(&set, usig, sizeof(set)))
		return -EFAULT;
	t->saved_mask = t->sig_blocked;
	t->restore_mask = 1;
	t->sig_blocked = set & ~SIG_UNBLOCKABLE;
	return 0;
}

static long poll_common(uint64_t ufds, unsigned n, uint64_t deadline, int timed)
{
	struct lx_pollfd *fds;
	long r;

	if (n > (unsigned)fd_limit())
		return -EINVAL;
	fds = n ? kmalloc(n * sizeof(*fds)) : NULL;
	if (n && !fds)
		return -ENOMEM;
	if (n && copy_from_user(fds, ufds, n * sizeof(*fds))) {
		kfree(fds);
		return -EFAULT;
	}
	r = do_poll(fds, n, deadline, timed);
	if (r >= 0 && n && copy_to_user(ufds, fds, n * sizeof(*fds)))
		r = -EFAULT;
	kfree(fds);
	return r;
}

long sys_poll(uint64_t ufds, unsigned n, int timeout_ms)
{
	uint64_t deadline = 0;

	if (timeout_ms > 0)
		deadline = ktime_deadline((uint64_t)timeout_ms * 1000000ULL);
	return poll_common(ufds, n, deadline, timeout_ms >= 0);
}

long sys_ppoll(uint64_t ufds, unsigned n, uint64_t uts, uint64_t usig, uint64_t sigsize)
{
	uint64_t deadline;
	int timed, err = deadline_of(uts, &deadline, &timed);

	if (!err)
		err = mask_in(usig, sigsize);
	return err ? err : poll_common(ufds, n, deadline, timed);
}

/* select: three fd_sets of nfds bits become pollfds, and the results bits again. */
static long select_common(int nfds, uint64_t urd, uint64_t uwr, uint64_t uex, uint64_t deadline, int timed)
{
	size_t bytes = ((size_t)nfds + FD_SETSIZE_BITS - 1) / FD_SETSIZE_BITS * 8;
	uint64_t *in = NULL, *out = NULL;
	struct lx_pollfd *fds = NULL;
	unsigned n = 0;
	long r = 0;

	if (nfds < 0 || nfds > fd_limit())
		return -EINVAL;
	if (nfds) {
		in = kzalloc(3 * bytes);
		out = kzalloc(3 * bytes);
		fds = kmalloc((size_t)nfds * sizeof(*fds));
		if (!in || !out || !fds) {
			r = -ENOMEM;
			goto done;
		}
	}
	if ((urd && copy_from_user(in, urd, bytes)) || (uwr && copy_from_user((char *)in + bytes, uwr, bytes)) ||
	    (uex && copy_from_user((char *)in + 2 * bytes, uex, bytes))) {
		r = -EFAULT;
		goto done;
	}
	for (int fd = 0; fd < nfds; fd++) {
		int bit = fd % 64, word = fd / 64;
		int rd = (int)(in[word] >> bit) & 1, wr = (int)(in[bytes / 8 + word] >> bit) & 1;
		int ex = (int)(in[2 * bytes / 8 + word] >> bit) & 1;

		if (!rd && !wr && !ex)
			continue;
		if (!cur_file(fd)) {
			r = -EBADF;
			goto done;
		}
		fds[n].fd = fd;
		fds[n].events = (int16_t)((rd ? POLLIN : 0) | (wr ? POLLOUT : 0) | (ex ? POLLPRI : 0));
		n++;
	}
	r = do_poll(fds, n, deadline, timed);
	if (r < 0)
		goto done;
	r = 0;
	for (unsigned i = 0; i < n; i++) {
		int fd = fds[i].fd, bit = fd % 64, word = fd / 64;
		unsigned ev = (unsigned)(uint16_t)fds[i].revents;

		if ((ev & (POLLIN | POLLHUP | POLLERR)) && (fds[i].events & POLLIN)) {
			out[word] |= 1ULL << bit;
			r++;
		}
		if ((ev & (POLLOUT | POLLERR)) && (fds[i].events & POLLOUT)) {
			out[bytes / 8 + word] |= 1ULL << bit;
			r++;
		}
		if ((ev & POLLPRI) && (fds[i].events & POLLPRI)) {
			out[2 * bytes / 8 + word] |= 1ULL << bit;
			r++;
		}
	}
	if ((urd && copy_to_user(urd, out, bytes)) || (uwr && copy_to_user(uwr, (char *)out + bytes, bytes)) ||
	    (uex && copy_to_user(uex, (char *)out + 2 * bytes, bytes)))
		r = -EFAULT;
done:
	kfree(in);
	kfree(out);
	kfree(fds);
	return r;
}

long sys_select(int nfds, uint64_t urd, uint64_t uwr, uint64_t uex, uint64_t utv)
{
	struct lx_timeval tv;
	uint64_t deadline = 0, start = ktime_mono_ns();
	long r;

	if (utv) {
		if (copy_from_user(&tv, utv, sizeof(tv)))
			return -EFAULT;
		if (tv.sec < 0 || tv.usec < 0)
			return -EINVAL;
		/* Linux normalizes oversized microseconds instead of refusing them. */
		if (tv.sec || tv.usec)
			deadline = ktime_deadline((uint64_t)tv.sec * NSEC_PER_SEC + (uint64_t)tv.usec * 1000ULL);
	}
	r = select_common(nfds, urd, uwr, uex, deadline, utv != 0);
	if (utv && r != -EFAULT) {
		/* Linux writes back the time left. */
		uint64_t total = (uint64_t)tv.sec * NSEC_PER_SEC + (uint64_t)tv.usec * 1000ULL;
		uint64_t spent = ktime_mono_ns() - start, left = spent < total ? total - spent : 0;

		tv.sec = (int64_t)(left / NSEC_PER_SEC);
		tv.usec = (int64_t)(left % NSEC_PER_SEC / 1000);
		if (copy_to_user(utv, &tv, sizeof(tv)) && r >= 0)
			r = -EFAULT;
	}
	return r;
}

long sys_pselect6(int nfds, uint64_t urd, uint64_t uwr, uint64_t uex, uint64_t uts, uint64_t usig)
{
	struct {
		uint64_t set, size;
	} sm;
	uint64_t deadline;
	int timed, err = deadline_of(uts, &deadline, &timed);

	if (err)
		return err;
	if (usig) {
		if (copy_from_user(&sm, usig, sizeof(sm)))
			return -EFAULT;
		err = mask_in(sm.set, sm.size);
		if (err)
			return err;
	}
	return select_common(nfds, urd, uwr, uex, deadline, timed);
}

/* ---- epoll and eventfd (core/fs/eventpoll.c, core/fs/eventfd.c) ---- */

#define EP_MAX_EVENTS (0x7fffffff / (int)sizeof(struct epoll_event))

/* A new descriptor for f (its reference moves to the table), close-on-exec as asked. */
static long install(struct file *f, int cloexec)
{
	int fd = fd_install(proc_current()->files, 0, f, cloexec, fd_limit());

	if (fd < 0)
		file_put(f);
	return fd;
}

long sys_epoll_create1(int flags)
{
	struct file *f;
	int err;

	if (flags & ~EPOLL_CLOEXEC)
		return -EINVAL;
	err = epoll_create(&f);
	return err ? err : install(f, (flags & EPOLL_CLOEXEC) != 0);
}

long sys_epoll_create(int size)
{
	if (size <= 0)
		return -EINVAL;
	return sys_epoll_create1(0);
}

long sys_epoll_ctl(int epfd, int op, int fd, uint64_t uevent)
{
	struct epoll_event ev = { 0, 0 };
	struct file *ep, *tf;

	if (op != EPOLL_CTL_DEL && copy_from_user(&ev, uevent, sizeof(ev)))
		return -EFAULT;
	ep = cur_file(epfd);
	if (!ep)
		return -EBADF;
	tf = cur_file(fd);
	if (!tf)
		return -EBADF;
	return epoll_ctl(ep, op, fd, tf, &ev);
}

/* do_epoll_wait's checks, then the wait. */
static long epoll_wait_common(int epfd, uint64_t uevents, int max, uint64_t deadline, int timed)
{
	struct file *ep;

	if (max <= 0 || max > EP_MAX_EVENTS)
		return -EINVAL;
	if (uevents >= USER_END || (uint64_t)max * sizeof(struct epoll_event) > USER_END - uevents)
		return -EFAULT;
	ep = cur_file(epfd);
	if (!ep)
		return -EBADF;
	if (!file_is_epoll(ep))
		return -EINVAL;
	/* Never restarted, whatever SA_RESTART says (signal(7)). */
	return epoll_wait_events(ep, uevents, max, deadline, timed);
}

static long epoll_ms(int epfd, uint64_t uevents, int max, int timeout_ms)
{
	uint64_t deadline = timeout_ms > 0 ? ktime_deadline((uint64_t)timeout_ms * 1000000ULL) : 0;

	return epoll_wait_common(epfd, uevents, max, deadline, timeout_ms >= 0);
}

long sys_epoll_wait(int epfd, uint64_t uevents, int max, int timeout_ms)
{
	return epoll_ms(epfd, uevents, max, timeout_ms);
}

long sys_epoll_pwait(int epfd, uint64_t uevents, int max, int timeout_ms, uint64_t usig, uint64_t sigsize)
{
	int err = mask_in(usig, sigsize);

	return err ? err : epoll_ms(epfd, uevents, max, timeout_ms);
}

long sys_epoll_pwait2(int epfd, uint64_t uevents, int max, uint64_t uts, uint64_t usig, uint64_t sigsize)
{
	uint64_t deadline;
	int timed, err = deadline_of(uts, &deadline, &timed);

	if (!err)
		err = mask_in(usig, sigsize);
	return err ? err : epoll_wait_common(epfd, uevents, max, deadline, timed);
}

long sys_eventfd2(unsigned int count, int flags)
{
	struct file *f;
	int err = eventfd_create(count, flags, &f);

	return err ? err : install(f, (flags & EFD_CLOEXEC) != 0);
}

long sys_eventfd(unsigned int count)
{
	return sys_eventfd2(count, 0);
}
