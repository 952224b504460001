/* SPDX-License-Identifier: MIT */
/*
 * lx_time.h - the Linux x86-64 user ABI's time structures, once: struct timespec,
 * struct timeval (include/uapi/linux/time_types.h's __kernel_old_timeval) and
 * struct rusage (include/uapi/linux/resource.h), as system calls copy them out.
 */
#ifndef ATLAS_LX_TIME_H
#define ATLAS_LX_TIME_H

#include <stdint.h>

struct lx_timespec {
	int64_t sec, nsec;
};

struct lx_timeval {
	int64_t sec, usec;
};

struct lx_rusage {
	struct lx_timeval utime, stime;
	int64_t maxrss, ixrss, idrss, isrss, minflt, majflt, nswap, inblock, oublock, msgsnd, msgrcv, nsignals, nvcsw,
		nivcsw;
};
_Static_assert(sizeof(struct lx_rusage) == 144, "struct rusage is 144 bytes");

/* Nanoseconds as a timeval, microseconds truncated as Linux's ns_to_kernel_old_timeval does. */
static inline struct lx_timeval lx_timeval_of_ns(uint64_t ns)
{
	struct lx_timeval tv = { (int64_t)(ns / 1000000000ULL), (int64_t)(ns % 1000000000ULL / 1000) };
	return tv;
}

#endif
