/* SPDX-License-Identifier: MIT */
/*
 * eventpoll.h - files that exist only as descriptors (Linux's anonymous
 * inodes): eventfd (core/fs/eventfd.c), a 64-bit counter to signal events
 * through, and epoll (core/fs/eventpoll.c), a set of watched files that
 * says which are ready.
 *
 * epoll is built on the files' poll hooks (file_ops.poll): each watched
 * file gets an entry on the wait queue its poll names, whose wake-up marks
 * the entry possibly ready; epoll_wait polls the marked entries again and
 * reports what is ready, level-triggered by default, EPOLLET and
 * EPOLLONESHOT as Linux defines them. Only files with a poll hook can be
 * watched (pipes, FIFOs, the terminal, eventfds, epolls): a regular file or
 * a directory is EPERM, as on Linux.
 */
#ifndef ATLAS_EVENTPOLL_H
#define ATLAS_EVENTPOLL_H

#include <stdint.h>

#include "vfs.h"

/* eventfd2 flags. */
#define EFD_SEMAPHORE 1
#define EFD_CLOEXEC O_CLOEXEC
#define EFD_NONBLOCK O_NONBLOCK

/* epoll_ctl operations and event bits (include/uapi/linux/eventpoll.h). */
#define EPOLL_CTL_ADD 1
#define EPOLL_CTL_DEL 2
#define EPOLL_CTL_MOD 3
#define EPOLL_CLOEXEC O_CLOEXEC
#define EPOLLIN 0x001U
#define EPOLLPRI 0x002U
#define EPOLLOUT 0x004U
#define EPOLLERR 0x008U
#define EPOLLHUP 0x010U
#define EPOLLRDNORM 0x040U
#define EPOLLRDBAND 0x080U
#define EPOLLWRNORM 0x100U
#define EPOLLWRBAND 0x200U
#define EPOLLMSG 0x400U
#define EPOLLRDHUP 0x2000U
#define EPOLLEXCLUSIVE (1U << 28)
#define EPOLLWAKEUP (1U << 29)
#define EPOLLONESHOT (1U << 30)
#define EPOLLET (1U << 31)

/* struct epoll_event: packed on x86-64 (12 bytes). */
struct epoll_event {
	uint32_t events;
	uint64_t data;
} __attribute__((packed));

/* A new eventfd with counter initval and flags (EFD_*; others: -EINVAL): one reference in *out. */
int eventfd_create(uint64_t initval, int flags, struct file **out);

/* A new, empty epoll (flags: O_CLOEXEC is the caller's business): one reference in *out. 0 or -ENOMEM. */
int epoll_create(struct file **out);

/* 1 when f is an epoll. */
int file_is_epoll(const struct file *f);

/*
 * EPOLL_CTL_ADD / DEL / MOD on epoll ep of target tf, known by descriptor fd
 * (ev: the event for ADD and MOD). Linux's checks from file_can_poll on:
 * EPERM (tf has no poll), EINVAL (ep is not an epoll, is tf, or EPOLLEXCLUSIVE
 * misused), ELOOP (epolls watching each other, or nested deeper than Linux
 * allows), EEXIST / ENOENT, ENOMEM.
 */
int epoll_ctl(struct file *ep, int op, int fd, struct file *tf, const struct epoll_event *ev);

/*
 * Wait until some watched file is ready, the TSC passes deadline (timed:
 * 0 waits for ever, deadline 0 then does not wait at all) or a signal comes;
 * the ready events (at most max) go to user memory at uevents. Returns how
 * many, 0 at the deadline, -EINTR, or -EFAULT when none could be copied.
 */
long epoll_wait_events(struct file *ep, uint64_t uevents, int max, uint64_t deadline, int timed);

/* The last reference to f is going: every epoll that watches it forgets it (core/fs/file.c). */
void eventpoll_file_gone(struct file *f);

#endif
