/* ATLAS-EXPECT: exit=0 */
/* SPDX-License-Identifier: MIT */
/*
 * stack_growth - 1 MiB of recursion (256 frames of 4 KiB) works; the [stack]
 * line of /proc/self/maps grows to cover the deepest frame, and does not
 * shrink after the recursion has returned.
 */
#include "utest.h"

#define DEPTH 256

static char maps[64 * 1024];
static struct map at_depth;
static uintptr_t deepest;

static int recurse(int depth)
{
	volatile char pad[4096];

	pad[0] = (char)depth;
	pad[sizeof(pad) - 1] = (char)depth;
	if (depth == 0) {
		deepest = (uintptr_t)pad;
		read_file("/proc/self/maps", maps, sizeof(maps));
		CHECK(map_named(maps, "[stack]", &at_depth), "no [stack] line at depth %d", DEPTH);
		return pad[0];
	}
	return recurse(depth - 1) + pad[sizeof(pad) - 1];
}

int main(void)
{
	struct map before, after;
	volatile int sink;

	read_file("/proc/self/maps", maps, sizeof(maps));
	CHECK(map_named(maps, "[stack]", &before), "no [stack] line");
	sink = recurse(DEPTH);
	(void)sink;
	CHECK(at_depth.start <= deepest && deepest < at_depth.end,
	      "[stack] %lx-%lx does not hold the deepest frame %#lx", (unsigned long)at_depth.start,
	      (unsigned long)at_depth.end, (unsigned long)deepest);
	CHECK(at_depth.end == before.end, "[stack] end moved from %lx to %lx", (unsigned long)before.end,
	      (unsigned long)at_depth.end);
	CHECK(at_depth.end - at_depth.start >= 1 * MiB, "[stack] is only %lu KiB at depth",
	      (unsigned long)((at_depth.end - at_depth.start) / KiB));
	CHECK(at_depth.start < before.start, "[stack] did not grow: %lx-%lx before, %lx-%lx at depth",
	      (unsigned long)before.start, (unsigned long)before.end, (unsigned long)at_depth.start,
	      (unsigned long)at_depth.end);

	read_file("/proc/self/maps", maps, sizeof(maps));
	CHECK(map_named(maps, "[stack]", &after), "no [stack] line after returning");
	/* Not shrunk; it may have grown a page more: the calls made after the snapshot at depth went deeper. */
	CHECK(after.start <= at_depth.start && after.end == at_depth.end,
	      "[stack] shrank after returning: %lx-%lx at depth, %lx-%lx now", (unsigned long)at_depth.start,
	      (unsigned long)at_depth.end, (unsigned long)after.start, (unsigned long)after.end);
	say("1 MiB of recursion: [stack] grew from %lu KiB to %lu KiB and stayed",
	    (unsigned long)((before.end - before.start) / KiB), (unsigned long)((after.end - after.start) / KiB));
	return 0;
}
