/* ATLAS-EXPECT: exit=0 */
/* SPDX-License-Identifier: MIT */
/*
 * epoll - epoll and eventfd as Linux has them: eventfd's counter (read
 * resets it, EFD_SEMAPHORE takes one, EAGAIN when non-blocking, EINVAL for
 * short buffers and 2^64-1); epoll over a pipe (level-triggered, EPOLLET,
 * EPOLLONESHOT and EPOLL_CTL_MOD, EPOLLHUP when the writer goes), a FIFO,
 * an eventfd, the console (EPOLLOUT) and another epoll; EPERM for a regular
 * file and a directory; EEXIST, ENOENT, EINVAL, ELOOP and EBADF where Linux
 * gives them; an entry forgotten when its file's last descriptor closes but
 * not while a dup is open; a blocking epoll_wait woken by another thread;
 * epoll_pwait's mask letting a signal in (EINTR); close-on-exec flags.
 * Runs on the host too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/stat.h>

#include "utest.h"

static int wait_n(int ep, struct epoll_event *ev, int max, int ms)
{
	int n = epoll_wait(ep, ev, max, ms);

	CHECK(n >= 0, "epoll_wait: errno %d", errno);
	return n;
}

static void check_eventfd(void)
{
	uint64_t v = 0;
	int fd = eventfd(5, EFD_NONBLOCK | EFD_CLOEXEC), sem;
	char link[64], path[64];
	long n;

	CHECK(fd >= 0, "eventfd: errno %d", errno);
	CHECK(fcntl(fd, F_GETFD) == FD_CLOEXEC, "EFD_CLOEXEC");
	CHECK(read(fd, &v, 8) == 8 && v == 5, "read gives the counter: %llu", (unsigned long long)v);
	CHECK(read(fd, &v, 8) == -1 && errno == EAGAIN, "read of 0, non-blocking: errno %d", errno);
	v = 3;
	CHECK(write(fd, &v, 8) == 8 && write(fd, &v, 8) == 8, "writes add");
	CHECK(read(fd, &v, 8) == 8 && v == 6, "3 + 3 = %llu", (unsigned long long)v);
	CHECK(read(fd, &v, 4) == -1 && errno == EINVAL, "a 4-byte read: errno %d", errno);
	v = ~0ULL;
	CHECK(write(fd, &v, 8) == -1 && errno == EINVAL, "writing 2^64-1: errno %d", errno);
	v = ~0ULL - 1;
	CHECK(write(fd, &v, 8) == 8, "up to 2^64-2 fits");
	v = 1;
	CHECK(write(fd, &v, 8) == -1 && errno == EAGAIN, "past 2^64-2, non-blocking: errno %d", errno);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	CHECK(n > 0, "readlink %s", path);
	link[n] = 0;
	CHECK(!strcmp(link, "anon_inode:[eventfd]"), "%s -> %s", path, link);
	close(fd);

	sem = eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK);
	CHECK(read(sem, &v, 8) == 8 && v == 1 && read(sem, &v, 8) == 8 && v == 1, "EFD_SEMAPHORE takes one");
	CHECK(read(sem, &v, 8) == -1 && errno == EAGAIN, "then none is left");
	close(sem);
	CHECK(sys2(SYS_eventfd2, 0, 0x10) == -EINVAL, "eventfd2 with an unknown flag");
}

static void check_pipe(int ep)
{
	struct epoll_event ev, out[4];
	int p[2], n;
	char c;

	CHECK(pipe2(p, O_CLOEXEC | O_NONBLOCK) == 0, "pipe2");
	CHECK(fcntl(p[0], F_GETFD) == FD_CLOEXEC && fcntl(p[1], F_GETFD) == FD_CLOEXEC, "pipe2(O_CLOEXEC)");
	ev.events = EPOLLIN;
	ev.data.u64 = 0x1234567890ULL;
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == 0, "ADD pipe: errno %d", errno);
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) == -1 && errno == EEXIST, "ADD twice: errno %d", errno);
	CHECK(wait_n(ep, out, 4, 0) == 0, "an empty pipe is not ready");
	CHECK(write(p[1], "ab", 2) == 2, "write");
	n = wait_n(ep, out, 4, 0);
	CHECK(n == 1 && out[0].events == EPOLLIN && out[0].data.u64 == 0x1234567890ULL, "EPOLLIN: n %d ev %#x", n,
	      n ? out[0].events : 0);
	CHECK(wait_n(ep, out, 4, 0) == 1, "level-triggered: still ready");
	/* Edge-triggered: once per change. */
	ev.events = EPOLLIN | EPOLLET;
	CHECK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev) == 0, "MOD to EPOLLET");
	CHECK(wait_n(ep, out, 4, 0) == 1, "EPOLLET: reported after MOD");
	CHECK(wait_n(ep, out, 4, 0) == 0, "EPOLLET: not again without a change");
	CHECK(write(p[1], "c", 1) == 1, "write");
	CHECK(wait_n(ep, out, 4, 0) == 1, "EPOLLET: reported after the next write");
	/* One-shot: once, until MOD arms it again. */
	ev.events = EPOLLIN | EPOLLONESHOT;
	CHECK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev) == 0, "MOD to EPOLLONESHOT");
	CHECK(wait_n(ep, out, 4, 0) == 1, "EPOLLONESHOT: once");
	CHECK(write(p[1], "d", 1) == 1, "write");
	CHECK(wait_n(ep, out, 4, 0) == 0, "EPOLLONESHOT: disabled after it fired");
	CHECK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev) == 0, "MOD arms it");
	CHECK(wait_n(ep, out, 4, 0) == 1, "EPOLLONESHOT: armed again");
	while (read(p[0], &c, 1) == 1)
		;
	ev.events = EPOLLIN;
	CHECK(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev) == 0, "MOD back");
	CHECK(wait_n(ep, out, 4, 0) == 0, "drained: not ready");
	/* The writer's end: always room in an empty pipe. */
	ev.events = EPOLLOUT;
	ev.data.u64 = 2;
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev) == 0, "ADD write end");
	n = wait_n(ep, out, 4, 0);
	CHECK(n == 1 && out[0].data.u64 == 2 && out[0].events == EPOLLOUT, "EPOLLOUT on the write end (%d)", n);
	CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL) == 0, "DEL write end");
	CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL) == -1 && errno == ENOENT, "DEL twice: errno %d", errno);
	/* The last writer goes: the reader hears EPOLLHUP, without asking. */
	close(p[1]);
	n = wait_n(ep, out, 4, 0);
	CHECK(n == 1 && out[0].events == EPOLLHUP, "EPOLLHUP after the writer closed: n %d ev %#x", n,
	      n ? out[0].events : 0);
	close(p[0]);
	CHECK(wait_n(ep, out, 4, 0) == 0, "a closed file leaves the set");
}

