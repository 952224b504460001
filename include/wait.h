/* SPDX-License-Identifier: MIT */
/*
 * wait.h - wait queues: how a task sleeps until something changes (a pipe
 * gets data, the terminal a line, a child exits) and how it is woken.
 *
 * The pattern, as in Linux: check the condition; if it does not hold, add an
 * entry (on the sleeper's kernel stack) to every queue that can signal a
 * change, sleep, remove the entries, check again. A wake-up makes every
 * sleeper on the queue runnable; each re-checks its own condition. The kernel
 * runs with interrupts off and is never preempted, so nothing can change
 * between the check and the sleep: no wake-up is lost.
 *
 * Implemented by the scheduler (core/proc/sched.c); file systems, pipes and
 * the terminal only use this interface.
 */
#ifndef ATLAS_WAIT_H
#define ATLAS_WAIT_H

#include <stdint.h>

struct thread;
struct wq_entry;

struct waitq {
	struct wq_entry *head;
};

struct wq_entry {
	struct wq_entry *next, **pprev;
	struct thread *t;
	/*
	 * NULL: a wake-up makes t runnable. Else it is called instead (epoll's
	 * entries on the files it watches): with interrupts off, maybe from the
	 * timer interrupt; it must not take e off the queue.
	 */
	void (*wake)(struct wq_entry *e);
};

#define WAITQ_INIT \
	{          \
		0  \
	}

/* Add the current task to q through e (which lives until waitq_del); e->wake is kept. */
void waitq_add(struct waitq *q, struct wq_entry *e);
/* Take e off its queue (no-op when it is on none). */
void waitq_del(struct wq_entry *e);
/* Make every task sleeping on q runnable. Safe from the timer interrupt. */
void waitq_wake(struct waitq *q);
/* 1 when some task waits on q. */
static inline int waitq_active(const struct waitq *q)
{
	return q->head != 0;
}

/*
 * Sleep until woken, until the TSC passes deadline (0: no deadline), or
 * until a signal is pending. Returns 0 (woken: re-check), -ETIMEDOUT or
 * -EINTR. From a process only.
 */
int task_sleep(uint64_t deadline_tsc);

/*
 * Sleep until woken, ignoring signals except the one that ends the process
 * (vfork's wait for the child). Returns 0, or -EINTR when the process is
 * being killed.
 */
int waitq_wait_killable(struct waitq *q);

/* waitq_add + task_sleep + waitq_del, for one queue. Returns as task_sleep. */
int waitq_wait(struct waitq *q, uint64_t deadline_tsc);

#endif
