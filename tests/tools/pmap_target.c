/* SPDX-License-Identifier: MIT */
/*
 * pmap_target.c - a process with a varied memory map, for tests/tools/test_pmap.py
 * to point procps's pmap and Atlas's at while it is stopped (SIGSTOP), so that
 * both read the same /proc. Built static, so that no page it maps is shared
 * with the (dynamically linked) procps pmap reading it: Pss stays put.
 *
 *   pmap_target FILE GONE [ARGS...]
 *
 * Maps FILE shared read-write (two of its four pages written) and again
 * private read-only (one page read); 64 MiB of anonymous memory with its first
 * MiB touched (no transparent huge pages: khugepaged must not change Rss under
 * the test); a PROT_NONE page; GONE, then unlinks it ("GONE (deleted)"); a
 * System V shared memory segment, where the kernel has them ("[ shmid=0x... ]");
 * a second thread, blocked; a child left a zombie. Then prints
 * "PID TID ZOMBIE" on stdout and waits to be killed. ARGS only make the
 * command line (the header pmap prints) interesting.
 *
 * With "-" for FILE and GONE (tests/boot/test_pmap.py, on Atlas, which maps no
 * files and has no System V IPC) only the memory, the thread and the zombie.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PAGE 4096
#define BIG (64UL << 20)

static pid_t thread_tid;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t started = PTHREAD_COND_INITIALIZER;

static void __attribute__((noreturn)) die(const char *what)
{
	perror(what);
	exit(1);
}

static void *sleeper(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lock);
	thread_tid = (pid_t)syscall(SYS_gettid);
	pthread_cond_signal(&started);
	pthread_mutex_unlock(&lock);
	for (;;)
		pause();
	return NULL;
}

/* FILE's four pages mapped twice. */
static void map_file(const char *path)
{
	volatile char *shared, *private;
	int fd = open(path, O_RDWR);

	if (fd < 0)
		die(path);
	shared = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	private = mmap(NULL, 4 * PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	if (shared == MAP_FAILED || private == MAP_FAILED)
		die("mmap FILE");
	shared[0] = 'w';
	shared[2 * PAGE] = 'w';
	(void)private[PAGE];
	close(fd);
}

/* GONE mapped, then unlinked. */
static void map_gone(const char *path)
{
	int fd = open(path, O_RDONLY);
	volatile char *p;

	if (fd < 0)
		die(path);
	p = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED)
		die("mmap GONE");
	(void)p[0];
	close(fd);
	if (unlink(path))
		die(path);
}

int main(int argc, char **argv)
{
	char *big, *none;
	pthread_t th;
	pid_t zombie;
	int shm;

	if (argc < 3) {
		fprintf(stderr, "usage: pmap_target FILE GONE [ARGS...]\n");
		return 2;
	}
	if (strcmp(argv[1], "-"))
		map_file(argv[1]);
	if (strcmp(argv[2], "-"))
		map_gone(argv[2]);

	big = mmap(NULL, BIG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (big == MAP_FAILED)
		die("mmap 64 MiB");
	madvise(big, BIG, MADV_NOHUGEPAGE);
	memset(big, 1, 1 << 20);
	none = mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (none == MAP_FAILED)
		die("mmap PROT_NONE");

	/* Removed at once: it lives as long as it is attached, as "/SYSV... (deleted)". */
	shm = strcmp(argv[1], "-") ? shmget(IPC_PRIVATE, 3 * PAGE, IPC_CREAT | 0600) : -1;
	if (shm >= 0) {
		char *seg = shmat(shm, NULL, 0);

		if (seg != (char *)-1)
			seg[0] = 's';
		shmctl(shm, IPC_RMID, NULL);
	}

	/* Before the thread: fork a child that exits, and never reap it. */
	zombie = fork();
	if (zombie < 0)
		die("fork");
	if (zombie == 0)
		_exit(0);

	pthread_mutex_lock(&lock);
	if (pthread_create(&th, NULL, sleeper, NULL))
		die("pthread_create");
	while (!thread_tid)
		pthread_cond_wait(&started, &lock);
	pthread_mutex_unlock(&lock);

	printf("%d %d %d\n", (int)getpid(), (int)thread_tid, (int)zombie);
	fflush(stdout);
	for (;;)
		pause();
}