static void check_files(int ep)
{
	struct epoll_event ev = { EPOLLIN, { 0 } }, out[2];
	int f = open("/tmp/epoll-file", O_CREAT | O_RDWR | O_TRUNC, 0600), d = open("/", O_RDONLY), fifo_r, fifo_w;
	int e2, e3;

	CHECK(f >= 0 && d >= 0, "open a file and /");
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, f, &ev) == -1 && errno == EPERM, "a regular file: errno %d", errno);
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, d, &ev) == -1 && errno == EPERM, "a directory: errno %d", errno);
	CHECK(epoll_ctl(f, EPOLL_CTL_ADD, ep, &ev) == -1 && errno == EINVAL, "not an epoll: errno %d", errno);
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev) == -1 && errno == EINVAL, "itself: errno %d", errno);
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, 999, &ev) == -1 && errno == EBADF, "a bad fd: errno %d", errno);
	CHECK(epoll_ctl(ep, 7, d, &ev) == -1 && errno == EPERM, "a bad op on a directory: errno %d", errno);
	CHECK(epoll_wait(ep, out, 0, 0) == -1 && errno == EINVAL, "maxevents 0: errno %d", errno);
	CHECK(epoll_wait(f, out, 1, 0) == -1 && errno == EINVAL, "epoll_wait on a file: errno %d", errno);
	close(f);
	close(d);
	unlink("/tmp/epoll-file");

	unlink("/tmp/epoll-fifo");
	CHECK(mkfifo("/tmp/epoll-fifo", 0600) == 0, "mkfifo: errno %d", errno);
	fifo_r = open("/tmp/epoll-fifo", O_RDONLY | O_NONBLOCK);
	fifo_w = open("/tmp/epoll-fifo", O_WRONLY | O_NONBLOCK);
	CHECK(fifo_r >= 0 && fifo_w >= 0, "open the FIFO");
	ev.data.u64 = 77;
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, fifo_r, &ev) == 0, "ADD FIFO");
	CHECK(wait_n(ep, out, 2, 0) == 0, "empty FIFO");
	CHECK(write(fifo_w, "x", 1) == 1, "write FIFO");
	CHECK(wait_n(ep, out, 2, 0) == 1 && out[0].data.u64 == 77, "FIFO ready");
	close(fifo_r);
	close(fifo_w);
	unlink("/tmp/epoll-fifo");

	/* The console (or, on the host, whatever stdout is) takes output. */
	ev.events = EPOLLOUT;
	ev.data.u64 = 1;
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, 1, &ev) == 0, "ADD stdout: errno %d", errno);
	CHECK(wait_n(ep, out, 2, 0) == 1 && out[0].events == EPOLLOUT, "stdout takes output");
	CHECK(epoll_ctl(ep, EPOLL_CTL_DEL, 1, NULL) == 0, "DEL stdout");

	/* Epolls watching epolls: a loop is ELOOP. */
	e2 = epoll_create1(0);
	e3 = epoll_create1(0);
	ev.events = EPOLLIN;
	CHECK(epoll_ctl(e2, EPOLL_CTL_ADD, e3, &ev) == 0, "e3 in e2");
	CHECK(epoll_ctl(e3, EPOLL_CTL_ADD, e2, &ev) == -1 && errno == ELOOP, "e2 in e3: errno %d", errno);
	close(e2);
	close(e3);
}

