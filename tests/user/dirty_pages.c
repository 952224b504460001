/* ATLAS-EXPECT: exit=0 */
/* SPDX-License-Identifier: MIT */
/*
 * dirty_pages - leaves a pattern in as much memory as it can reach: 32 MiB of
 * malloc (mmap), 4 MiB of brk and 512 KiB of stack. fresh_pages_zeroed runs
 * after it and checks that none of it shows through in its own fresh pages.
 */
#include <sys/mman.h>

#include "utest.h"

#define PATTERN 0xa5a5a5a5a5a5a5a5ULL

static void fill(volatile uint64_t *p, size_t bytes)
{
	for (size_t i = 0; i < bytes / 8; i++)
		p[i] = PATTERN;
}

int main(void)
{
	uint64_t *big = malloc(32 * MiB);
	uintptr_t brk0, brk1;
	char *stack_below;

	CHECK(big != NULL, "malloc(32 MiB) failed");
	fill(big, 32 * MiB);

	brk0 = (uintptr_t)sys1(SYS_brk, 0);
	brk1 = (uintptr_t)sys1(SYS_brk, brk0 + 4 * MiB);
	CHECK(brk1 == brk0 + 4 * MiB, "brk(+4 MiB) returned %#lx", (unsigned long)brk1);
	fill((volatile uint64_t *)brk0, 4 * MiB);

	/* 512 KiB of stack from 256 KiB below this frame: unused by anything else. */
	stack_below = (char *)hide_addr((uintptr_t)__builtin_frame_address(0) - 768 * KiB);
	fill((volatile uint64_t *)stack_below, 512 * KiB);

	say("filled 32 MiB of malloc, 4 MiB of brk and 512 KiB of stack with %#llx", PATTERN);
	return 0;
}
