/* SPDX-License-Identifier: MIT */
/*
 * futex.c - fast user-space mutexes: waiting on a 32-bit word until someone
 * wakes the address, as pthreads, the C++ runtime and Go build on.
 *
 * Waiters sit in a hash table of queues keyed by (address space, address):
 * the same word in two processes that share no memory are two futexes, and
 * the private and shared flavours are one (every mapping is private here).
 * A waiter is a struct on its thread's kernel stack. The kernel runs with
 * interrupts off and is not preempted, so the check of the word and the
 * sleep cannot be separated by a wake-up: none is lost.
 *
 * Also here: what a dying thread does for its futexes (CLONE_CHILD_CLEARTID's
 * word cleared and woken; robust-list locks marked FUTEX_OWNER_DIED and one
 * waiter woken, as Linux's exit_robust_list does).
 */
#include "futex.h"

#include "kerrno.h"
#include "kstring.h"
#include "ktime.h"
#include "proc.h"
#include "sched.h"
#include "syscall.h"
#include "uaccess.h"

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_FD 2
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_LOCK_PI 6
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_CMD_MASK (~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME))
#define FUTEX_BITSET_MATCH_ANY 0xffffffffU

#define FUTEX_WAITERS 0x80000000U
#define FUTEX_OWNER_DIED 0x40000000U
#define FUTEX_TID_MASK 0x3fffffffU
#define ROBUST_LIST_LIMIT 2048

#define BUCKETS 64

struct waiter {
	struct waiter *next, **pprev;
	struct uvm *uvm;
	uint64_t addr;
	uint32_t bitset;
	struct thread *t;
	int woken;
};

static struct waiter *buckets[BUCKETS];
static uint64_t waits, wakes;

static unsigned bucket_of(const struct uvm *u, uint64_t addr)
{
	uint64_t h = (uint64_t)(uintptr_t)u ^ (addr >> 2) * 0x9E3779B97F4A7C15ULL;

	return (unsigned)(h >> 58) % BUCKETS;
}

static void enqueue(struct waiter *w)
{
	struct waiter **b = &buckets[bucket_of(w->uvm, w->addr)];

	w->next = *b;
	w->pprev = b;
	if (*b)
		(*b)->pprev = &w->next;
	*b = w;
}

static void dequeue(struct waiter *w)
{
	if (!w->pprev)
		return;
	*w->pprev = w->next;
	if (w->next)
		w->next->pprev = w->pprev;
	w->next = NULL;
	w->pprev = NULL;
}

/* Wake up to n waiters of (u, addr) whose bitset meets mask. Returns how many. */
static int wake(struct uvm *u, uint64_t addr, int n, uint32_t mask)
{
	struct waiter *w = buckets[bucket_of(u, addr)], *next;
	int done = 0;

	/* Linux counts after each wake-up: a count of 0 (or less) still wakes one. */
	if (n < 1)
		n = 1;
	for (; w && done < n; w = next) {
		next = w->next;
		if (w->uvm != u || w->addr != addr || !(w->bitset & mask))
			continue;
		dequeue(w);
		w->woken = 1;
		w->t->woken = 1;
		sched_wake(w->t);
		done++;
	}
	wakes += (uint64_t)done;
	return done;
}

int futex_wake(struct uvm *u, uint64_t addr, int n)
{
	return wake(u, addr, n, FUTEX_BITSET_MATCH_ANY);
}

/* Move up to n waiters of (u, from) to (u, to). Returns how many. */
static int requeue(struct uvm *u, uint64_t from, uint64_t to, int n)
{
	struct waiter *w = buckets[bucket_of(u, from)], *next;
	int moved = 0;

	for (; w && moved < n; w = next) {
		next = w->next;
		if (w->uvm != u || w->addr != from)
			continue;
		dequeue(w);
		w->addr = to;
		enqueue(w);
		moved++;
	}
	return moved;
}

