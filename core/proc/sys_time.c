/* SPDX-License-Identifier: MIT */
/*
 * sys_time.c - clocks, sleeps and ITIMER_REAL. CLOCK_REALTIME is the
 * firmware's wall clock carried by the TSC (include/ktime.h); the monotonic
 * clocks count from boot; the CPU-time clocks add up the time each thread
 * spent in ring 3 (sampled by the tick) and in system calls.
 */
#include "kerrno.h"
#include "kstring.h"
#include "ktime.h"
#include "lx_time.h"
#include "proc.h"
#include "syscall.h"
#include "uaccess.h"
#include "x86.h"

#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID 3
#define CLOCK_MONOTONIC_RAW 4
#define CLOCK_REALTIME_COARSE 5
#define CLOCK_MONOTONIC_COARSE 6
#define CLOCK_BOOTTIME 7
#define TIMER_ABSTIME 1
#define ITIMER_REAL 0
#define COARSE_NS (1000000000LL / SCHED_HZ)

struct lx_itimerval {
	struct lx_timeval interval, value;
};

static int64_t cpu_ns(int clk)
{
	struct thread *t = thread_current();
	struct proc *p = t->proc;
	int64_t ns = 0;

	if (clk == CLOCK_THREAD_CPUTIME_ID)
		return (int64_t)(t->utime_ns + t->stime_ns);
	ns = (int64_t)(p->utime_ns + p->stime_ns);
	for (struct thread *o = p->threads; o; o = o->next_in_proc)
		ns += (int64_t)(o->utime_ns + o->stime_ns);
	return ns;
}

/* The time on clock clk, or -EINVAL for a clock Atlas does not have. */
static int clock_now(int clk, struct kts *ts)
{
	switch (clk) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
		*ts = ktime_real();
		return 0;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
		*ts = kts_from_ns((int64_t)ktime_mono_ns());
		return 0;
	case CLOCK_PROCESS_CPUTIME_ID:
	case CLOCK_THREAD_CPUTIME_ID:
		*ts = kts_from_ns(cpu_ns(clk));
		return 0;
	default:
		return -EINVAL;
	}
}

long sys_clock_gettime(int clk, uint64_t uts)
{
	struct kts ts;
	int err = clock_now(clk, &ts);

	if (err)
		return err;
	return copy_to_user(uts, &ts, sizeof(ts)) ? -EFAULT : 0;
}

long sys_clock_getres(int clk, uint64_t uts)
{
	struct kts ts, res = { 0, 1 };

	if (clock_now(clk, &ts))
		return -EINVAL;
	if (clk == CLOCK_REALTIME_COARSE || clk == CLOCK_MONOTONIC_COARSE)
		res.nsec = COARSE_NS;
	return uts && copy_to_user(uts, &res, sizeof(res)) ? -EFAULT : 0;
}

long sys_clock_settime(int clk, uint64_t uts)
{
	struct kts ts;

	if (copy_from_user(&ts, uts, sizeof(ts)))
		return -EFAULT;
	if (clk != CLOCK_REALTIME)
		return -EINVAL;
	if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= NSEC_PER_SEC)
		return -EINVAL;
	ktime_set_real(ts);
	return 0;
}

long sys_gettimeofday(uint64_t utv, uint64_t utz)
{
	struct kts now = ktime_real();
	struct lx_timeval tv = { now.sec, now.nsec / 1000 };
	int tz[2] = { 0, 0 }; /* UTC, no DST */

	if (utv && copy_to_user(utv, &tv, sizeof(tv)))
		return -EFAULT;
	if (utz && copy_to_user(utz, tz, sizeof(tz)))
		return -EFAULT;
	return 0;
}

long sys_time(uint64_t utloc)
{
	int64_t t = ktime_real().sec;

	if (utloc && copy_to_user(utloc, &t, sizeof(t)))
		return -EFAULT;
	return t;
}

/*
 * Sleep until deadline_ns on clk (absolute), writing what is left to urem
 * when a signal comes first. -EINTR then (Linux restarts a sleep the
 * signal did not interrupt with a handler; here every signal interrupts it).
 */
static long sleep_until(int clk, int64_t deadline_ns, uint64_t urem)
{
	struct kts now;
	int64_t left;

	clock_now(clk, &now);
	left = deadline_ns - (now.sec * NSEC_PER_SEC + now.nsec);
	if (left <= 0)
		return 0;
	if (proc_sleep_until(ktime_deadline((uint64_t)left)) == 0)
		return 0;
	if (urem) {
		struct kts rem;

		clock_now(clk, &now);
		left = deadline_ns - (now.sec * NSEC_PER_SEC + now.nsec);
		rem = kts_from_ns(left > 0 ? left : 0);
		if (copy_to_user(urem, &rem, sizeof(rem)))
			return -EFAULT;
	}
	return -EINTR;
}

