/* ATLAS-EXPECT: exit=0 */
/* SPDX-License-Identifier: MIT */
/*
 * clock_sleep - CLOCK_MONOTONIC never goes backwards over 1000 reads and
 * advances by at least 10 ms across nanosleep(10 ms) (and by less than 2 s);
 * nanosleep with tv_nsec >= 10^9 is EINVAL; CLOCK_REALTIME reads.
 */
#include <errno.h>

#include "utest.h"

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
	say("monotonic clock steady; nanosleep(10 ms) took %lld us", (long long)((t1 - t0) / 1000));
	return 0;
}