static long wait_on(uint64_t uaddr, uint32_t val, uint64_t deadline, int timed, uint32_t bitset)
{
	struct thread *t = thread_current();
	struct waiter w;
	uint32_t cur;
	int r;

	if (copy_from_user(&cur, uaddr, sizeof(cur)))
		return -EFAULT;
	if (cur != val)
		return -EAGAIN;
	if (timed && !deadline)
		return -ETIMEDOUT;
	memset(&w, 0, sizeof(w));
	w.uvm = t->proc->uvm;
	w.addr = uaddr;
	w.bitset = bitset;
	w.t = t;
	enqueue(&w);
	waits++;
	for (;;) {
		r = task_sleep(timed ? deadline : 0);
		if (w.woken || r)
			break;
	}
	dequeue(&w);
	if (w.woken)
		return 0;
	if (r == -ETIMEDOUT)
		return -ETIMEDOUT;
	return timed ? -EINTR : -ERESTARTSYS;
}

/* The TSC deadline of a futex timeout: relative for FUTEX_WAIT, absolute (on clk) for WAIT_BITSET. */
static long deadline_of(uint64_t uts, int absolute, int realtime, uint64_t *deadline)
{
	struct kts ts, now;
	int64_t left;

	if (copy_from_user(&ts, uts, sizeof(ts)))
		return -EFAULT;
	if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= NSEC_PER_SEC)
		return -EINVAL;
	if (!absolute) {
		*deadline = ts.sec || ts.nsec ? ktime_deadline((uint64_t)ts.sec * NSEC_PER_SEC + (uint64_t)ts.nsec) : 0;
		return 0;
	}
	now = realtime ? ktime_real() : kts_from_ns((int64_t)ktime_mono_ns());
	left = (ts.sec - now.sec) * NSEC_PER_SEC + (ts.nsec - now.nsec);
	*deadline = left > 0 ? ktime_deadline((uint64_t)left) : 0;
	return 0;
}

/* FUTEX_WAKE_OP's operation on the old value: (op, arg) from val3. */
static int wake_op(uint64_t uaddr2, uint32_t val3, int *cond)
{
	unsigned op = (val3 >> 28) & 7, cmp = (val3 >> 24) & 15;
	/* Both arguments are 12-bit signed numbers (Linux's sign_extend32(..., 11)). */
	int32_t oparg = (int32_t)(val3 << 8) >> 20, cmparg = (int32_t)(val3 << 20) >> 20;
	uint32_t old, new;

	if (val3 & (8U << 28))
		oparg = (int32_t)(1U << (oparg & 31)); /* FUTEX_OP_OPARG_SHIFT: out-of-range shifts masked, as Linux */
	if (copy_from_user(&old, uaddr2, sizeof(old)))
		return -EFAULT;
	switch (op) {
	case 0: /* SET */
		new = (uint32_t)oparg;
		break;
	case 1: /* ADD */
		new = old + (uint32_t)oparg;
		break;
	case 2: /* OR */
		new = old | (uint32_t)oparg;
		break;
	case 3: /* ANDN */
		new = old & ~(uint32_t)oparg;
		break;
	case 4: /* XOR */
		new = old ^ (uint32_t)oparg;
		break;
	default:
		return -ENOSYS;
	}
	if (copy_to_user(uaddr2, &new, sizeof(new)))
		return -EFAULT;
	switch (cmp) {
	case 0:
		*cond = old == (uint32_t)cmparg;
		break;
	case 1:
		*cond = old != (uint32_t)cmparg;
		break;
	case 2:
		*cond = (int32_t)old < cmparg;
		break;
	case 3:
		*cond = (int32_t)old <= cmparg;
		break;
	case 4:
		*cond = (int32_t)old > cmparg;
		break;
	case 5:
		*cond = (int32_t)old >= cmparg;
		break;
	default:
		return -ENOSYS;
	}
	return 0;
}