/* A relative or absolute timespec as an absolute deadline on clk; saturates instead of wrapping. */
static long deadline_in(int clk, uint64_t ureq, int abs, int64_t *deadline)
{
	struct kts req, now;

	if (copy_from_user(&req, ureq, sizeof(req)))
		return -EFAULT;
	if (req.sec < 0 || req.nsec < 0 || req.nsec >= NSEC_PER_SEC)
		return -EINVAL;
	if (abs) {
		*deadline = req.sec > INT64_MAX / NSEC_PER_SEC - 1 ? INT64_MAX : req.sec * NSEC_PER_SEC + req.nsec;
		return 0;
	}
	clock_now(clk, &now);
	if (req.sec > (INT64_MAX - now.sec * NSEC_PER_SEC - now.nsec) / NSEC_PER_SEC - 1)
		*deadline = INT64_MAX; /* for ever, as good as */
	else
		*deadline = now.sec * NSEC_PER_SEC + now.nsec + req.sec * NSEC_PER_SEC + req.nsec;
	return 0;
}

long sys_nanosleep(uint64_t ureq, uint64_t urem)
{
	int64_t deadline;
	long err = deadline_in(CLOCK_MONOTONIC, ureq, 0, &deadline);

	return err ? err : sleep_until(CLOCK_MONOTONIC, deadline, urem);
}

long sys_clock_nanosleep(int clk, int flags, uint64_t ureq, uint64_t urem)
{
	struct kts ts;
	int64_t deadline;
	long err;

	if (clk == CLOCK_THREAD_CPUTIME_ID)
		return -EINVAL;
	if (clock_now(clk, &ts) || clk == CLOCK_PROCESS_CPUTIME_ID)
		return clk == CLOCK_PROCESS_CPUTIME_ID ? -EOPNOTSUPP : -EINVAL;
	err = deadline_in(clk, ureq, (flags & TIMER_ABSTIME) != 0, &deadline);
	if (err)
		return err;
	return sleep_until(clk, deadline, (flags & TIMER_ABSTIME) ? 0 : urem);
}

/* ITIMER_REAL's value now: what is left until the next SIGALRM. */
static void itimer_now(const struct proc *p, struct lx_itimerval *it)
{
	uint64_t now = ktime_mono_ns(), at = p->alarm_tsc ? ktime_tsc_to_mono_ns(p->alarm_tsc) : 0;
	uint64_t left = at > now ? at - now : (p->alarm_tsc ? 1000 : 0);

	it->value.sec = (int64_t)(left / 1000000000ULL);
	it->value.usec = (int64_t)(left % 1000000000ULL / 1000);
	it->interval.sec = (int64_t)(p->alarm_interval_ns / 1000000000ULL);
	it->interval.usec = (int64_t)(p->alarm_interval_ns % 1000000000ULL / 1000);
}

long sys_getitimer(int which, uint64_t ucur)
{
	struct lx_itimerval it;

	if (which != ITIMER_REAL)
		return -EINVAL; /* ITIMER_VIRTUAL and ITIMER_PROF are not kept */
	itimer_now(proc_current(), &it);
	return copy_to_user(ucur, &it, sizeof(it)) ? -EFAULT : 0;
}

long sys_setitimer(int which, uint64_t unew, uint64_t uold)
{
	struct proc *p = proc_current();
	struct lx_itimerval it, old;
	uint64_t value, interval;

	if (which != ITIMER_REAL)
		return -EINVAL;
	if (unew && copy_from_user(&it, unew, sizeof(it)))
		return -EFAULT;
	if (unew && (it.value.usec < 0 || it.value.usec >= 1000000 || it.interval.usec < 0 ||
		     it.interval.usec >= 1000000 || it.value.sec < 0 || it.interval.sec < 0))
		return -EINVAL;
	itimer_now(p, &old);
	if (unew) {
		value = (uint64_t)it.value.sec * 1000000000ULL + (uint64_t)it.value.usec * 1000ULL;
		interval = (uint64_t)it.interval.sec * 1000000000ULL + (uint64_t)it.interval.usec * 1000ULL;
		p->alarm_tsc = value ? ktime_deadline(value) : 0;
		p->alarm_interval_ns = value ? interval : 0;
	}
	if (uold && copy_to_user(uold, &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

long sys_alarm(unsigned seconds)
{
	struct proc *p = proc_current();
	struct lx_itimerval old;
	long left;

	itimer_now(p, &old);
	left = old.value.sec + (old.value.usec >= 500000 || (!old.value.sec && old.value.usec) ? 1 : 0);
	p->alarm_tsc = seconds ? ktime_deadline((uint64_t)seconds * 1000000000ULL) : 0;
	p->alarm_interval_ns = 0;
	return left;
}
