/* ATLAS-EXPECT: exit=0 */
/* ATLAS-ARGS: 8 512 0 */
/* SPDX-License-Identifier: MIT */
/*
 * heap_watch STEPS KIB DELAY_MS - seed 001's exercise "allocate in a loop and
 * watch the heap grow": STEPS times, KIB more KiB of malloc in 16 KiB blocks
 * (under musl's mmap threshold, so [heap] grows through brk), every byte
 * written, then DELAY_MS of sleep. After each step [heap] and VmRSS in
 * /proc/self/status have grown by at least three quarters of the step. With a
 * delay it is slow enough to watch from the shell, as the seed asks
 * (tests/boot/test_procs.py reads /proc/PID/status and maps while it
 * runs). Runs on the host too.
 */
#include "utest.h"

#define BLOCK (16 * KiB)

static char text[65536];

static long vmrss_kb(void)
{
	read_file("/proc/self/status", text, sizeof(text));
	return status_kb(text, "VmRSS");
}

static uint64_t heap_kb(void)
{
	read_file("/proc/self/maps", text, sizeof(text));
	return map_size(text, "[heap]") / KiB;
}

int main(int argc, char **argv)
{
	long steps, kib, delay, rss = vmrss_kb(), first = rss;
	uint64_t heap = heap_kb();

	CHECK(argc == 4, "usage: heap_watch STEPS KIB DELAY_MS");
	steps = strtol(argv[1], NULL, 10);
	kib = strtol(argv[2], NULL, 10);
	delay = strtol(argv[3], NULL, 10);
	CHECK(steps > 0 && kib >= 16 && delay >= 0, "bad arguments");
	for (long s = 0; s < steps; s++) {
		long now;
		uint64_t h;

		for (long k = 0; k < kib; k += BLOCK / KiB) {
			char *b = malloc(BLOCK);

			CHECK(b != NULL, "malloc failed at step %ld", s);
			memset(b, (int)s + 1, BLOCK);
		}
		now = vmrss_kb();
		h = heap_kb();
		CHECK(now >= rss + kib * 3 / 4, "step %ld: VmRSS %ld kB after %ld kB, for %ld KiB more", s, now, rss,
		      kib);
		CHECK(h >= heap + (uint64_t)kib * 3 / 4, "step %ld: [heap] %lu KiB after %lu KiB", s, (unsigned long)h,
		      (unsigned long)heap);
		rss = now;
		heap = h;
		if (delay) {
			struct timespec ts = { delay / 1000, (delay % 1000) * 1000000L };

			sys2(SYS_nanosleep, &ts, NULL);
		}
	}
	say("%ld steps of %ld KiB: VmRSS %ld kB -> %ld kB, [heap] %lu KiB", steps, kib, first, rss,
	    (unsigned long)heap);
	return 0;
}
