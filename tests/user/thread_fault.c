/* ATLAS-EXPECT: signal=SIGSEGV cause="null guard" */
/* SPDX-License-Identifier: MIT */
/*
 * thread_fault - a thread that dereferences NULL takes its whole process
 * down with SIGSEGV and the fault's cause, while the other threads sleep in
 * the kernel (one in pthread_join, one in a futex wait, one in nanosleep):
 * each of them ends too, and the kernel goes on with the next program.
 * Runs on the host too.
 */
#define _GNU_SOURCE
#include <pthread.h>

#include "utest.h"

static pthread_barrier_t ready;
static int never;

static void *sleeper(void *arg)
{
	struct timespec ts = { 60, 0 };

	pthread_barrier_wait(&ready);
	if (arg)
		sys6(SYS_futex, (long)&never, 0 /* FUTEX_WAIT */, 0, 0, 0, 0);
	else
		nanosleep(&ts, NULL);
	return NULL;
}

static void *faulter(void *arg)
{
	volatile int *p = hide(NULL);

	(void)arg;
	pthread_barrier_wait(&ready);
	return (void *)(intptr_t)*p;
}

int main(void)
{
	pthread_t a, b, c;

	pthread_barrier_init(&ready, NULL, 4);
	CHECK(pthread_create(&a, NULL, sleeper, (void *)1) == 0, "futex sleeper");
	CHECK(pthread_create(&b, NULL, sleeper, NULL) == 0, "nanosleep sleeper");
	CHECK(pthread_create(&c, NULL, faulter, NULL) == 0, "faulter");
	pthread_barrier_wait(&ready);
	pthread_join(c, NULL);
	fail("the process outlived its faulting thread");
}
