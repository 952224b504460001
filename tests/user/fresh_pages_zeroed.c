/* ATLAS-EXPECT: exit=0 */
/* ATLAS-ORDER: after=dirty_pages */
/* SPDX-License-Identifier: MIT */
/*
 * fresh_pages_zeroed - runs after dirty_pages, which left a pattern in the
 * memory it freed by exiting: 32 MiB of malloc (mmap), 4 MiB of fresh brk,
 * 4 MiB of fresh mmap and 512 KiB of not yet used stack must all read zero.
 */
#include <sys/mman.h>

#include "utest.h"

static void check_zero(const char *what, const volatile uint64_t *p, size_t bytes)
{
	for (size_t i = 0; i < bytes / 8; i++)
		CHECK(p[i] == 0, "%s: word at %p is %#lx, not zero", what, (const void *)&p[i], (unsigned long)p[i]);
}

int main(void)
{
	uint64_t *big = hide(malloc(32 * MiB)); /* hidden: GCC would call its contents uninitialised */
	void *m;
	uintptr_t brk0, brk1;
	char *stack_below;

	CHECK(big != NULL, "malloc(32 MiB) failed");
	check_zero("malloc(32 MiB)", big, 32 * MiB);

	m = mmap(NULL, 4 * MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	CHECK(m != MAP_FAILED, "mmap(4 MiB) failed");
	check_zero("mmap(4 MiB)", m, 4 * MiB);

	brk0 = (uintptr_t)sys1(SYS_brk, 0);
	brk1 = (uintptr_t)sys1(SYS_brk, brk0 + 4 * MiB);
	CHECK(brk1 == brk0 + 4 * MiB, "brk(+4 MiB) returned %#lx", (unsigned long)brk1);
	check_zero("brk(+4 MiB)", (const volatile uint64_t *)brk0, 4 * MiB);

	stack_below = (char *)hide_addr((uintptr_t)__builtin_frame_address(0) - 768 * KiB);
	check_zero("stack", (const volatile uint64_t *)stack_below, 512 * KiB);

	say("32 MiB of malloc, 4 MiB of mmap, 4 MiB of brk and 512 KiB of new stack are all zero");
	return 0;
}
