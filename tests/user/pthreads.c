/* ATLAS-EXPECT: exit=0 */
/* SPDX-License-Identifier: MIT */
/*
 * pthreads - threads as the C library makes them (clone with CLONE_THREAD,
 * CLONE_SETTLS and CLONE_CHILD_CLEARTID; futex waits and wakes): 8 threads
 * each add 1 to a mutex-protected counter 100,000 times; every thread has
 * its own tid (not the pid) and its own stack, an area of its own in
 * /proc/self/maps; joins return each thread's value; a condition variable
 * hands a value over; a robust mutex locked by a thread that exits is
 * handed to the next locker with EOWNERDEAD; /proc/self/task lists the
 * threads while they run; and a timed futex wait times out with ETIMEDOUT.
 * Runs on the host too (musl and glibc).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <pthread.h>

#include "utest.h"

#define NTHREADS 8
#define FUTEX_WAIT_PRIVATE 128 /* FUTEX_WAIT | FUTEX_PRIVATE_FLAG (musl has no <linux/futex.h>) */
#define ROUNDS 100000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static pid_t tids[NTHREADS];
static uintptr_t stack_addr[NTHREADS];
static pthread_barrier_t all_started, go; /* main looks at the threads between the two */

static void *adder(void *arg)
{
	long i = (long)arg;
	int local;

	tids[i] = (pid_t)syscall(SYS_gettid);
	stack_addr[i] = (uintptr_t)&local;
	pthread_barrier_wait(&all_started);
	pthread_barrier_wait(&go);
	for (int k = 0; k < ROUNDS; k++) {
		pthread_mutex_lock(&lock);
		counter++;
		pthread_mutex_unlock(&lock);
	}
	return (void *)(i * 10);
}

/* Is addr inside an area of /proc/self/maps? Returns the area's start, or 0. */
static uintptr_t area_of(const char *maps, uintptr_t addr)
{
	const char *p = maps;

	while (*p) {
		unsigned long lo, hi;

		if (sscanf(p, "%lx-%lx", &lo, &hi) == 2 && addr >= lo && addr < hi)
			return lo;
		p = strchr(p, '\n');
		if (!p)
			break;
		p++;
	}
	return 0;
}

static int count_tasks(void)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static pthread_mutex_t cv_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int handed;

static void *giver(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&cv_lock);
	handed = 42;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&cv_lock);
	return NULL;
}

static pthread_mutex_t robust;

static void *dies_holding(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&robust);
	return NULL; /* exits with the lock held */
}

int main(void)
{
	pthread_t th[NTHREADS];
	pthread_mutexattr_t ma;
	static char maps[65536];
	struct timespec ts = { 0, 20 * 1000 * 1000 };
	int word = 7, tasks = 0;
	long r;

	pthread_barrier_init(&all_started, NULL, NTHREADS + 1);
	pthread_barrier_init(&go, NULL, NTHREADS + 1);
	for (long i = 0; i < NTHREADS; i++)
		CHECK(pthread_create(&th[i], NULL, adder, (void *)i) == 0, "pthread_create %ld", i);
	pthread_barrier_wait(&all_started);
	tasks = count_tasks();
	CHECK(read_file("/proc/self/maps", maps, sizeof(maps)) > 0, "read /proc/self/maps");
	pthread_barrier_wait(&go);
	for (int i = 0; i < NTHREADS; i++) {
		void *ret;

		CHECK(pthread_join(th[i], &ret) == 0 && (long)ret == i * 10, "join %d gives %ld", i, (long)ret);
	}
	CHECK(counter == (long)NTHREADS * ROUNDS, "counter %ld, want %ld", counter, (long)NTHREADS * ROUNDS);
	CHECK(tasks == NTHREADS + 1, "/proc/self/task had %d entries, want %d", tasks, NTHREADS + 1);
	for (int i = 0; i < NTHREADS; i++) {
		CHECK(tids[i] > 0 && tids[i] != getpid(), "thread %d tid %d vs pid %d", i, tids[i], getpid());
		for (int j = 0; j < i; j++) {
			CHECK(tids[i] != tids[j], "threads %d and %d share tid %d", i, j, tids[i]);
			CHECK(area_of(maps, stack_addr[i]) != area_of(maps, stack_addr[j]),
			      "threads %d and %d share a stack area", i, j);
		}
		CHECK(area_of(maps, stack_addr[i]) != 0, "thread %d's stack %#lx is in no area", i,
		      (unsigned long)stack_addr[i]);
	}

	CHECK(pthread_create(&th[0], NULL, giver, NULL) == 0, "giver");
	pthread_mutex_lock(&cv_lock);
	while (!handed)
		pthread_cond_wait(&cv, &cv_lock);
	pthread_mutex_unlock(&cv_lock);
	pthread_join(th[0], NULL);
	CHECK(handed == 42, "condition variable handed %d", handed);

	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&robust, &ma);
	CHECK(pthread_create(&th[0], NULL, dies_holding, NULL) == 0, "dies_holding");
	pthread_join(th[0], NULL);
	r = pthread_mutex_lock(&robust);
	CHECK(r == EOWNERDEAD, "robust lock after the owner died: %ld, want EOWNERDEAD", r);
	CHECK(pthread_mutex_consistent(&robust) == 0, "pthread_mutex_consistent");
	pthread_mutex_unlock(&robust);

	r = syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 7, &ts, NULL, 0);
	CHECK(r == -1 && errno == ETIMEDOUT, "timed futex wait: %ld errno %d", r, errno);
	r = syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 8, NULL, NULL, 0);
	CHECK(r == -1 && errno == EAGAIN, "futex wait on a changed word: %ld errno %d", r, errno);
	say("8 threads x %d, counter %ld, %d tasks", ROUNDS, counter, tasks);
	return 0;
}
