/* SPDX-License-Identifier: MIT */
/*
 * futex_ops - the futex operations beyond WAIT and WAKE, each checked by
 * what it returns and by who is woken, with raw threads made by
 * pthread_create (tests/boot/test_threads_run.py runs it; it runs on the
 * host too and prints the same lines):
 *   EAGAIN on a value mismatch; EINVAL for an unknown op, a bitset of 0 and
 *   an unaligned word; ETIMEDOUT for a relative WAIT timeout and for
 *   absolute WAIT_BITSET deadlines on CLOCK_MONOTONIC and (with
 *   FUTEX_CLOCK_REALTIME) CLOCK_REALTIME, none returning early;
 *   WAKE_BITSET wakes only waiters whose bitset shares a bit;
 *   REQUEUE wakes N and moves the rest to a second word (a later WAKE there
 *   finds them), returning both counts added as Linux does; CMP_REQUEUE fails with EAGAIN when the word changed;
 *   WAKE_OP does the operation on the second word and wakes its waiters
 *   only when the comparison holds;
 *   a signal sent with tgkill to one waiting thread ends its WAIT with
 *   EINTR (its handler runs on that thread), the other waiters sleep on;
 *   sched_getaffinity names at least one CPU.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <time.h>

#include "utest.h"

/* <linux/futex.h> values (musl has no such header). */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_OP_ADD 1
#define FUTEX_OP_CMP_GT 4
#define FUTEX_OP(op, oparg, cmp, cmparg) (((op) << 28) | ((cmp) << 24) | ((oparg) << 12) | (cmparg))
#define MAXW 4

static long futex(volatile uint32_t *uaddr, int op, uint32_t val, const void *timeout_or_val2,
		  volatile uint32_t *uaddr2, uint32_t val3)
{
	long r = sys6(SYS_futex, (long)uaddr, op, val, (long)timeout_or_val2, (long)uaddr2, val3);

	return r;
}

/* A waiter: WAIT_BITSET on word with its bitset; records the result and that it returned. */
struct waiter {
	pthread_t t;
	volatile uint32_t *word;
	uint32_t bitset;
	volatile long result;
	volatile int started, done;
	pid_t tid;
};

static volatile int handled_on; /* the tid the SIGUSR1 handler ran on */

static void on_usr1(int sig)
{
	(void)sig;
	handled_on = (int)sys0(SYS_gettid);
}

static void *wait_fn(void *arg)
{
	struct waiter *w = arg;

	w->tid = (pid_t)sys0(SYS_gettid);
	__atomic_store_n(&w->started, 1, __ATOMIC_SEQ_CST);
	w->result = futex(w->word, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, 0, NULL, NULL, w->bitset);
	__atomic_store_n(&w->done, 1, __ATOMIC_SEQ_CST);
	return NULL;
}

/* Let the others run until each started waiter is really asleep: yield plenty (one CPU or several). */
static void settle(void)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	for (int i = 0; i < 50; i++)
		sched_yield();
	nanosleep(&ts, NULL);
}

static void start(struct waiter *w, int n, volatile uint32_t *word, const uint32_t *bitsets)
{
	for (int i = 0; i < n; i++) {
		w[i] = (struct waiter){ .word = word, .bitset = bitsets ? bitsets[i] : 0xffffffffU };
		CHECK(pthread_create(&w[i].t, NULL, wait_fn, &w[i]) == 0, "pthread_create");
	}
	for (int i = 0; i < n; i++)
		while (!__atomic_load_n(&w[i].started, __ATOMIC_SEQ_CST))
			sched_yield();
	settle();
}

static int count_done(const struct waiter *w, int n)
{
	int d = 0;

	for (int i = 0; i < n; i++)
		d += __atomic_load_n(&w[i].done, __ATOMIC_SEQ_CST);
	return d;
}

static void join_all(struct waiter *w, int n)
{
	for (int i = 0; i < n; i++)
		pthread_join(w[i].t, NULL);
}

