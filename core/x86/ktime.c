/* SPDX-License-Identifier: MIT */
/*
 * ktime.c - the clocks of include/ktime.h over the TSC. The wall clock is
 * an (epoch, TSC) pair set at boot from the firmware's GetTime or the CMOS
 * clock (kmain decides which: ktime_set_source), and moved by
 * clock_settime; everything else is TSC arithmetic.
 */
#include "ktime.h"

#include "tsc.h"
#include "x86.h"

static int64_t real_epoch_ns; /* CLOCK_REALTIME at TSC value real_tsc */
static uint64_t real_tsc;
static const char *source = "none";

uint64_t ktime_mono_ns(void)
{
	return tsc_to_ns(rdtsc());
}

uint64_t ktime_tsc_to_mono_ns(uint64_t tsc)
{
	return tsc_to_ns(tsc);
}

struct kts ktime_real(void)
{
	uint64_t now = rdtsc();

	return kts_from_ns(real_epoch_ns + (int64_t)tsc_to_ns(now - real_tsc));
}

void ktime_set_real(struct kts t)
{
	real_tsc = rdtsc();
	real_epoch_ns = t.sec * NSEC_PER_SEC + t.nsec;
}

void ktime_set_source(int64_t epoch_sec, uint64_t at_tsc, const char *name)
{
	real_epoch_ns = epoch_sec * NSEC_PER_SEC;
	real_tsc = at_tsc;
	source = name;
}

const char *ktime_real_source(void)
{
	return source;
}

uint64_t ktime_deadline(uint64_t ns)
{
	uint64_t hz = tsc_hz(), now = rdtsc(), ticks;

	if (!hz)
		return now; /* no calibration: no sleep can be measured */
	if (ns / NSEC_PER_SEC > UINT64_MAX / hz)
		return UINT64_MAX;
	ticks = ns / NSEC_PER_SEC * hz + ns % NSEC_PER_SEC * hz / NSEC_PER_SEC;
	return ticks > UINT64_MAX - now ? UINT64_MAX : now + ticks;
}
