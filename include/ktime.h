/* SPDX-License-Identifier: MIT */
/*
 * ktime.h - the kernel's clocks as the system calls see them.
 *
 * CLOCK_MONOTONIC counts from boot (the TSC, calibrated at boot);
 * CLOCK_REALTIME adds the wall-clock time read at boot: the firmware's
 * GetTime before ExitBootServices, or the CMOS RTC when that failed
 * (boot_info's rtc fields). settimeofday/clock_settime move an offset.
 */
#ifndef ATLAS_KTIME_H
#define ATLAS_KTIME_H

#include <stdint.h>

#define NSEC_PER_SEC 1000000000LL

/* A time stamp: seconds and nanoseconds (struct timespec's layout on x86-64). */
struct kts {
	int64_t sec;
	int64_t nsec;
};

/* Nanoseconds since boot (CLOCK_MONOTONIC / CLOCK_BOOTTIME: Atlas never suspends). */
uint64_t ktime_mono_ns(void);
/* A TSC value as CLOCK_MONOTONIC nanoseconds. */
uint64_t ktime_tsc_to_mono_ns(uint64_t tsc);
/* At boot: the wall clock read epoch_sec (UTC) at TSC value at_tsc, from name ("efi", "rtc"). */
void ktime_set_source(int64_t epoch_sec, uint64_t at_tsc, const char *name);
/* The wall clock now (CLOCK_REALTIME). */
struct kts ktime_real(void);
/* Set the wall clock (clock_settime(CLOCK_REALTIME)): from now on ktime_real() counts from t. */
void ktime_set_real(struct kts t);
/* The TSC value ns nanoseconds from now: a deadline for task_sleep (saturates; 0 ns gives now). */
uint64_t ktime_deadline(uint64_t ns);
/* Whether the wall clock came from the firmware, the RTC, or nothing (1970): "efi", "rtc", "none". */
const char *ktime_real_source(void);

static inline struct kts kts_from_ns(int64_t ns)
{
	struct kts t = { ns / NSEC_PER_SEC, ns % NSEC_PER_SEC };

	if (t.nsec < 0) {
		t.nsec += NSEC_PER_SEC;
		t.sec--;
	}
	return t;
}

#endif