static int64_t clock_ns(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void deadline(clockid_t c, const char *what, int op)
{
	static uint32_t word;
	struct timespec ts;
	int64_t t0 = clock_ns(c), t1;
	long r;

	clock_gettime(c, &ts);
	ts.tv_nsec += 30 * 1000 * 1000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	r = futex(&word, op, 0, &ts, NULL, 0xffffffffU);
	t1 = clock_ns(c);
	CHECK(r == -ETIMEDOUT, "%s deadline: %ld", what, r);
	CHECK(t1 - t0 >= 30 * 1000 * 1000, "%s deadline returned after %lld ns", what, (long long)(t1 - t0));
	say("%s absolute deadline: ETIMEDOUT", what);
}

int main(void)
{
	static volatile uint32_t a, b;
	static const uint32_t bits[MAXW] = { 1, 2, 4, 3 };
	struct waiter w[MAXW];
	struct timespec rel = { 0, 20 * 1000 * 1000 };
	cpu_set_t set;
	long r;

	CHECK(futex(&a, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 1, NULL, NULL, 0) == -EAGAIN, "WAIT on a mismatch");
	CHECK(futex(&a, 99, 0, NULL, NULL, 0) == -ENOSYS, "an unknown op is ENOSYS");
	CHECK(futex(&a, FUTEX_WAIT_BITSET, 0, NULL, NULL, 0) == -EINVAL, "a bitset of 0");
	CHECK(futex((volatile uint32_t *)((char *)&a + 1), FUTEX_WAKE, 1, NULL, NULL, 0) == -EINVAL,
	      "an unaligned word");
	r = futex(&a, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, 0, &rel, NULL, 0);
	CHECK(r == -ETIMEDOUT, "a relative WAIT timeout: %ld", r);
	say("EAGAIN, ENOSYS, EINVAL, relative ETIMEDOUT");
	deadline(CLOCK_MONOTONIC, "CLOCK_MONOTONIC", FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG);
	deadline(CLOCK_REALTIME, "CLOCK_REALTIME", FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);

	/* WAKE_BITSET 2 wakes the waiters with bit 1 set (bitsets 2 and 3), not 1 or 4. */
	start(w, MAXW, &a, bits);
	r = futex(&a, FUTEX_WAKE_BITSET | FUTEX_PRIVATE_FLAG, MAXW, NULL, NULL, 2);
	settle();
	CHECK(r == 2 && count_done(w, MAXW) == 2 && w[1].done && w[3].done, "WAKE_BITSET 2 woke %ld (%d done)", r,
	      count_done(w, MAXW));
	r = futex(&a, FUTEX_WAKE_BITSET | FUTEX_PRIVATE_FLAG, MAXW, NULL, NULL, 0xffffffffU);
	CHECK(r == 2, "WAKE_BITSET of any bit woke %ld of the other 2", r);
	join_all(w, MAXW);
	say("WAKE_BITSET wakes only matching bitsets");

	/* REQUEUE: wake 1, move the other 3 to b; a WAKE on a finds nobody, on b all 3. */
	start(w, MAXW, &a, NULL);
	r = futex(&a, FUTEX_REQUEUE | FUTEX_PRIVATE_FLAG, 1, (void *)(uintptr_t)MAXW, &b, 0);
	/* futex_requeue() returns woken + requeued for REQUEUE too (the man page says woken only). */
	CHECK(r == MAXW, "REQUEUE returned %ld, expected 1 woken + 3 requeued", r);
	settle();
	CHECK(count_done(w, MAXW) == 1, "%d done after REQUEUE", count_done(w, MAXW));
	CHECK(futex(&a, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, MAXW, NULL, NULL, 0) == 0, "waiters left on a");
	r = futex(&b, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, MAXW, NULL, NULL, 0);
	CHECK(r == MAXW - 1, "WAKE on b after REQUEUE woke %ld", r);
	join_all(w, MAXW);
	say("REQUEUE wakes 1 and moves 3");

	/* CMP_REQUEUE: EAGAIN when *a != val3; otherwise returns woken + requeued. */
	start(w, 2, &a, NULL);
	CHECK(futex(&a, FUTEX_CMP_REQUEUE | FUTEX_PRIVATE_FLAG, 0, (void *)1, &b, 7) == -EAGAIN,
	      "CMP_REQUEUE on a changed word");
	r = futex(&a, FUTEX_CMP_REQUEUE | FUTEX_PRIVATE_FLAG, 0, (void *)1, &b, 0);
	CHECK(r == 1, "CMP_REQUEUE 0 woken + 1 requeued returned %ld, expected 1", r);
	CHECK(futex(&b, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, NULL, NULL, 0) == 1, "the requeued waiter on b");
	CHECK(futex(&a, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, NULL, NULL, 0) == 1, "the one left on a");
	join_all(w, 2);
	say("CMP_REQUEUE: EAGAIN on a change, else woken + requeued");

	/* WAKE_OP: *b += 1 (old value 0), wake 1 on a, and on b only if old > 0 (false, then true). */
	b = 0;
	start(w, 2, &a, NULL);
	start(w + 2, 2, &b, NULL);
	r = futex(&a, FUTEX_WAKE_OP | FUTEX_PRIVATE_FLAG, 1, (void *)1, &b,
		  FUTEX_OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_GT, 0));
	CHECK(r == 1 && b == 1, "WAKE_OP (old 0 > 0 false) returned %ld, b %u", r, b);
	r = futex(&a, FUTEX_WAKE_OP | FUTEX_PRIVATE_FLAG, 1, (void *)1, &b,
		  FUTEX_OP(FUTEX_OP_ADD, 1, FUTEX_OP_CMP_GT, 0));
	CHECK(r == 2 && b == 2, "WAKE_OP (old 1 > 0 true) returned %ld, b %u", r, b);
	CHECK(futex(&b, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, NULL, NULL, 0) == 1, "one waiter left on b");
	join_all(w, 4);
	for (int i = 0; i < 4; i++)
		CHECK(w[i].result == 0, "waiter %d returned %ld", i, w[i].result);
	say("WAKE_OP: the operation, and the second wake only when the comparison holds");

	/* tgkill to one waiter: its WAIT ends with EINTR (no SA_RESTART: that would restart it), the other sleeps. */
	{
		struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = 0 };

		CHECK(sigaction(SIGUSR1, &sa, NULL) == 0, "sigaction");
		start(w, 2, &a, NULL);
		CHECK(sys3(SYS_tgkill, getpid(), w[1].tid, SIGUSR1) == 0, "tgkill");
		settle();
		CHECK(w[1].done && w[1].result == -EINTR, "the signalled waiter: done %d, %ld", w[1].done, w[1].result);
		CHECK(handled_on == w[1].tid, "the handler ran on %d, not %d", handled_on, w[1].tid);
		CHECK(!w[0].done, "the other waiter woke too");
		CHECK(futex(&a, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 2, NULL, NULL, 0) == 1, "the other one still waits");
		join_all(w, 2);
		say("tgkill: EINTR on that thread only, its handler on it");
	}

	CPU_ZERO(&set);
	CHECK(sched_getaffinity(0, sizeof(set), &set) == 0 && CPU_COUNT(&set) >= 1, "sched_getaffinity");
	say("sched_getaffinity: at least one CPU");
	return 0;
}