long sys_futex(uint64_t uaddr, int op, unsigned int val, uint64_t utimeout, uint64_t uaddr2, unsigned int val3)
{
	struct uvm *u = proc_current()->uvm;
	int cmd = op & FUTEX_CMD_MASK, realtime = (op & FUTEX_CLOCK_REALTIME) != 0, cond = 0, n;
	uint64_t deadline = 0;
	uint32_t cur;
	long r;

	if (uaddr & 3)
		return -EINVAL;
	if (realtime && cmd != FUTEX_WAIT_BITSET && cmd != FUTEX_WAIT)
		return -ENOSYS;
	switch (cmd) {
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		if (cmd == FUTEX_WAIT_BITSET && !val3)
			return -EINVAL;
		if (utimeout) {
			r = deadline_of(utimeout, cmd == FUTEX_WAIT_BITSET, realtime, &deadline);
			if (r)
				return r;
		}
		return wait_on(uaddr, val, deadline, utimeout != 0, cmd == FUTEX_WAIT ? FUTEX_BITSET_MATCH_ANY : val3);
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
		if (cmd == FUTEX_WAKE_BITSET && !val3)
			return -EINVAL;
		return wake(u, uaddr, (int)val, cmd == FUTEX_WAKE ? FUTEX_BITSET_MATCH_ANY : val3);
	case FUTEX_CMP_REQUEUE:
	case FUTEX_REQUEUE:
		/* futex_requeue's order: the counts, the second address, then the value. */
		if ((int)val < 0 || (int)utimeout < 0)
			return -EINVAL;
		if (uaddr2 & 3)
			return -EINVAL;
		if (cmd == FUTEX_CMP_REQUEUE) {
			if (copy_from_user(&cur, uaddr, sizeof(cur)))
				return -EFAULT;
			if (cur != val3)
				return -EAGAIN;
		}
		n = (int)val ? wake(u, uaddr, (int)val, FUTEX_BITSET_MATCH_ANY) : 0;
		return n + requeue(u, uaddr, uaddr2, (int)utimeout);
	case FUTEX_WAKE_OP:
		if (uaddr2 & 3)
			return -EINVAL;
		r = wake_op(uaddr2, val3, &cond);
		if (r)
			return r;
		n = wake(u, uaddr, (int)val, FUTEX_BITSET_MATCH_ANY);
		if (cond)
			n += wake(u, uaddr2, (int)utimeout, FUTEX_BITSET_MATCH_ANY);
		return n;
	default:
		return -ENOSYS; /* FUTEX_FD (gone from Linux too) and the priority-inheritance family */
	}
}

/* One robust-list entry's lock word at uaddr: the dying owner tid gives it up. */
static void robust_release(struct uvm *u, uint64_t uaddr, int tid)
{
	uint32_t word, new;

	if ((uaddr & 3) || uvm_read_user(u, uaddr, &word, sizeof(word)))
		return;
	if ((word & FUTEX_TID_MASK) != (uint32_t)tid)
		return;
	new = (word & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
	if (uvm_write_user(u, uaddr, &new, sizeof(new)))
		return;
	if (word & FUTEX_WAITERS)
		futex_wake(u, uaddr, 1);
}

void futex_thread_exit(struct thread *t)
{
	struct uvm *u = t->proc->uvm;
	uint64_t head[3], entry, pending;
	int64_t offset;

	if (!u)
		return;
	/* The robust list: struct robust_list_head { next; futex_offset; list_op_pending; }. */
	if (t->robust_list && !uvm_read_user(u, t->robust_list, head, sizeof(head))) {
		offset = (int64_t)head[1];
		pending = head[2];
		entry = head[0];
		for (int i = 0; entry && entry != t->robust_list && i < ROBUST_LIST_LIMIT; i++) {
			uint64_t next;

			if (uvm_read_user(u, entry & ~1ULL, &next, sizeof(next)))
				break;
			if (entry != pending)
				robust_release(u, (entry & ~1ULL) + (uint64_t)offset, t->tid);
			entry = next;
		}
		if (pending)
			robust_release(u, (pending & ~1ULL) + (uint64_t)offset, t->tid);
	}
	/* CLONE_CHILD_CLEARTID: pthread_join waits for this word to become 0. */
	if (t->clear_child_tid) {
		uint32_t zero = 0;

		if (!uvm_write_user(u, t->clear_child_tid, &zero, sizeof(zero)))
			futex_wake(u, t->clear_child_tid, 1);
	}
}

void futex_stats(uint64_t *w, uint64_t *k)
{
	*w = waits;
	*k = wakes;
}
