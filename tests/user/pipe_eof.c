/* ATLAS-EXPECT: exit=0 */
/* SPDX-License-Identifier: MIT */
/*
 * pipe_eof - pipes between processes: data in order across a fork, end of
 * file (read returns 0) when every writer has closed, EPIPE when no reader
 * is left (with SIGPIPE ignored) and death by SIGPIPE when it is not,
 * O_NONBLOCK's EAGAIN, 64 KiB of capacity, a large write arriving whole,
 * pipe2 flags, FIONREAD, and poll's readiness. Runs on the host too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

#include "utest.h"

#define BIG (256 * 1024)

static char big[BIG], got[BIG];

int main(void)
{
	struct pollfd pfd;
	int fds[2], status, n;
	long total = 0, r;
	pid_t pid;

	/* A child writes 256 KiB in one call; the parent reads it all, then end of file. */
	for (int i = 0; i < BIG; i++)
		big[i] = (char)(i * 7);
	CHECK(pipe(fds) == 0, "pipe");
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		close(fds[0]);
		_exit(write(fds[1], big, BIG) == BIG ? 0 : 1);
	}
	close(fds[1]);
	while ((r = read(fds[0], got + total, BIG - total)) > 0)
		total += r;
	CHECK(r == 0 && total == BIG && !memcmp(big, got, BIG), "read %ld of %d bytes, last %ld", total, BIG, r);
	CHECK(waitpid(pid, &status, 0) == pid && WEXITSTATUS(status) == 0, "writer status %#x", status);
	close(fds[0]);
	/* No reader: EPIPE with SIGPIPE ignored; killed by SIGPIPE otherwise. */
	CHECK(pipe(fds) == 0, "pipe");
	close(fds[0]);
	signal(SIGPIPE, SIG_IGN);
	CHECK(write(fds[1], "x", 1) == -1 && errno == EPIPE, "EPIPE: %d", errno);
	signal(SIGPIPE, SIG_DFL);
	pid = fork();
	CHECK(pid >= 0, "fork");
	if (pid == 0) {
		(void)!write(fds[1], "x", 1);
		_exit(1);
	}
	CHECK(waitpid(pid, &status, 0) == pid && WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE, "SIGPIPE: %#x",
	      status);
	close(fds[1]);
	/* Non-blocking: EAGAIN on empty, EAGAIN when full after 64 KiB. */
	CHECK(pipe2(fds, O_NONBLOCK | O_CLOEXEC) == 0, "pipe2");
	CHECK(fcntl(fds[0], F_GETFD) == FD_CLOEXEC && (fcntl(fds[1], F_GETFL) & O_NONBLOCK), "pipe2 flags");
	CHECK(read(fds[0], got, 1) == -1 && errno == EAGAIN, "EAGAIN on an empty pipe");
	pfd = (struct pollfd){ fds[0], POLLIN, 0 };
	CHECK(poll(&pfd, 1, 0) == 0, "poll: nothing to read yet");
	total = 0;
	while ((r = write(fds[1], big, 4096)) > 0)
		total += r;
	CHECK(r == -1 && errno == EAGAIN && total == 65536, "full after %ld bytes, errno %d", total, errno);
	CHECK(poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLIN), "poll: readable");
	CHECK(ioctl(fds[0], FIONREAD, &n) == 0 && n == 65536, "FIONREAD %d", n);
	close(fds[1]);
	CHECK(poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLHUP), "poll: POLLHUP with the writer gone");
	close(fds[0]);
	CHECK(pipe2(fds, 0x12345) == -1 && errno == EINVAL, "pipe2 with bad flags");
	say("pipes: 256 KiB across a fork, EOF, EPIPE, SIGPIPE, EAGAIN at 64 KiB, poll, FIONREAD");
	return 0;
}