static void check_lifetime_and_nesting(int ep)
{
	struct epoll_event ev = { EPOLLIN, { 0 } }, out[2];
	uint64_t one = 1;
	struct pollfd pfd;
	int efd = eventfd(0, 0), dup_fd, outer = epoll_create1(0);

	ev.data.u64 = 5;
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev) == 0, "ADD eventfd");
	ev.data.u64 = 6;
	CHECK(epoll_ctl(outer, EPOLL_CTL_ADD, ep, &ev) == 0, "ADD epoll to epoll");
	CHECK(wait_n(outer, out, 2, 0) == 0, "nothing ready yet");
	pfd.fd = ep;
	pfd.events = POLLIN;
	CHECK(poll(&pfd, 1, 0) == 0, "poll of the epoll: not ready");
	CHECK(write(efd, &one, 8) == 8, "eventfd write");
	CHECK(poll(&pfd, 1, 0) == 1 && pfd.revents == POLLIN, "poll of the epoll: POLLIN");
	CHECK(wait_n(outer, out, 2, 0) == 1 && out[0].data.u64 == 6, "the outer epoll sees the inner one ready");
	CHECK(wait_n(ep, out, 2, 0) == 1 && out[0].data.u64 == 5, "the inner one reports the eventfd");
	/* A dup keeps the file open: the entry stays. */
	dup_fd = dup(efd);
	close(efd);
	CHECK(wait_n(ep, out, 2, 0) == 1 && out[0].data.u64 == 5, "entry kept while a dup is open");
	close(dup_fd);
	CHECK(wait_n(ep, out, 2, 0) == 0, "entry gone with the last descriptor");
	CHECK(epoll_ctl(outer, EPOLL_CTL_DEL, ep, NULL) == 0, "DEL the inner epoll");
	close(outer);
}

static int wake_fd;

static void *waker(void *arg)
{
	uint64_t one = 1;
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	(void)arg;
	nanosleep(&ts, NULL);
	CHECK(write(wake_fd, &one, 8) == 8, "waker: write");
	return NULL;
}

static volatile int got_usr1;

static void on_usr1(int sig)
{
	(void)sig;
	got_usr1 = 1;
}

static void *signaller(void *arg)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	nanosleep(&ts, NULL);
	sys3(SYS_tgkill, getpid(), (long)(intptr_t)arg, SIGUSR1);
	return NULL;
}

static void check_blocking(void)
{
	struct epoll_event ev = { EPOLLIN, { 0 } }, out[2];
	struct sigaction sa;
	sigset_t block, none;
	pthread_t th;
	int ep = epoll_create1(0), n;

	wake_fd = eventfd(0, 0);
	ev.data.u64 = 9;
	CHECK(epoll_ctl(ep, EPOLL_CTL_ADD, wake_fd, &ev) == 0, "ADD eventfd");
	CHECK(pthread_create(&th, NULL, waker, NULL) == 0, "pthread_create");
	n = wait_n(ep, out, 2, -1);
	CHECK(n == 1 && out[0].data.u64 == 9, "epoll_wait woken by another thread's write (%d)", n);
	pthread_join(th, NULL);

	/* SIGUSR1 blocked, except during epoll_pwait: the call is interrupted, the handler runs. */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sa.sa_flags = SA_RESTART; /* epoll_wait is never restarted all the same */
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigemptyset(&none);
	sigprocmask(SIG_BLOCK, &block, NULL);
	{
		uint64_t v;

		CHECK(read(wake_fd, &v, 8) == 8, "drain the eventfd");
	}
	CHECK(pthread_create(&th, NULL, signaller, (void *)(intptr_t)sys0(SYS_gettid)) == 0, "pthread_create");
	n = epoll_pwait(ep, out, 2, 5000, &none);
	CHECK(n == -1 && errno == EINTR && got_usr1, "epoll_pwait interrupted: n %d errno %d handler %d", n, errno,
	      got_usr1);
	pthread_join(th, NULL);
	{
		sigset_t now;

		sigprocmask(SIG_BLOCK, NULL, &now);
		CHECK(sigismember(&now, SIGUSR1), "the mask is back after epoll_pwait");
	}
	sigprocmask(SIG_UNBLOCK, &block, NULL);
	close(wake_fd);
	close(ep);
}

int main(void)
{
	int ep;

	check_eventfd();
	CHECK(sys1(SYS_epoll_create, 0) == -EINVAL, "epoll_create(0)"); /* musl's wrapper ignores the size */
	CHECK(epoll_create1(1) == -1 && errno == EINVAL, "epoll_create1(1): errno %d", errno);
	ep = epoll_create1(EPOLL_CLOEXEC);
	CHECK(ep >= 0 && fcntl(ep, F_GETFD) == FD_CLOEXEC, "epoll_create1(EPOLL_CLOEXEC): errno %d", errno);
	check_pipe(ep);
	check_files(ep);
	check_lifetime_and_nesting(ep);
	close(ep);
	check_blocking();
	say("eventfd, epoll over pipes, FIFOs, eventfds, stdout and epolls: ok");
	return 0;
}
