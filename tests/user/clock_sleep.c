/* ATLAS-EXPECT: exit=0 */
/* SPDX-License-Identifier: MIT */
/*
 * clock_sleep - CLOCK_MONOTONIC never goes backwards over 1000 reads and
 * advances by at least 10 ms across nanosleep(10 ms) (and by less than 2 s);
 * nanosleep with tv_nsec >= 10^9 is EINVAL; CLOCK_REALTIME reads; time spent
 * inside system calls is system time in getrusage() and times(), not user time.
 */
#include <errno.h>
#include <sys/resource.h>
#include <sys/times.h>

#include "utest.h"

/*
 * 100 ms of wall time in getrandom: the CPU time it took must come back
 * mostly as ru_stime / tms_stime, not as user time (a loaded host gives the
 * process only part of the wall time, so the check compares the two).
 */
static void check_system_time(void)
{
	static char buf[256 * 1024];
	struct rusage ru0, ru1;
	struct tms tm0, tm1;
	int64_t t0;
	long stime_us, utime_us;

	CHECK(getrusage(RUSAGE_SELF, &ru0) == 0 && times(&tm0) != (clock_t)-1, "getrusage/times");
	t0 = now_ns();
	do
		CHECK(sys3(SYS_getrandom, buf, sizeof(buf), 0) == (long)sizeof(buf), "getrandom");
	while (now_ns() - t0 < 100LL * 1000 * 1000);
	CHECK(getrusage(RUSAGE_SELF, &ru1) == 0 && times(&tm1) != (clock_t)-1, "getrusage/times");
	stime_us = (ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) * 1000000L +
		   (ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec);
	utime_us = (ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec) * 1000000L +
		   (ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec);
	CHECK(stime_us > 0 && stime_us > utime_us, "100 ms in getrandom: ru_stime +%ld us, ru_utime +%ld us", stime_us,
	      utime_us);
	CHECK(tm1.tms_stime - tm0.tms_stime >= tm1.tms_utime - tm0.tms_utime, "tms_stime +%ld, tms_utime +%ld ticks",
	      (long)(tm1.tms_stime - tm0.tms_stime), (long)(tm1.tms_utime - tm0.tms_utime));
}

int main(void)
{
	struct timespec req = { 0, 10 * 1000 * 1000 }, bad = { 0, 1000 * 1000 * 1000 }, rt;
	int64_t prev = now_ns(), t0, t1;
	long r;

	for (int i = 0; i < 1000; i++) {
		int64_t t = now_ns();
		CHECK(t >= prev, "CLOCK_MONOTONIC went back from %lld to %lld", (long long)prev, (long long)t);
		prev = t;
	}
	t0 = now_ns();
	r = sys2(SYS_nanosleep, &req, NULL);
	t1 = now_ns();
	CHECK(r == 0, "nanosleep(10 ms) returned %ld", r);
	CHECK(t1 - t0 >= 10 * 1000 * 1000, "nanosleep(10 ms) took only %lld ns", (long long)(t1 - t0));
	CHECK(t1 - t0 < 2000LL * 1000 * 1000, "nanosleep(10 ms) took %lld ns", (long long)(t1 - t0));
	r = sys2(SYS_nanosleep, &bad, NULL);
	CHECK(r == -EINVAL, "nanosleep with tv_nsec 10^9 returned %ld, expected -EINVAL", r);
	r = sys2(SYS_clock_gettime, 0 /* CLOCK_REALTIME */, &rt);
	CHECK(r == 0, "clock_gettime(CLOCK_REALTIME) returned %ld", r);
	check_system_time();
	say("system time counted; monotonic clock steady; nanosleep(10 ms) took %lld us",
	    (long long)((t1 - t0) / 1000));
	return 0;
}
