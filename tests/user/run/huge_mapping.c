/* SPDX-License-Identifier: MIT */
/*
 * huge_mapping - costs follow what exists, not what is mapped: a 2^46-byte
 * mapping (64 TiB, MAP_NORESERVE) with a few pages touched is listed,
 * counted, re-protected, advised, partly unmapped and unmapped. Each of
 * those used to walk every virtual page (about 20 minutes for one munmap),
 * so a regression shows as a boot that never finishes. The overcommit
 * policy's answers are checked too: more than the address space, or a
 * private writable request larger than RAM without MAP_NORESERVE, is
 * -ENOMEM (Atlas; Linux's answer depends on the host's vm.overcommit).
 */
#include <sys/mman.h>

#include "utest.h"

#define ENOMEM 12
#define HUGE (1UL << 46)

static char text[64 * 1024];

static long kb_of(const char *status, const char *key)
{
	const char *s = strstr(status, key);

	CHECK(s != NULL, "no %s in /proc/self/status", key);
	return strtol(s + strlen(key), NULL, 10);
}

int main(void)
{
	char *p = mmap(NULL, HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	long rss0, r;
	struct map m;

	CHECK(p != MAP_FAILED, "mmap of 2^46 bytes with MAP_NORESERVE failed");
	read_file("/proc/self/status", text, sizeof(text));
	rss0 = kb_of(text, "VmRSS:");
	CHECK(kb_of(text, "VmSize:") >= (long)(HUGE >> 10), "VmSize does not include the 64 TiB");
	/* A page at the start, in the middle and at the end. */
	p[0] = 1;
	p[HUGE / 2] = 2;
	p[HUGE - 1] = 3;
	read_file("/proc/self/status", text, sizeof(text));
	CHECK(kb_of(text, "VmRSS:") >= rss0 + 12, "VmRSS did not grow by the 3 pages touched");
	read_file("/proc/self/maps", text, sizeof(text));
	CHECK(map_of(text, (uintptr_t)p + HUGE / 2, &m) && m.start == (uintptr_t)p && m.end == (uintptr_t)p + HUGE,
	      "the 64 TiB area is not one maps line");
	/* Read-only over all of it: the touched pages keep their bytes. */
	CHECK(mprotect(p, HUGE, PROT_READ) == 0, "mprotect(2^46, PROT_READ) failed");
	CHECK(p[0] == 1 && p[HUGE / 2] == 2 && p[HUGE - 1] == 3, "contents changed by mprotect");
	CHECK(mprotect(p, HUGE, PROT_READ | PROT_WRITE) == 0, "mprotect back to read-write failed");
	/* DONTNEED over all of it: zeroes on the next touch. */
	CHECK(madvise(p, HUGE, MADV_DONTNEED) == 0, "madvise(2^46, MADV_DONTNEED) failed");
	CHECK(p[0] == 0 && p[HUGE / 2] == 0, "pages survived MADV_DONTNEED");
	p[HUGE / 2] = 5;
	/* Unmap the middle 2^45 bytes, then everything. */
	CHECK(munmap(p + HUGE / 4, HUGE / 2) == 0, "munmap of the middle 2^45 bytes failed");
	CHECK(p[HUGE - 1] == 0, "the last page is not zero");
	CHECK(munmap(p, HUGE) == 0, "munmap of 2^46 bytes failed");

	/* brk: up by 64 MiB, touched at both ends, and back down. */
	{
		char *b0 = (char *)sys1(SYS_brk, 0), *b1 = (char *)sys1(SYS_brk, b0 + 64 * MiB);

		CHECK(b1 == b0 + 64 * MiB, "brk(+64 MiB) returned %p", (void *)b1);
		b0[0] = 1;
		b1[-1] = 1;
		CHECK((char *)sys1(SYS_brk, b0) == b0, "brk could not shrink back");
	}

	/* More than the address space can hold: -ENOMEM (also MAP_FIXED past the top). */
	r = sys6(SYS_mmap, 0, 1L << 47, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	CHECK(r == -ENOMEM, "mmap of 2^47 bytes returned %ld, not -ENOMEM", r);
	r = sys6(SYS_mmap, 0, -4096L, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(r == -ENOMEM, "mmap of 2^64 - 4096 bytes returned %ld, not -ENOMEM", r);
	r = sys6(SYS_mmap, 0x7ffffff00000L, 1L << 30, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	CHECK(r == -ENOMEM, "MAP_FIXED across the top of user space returned %ld, not -ENOMEM", r);
	if (on_atlas()) {
		/* Atlas's overcommit heuristic (Linux mode 0): a writable request larger than RAM is refused. */
		r = sys6(SYS_mmap, 0, HUGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		CHECK(r == -ENOMEM, "writable 2^46-byte mmap without MAP_NORESERVE returned %ld, not -ENOMEM", r);
		r = sys1(SYS_brk, 0);
		CHECK(sys1(SYS_brk, r + (1L << 40)) == r, "brk(+1 TiB) was granted");
		/* Read-only is not counted. */
		r = sys6(SYS_mmap, 0, HUGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		CHECK(r > 0, "read-only 2^46-byte mmap returned %ld", r);
		CHECK(mprotect((void *)r, HUGE, PROT_READ | PROT_WRITE) == -1,
		      "mprotect adding write to 2^46 bytes passed");
		CHECK(munmap((void *)r, HUGE) == 0, "munmap failed");
	}
	say("a 64 TiB mapping was touched, listed, protected, advised and unmapped; oversized requests are -ENOMEM");
	return 0;
}
