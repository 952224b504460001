/* SPDX-License-Identifier: MIT */
/* sys_time.c - clocks and sleeping, on the TSC (calibrated against the PIT at boot). */
#include "kerrno.h"
#include "proc.h"
#include "syscall.h"
#include "tsc.h"
#include "uaccess.h"
#include "x86.h"

#define CLOCK_REALTIME 0
#define CLOCK_MONOTONIC 1
#define CLOCK_MONOTONIC_RAW 4
#define CLOCK_BOOTTIME 7
#define NSEC_PER_SEC 1000000000ULL

struct lx_timespec {
	int64_t sec, nsec;
};

long sys_clock_gettime(struct proc *p, const uint64_t *a)
{
	int64_t clk = (int64_t)a[0];
	uint64_t ns = tsc_to_ns(rdtsc());
	struct lx_timespec ts = { (int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC) };

	(void)p;
	/* No RTC reading yet: CLOCK_REALTIME counts from boot like the monotonic clocks. */
	if (clk != CLOCK_REALTIME && clk != CLOCK_MONOTONIC && clk != CLOCK_MONOTONIC_RAW && clk != CLOCK_BOOTTIME)
		return -EINVAL;
	return copy_to_user(a[1], &ts, sizeof(ts));
}

long sys_nanosleep(struct proc *p, const uint64_t *a)
{
	struct lx_timespec ts;
	uint64_t ticks, hz = tsc_hz(), now;

	(void)p;
	if (copy_from_user(&ts, a[0], sizeof(ts)))
		return -EFAULT;
	if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= (int64_t)NSEC_PER_SEC)
		return -EINVAL;
	/* sec * hz can overflow for any sec past ~5.8e9 / GHz: such a sleep lasts for ever, it does not wrap. */
	if (hz && (uint64_t)ts.sec > UINT64_MAX / hz)
		ticks = UINT64_MAX;
	else
		ticks = (uint64_t)ts.sec * hz + (uint64_t)ts.nsec * hz / NSEC_PER_SEC;
	now = rdtsc();
	proc_sleep_until(ticks > UINT64_MAX - now ? UINT64_MAX : now + ticks);
	return 0;
}
