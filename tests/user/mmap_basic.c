/* ATLAS-EXPECT: exit=0 */
/* SPDX-License-Identifier: MIT */
/*
 * mmap_basic - anonymous mmap round trips that must succeed: fresh pages are
 * zero and writable and show in /proc/self/maps (rw-p [anon]; Linux leaves
 * the name empty); munmap of a middle page splits the area; MAP_FIXED
 * replaces pages in place with zero ones; mprotect RW -> R -> RW keeps data;
 * RW -> R+X runs code written there; PROT_NONE maps; madvise succeeds; and
 * the error cases: length 0 (EINVAL), unaligned munmap (EINVAL), mprotect of
 * an unmapped range (ENOMEM).
 */
#include <errno.h>
#include <sys/mman.h>

#include "utest.h"

#define N 16

static char maps[64 * 1024];

static void check_line(const void *addr, const char *perm)
{
	struct map m;

	read_file("/proc/self/maps", maps, sizeof(maps));
	CHECK(map_of(maps, (uintptr_t)addr, &m), "%p is in no maps line", addr);
	CHECK(strcmp(m.perm, perm) == 0, "%p: %s, expected %s", addr, m.perm, perm);
	CHECK(strcmp(m.name, "[anon]") == 0 || m.name[0] == '\0', "%p: named \"%s\", expected [anon]", addr, m.name);
}

static void *map(void *addr, size_t len, int prot, int flags)
{
	long r = sys6(SYS_mmap, (long)addr, (long)len, prot, flags | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(r >= 0 || r < -4095, "mmap(%p, %zu, %d, %#x) returned %ld", addr, len, prot, flags, r);
	return (void *)r;
}

int main(void)
{
	unsigned char *p, *q;
	long r;
	int (*fn)(void);

	/* Fresh, zero, writable, listed. */
	p = map(NULL, N * PAGE, PROT_READ | PROT_WRITE, 0);
	CHECK((uintptr_t)p % PAGE == 0, "mmap returned an unaligned %p", (void *)p);
	for (size_t i = 0; i < N * PAGE; i++)
		CHECK(p[i] == 0, "fresh mmap byte %zu is %#x", i, p[i]);
	memset(p, 0x5a, N * PAGE);
	check_line(p, "rw-p");

	/* munmap a middle page: both sides survive. */
	r = sys2(SYS_munmap, p + 4 * PAGE, PAGE);
	CHECK(r == 0, "munmap(middle page) returned %ld", r);
	read_file("/proc/self/maps", maps, sizeof(maps));
	{
		struct map m;
		CHECK(!map_of(maps, (uintptr_t)(p + 4 * PAGE), &m), "the munmapped page is still listed");
	}
	CHECK(p[4 * PAGE - 1] == 0x5a && p[5 * PAGE] == 0x5a, "the pages around the hole changed");

	/* MAP_FIXED over pages 8..9: same address, zero-filled again. */
	q = map(p + 8 * PAGE, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_FIXED);
	CHECK(q == p + 8 * PAGE, "MAP_FIXED at %p returned %p", (void *)(p + 8 * PAGE), (void *)q);
	CHECK(q[0] == 0 && q[2 * PAGE - 1] == 0, "MAP_FIXED pages are not zero");
	CHECK(p[8 * PAGE - 1] == 0x5a && p[10 * PAGE] == 0x5a, "MAP_FIXED touched its neighbours");
	/* MAP_FIXED into the hole. */
	q = map(p + 4 * PAGE, PAGE, PROT_READ | PROT_WRITE, MAP_FIXED);
	CHECK(q == p + 4 * PAGE && q[0] == 0, "MAP_FIXED into the hole failed");

	/* mprotect RW -> R -> RW keeps the data. */
	CHECK(mprotect(p, PAGE, PROT_READ) == 0, "mprotect(PROT_READ) failed");
	check_line(p, "r--p");
	CHECK(p[0] == 0x5a, "data lost under PROT_READ");
	CHECK(mprotect(p, PAGE, PROT_READ | PROT_WRITE) == 0, "mprotect(RW) failed");
	p[0] = 0x33;
	CHECK(p[0] == 0x33, "write after mprotect(RW) lost");
	check_line(p, "rw-p");

	/* RW -> R+X: code written there runs (mov $42, %eax; ret). */
	{
		static const unsigned char code[] = { 0xb8, 42, 0, 0, 0, 0xc3 };
		memcpy(p + 12 * PAGE, code, sizeof(code));
		CHECK(mprotect(p + 12 * PAGE, PAGE, PROT_READ | PROT_EXEC) == 0, "mprotect(R+X) failed");
		check_line(p + 12 * PAGE, "r-xp");
		fn = (int (*)(void))hide(p + 12 * PAGE);
		CHECK(fn() == 42, "code in an R+X mapping returned the wrong value");
	}

	/* madvise and PROT_NONE. */
	CHECK(madvise(p + 14 * PAGE, PAGE, MADV_DONTNEED) == 0, "madvise(MADV_DONTNEED) failed");
	q = map(NULL, PAGE, PROT_NONE, 0);
	check_line(q, "---p");
	CHECK(munmap(q, PAGE) == 0, "munmap of the PROT_NONE page failed");

	/* Errors. */
	r = sys6(SYS_mmap, 0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(r == -EINVAL, "mmap of length 0 returned %ld, expected -EINVAL", r);
	r = sys2(SYS_munmap, p + 1, PAGE);
	CHECK(r == -EINVAL, "unaligned munmap returned %ld, expected -EINVAL", r);
	r = sys2(SYS_munmap, p, N * PAGE);
	CHECK(r == 0, "munmap of everything returned %ld", r);
	r = sys3(SYS_mprotect, p, PAGE, PROT_READ);
	CHECK(r == -ENOMEM, "mprotect of an unmapped range returned %ld, expected -ENOMEM", r);

	say("mmap zero-filled, munmap split, MAP_FIXED, mprotect R/RW/RX, PROT_NONE, madvise, EINVAL/ENOMEM errors");
	return 0;
}
