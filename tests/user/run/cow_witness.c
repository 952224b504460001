/* SPDX-License-Identifier: MIT */
/*
 * cow_witness DIR - a parent and a forked child sharing a buffer
 * copy-on-write, held still for QEMU to look at (tests/boot/test_procs.py:
 * `info tlb` under each one's CR3 against its /proc/PID/maps and smaps).
 *
 * The parent maps PAGES pages at BUF (MAP_FIXED_NOREPLACE, so the address
 * belongs to no one else), writes every one, and forks. The child writes the
 * first WRITTEN pages, checks that it sees its own bytes there and the
 * parent's in the rest, says "cow_witness: child PID spinning ...", and spins
 * (access(2) in a loop: no page is touched) until DIR/go1 exists. Then it
 * wakes the parent through a pipe and blocks; the parent, which has
 * written nothing since the fork, checks that it still sees only its own
 * bytes, says "cow_witness: parent PID spinning ...", and spins until
 * DIR/go2 exists. It then releases the child, reaps it (exit 0) and says
 * "cow_witness: done". While one spins the other sleeps, so a stopped
 * machine is running the spinner's address space.
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/wait.h>

#include "utest.h"

#define BUF 0x200000000000UL
#define PAGES 32
#define WRITTEN 12
#define MAP_FIXED_NOREPLACE_ 0x100000

static char go1[256], go2[256];

static void check_pages(const char *who, int written)
{
	volatile const char *b = (const char *)BUF;

	for (int i = 0; i < PAGES; i++) {
		char want = i < written ? 'C' : 'P';

		CHECK(b[(size_t)i * PAGE] == want && b[(size_t)i * PAGE + PAGE - 1] == want,
		      "%s: page %d holds %c, want %c", who, i, b[(size_t)i * PAGE], want);
	}
}

static void spin(const char *path)
{
	while (sys2(SYS_access, path, F_OK) != 0)
		;
}

int main(int argc, char **argv)
{
	long p = sys6(SYS_mmap, BUF, PAGES * PAGE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE_, -1, 0);
	int c2p[2], p2c[2], status = -1;
	char c;
	long pid;

	CHECK(argc == 2, "usage: cow_witness DIR");
	snprintf(go1, sizeof(go1), "%s/go1", argv[1]);
	snprintf(go2, sizeof(go2), "%s/go2", argv[1]);
	CHECK(p == (long)BUF, "mmap at %#lx returned %#lx", BUF, p);
	memset((void *)BUF, 'P', PAGES * PAGE);
	CHECK(pipe(c2p) == 0 && pipe(p2c) == 0, "pipe");
	pid = sys0(SYS_fork);
	CHECK(pid >= 0, "fork returned %ld", pid);
	if (pid == 0) {
		memset((void *)BUF, 'C', WRITTEN * PAGE);
		check_pages("child", WRITTEN);
		say("child %ld spinning: buffer %#lx, %d pages, the first %d written", sys0(SYS_getpid), BUF, PAGES,
		    WRITTEN);
		spin(go1);
		sys3(SYS_write, c2p[1], "x", 1);
		sys3(SYS_read, p2c[0], &c, 1);
		sys1(SYS_exit_group, 0);
	}
	CHECK(sys3(SYS_read, c2p[0], &c, 1) == 1, "the child did not say it was done spinning");
	check_pages("parent", 0);
	say("parent %ld spinning: buffer %#lx, %d pages, none written since the fork", sys0(SYS_getpid), BUF, PAGES);
	spin(go2);
	sys3(SYS_write, p2c[1], "x", 1);
	CHECK(sys4(SYS_wait4, pid, &status, 0, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "child status %#x", status);
	say("done");
	return 0;
}
