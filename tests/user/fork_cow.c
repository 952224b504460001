/* ATLAS-EXPECT: exit=0 */
/* SPDX-License-Identifier: MIT */
/*
 * fork_cow - fork shares every page copy-on-write: parent and child each see
 * their own writes and never the other's; after the fork both sides' smaps
 * show the untouched heap pages as Shared (Pss halved), and a page the child
 * writes becomes its Private_Dirty while the parent's stays shared until it
 * writes too. wait4 gives the child's exit status; getppid is the parent.
 * Runs on the host too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "utest.h"

#define PAGES 16

static char text[65536];

static long field(const char *t, const char *key)
{
	size_t n = strlen(key);

	for (const char *p = t; (p = strstr(p, key)); p += n)
		if ((p == t || p[-1] == '\n') && p[n] == ':')
			return strtol(p + n + 1, NULL, 10);
	return -1;
}

/* The smaps counters of the area holding addr. */
static void smaps_of(void *addr, long *rss, long *pss, long *shared, long *priv_dirty)
{
	char head[32];
	const char *p;

	read_file("/proc/self/smaps", text, sizeof(text));
	snprintf(head, sizeof(head), "%08lx-", (unsigned long)(uintptr_t)addr);
	p = strstr(text, head);
	CHECK(p != NULL, "no smaps block for %p", addr);
	*rss = field(p, "Rss");
	*pss = field(p, "Pss");
	*shared = field(p, "Shared_Clean") + field(p, "Shared_Dirty");
	*priv_dirty = field(p, "Private_Dirty");
}

int main(void)
{
	char *buf = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int status, c2p[2], p2c[2];
	long rss, pss, shared, pdirty;
	pid_t pid, me = getpid();
	char go;

	CHECK(buf != MAP_FAILED, "mmap");
	for (int i = 0; i < PAGES; i++)
		buf[i * PAGE] = 'P';
	CHECK(pipe(c2p) == 0 && pipe(p2c) == 0, "pipe");
	pid = fork();
	CHECK(pid >= 0, "fork failed: %d", pid);
	if (pid == 0) {
		close(c2p[0]);
		close(p2c[1]);
		CHECK(getppid() == me, "getppid %d, parent %d", getppid(), me);
		/* Before any write: every page shared with the parent, Pss half of Rss. */
		smaps_of(buf, &rss, &pss, &shared, &pdirty);
		CHECK(rss == PAGES * 4 && shared == PAGES * 4 && pss == PAGES * 2 && pdirty == 0,
		      "child before writing: Rss %ld Pss %ld Shared %ld Private_Dirty %ld", rss, pss, shared, pdirty);
		buf[0] = 'C';
		smaps_of(buf, &rss, &pss, &shared, &pdirty);
		CHECK(pdirty == 4 && shared == (PAGES - 1) * 4, "child after one write: Private_Dirty %ld Shared %ld",
		      pdirty, shared);
		CHECK(buf[PAGE] == 'P', "child sees %c", buf[PAGE]);
		/* Let the parent write, then look again: its write is not ours. */
		CHECK(write(c2p[1], "w", 1) == 1, "pipe write");
		CHECK(read(p2c[0], &go, 1) == 1, "pipe read");
		CHECK(buf[PAGE] == 'P' && buf[0] == 'C', "child sees the parent's write: %c %c", buf[PAGE], buf[0]);
		_exit(42);
	}
	close(c2p[1]);
	close(p2c[0]);
	if (read(c2p[0], &go, 1) != 1) {
		/* The child failed (it said why) before its first message. */
		waitpid(pid, &status, 0);
		fail("the child ended early with status %#x", status);
	}
	buf[PAGE] = 'Q';
	CHECK(buf[0] == 'P', "the parent sees the child's write: %c", buf[0]);
	CHECK(write(p2c[1], "g", 1) == 1, "parent write");
	CHECK(waitpid(pid, &status, 0) == pid, "waitpid");
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 42, "status %#x", status);
	/* The child is gone: the pages it shared are the parent's alone again. */
	smaps_of(buf, &rss, &pss, &shared, &pdirty);
	CHECK(rss == PAGES * 4 && pss == PAGES * 4 && shared == 0, "parent after the child: Rss %ld Pss %ld Shared %ld",
	      rss, pss, shared);
	buf[2 * PAGE] = 'R'; /* its last owner: written in place, no copy needed */
	CHECK(buf[0] == 'P' && buf[PAGE] == 'Q' && buf[2 * PAGE] == 'R', "parent's pages");
	CHECK(waitpid(-1, &status, WNOHANG) == -1 && errno == ECHILD, "ECHILD with no child left");
	say("fork: each side sees its own writes; smaps Shared/Pss/Private_Dirty follow; wait status 42");
	return 0;
}
