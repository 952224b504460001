/* ATLAS-EXPECT: exit=0 */
/* SPDX-License-Identifier: MIT */
/*
 * thread_cycles - 1,000 pthread_create + pthread_join cycles, each thread
 * touching its stack and TLS, leave nothing behind: on Atlas, the kernel
 * stacks (/proc/meminfo KernelStack) after the 1,000th are what they were
 * after the 10th, and so are the process's threads (/proc/self/status
 * Threads: 1) and its areas (/proc/self/maps has as many lines). The
 * kernel's mm.lifetimes.threads runs it and also compares free pages, heap
 * bytes and kernel stacks before and after. Runs on the host too.
 */
#define _GNU_SOURCE
#include <pthread.h>

#include "utest.h"

#define CYCLES 1000
#define WARMUP 10

static __thread long tls_value;

static void *work(void *arg)
{
	volatile char buf[8192];

	buf[0] = 1;
	buf[sizeof(buf) - 1] = 2;
	tls_value = (long)arg;
	return (void *)(tls_value + buf[0] + buf[sizeof(buf) - 1]);
}

/* A "Key:   N kB" value of /proc/meminfo, or a "Key:\tN" of /proc/self/status. */
static long field(const char *path, const char *key)
{
	static char buf[8192];
	const char *p;

	read_file(path, buf, sizeof(buf));
	p = strstr(buf, key);
	CHECK(p != NULL, "%s has no %s", path, key);
	return strtol(p + strlen(key), NULL, 10);
}

static int maps_lines(void)
{
	static char buf[65536];
	int n = 0;

	read_file("/proc/self/maps", buf, sizeof(buf));
	for (char *p = buf; *p; p++)
		n += *p == '\n';
	return n;
}

int main(void)
{
	long kstack = 0, threads = 0;
	int areas = 0;

	for (long i = 0; i < CYCLES; i++) {
		pthread_t th;
		void *ret;

		CHECK(pthread_create(&th, NULL, work, (void *)i) == 0, "pthread_create %ld", i);
		CHECK(pthread_join(th, &ret) == 0 && (long)ret == i + 3, "join %ld gave %ld", i, (long)ret);
		if (i + 1 == WARMUP) {
			kstack = field("/proc/meminfo", "KernelStack:");
			threads = field("/proc/self/status", "Threads:");
			areas = maps_lines();
		}
	}
	CHECK(field("/proc/self/status", "Threads:") == 1 && threads == 1, "Threads: %ld after the joins", threads);
	CHECK(maps_lines() == areas, "%d areas after %d cycles, %d after %d", maps_lines(), CYCLES, areas, WARMUP);
	if (on_atlas())
		CHECK(field("/proc/meminfo", "KernelStack:") == kstack,
		      "KernelStack %ld kB after %d cycles, %ld after %d", field("/proc/meminfo", "KernelStack:"),
		      CYCLES, kstack, WARMUP);
	say("%d thread create+join cycles: kernel stacks %ld kB, %d areas, as after %d", CYCLES, kstack, areas, WARMUP);
	return 0;
}
