/* SPDX-License-Identifier: MIT */
/*
 * many_areas - far more mapping areas than the old fixed table's 128: 3,000
 * one-page areas of alternating protection (so none merge), each touched,
 * listed in /proc/self/maps in order, then unmapped every other one and the
 * rest in one call. Linux's default vm.max_map_count (65530) allows this too.
 */
#include <sys/mman.h>

#include "utest.h"

#define N 3000

static char maps[1024 * 1024];

int main(void)
{
	char *base = mmap(NULL, N * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	const char *cur;
	struct map m;
	size_t lines = 0;

	CHECK(base != MAP_FAILED, "mmap of %d pages failed", N);
	for (int i = 0; i < N; i++)
		base[i * PAGE] = (char)i;
	for (int i = 0; i < N; i += 2)
		CHECK(mprotect(base + i * PAGE, PAGE, PROT_READ) == 0, "mprotect of page %d failed", i);
	read_file("/proc/self/maps", maps, sizeof(maps));
	for (cur = maps; next_map(&cur, &m);)
		if (m.start >= (uintptr_t)base && m.end <= (uintptr_t)base + N * PAGE) {
			CHECK(m.end - m.start == PAGE, "area %#lx-%#lx is not one page", (unsigned long)m.start,
			      (unsigned long)m.end);
			CHECK(strcmp(m.perm, ((m.start - (uintptr_t)base) / PAGE) % 2 ? "rw-p" : "r--p") == 0,
			      "area %#lx has perm %s", (unsigned long)m.start, m.perm);
			lines++;
		}
	CHECK(lines == N, "%zu of the %d areas listed", lines, N);
	for (int i = 0; i < N; i++)
		CHECK(base[i * PAGE] == (char)i, "page %d lost its byte", i);
	/* Every other area, then the remaining ones (and the holes) in one call. */
	for (int i = 1; i < N; i += 2)
		CHECK(munmap(base + i * PAGE, PAGE) == 0, "munmap of page %d failed", i);
	CHECK(munmap(base, N * PAGE) == 0, "munmap of the whole range failed");
	read_file("/proc/self/maps", maps, sizeof(maps));
	CHECK(!map_of(maps, (uintptr_t)base + PAGE, &m), "an area survived munmap");
	say("%d one-page areas made, listed in order and unmapped", N);
	return 0;
}
