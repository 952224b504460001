/* SPDX-License-Identifier: MIT */
/*
 * thread_stacks - three threads stay alive while the process exits, so its
 * exit report shows their stacks (tests/boot/test_threads_run.py). Each
 * thread prints "thread TID stack 0xADDR" (a local of its own); main checks
 * that /proc/self/maps, in Linux 6's format, gives each thread's stack an
 * anonymous area of its own ("[stack:TID]" went away in Linux 4.5; only the
 * main thread's is "[stack]"; Atlas names anonymous areas "[anon]") and that /proc/self/task/TID exists, then
 * calls exit(0) with the threads still blocked: exit_group ends them. Atlas's
 * own views (the maps records, the layout picture) label those areas with
 * the tids printed here. Runs on the host too.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <sys/stat.h>

#include "utest.h"

#define NTHREADS 3

static pthread_barrier_t started;
static pid_t tids[NTHREADS];
static uintptr_t stacks[NTHREADS];

static void *thread(void *arg)
{
	volatile char local = 1;
	long i = (long)arg;

	tids[i] = (pid_t)sys0(SYS_gettid);
	stacks[i] = (uintptr_t)&local;
	pthread_barrier_wait(&started);
	for (;;)
		pause(); /* until exit_group */
	return NULL;
}

int main(void)
{
	static char maps[65536];
	pthread_t t[NTHREADS];
	char path[64];
	struct map m, main_stack;
	struct stat st;

	CHECK(pthread_barrier_init(&started, NULL, NTHREADS + 1) == 0, "pthread_barrier_init");
	for (long i = 0; i < NTHREADS; i++)
		CHECK(pthread_create(&t[i], NULL, thread, (void *)i) == 0, "pthread_create %ld", i);
	pthread_barrier_wait(&started);

	read_file("/proc/self/maps", maps, sizeof(maps));
	CHECK(map_named(maps, "[stack]", &main_stack), "no [stack] in /proc/self/maps");
	CHECK(strstr(maps, "[stack:") == NULL, "/proc/self/maps names a thread's stack (Linux 6 does not)");
	for (int i = 0; i < NTHREADS; i++) {
		CHECK(tids[i] != getpid(), "thread %d has the pid as its tid", i);
		CHECK(map_of(maps, stacks[i], &m), "thread %d's stack %#lx is in no area", tids[i],
		      (unsigned long)stacks[i]);
		/* Linux leaves anonymous areas unnamed where Atlas says [anon] (tests/user/README.md). */
		CHECK(strcmp(m.name, on_atlas() ? "[anon]" : "") == 0, "thread %d's stack area is named \"%s\"",
		      tids[i], m.name);
		CHECK(m.perm[0] == 'r' && m.perm[1] == 'w', "thread %d's stack area is %.4s", tids[i], m.perm);
		CHECK(m.start != main_stack.start, "thread %d runs on the main stack", tids[i]);
		for (int j = 0; j < i; j++)
			CHECK(!(stacks[j] >= m.start && stacks[j] < m.end), "threads %d and %d share an area", tids[j],
			      tids[i]);
		snprintf(path, sizeof(path), "/proc/self/task/%d", tids[i]);
		CHECK(stat(path, &st) == 0 && S_ISDIR(st.st_mode), "no %s", path);
		say("thread %d stack %#lx", tids[i], (unsigned long)stacks[i]);
	}
	say("main %d stack %#lx", getpid(), (unsigned long)main_stack.start);
	exit(0); /* the threads are still in pause() */
}
