/* ATLAS-EXPECT: exit=0 */
/* SPDX-License-Identifier: MIT */
/*
 * heap_growth - malloc in a loop (256 blocks of 16 KiB, under musl's mmap
 * threshold, so they come from brk) makes [heap] grow by about 4 MiB, every
 * block keeps its own contents; then raw brk: brk(0) reports the break,
 * growing it by 1 MiB extends [heap] to exactly there (fresh pages are zero),
 * shrinking it back gives the memory back, and a break below the heap's
 * start is refused (brk returns the old break, as Linux does).
 */
#include "utest.h"

#define NBLOCKS 256
#define BLOCK (16 * KiB)

static char maps[64 * 1024];
static unsigned char *blocks[NBLOCKS];

int main(void)
{
	uint64_t before, after;
	uintptr_t cur, r;
	struct map heap;
	volatile unsigned char *fresh;

	read_file("/proc/self/maps", maps, sizeof(maps));
	before = map_size(maps, "[heap]"); /* Linux has no [heap] line until the first brk */
	for (int i = 0; i < NBLOCKS; i++) {
		blocks[i] = malloc(BLOCK);
		CHECK(blocks[i] != NULL, "malloc #%d failed", i);
		memset(blocks[i], i, BLOCK);
	}
	for (int i = 0; i < NBLOCKS; i++)
		CHECK(blocks[i][0] == (unsigned char)i && blocks[i][BLOCK - 1] == (unsigned char)i,
		      "block %d lost its contents", i);
	read_file("/proc/self/maps", maps, sizeof(maps));
	after = map_size(maps, "[heap]");
	CHECK(after >= before + 3 * MiB, "[heap] grew from %lu KiB to %lu KiB for 4 MiB of malloc",
	      (unsigned long)(before / KiB), (unsigned long)(after / KiB));

	/* Raw brk from here on: no more malloc, which keeps its own idea of the break. */
	cur = (uintptr_t)sys1(SYS_brk, 0);
	CHECK(cur >= 0x400000 && cur < 0x00007fff00000000ULL, "brk(0) returned %#lx", (unsigned long)cur);
	r = (uintptr_t)sys1(SYS_brk, cur + MiB);
	CHECK(r == cur + MiB, "brk(%#lx) returned %#lx", (unsigned long)(cur + MiB), (unsigned long)r);
	fresh = (volatile unsigned char *)cur;
	for (size_t i = 0; i < MiB; i += PAGE) {
		CHECK(fresh[i] == 0, "fresh brk byte at %#lx is %#x", (unsigned long)(cur + i), fresh[i]);
		fresh[i] = 0xaa;
	}
	read_file("/proc/self/maps", maps, sizeof(maps));
	CHECK(map_of(maps, cur + MiB - 1, &heap), "the new break's last byte is unmapped");
	CHECK(strcmp(heap.name, "[heap]") == 0 && strcmp(heap.perm, "rw-p") == 0, "brk area is %s %s", heap.perm,
	      heap.name);
	CHECK(heap.end == ((cur + MiB + PAGE - 1) & ~(PAGE - 1)), "[heap] ends at %lx, break at %#lx",
	      (unsigned long)heap.end, (unsigned long)(cur + MiB));

	r = (uintptr_t)sys1(SYS_brk, cur);
	CHECK(r == cur, "shrinking brk to %#lx returned %#lx", (unsigned long)cur, (unsigned long)r);
	read_file("/proc/self/maps", maps, sizeof(maps));
	CHECK(!map_of(maps, cur + MiB - 1, &heap), "[heap] still maps %#lx after shrinking",
	      (unsigned long)(cur + MiB - 1));
	r = (uintptr_t)sys1(SYS_brk, 0x1000);
	CHECK(r == cur, "brk(0x1000) returned %#lx, expected the old break %#lx", (unsigned long)r, (unsigned long)cur);
	say("malloc 4 MiB: [heap] %lu -> %lu KiB; brk +1 MiB zeroed, [heap] to the break, shrink, bad brk refused",
	    (unsigned long)(before / KiB), (unsigned long)(after / KiB));
	return 0;
}
