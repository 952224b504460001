/* ATLAS-EXPECT: exit=0 */
/* SPDX-License-Identifier: MIT */
/*
 * mmap_hints - what the Go runtime and libstdc++ ask of mmap and friends:
 * an address hint is taken when that range is free (rounded down to a page)
 * and ignored when it is not; MAP_FIXED_NOREPLACE maps at the address or
 * fails with EEXIST over an existing area; MADV_DONTNEED gives the pages
 * back (mincore says not resident, the next read sees zeroes); MADV_FREE
 * is accepted and the memory stays usable; mincore's EINVAL and ENOMEM;
 * madvise with an unknown advice is EINVAL; getrlimit answers; reading
 * /sys/kernel/mm/transparent_hugepage/hpage_pmd_size, which Atlas does not
 * have, fails cleanly (ENOENT; on a Linux host it may exist). Runs on the host too.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "utest.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

#define HINT 0x3c000000000UL /* an arena hint of the kind Go uses: free in a small process */

static void *map(void *addr, size_t len, int flags)
{
	return mmap(addr, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
}

int main(void)
{
	unsigned char vec[8];
	struct rlimit rl;
	char *p, *q;
	long fd;

	p = map((void *)HINT, 4 * PAGE, 0);
	CHECK(p == (char *)HINT, "a free hint is taken: %p", (void *)p);
	q = map((void *)(HINT + PAGE), PAGE, 0);
	CHECK(q != MAP_FAILED && q != (char *)(HINT + PAGE), "a hint inside an area is ignored: %p", (void *)q);
	munmap(q, PAGE);
	q = map((void *)(HINT + 16 * PAGE + 123), PAGE, 0);
	CHECK(q == (char *)(HINT + 16 * PAGE), "an unaligned hint rounds down (x86's addr &= PAGE_MASK): %p",
	      (void *)q);
	munmap(q, PAGE);

	q = map((void *)(HINT + PAGE), PAGE, MAP_FIXED_NOREPLACE);
	CHECK(q == MAP_FAILED && errno == EEXIST, "MAP_FIXED_NOREPLACE over an area: %p errno %d", (void *)q, errno);
	q = map((void *)(HINT + 8 * PAGE), PAGE, MAP_FIXED_NOREPLACE);
	CHECK(q == (char *)(HINT + 8 * PAGE), "MAP_FIXED_NOREPLACE on a free range: %p", (void *)q);
	munmap(q, PAGE);

	memset(p, 0x5a, 4 * PAGE);
	CHECK(mincore(p, 4 * PAGE, vec) == 0 && vec[0] == 1 && vec[3] == 1, "touched pages are resident");
	CHECK(madvise(p, 2 * PAGE, MADV_DONTNEED) == 0, "MADV_DONTNEED: errno %d", errno);
	CHECK(mincore(p, 4 * PAGE, vec) == 0 && !(vec[0] & 1) && !(vec[1] & 1) && (vec[2] & 1),
	      "MADV_DONTNEED gave the pages back: %d %d %d", vec[0], vec[1], vec[2]);
	CHECK(p[0] == 0 && p[PAGE] == 0 && p[2 * PAGE] == 0x5a, "zeroes after MADV_DONTNEED, the rest kept");
	CHECK(madvise(p + 2 * PAGE, 2 * PAGE, MADV_FREE) == 0, "MADV_FREE: errno %d", errno);
	p[3 * PAGE] = 7;
	CHECK(p[3 * PAGE] == 7, "memory after MADV_FREE is usable");
	CHECK(madvise(p, PAGE, 12345) == -1 && errno == EINVAL, "unknown advice: errno %d", errno);
	CHECK(madvise(p + 1, PAGE, MADV_DONTNEED) == -1 && errno == EINVAL, "unaligned madvise: errno %d", errno);
	CHECK(mincore(p + 1, PAGE, vec) == -1 && errno == EINVAL, "unaligned mincore: errno %d", errno);
	munmap(p, 4 * PAGE);
	CHECK(mincore(p, PAGE, vec) == -1 && errno == ENOMEM, "mincore of unmapped memory: errno %d", errno);

	CHECK(getrlimit(RLIMIT_STACK, &rl) == 0 && rl.rlim_cur >= 8 * MiB, "getrlimit(RLIMIT_STACK)");
	CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur > 0, "getrlimit(RLIMIT_NOFILE)");
	fd = sys3(SYS_open, "/sys/kernel/mm/transparent_hugepage/hpage_pmd_size", O_RDONLY, 0);
	if (on_atlas())
		CHECK(fd == -ENOENT, "hpage_pmd_size: %ld, want -ENOENT (no /sys)", fd);
	else if (fd >= 0)
		sys1(SYS_close, fd);
	say("hints, MAP_FIXED_NOREPLACE, MADV_DONTNEED, MADV_FREE, mincore: ok");
	return 0;
}
